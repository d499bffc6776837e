"""Users, roles, platform memberships, server-side sessions and login throttles."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import get_locale
from sqlalchemy import Boolean, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core import hooks
from crm.core.mixins import TimestampMixin, VersionedMixin
from crm.core.roles import ADMIN, FIRM, LEADER, OFFICER, PARK_MANAGER, ROLE_CODES  # noqa: F401  (role codes)
from crm.db import Base, db, utcnow

# (code, Chinese name, English name, rank): the rows of the role table (seeded by its migration), and the names
# the header shows, read from here so that no request joins the role table for a label.
ROLES = [
    (ADMIN, '管理员', 'Administrator', 10),
    (LEADER, '招商领导', 'Leader', 20),
    (OFFICER, '招商专员', 'Officer', 30),
    (PARK_MANAGER, '平台负责人', 'Park manager', 40),
    (FIRM, '企业用户', 'Firm user', 50),
]
_ROLE_NAMES = {code: (zh, en) for code, zh, en, _rank in ROLES}


def role_label(code: str) -> str:
    """A role's name in the interface language."""
    names = _ROLE_NAMES.get(code)
    if names is None:
        return code
    locale = get_locale()
    return names[1] if locale is not None and locale.language == 'en' else names[0]


class Role(Base):
    """A role; what each role may do is decided in `crm.core.access`."""

    __tablename__ = 'role'

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(40))
    rank: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def label(self) -> str:
        """The role's name in the interface language."""
        return role_label(self.code)


class User(TimestampMixin, VersionedMixin, Base):
    """A person who logs in. `session_epoch` is bumped to revoke every session at once."""

    __tablename__ = 'user'
    __audited__ = True
    __audit_redact__ = ('password_hash',)
    __audit_exclude__ = ('session_epoch', 'last_login_at')

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role_code: Mapped[str] = mapped_column(ForeignKey('role.code'), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    locale: Mapped[str | None] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(32))
    # What a promotion pack prints in its contact section (the mobile is `phone`).
    job_title: Mapped[str | None] = mapped_column(String(60))
    wechat: Mapped[str | None] = mapped_column(String(60))
    office_address: Mapped[str | None] = mapped_column(String(200))
    last_login_at: Mapped[datetime | None] = mapped_column()
    # 企业用户: the firm they belong to (created after firm exists, hence use_alter to break the user↔firm cycle)
    firm_id: Mapped[int | None] = mapped_column(ForeignKey('firm.id', use_alter=True))

    role: Mapped[Role] = relationship()  # the header's role name comes from `role_label`, not from a join
    # loaded when first needed: only park managers' scope reads it
    memberships: Mapped[list[PlatformMembership]] = relationship(back_populates='user', cascade='all, delete-orphan')

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f'{self.id}:{self.session_epoch}'

    @property
    def platform_ids(self) -> frozenset[int]:
        return frozenset(m.platform_id for m in self.memberships)

    @property
    def role_name(self) -> str:
        return role_label(self.role_code)

    def __repr__(self) -> str:
        return f'<User {self.id} {self.email} {self.role_code}>'


class PlatformMembership(Base):
    """A park manager (or any user) attached to a platform they look after."""

    __tablename__ = 'platform_membership'
    __audited__ = True

    user_id: Mapped[int] = mapped_column(ForeignKey('user.id', ondelete='CASCADE'), primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey('platform.id', ondelete='CASCADE'), primary_key=True,
                                             index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates='memberships')


class UserSession(Base):
    """A login: the cookie carries its id, so logout and admin revocation end it server-side."""

    __tablename__ = 'user_session'

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey('user.id', ondelete='CASCADE'), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))


class LoginThrottle(Base):
    """Failed-login counter per login name (known or not), shared by every worker process."""

    __tablename__ = 'login_throttle'

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(default=utcnow)


def user_by_email(email: str) -> User | None:
    """The user with this e-mail address (case-insensitive), if any."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def users_by_id(ids: Iterable[int | None]) -> dict[int, User]:
    """The users with these ids, by id (ids of no user are left out)."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    return {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(wanted)))}


hooks.answer('users', users_by_id)  # core's export jobs and access-denial summaries name users
