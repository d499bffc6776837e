"""Exports of any list: small ones stream straight back, large ones are written by the job worker.

A list registers how it exports (`register`): its file name, header, the list's own statement (same filters and
scope as the page) and how a result row becomes a spreadsheet row. The list's export route
(`crm.core.export_views.export_response`) counts the rows the export will carry (`fits_download`, up to the
threshold `EXPORT_BACKGROUND_ROWS`): at or below it the file is written while the response is made
(crm.core.exports); above it an ExportJob is queued (`queue_job`, committed by the request, then `enqueue`) and
the user is taken to its page, which shows the progress and then the download. The job runs the same statement
under the same query string and the same user, so the file holds exactly what the list shows. Files belong to the
user who asked and are deleted after `EXPORT_KEEP_HOURS`.
"""
from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import BigInteger, ForeignKey, Select, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from crm.core import hooks, queue
from crm.core.exports import YIELD_PER, ExportTooLarge, csv_chunks, csv_response, xlsx_response, xlsx_write
from crm.db import Base, db, unmapped_reads, utcnow

log = logging.getLogger(__name__)

PROGRESS_EVERY = 2000  # rows between progress notes


class ExportJob(Base):
    """A large export written in the background: who asked, for which list and filters, its progress and file."""

    __tablename__ = 'export_job'

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey('user.id', ondelete='CASCADE'), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    fmt: Mapped[str] = mapped_column(String(4))
    query: Mapped[str] = mapped_column(String(2000), default='')
    filename: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default='queued')  # queued | running | done | failed | expired
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_done: Mapped[int] = mapped_column(default=0)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    token: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column(index=True)

    @property
    def path(self) -> Path:
        return export_folder() / f'{self.id}-{self.token}.{self.fmt}'

    @property
    def progress_path(self) -> Path:
        return export_folder() / f'{self.id}-{self.token}.progress'

    def rows_written(self) -> int:
        """Rows written so far: from the worker's progress note while it runs (the job's row is committed only at
        the start and the end, so the database cursor that reads the list stays open)."""
        if self.status == 'running':
            try:
                return int(self.progress_path.read_text() or 0)
            except (OSError, ValueError):
                return 0
        return self.rows_done

    def percent(self) -> int:
        if self.status == 'done':
            return 100
        return min(99, self.rows_written() * 100 // self.rows_total) if self.rows_total else 0


@dataclass
class ExportSpec:
    """How a list exports: `statement` is the list's own (filters, scope, order); `rows` turns its result rows
    (read in batches, related names already in each row) into spreadsheet rows."""

    filename: str
    header: Sequence[str]
    statement: Select
    rows: Callable[[Iterable[Any]], Iterable[Sequence[Any]]]
    # The statement selects plain columns, no whole records: its rows are read through the session's connection,
    # without the ORM's per-row processing (about a tenth of the CPU of a 100,000-row export).
    columns_only: bool = False


EXPORTS: dict[str, Callable[[], ExportSpec]] = {}


def register(kind: str) -> Callable:
    """Decorator: `fn() -> ExportSpec`, built from the request's query string and the signed-in user."""

    def decorate(fn: Callable[[], ExportSpec]) -> Callable[[], ExportSpec]:
        EXPORTS[kind] = fn
        return fn

    return decorate


def export_folder() -> Path:
    folder = Path(current_app.config.get('EXPORT_FOLDER') or Path(current_app.config['INSTANCE_PATH']) / 'exports')
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _result(spec: ExportSpec):
    statement = spec.statement.execution_options(yield_per=YIELD_PER)
    return spec.rows(db.session.connection().execute(statement) if spec.columns_only
                     else db.session.execute(statement))


def count_rows(statement: Select, limit: int | None = None) -> int:
    """How many rows the statement gives (counting stops past `limit`)."""
    inner = statement.order_by(None)
    if limit is not None:
        inner = inner.limit(limit)
    with unmapped_reads(db.session.connection()):
        return db.session.scalar(select(func.count()).select_from(inner.subquery())) or 0


def download(spec: ExportSpec, fmt: str):
    """The rows of `spec` as a CSV or XLSX download written while they are read (for lists within the threshold)."""
    with unmapped_reads(db.session.connection()):  # the file is written within: the rows are all read here
        return (csv_response if fmt == 'csv' else xlsx_response)(f'{spec.filename}.{fmt}', spec.header,
                                                                 _result(spec))


def fits_download(spec: ExportSpec) -> bool:
    """Whether the export is small enough (`EXPORT_BACKGROUND_ROWS`) to be written while the response is made."""
    threshold = current_app.config['EXPORT_BACKGROUND_ROWS']
    return count_rows(spec.statement, threshold + 1) <= threshold


def queue_job(kind: str, fmt: str, spec: ExportSpec) -> ExportJob:
    """A new queued export of the list `kind` under this request's query string and user (flushed: the request
    commits it before handing it to the worker, `enqueue`). Expired exports' files are deleted on the way."""
    purge_expired()
    job = ExportJob(user_id=current_user.id, kind=kind, fmt=fmt, query=request.query_string.decode()[:2000],
                    filename=f'{spec.filename}.{fmt}')
    db.session.add(job)
    db.session.flush()
    return job


def enqueue(job: ExportJob) -> bool:
    """Hand a committed job to the worker. False when the queue cannot be reached: the job is then marked failed,
    to be kept as long as a finished one (the caller commits, so that its page says why)."""
    if queue.enqueue_or_fail('run_export', job):
        return True
    job.expires_at = job.finished_at + timedelta(hours=current_app.config['EXPORT_KEEP_HOURS'])
    return False


@queue.handles('run_export', checkpoint=True)
def run_job(job_id: int, *, checkpoint: Callable[[], None]) -> ExportJob | None:
    """What the worker does for one queued export: the list's statement under the asker's query string and
    identity, written to a file with progress notes; the job's row says when the file is ready or why not. The job
    owns the transactions: `checkpoint` is called once the export is running (the job commits there, so its page
    says so), and the job commits the outcome."""
    job = db.session.get(ExportJob, job_id)
    if job is None or job.status not in ('queued', 'running'):
        return job
    user = hooks.ask('users', [job.user_id]).get(job.user_id)  # auth answers
    path, progress, partial = job.path, job.progress_path, job.path.with_suffix('.part')
    outer_user = g.get('_login_user') if has_request_context() else None
    try:
        with current_app.test_request_context(f'/?{job.query}'):
            g._login_user = user  # the list's scope is the asker's, as on their list page
            spec = EXPORTS[job.kind]()
            job.status, job.rows_total = 'running', count_rows(spec.statement)
            checkpoint()
            progress.write_text('0')

            written = [0]

            def counted(rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
                for n, row in enumerate(rows, 1):
                    written[0] = n
                    if n % PROGRESS_EVERY == 0:
                        progress.write_text(str(n))
                    yield row

            with unmapped_reads(db.session.connection()), partial.open('wb') as fh:
                if job.fmt == 'xlsx':
                    xlsx_write(spec.header, counted(_result(spec)), fh)
                else:
                    for chunk in csv_chunks(spec.header, counted(_result(spec))):
                        fh.write(chunk)
            os.replace(partial, path)
            db.session.rollback()  # ends the read; the job row is written afresh below
            job = db.session.get(ExportJob, job_id)
            job.status, job.rows_done, job.size = 'done', written[0], path.stat().st_size
    except ExportTooLarge as exc:
        db.session.rollback()
        job = db.session.get(ExportJob, job_id)
        job.status, job.error = 'failed', str(exc)[:500]
    except Exception:  # the worker keeps running; the user sees a clear failure and the log has the trace
        log.exception('export %s failed', job_id)
        db.session.rollback()
        job = db.session.get(ExportJob, job_id)
        job.status, job.error = 'failed', '导出时出现内部错误，请稍后重试或联系管理员。'
    finally:
        partial.unlink(missing_ok=True)
        progress.unlink(missing_ok=True)
        if has_request_context():
            if outer_user is None:
                g.pop('_login_user', None)
            else:
                g._login_user = outer_user
    job.finished_at = utcnow()
    job.expires_at = job.finished_at + timedelta(hours=current_app.config['EXPORT_KEEP_HOURS'])
    db.session.flush()
    return job


def purge_expired() -> int:
    """Delete the files of exports past their keeping time (their pages then say so); returns how many."""
    expired = db.session.scalars(select(ExportJob).where(ExportJob.status.in_(('done', 'failed')),
                                                         ExportJob.expires_at < utcnow())).all()
    for job in expired:
        job.path.unlink(missing_ok=True)
        job.status = 'expired'
    return len(expired)
