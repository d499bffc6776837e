"""The officers offered by the lead list's and the lead page's assignment menus, kept in the figures cache
(crm.core.cache) until a user is added, changed or removed, in whichever process."""
from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from crm.auth.models import OFFICER, User
from crm.core.cache import changed, kept
from crm.db import db

NAMESPACE = 'officer-options'
CACHE_SECONDS = 600


class OfficerOption(NamedTuple):
    id: int
    name: str


_ACTIVE_OFFICERS = (select(User.id, User.name).where(User.role_code == OFFICER, User.is_active.is_(True))
                    .order_by(User.name, User.id))


def active_officers() -> list[OfficerOption]:
    """The active officers, by name."""
    return kept(NAMESPACE, f'{NAMESPACE}:all', CACHE_SECONDS, _read_officers)


def _read_officers() -> list[OfficerOption]:
    return [OfficerOption(*row) for row in db.session.connection().execute(_ACTIVE_OFFICERS)]


@event.listens_for(Session, 'before_flush')
def _users_changing(session: Session, _context, _instances) -> None:
    if any(isinstance(obj, User) for obj in (*session.new, *session.dirty, *session.deleted)):
        changed(session, NAMESPACE)
