"""Import batches: a confirmed import is recorded as `running`, in a transaction of its own, before any of its rows
is written; it becomes `done` in the same transaction as the rows, or `failed` when the import raises.

A process that is killed mid-import leaves its rows uncommitted (the database drops them) and its batch `running`.
Such a batch is marked failed the next time batches are started or listed, once its process is known to be gone:
same host and the process id no longer alive, or another host and no news for a day.
"""
from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, delete, insert, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapped, mapped_column

from crm.core import audit
from crm.core.imports import ImportReport
from crm.core.roles import ADMIN
from crm.db import Base, db, utcnow

ABANDONED = '导入进程已中断，本批数据没有写入，请重新导入 (the importing process ended before the batch was saved)'
OTHER_HOST_TIMEOUT = timedelta(hours=24)


class ImportBatch(Base):
    """One confirmed import of a spreadsheet: what, who, where it ran, and how it ended."""

    __tablename__ = 'import_batch'

    id: Mapped[int] = mapped_column(primary_key=True)
    object_type: Mapped[str] = mapped_column(String(30))
    filename: Mapped[str] = mapped_column(String(200), default='')
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(10), default='running', index=True)  # running | done | failed
    imported: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    error_rows: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    host: Mapped[str] = mapped_column(String(100), default='')
    pid: Mapped[int] = mapped_column(default=0)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey('user.id'))
    actor_label: Mapped[str] = mapped_column(String(200), default='system')
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    error_file: Mapped[str | None] = mapped_column(String(64))  # stored upload: the rows with errors, to fix
    reverted_at: Mapped[datetime | None] = mapped_column()
    reverted_by_id: Mapped[int | None] = mapped_column(ForeignKey('user.id'))

    def as_dict(self) -> dict:
        return {'id': self.id, 'object_type': self.object_type, 'filename': self.filename, 'status': self.status,
                'imported': self.imported, 'updated': self.updated, 'unchanged': self.unchanged,
                'error_rows': self.error_rows, 'error': self.error, 'started_at': self.started_at.isoformat(),
                'finished_at': self.finished_at.isoformat() if self.finished_at else None,
                'reverted_at': self.reverted_at.isoformat() if self.reverted_at else None}


class ImportChange(Base):
    """A record a confirmed import added or changed, with the values it had before and its version right after the
    import, so that the batch can be undone and a later edit noticed."""

    __tablename__ = 'import_change'

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey('import_batch.id', ondelete='CASCADE'), index=True)
    object_type: Mapped[str] = mapped_column(String(40))  # the record's table
    object_id: Mapped[int] = mapped_column()
    action: Mapped[str] = mapped_column(String(10))  # create | update
    before: Mapped[dict | None] = mapped_column(JSON)
    version: Mapped[int | None] = mapped_column()
    after: Mapped[dict | None] = mapped_column(JSON)  # the record right after the import, when it has no version


def _process_gone(batch: ImportBatch, now: datetime) -> bool:
    if batch.host != socket.gethostname()[:100]:
        return now - batch.started_at > OTHER_HOST_TIMEOUT
    try:
        with open(f'/proc/{batch.pid}/stat', encoding='ascii') as stat:
            return stat.read().rsplit(')', 1)[1].split()[0] in ('Z', 'X')  # exited, not yet reaped
    except FileNotFoundError:
        return True
    except OSError:
        pass
    try:
        os.kill(batch.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def mark_abandoned() -> int:
    """Mark `running` batches whose process is gone as failed (in the current transaction); how many there were."""
    now = utcnow()
    abandoned = [b for b in db.session.scalars(select(ImportBatch).where(ImportBatch.status == 'running'))
                 if _process_gone(b, now)]
    for batch in abandoned:
        batch.status, batch.error, batch.finished_at = 'failed', ABANDONED, now
    return len(abandoned)


def recent_batches(limit: int = 20) -> list[ImportBatch]:
    """The latest batches, newest first, with abandoned ones already marked failed (the caller commits)."""
    if mark_abandoned():
        db.session.flush()
    return list(db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit)))


