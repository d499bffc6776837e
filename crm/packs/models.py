"""Promotion packs (招商推介包): immutable PDFs with the snapshot of what they cite."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import Base, utcnow


class Pack(Base):
    """One issued version of a pack. Never edited: regenerating makes a new version."""

    __tablename__ = 'pack'
    __table_args__ = (UniqueConstraint('lead_id', 'version'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True, index=True)  # GS-2026-7KQ4XM-V2 (crm.packs.numbers)
    lead_id: Mapped[int] = mapped_column(ForeignKey('lead.id'), index=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey('firm.id'), index=True)
    version: Mapped[int] = mapped_column(Integer)
    lang: Mapped[str] = mapped_column(String(10), default='zh')
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)  # cited ids with their versions, and the quotes
    author_id: Mapped[int | None] = mapped_column(ForeignKey('user.id'))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PackShare(Base):
    """A read-only link to a pack for the prospect: tokenised (only its hash is stored), expiring, revocable."""

    __tablename__ = 'pack_share'

    id: Mapped[int] = mapped_column(primary_key=True)
    pack_id: Mapped[int] = mapped_column(ForeignKey('pack.id'), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey('user.id'))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    # The pack's own link, made with it and printed in it as a QR code; the links the officer shares later are the
    # ones that announce a newer version to the prospect.
    in_pdf: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class PackShareAccess(Base):
    """One opening of a share link (page or PDF)."""

    __tablename__ = 'pack_share_access'

    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey('pack_share.id', ondelete='CASCADE'), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    what: Mapped[str] = mapped_column(String(10))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))


class PolicySummary(Base):
    """A 政策摘要 for a landed firm: what it qualifies for, what is missing, deadlines — stored like packs."""

    __tablename__ = 'policy_summary'

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True, index=True)  # ZC-2026-H3D9PA-1
    firm_id: Mapped[int] = mapped_column(ForeignKey('firm.id'), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    author_id: Mapped[int | None] = mapped_column(ForeignKey('user.id'))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PackBuild(Base):
    """One request to build a pack: queued for the worker, its progress, and the pack or the reason it failed."""

    __tablename__ = 'pack_build'

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey('lead.id', ondelete='CASCADE'), index=True)
    lang: Mapped[str] = mapped_column(String(10), default='zh')
    status: Mapped[str] = mapped_column(String(10), default='queued')  # queued | running | done | failed
    step: Mapped[str] = mapped_column(String(60), default='')
    percent: Mapped[int] = mapped_column(Integer, default=0)
    pack_id: Mapped[int | None] = mapped_column(ForeignKey('pack.id'))
    error: Mapped[str | None] = mapped_column(String(500))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey('user.id'))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
