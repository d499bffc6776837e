"""Personal API tokens: the token is shown once, only its SHA-256 is stored; a token acts exactly as its user.

A token works while it is not revoked, not expired and its user is active, checked on every request, so
revoking the token or deactivating the user stops it at once.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from crm.auth.models import User
from crm.core import audit
from crm.core.i18n import gettext as _
from crm.db import Base, db, utcnow

PREFIX = 'crm_'
LIFETIMES = (30, 90, 365)  # days a new token may live
LAST_USED_RESOLUTION = timedelta(seconds=60)  # last use is recorded to within this


class ApiToken(Base):
    """One personal token of a user."""

    __tablename__ = 'api_token'

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey('user.id', ondelete='CASCADE'), index=True)
    name: Mapped[str] = mapped_column(String(60))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(12))  # the first characters, so the owner can tell tokens apart
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey('user.id'))

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > utcnow()


class TokenError(ValueError):
    """A rule about tokens was broken; the message is shown to the user."""


def token_hash(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode('utf-8', 'surrogatepass')).hexdigest()


def create_token(user: User, name: str, *, days: int) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the token text (shown once, never stored)."""
    name = (name or '').strip()
    if not name:
        raise TokenError(_('Give the token a name'))
    if days not in LIFETIMES:
        raise TokenError(_('The token can be valid for 30, 90 or 365 days'))
    text = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name[:60], token_hash=token_hash(text), hint=text[:len(PREFIX) + 4],
                   expires_at=utcnow() + timedelta(days=days))
    db.session.add(row)
    db.session.flush()
    audit.log(db.session, 'api_token_created', 'user', user.id, token=row.id, name=row.name, days=days)
    return row, text


def revoke_token(row: ApiToken, *, actor_id: int | None) -> None:
    """End a token at once (idempotent)."""
    if row.revoked_at is None:
        row.revoked_at, row.revoked_by_id = utcnow(), actor_id
        db.session.flush()
        audit.log(db.session, 'api_token_revoked', 'user', row.user_id, token=row.id, name=row.name)


def tokens_of(user_id: int) -> list[ApiToken]:
    """A user's tokens, newest first."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


@dataclass(frozen=True)
class TokenUser:
    """A request authenticated by a token; `used_at` is when, if its last use is due to be recorded."""

    user: User
    token: ApiToken
    used_at: datetime | None = None


def authenticate(text: str) -> TokenUser | None:
    """The user a token stands for, if the token is live and the user active (and whether to record the use: at
    most once per `LAST_USED_RESOLUTION`)."""
    if not text.startswith(PREFIX) or len(text) > 200:
        return None
    now = utcnow()
    found = db.session.execute(select(User, ApiToken).join(ApiToken, ApiToken.user_id == User.id)
                               .where(ApiToken.token_hash == token_hash(text))).first()
    if found is None:
        return None
    user, row = found
    if not user.is_active or row.revoked_at is not None or row.expires_at <= now:
        return None
    due = row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION
    return TokenUser(user, row, now if due else None)


def stamp_use(found: TokenUser) -> None:
    """Record the token's use (the request layer commits it in its own short transaction)."""
    db.session.execute(update(ApiToken).where(ApiToken.id == found.token.id).values(last_used_at=found.used_at)
                       .execution_options(synchronize_session=False))
