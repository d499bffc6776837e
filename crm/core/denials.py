"""Failed authorization, recorded (ASVS 16.3.2).

Every 403, and every 404 that hides an existing object outside the user's scope (`crm.core.access.get_or_404`),
is written twice by the error handler (`crm.core.errors`, which commits the row on its own: it outlives the
request's rollback):
- one JSON line on the `crm.security` logger (who, which route and object, when in UTC, the request id, the
  address), for the application log and whatever ships it;
- one row in `access_denial`, so that the counts per user hold across every worker process: the administrators'
  page 越权访问记录 (and a column on the user list) shows who keeps trying what they may not see.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from flask import g, request
from flask_login import current_user
from sqlalchemy import ForeignKey, Index, Integer, String, case, func, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from crm.core import hooks
from crm.db import Base, db, utcnow

log = logging.getLogger('crm.security')

WINDOW = timedelta(hours=24)
ALERT_COUNT = 10  # denials in the window from which a user is flagged as probing


class AccessDenial(Base):
    """One refused request of a signed-in user (or an anonymous one that reached a 403)."""

    __tablename__ = 'access_denial'
    __table_args__ = (Index('ix_access_denial_user_at', 'user_id', 'at'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey('user.id', ondelete='SET NULL'))
    status: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(10))
    endpoint: Mapped[str | None] = mapped_column(String(100))
    path: Mapped[str] = mapped_column(String(500))
    object_type: Mapped[str | None] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(32))
    ip: Mapped[str | None] = mapped_column(String(64))


def _user() -> Any:
    return current_user if current_user and current_user.is_authenticated else None


def record(status: int, object_type: str | None = None, object_id: Any = None) -> dict[str, Any]:
    """Log a refused request; returns its row for `store`. The error handler calls both, after the view gave up:
    the row must outlive the request's rollback, so the request layer commits it on its own."""
    user = _user()
    row = {
        'at': utcnow(), 'user_id': getattr(user, 'id', None), 'status': status, 'method': request.method[:10],
        'endpoint': (request.endpoint or '')[:100] or None, 'path': request.path[:500],
        'object_type': object_type, 'object_id': None if object_id is None else str(object_id)[:64],
        'request_id': getattr(g, 'request_id', None), 'ip': (request.remote_addr or '')[:64] or None,
    }
    entry = {'event': 'access_denied', **row, 'at': row['at'].isoformat(), 'role': getattr(user, 'role_code', None),
             'via': 'api_token' if getattr(g, 'api_token', None) is not None else 'session'}
    # One JSON object per line: user text (the path) cannot forge another log line.
    log.warning(json.dumps(entry, ensure_ascii=False, sort_keys=True))
    return row


def store(row: dict[str, Any]) -> None:
    """Write a refused request's row (the caller commits)."""
    db.session.execute(insert(AccessDenial), [row])


def counts_since(since: datetime, user_ids: list[int] | None = None) -> dict[int, int]:
    """Denials per user since `since` (only the given users, when named)."""
    stmt = (select(AccessDenial.user_id, func.count()).where(AccessDenial.at >= since,
                                                            AccessDenial.user_id.is_not(None))
            .group_by(AccessDenial.user_id))
    if user_ids is not None:
        if not user_ids:
            return {}
        stmt = stmt.where(AccessDenial.user_id.in_(user_ids))
    return {user_id: count for user_id, count in db.session.execute(stmt)}


def summary_since(since: datetime) -> list[dict[str, Any]]:
    """Per user since `since`: the number of 403s and scope 404s, the last time and path, most denials first."""
    rows = db.session.execute(
        select(AccessDenial.user_id, func.count(), func.sum(case((AccessDenial.status == 403, 1), else_=0)),
               func.max(AccessDenial.at))
        .where(AccessDenial.at >= since, AccessDenial.user_id.is_not(None))
        .group_by(AccessDenial.user_id).order_by(func.count().desc(), AccessDenial.user_id)).all()
    users = hooks.ask('users', [r[0] for r in rows])  # auth answers
    result = []
    for user_id, total, forbidden, last_at in rows:
        last = db.session.scalar(select(AccessDenial).where(AccessDenial.user_id == user_id)
                                 .order_by(AccessDenial.at.desc(), AccessDenial.id.desc()).limit(1))
        forbidden = int(forbidden or 0)
        result.append({'user': users.get(user_id), 'total': total, 'forbidden': forbidden, 'hidden': total - forbidden,
                       'last_at': last_at, 'last_path': last.path if last else ''})
    return result