def run_batch(object_type: str, filename: str, data: bytes, run: Callable[[], ImportReport], *,
              checkpoint: Callable[[], None]) -> ImportReport:
    """Record the batch, run the import, then record its outcome with its rows. The caller owns the transactions:
    it passes `checkpoint` (its commit), called once the batch is recorded as running, once the rows and the
    outcome are in, and after a failure is recorded (the import's own changes rolled back first)."""
    mark_abandoned()
    ctx = audit.current_context()
    batch = ImportBatch(object_type=object_type, filename=filename[:200], sha256=hashlib.sha256(data).hexdigest(),
                        status='running', host=socket.gethostname()[:100], pid=os.getpid(),
                        started_by_id=ctx.actor_id, actor_label=ctx.actor_label[:200], started_at=utcnow())
    db.session.add(batch)
    checkpoint()
    batch_id = batch.id
    try:
        report = run()
        batch = db.session.get(ImportBatch, batch_id)
        batch.status, batch.finished_at = 'done', utcnow()
        batch.imported, batch.updated, batch.unchanged = report.imported, report.updated, report.unchanged
        batch.error_rows = len(report.errors)
        _record_changes(batch_id, report)
        checkpoint()
    except BaseException as exc:
        db.session.rollback()
        batch = db.session.get(ImportBatch, batch_id)
        batch.status, batch.finished_at = 'failed', utcnow()
        batch.error = f'{type(exc).__name__}: {exc}'[:500]
        checkpoint()
        raise
    report.batch_id = batch_id
    return report


# --- what a batch changed, and undoing it --------------------------------------------------------------------------

KIND_NAMES = {'firm': '企业', 'contact': '联系人', 'unit': '房源', 'building': '楼宇', 'project_actual': '实绩'}


class RevertRefused(Exception):
    """The batch cannot be undone; the message (Chinese) says why and names the records in the way."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _from_json(model: type, name: str, value: Any) -> Any:
    if value is None:
        return None
    try:
        column_type = model.__table__.c[name].type
        kind = getattr(column_type, 'impl', column_type).python_type  # a TypeDecorator's stored type
    except (KeyError, NotImplementedError):
        return value
    if kind is Decimal:
        return Decimal(value)
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    return value


def _record_changes(batch_id: int, report: ImportReport) -> None:
    if not report.changes:
        return
    db.session.flush()
    db.session.execute(insert(ImportChange), [
        {'batch_id': batch_id, 'object_type': record.__tablename__, 'object_id': record.id, 'action': action,
         'before': _jsonable(before), 'version': getattr(record, 'version', None),
         'after': None if hasattr(record, 'version') else _snapshot(record)}
        for action, record, before in report.changes])


def _snapshot(record: Any) -> dict[str, Any]:
    """A record's column values as JSON, to notice later edits of a record that has no version counter."""
    return {c.key: _jsonable(getattr(record, c.key)) for c in sa_inspect(record).mapper.column_attrs}


def _models() -> dict[str, type]:
    return {mapper.class_.__tablename__: mapper.class_ for mapper in Base.registry.mappers
            if hasattr(mapper.class_, '__tablename__')}


def record_label(record: Any) -> str:
    """How a record is named in a refusal: its kind and its name (房源「一号楼 301」)."""
    kind = KIND_NAMES.get(record.__tablename__, record.__tablename__)
    name = getattr(record, 'import_label', None) or getattr(record, 'name', None) or f'#{record.id}'
    return f'{kind}「{name}」'


def can_revert(batch: ImportBatch, user: Any) -> bool:
    """The person who ran an import, or an administrator, may undo it while it is the way the import left it."""

    return (batch.status == 'done' and user is not None and getattr(user, 'is_authenticated', False)
            and (user.role_code == ADMIN or batch.started_by_id == user.id))


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _in_use(model: type, ids: list[int], created: dict[str, set[int]]) -> set[int]:
    """Which of the records are referred to by rows other than their own history (the model's `__import_owned__`
    tables) and the batch's own new records."""
    owned = set(getattr(model, '__import_owned__', ()))
    used: set[int] = set()
    for table in Base.metadata.sorted_tables:
        if table.name in owned:
            continue
        for fk in table.foreign_keys:
            if fk.column.table is not model.__table__ or 'id' not in table.c:
                continue
            for chunk in _chunks(ids):
                query = select(fk.parent).where(fk.parent.in_(chunk))
                mine = created.get(table.name)
                if mine:
                    query = query.where(table.c.id.notin_(mine))
                used.update(db.session.scalars(query.distinct()))
    return used


