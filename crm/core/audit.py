"""Append-only audit trail.

Field-level changes are captured once, for every model that sets `__audited__ = True`,
by a session listener that runs inside the flush: the events are written in the same
transaction as the change, so a change and its audit entry commit or roll back together.
Actions that are not row changes (logins, merges, stage moves) call `log()`.
The database refuses UPDATE and DELETE on the table (triggers created by the migration).
"""
from __future__ import annotations

import enum
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, event, insert, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from crm.db import Base, utcnow

REDACTED = '***'


@dataclass(frozen=True)
class AuditContext:
    """Who is acting, from where; set per request or per CLI command."""

    actor_id: int | None = None
    actor_label: str = 'system'
    request_id: str | None = None
    ip: str | None = None


_context: ContextVar[AuditContext] = ContextVar('audit_context', default=AuditContext())


def set_context(ctx: AuditContext) -> None:
    """Set the actor for audit events recorded from now on in this context."""
    _context.set(ctx)


def current_context() -> AuditContext:
    """The actor currently recorded in audit events."""
    return _context.get()


class AuditEvent(Base):
    """One recorded action: who, when (UTC), which object, what changed."""

    __tablename__ = 'audit_event'
    __table_args__ = (Index('ix_audit_event_object', 'object_type', 'object_id'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey('user.id'), index=True)
    actor_label: Mapped[str] = mapped_column(String(200), default='system')
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(60))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    request_id: Mapped[str | None] = mapped_column(String(32))
    ip: Mapped[str | None] = mapped_column(String(64))


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _row(object_type: str, object_id: Any, action: str, changes: dict) -> dict:
    ctx = current_context()
    return {
        'at': utcnow(), 'actor_id': ctx.actor_id, 'actor_label': ctx.actor_label, 'object_type': object_type,
        'object_id': None if object_id is None else str(object_id), 'action': action,
        'changes': _plain(changes), 'request_id': ctx.request_id, 'ip': ctx.ip,
    }


def log(session: Session, action: str, object_type: str, object_id: Any = None, **details: Any) -> None:
    """Record an action that is not a plain field change (login, merge, stage move …)."""
    session.execute(insert(AuditEvent), [_row(object_type, object_id, action, details)])


def _object_type(obj: Any) -> str:
    return getattr(obj, '__audit_name__', obj.__class__.__tablename__)


def _field_changes(obj: Any, *, new: bool) -> dict[str, list]:
    mapper = inspect(obj).mapper
    skip = {'created_at', 'updated_at', 'version'} | set(getattr(obj, '__audit_exclude__', ()))
    redact = set(getattr(obj, '__audit_redact__', ()))
    changes: dict[str, list] = {}
    for attr in mapper.column_attrs:
        if attr.key in skip:
            continue
        if new:
            value = getattr(obj, attr.key)
            if value is not None:
                changes[attr.key] = [None, REDACTED if attr.key in redact else value]
            continue
        hist = inspect(obj).attrs[attr.key].history
        if hist.has_changes():
            before = hist.deleted[0] if hist.deleted else None
            after = hist.added[0] if hist.added else None
            if before != after:
                changes[attr.key] = [REDACTED, REDACTED] if attr.key in redact else [before, after]
    return changes


def _primary_key(obj: Any) -> str:
    # In after_flush new rows have their key values but no identity key yet: read the columns.
    values = inspect(obj).mapper.primary_key_from_instance(obj)
    return ':'.join(str(part) for part in values)


@event.listens_for(Session, 'after_flush')
def _audit_after_flush(session: Session, _flush_context) -> None:
    rows = []
    for obj in session.new:
        if getattr(obj, '__audited__', False):
            rows.append(_row(_object_type(obj), _primary_key(obj), 'create', _field_changes(obj, new=True)))
    for obj in session.dirty:
        if getattr(obj, '__audited__', False) and session.is_modified(obj, include_collections=False):
            changes = _field_changes(obj, new=False)
            if changes:
                rows.append(_row(_object_type(obj), _primary_key(obj), 'update', changes))
    for obj in session.deleted:
        if getattr(obj, '__audited__', False):
            rows.append(_row(_object_type(obj), _primary_key(obj), 'delete', {}))
    if rows:
        session.connection().execute(insert(AuditEvent), rows)


APPEND_ONLY_SQLITE = [
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
]
APPEND_ONLY_POSTGRESQL = [
    "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$",
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
]
