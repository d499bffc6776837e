"""An officer's choices on a lead's match: items pinned for the pack, or dropped from it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import Base, utcnow

KINDS = ('platform', 'unit', 'policy', 'commitment')
PIN, DROP = 'pin', 'drop'


class MatchChoice(Base):
    """One pinned or dropped match item; the pinned set of a kind is what the pack uses."""

    __tablename__ = 'match_choice'
    __table_args__ = (UniqueConstraint('lead_id', 'kind', 'item_id'),)
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey('lead.id', ondelete='CASCADE'), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    item_id: Mapped[int] = mapped_column(Integer)
    choice: Mapped[str] = mapped_column(String(4))
    user_id: Mapped[int | None] = mapped_column(ForeignKey('user.id'))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