def revert_batch(batch: ImportBatch, *, actor_id: int | None) -> dict[str, int]:
    """Undo a confirmed import: the records it added are removed (soft-deleted where the model soft-deletes), the
    ones it changed get their earlier values back. Refused, with nothing written, when any of them was changed, used
    or removed since (the message names them). The caller commits."""
    db.session.refresh(batch, with_for_update=True)  # two undos at once: the second waits, then sees it undone
    if batch.status != 'done':
        raise RevertRefused('该批导入已撤销过' if batch.status == 'reverted' else '只有已完成的导入可以撤销')
    models = _models()
    changes = list(db.session.scalars(select(ImportChange).where(ImportChange.batch_id == batch.id)
                                      .order_by(ImportChange.id.desc())))
    created: dict[str, set[int]] = {}
    for change in changes:
        if change.action == 'create':
            created.setdefault(change.object_type, set()).add(change.object_id)
    records: dict[tuple[str, int], Any] = {}
    for object_type in {c.object_type for c in changes}:
        model = models[object_type]
        ids = [c.object_id for c in changes if c.object_type == object_type]
        for chunk in _chunks(ids):
            for record in db.session.scalars(select(model).where(model.id.in_(chunk))):
                records[(object_type, record.id)] = record
    in_use = {t: _in_use(models[t], sorted(ids), created) for t, ids in created.items()}
    problems = []
    for change in changes:
        record = records.get((change.object_type, change.object_id))
        kind = KIND_NAMES.get(change.object_type, change.object_type)
        if record is None:
            problems.append(f'{kind} #{change.object_id}（已被删除）')
        elif getattr(record, 'deleted_at', None) is not None:
            problems.append(f'{record_label(record)}（已被删除）')
        elif ((change.version is not None and getattr(record, 'version', None) != change.version)
              or (change.after is not None and _snapshot(record) != change.after)):
            problems.append(f'{record_label(record)}（导入后又被修改）')
        elif change.action == 'create' and record.id in in_use.get(change.object_type, ()):
            problems.append(f'{record_label(record)}（已被其他记录使用）')
    if problems:
        more = f' 等 {len(problems)} 条' if len(problems) > 10 else ''
        raise RevertRefused(f'无法撤销这次导入：以下记录在导入之后又有变动，请先处理后再撤销：{"、".join(problems[:10])}{more}')
    removed = restored = 0
    now = utcnow()
    for change in changes:  # newest first: a batch's units go before the buildings it added for them
        record = records[(change.object_type, change.object_id)]
        model = type(record)
        if change.action == 'update':
            values = {k: _from_json(model, k, v) for k, v in (change.before or {}).items()}
            restore = getattr(record, 'restore_imported', None)
            if restore is not None:
                restore(values, actor_id=actor_id)
            else:
                for name, value in values.items():
                    setattr(record, name, value)
            restored += 1
        elif hasattr(model, 'deleted_at'):
            record.deleted_at = now
            if hasattr(model, 'deleted_by_id'):
                record.deleted_by_id = actor_id
            removed += 1
        else:
            for table in Base.metadata.sorted_tables:
                if table.name in getattr(model, '__import_owned__', ()):
                    for fk in table.foreign_keys:
                        if fk.column.table is model.__table__:
                            db.session.execute(delete(table).where(fk.parent == record.id))
            db.session.delete(record)
            db.session.flush()
            removed += 1
    db.session.flush()
    batch.status, batch.reverted_at, batch.reverted_by_id = 'reverted', now, actor_id
    outcome = {'removed': removed, 'restored': restored}
    audit.log(db.session, 'revert', 'import_batch', batch.id, kind=batch.object_type, file=batch.filename,
              **outcome)
    return outcome
