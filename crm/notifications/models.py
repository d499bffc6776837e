"""Notifications, their delivery per channel, and each user's choice of channels."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import Base, utcnow

CHANNELS = ('inbox', 'email', 'webhook')


class Notification(Base):
    """One message for one user. `key` makes it happen once (the same event never notifies twice)."""

    __tablename__ = 'notification'
    __table_args__ = (Index('ix_notification_user_unread', 'user_id', 'read_at', 'id'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey('user.id', ondelete='CASCADE'))
    kind: Mapped[str] = mapped_column(String(30))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))  # a path inside the product (/leads/12)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column()


class NotificationDelivery(Base):
    """How one notification went out on one channel: sent, failed (with the reason) or skipped (not configured)."""

    __tablename__ = 'notification_delivery'
    __table_args__ = (UniqueConstraint('notification_id', 'channel'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey('notification.id', ondelete='CASCADE'), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))  # sent | failed | skipped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class NotificationPreference(Base):
    """Where a user wants their notifications besides the inbox."""

    __tablename__ = 'notification_preference'
    __audited__ = True

    user_id: Mapped[int] = mapped_column(ForeignKey('user.id', ondelete='CASCADE'), primary_key=True)
    email: Mapped[bool] = mapped_column(Boolean, default=False)
    webhook: Mapped[bool] = mapped_column(Boolean, default=False)
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
