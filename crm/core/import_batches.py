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
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from crm.core import audit
from crm.core.imports import ImportReport
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

    def as_dict(self) -> dict:
        return {'id': self.id, 'object_type': self.object_type, 'filename': self.filename, 'status': self.status,
                'imported': self.imported, 'updated': self.updated, 'unchanged': self.unchanged,
                'error_rows': self.error_rows, 'error': self.error, 'started_at': self.started_at.isoformat(),
                'finished_at': self.finished_at.isoformat() if self.finished_at else None}


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
    """The latest batches, newest first, with abandoned ones already marked failed (committed)."""
    if mark_abandoned():
        db.session.commit()
    return list(db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit)))


def run_batch(object_type: str, filename: str, data: bytes, run: Callable[[], ImportReport]) -> ImportReport:
    """Record the batch (committed), run the import, then commit its rows together with the batch's outcome."""
    mark_abandoned()
    ctx = audit.current_context()
    batch = ImportBatch(object_type=object_type, filename=filename[:200], sha256=hashlib.sha256(data).hexdigest(),
                        status='running', host=socket.gethostname()[:100], pid=os.getpid(),
                        started_by_id=ctx.actor_id, actor_label=ctx.actor_label[:200], started_at=utcnow())
    db.session.add(batch)
    db.session.commit()
    batch_id = batch.id
    try:
        report = run()
        batch = db.session.get(ImportBatch, batch_id)
        batch.status, batch.finished_at = 'done', utcnow()
        batch.imported, batch.updated, batch.unchanged = report.imported, report.updated, report.unchanged
        batch.error_rows = len(report.errors)
        db.session.commit()
    except BaseException as exc:
        db.session.rollback()
        batch = db.session.get(ImportBatch, batch_id)
        batch.status, batch.finished_at = 'failed', utcnow()
        batch.error = f'{type(exc).__name__}: {exc}'[:500]
        db.session.commit()
        raise
    report.batch_id = batch_id
    return report
