"""Background jobs with huey, run by `crm worker`. Where the queue lives is the app's configuration, applied by
create_app (init_app): Redis when JOBS_REDIS_URL (environment: HUEY_REDIS_URL) is set — one queue shared by every
app process and worker, on any machine —, else a SQLite file in the instance folder (one machine); with
JOBS_IMMEDIATE (the tests) each task runs at once, inside the request that queues it.

Features queue work by name through crm.core.queue (`enqueue('build_pack', build.id)`) and declare there the
function doing it; this module gives each name its huey task (TASKS), puts its sender in crm.core.queue, and owns
the transactions of what a task does (the services it runs flush, a task commits)."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from flask import Flask, current_app, has_app_context
from huey import Huey, crontab
from huey.storage import RedisStorage, SqliteStorage
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import text

from crm.core import clock, queue
from crm.core.export_jobs import purge_expired
from crm.db import db
from crm.leads.digest import send_digests
from crm.leads.pool import run_recall
from crm.notifications import dispatch
from crm.notifications.events import daily_sweep

EXTENSION = 'crm_jobs'
T = TypeVar('T')


class AppHuey(Huey):
    """A queue that follows the configuration of the app whose request (or command) enqueues: one app per process
    in production; the tests build several apps in one process."""

    def enqueue(self, task):
        if has_app_context():
            _use(current_app.extensions.get(EXTENSION))
        return super().enqueue(task)


# Tasks register on this queue at import; until an app configures it, it runs tasks at once in memory.
huey = AppHuey('crm', immediate=True)
_configured: dict = {}


def init_app(app: Flask) -> None:
    """Point the queue at the storage the app's configuration names."""
    redis_url = app.config.get('JOBS_REDIS_URL') or ''
    immediate = bool(app.config.get('JOBS_IMMEDIATE'))
    if redis_url:
        storage_class, kwargs = RedisStorage, {'url': redis_url}
    else:
        path = Path(app.instance_path) / 'jobs.db'
        if not immediate:
            path.parent.mkdir(parents=True, exist_ok=True)
        storage_class, kwargs = SqliteStorage, {'filename': str(path)}
    app.extensions[EXTENSION] = (app.config.get('JOBS_QUEUE_NAME') or 'crm', storage_class,
                                 tuple(sorted(kwargs.items())), immediate)
    _configured['app'] = app
    _use(app.extensions[EXTENSION])
    queue.use(send)


def _use(wanted: tuple | None) -> None:
    """Make the queue use `wanted` (name, storage class, its arguments, immediate) unless it does already."""
    if wanted is None or _configured.get('storage') == wanted:
        return
    name, storage_class, kwargs, immediate = wanted
    huey.name, huey.storage_class, huey.storage_kwargs, huey._immediate = name, storage_class, dict(kwargs), immediate
    huey.storage = huey.create_storage()  # in memory when immediate
    _configured['storage'] = wanted


def send(name: str, *args) -> None:
    """Put the job `name` on the queue (crm.core.queue's sender); QueueDown when the queue's server cannot be
    reached."""
    try:
        TASKS[name](*args)
    except (RedisConnectionError, RedisTimeoutError, sqlite3.OperationalError) as exc:
        raise queue.QueueDown(str(exc)) from exc


def _app() -> Flask:
    """The application tasks run in: the one that configured the queue (the worker's), else a new one."""
    if 'app' not in _configured:
        from crm import create_app  # the factory imports this module to configure the queue

        create_app()
    return _configured['app']


@huey.periodic_task(clock.at_local_time(8, 30))  # 08:30 on the office's clock (BUSINESS_TIMEZONE), whatever the host's
def daily_digest() -> dict:
    """The daily follow-up digest for every officer and leader."""
    with _app().app_context():
        result = send_digests()
        db.session.commit()
        return result


@huey.periodic_task(clock.at_local_time(7, 0))  # 07:00 on the office's clock, before the digest
def pool_recall() -> dict:
    """The shared pool's daily run: warn leads left without a follow-up, return those warned on an earlier day."""
    def run() -> dict:
        result = run_recall()
        db.session.commit()
        return result

    return _in_context(run)


@huey.periodic_task(clock.at_local_time(3, 30))  # 03:30 on the office's clock, when nobody works
def refresh_statistics() -> None:
    """Refresh the embedded database's planner statistics (PostgreSQL's autovacuum does this by itself): without
    them SQLite may read a whole scope through an index where one pass over a covering index is far cheaper."""
    with _app().app_context():
        if db.engine.dialect.name == 'sqlite':
            with db.engine.begin() as conn:
                conn.execute(text('ANALYZE'))


def _in_context(run: Callable[[], T]) -> T:
    """Run a queued task's work inside the request's application context when there is one (tests run queued
    tasks at once, inside the request), else in the worker's own; the notifications it committed go out after."""
    if has_app_context():
        return run()

    with _app().app_context():
        try:
            result = run()
            dispatch()
            return result
        finally:
            db.session.remove()


@huey.task()
def build_pack(build_id: int) -> str | None:
    """Build a queued promotion pack."""
    def run() -> str | None:
        build = queue.run('build_pack', build_id, checkpoint=db.session.commit)
        db.session.commit()
        return build.status if build else None

    return _in_context(run)


@huey.task()
def push_summaries(push_id: int) -> str | None:
    """Issue the 政策摘要 of a queued push (see crm.packs.push)."""
    def run() -> str | None:
        push = queue.run('push_summaries', push_id, checkpoint=db.session.commit)
        db.session.commit()
        return push.status if push else None

    return _in_context(run)


@huey.task()
def run_export(job_id: int) -> str | None:
    """Write a large export (see crm.core.export_jobs), in the request's context when there is one."""
    def run() -> str | None:
        job = queue.run('run_export', job_id, checkpoint=db.session.commit)
        db.session.commit()
        return job.status if job else None

    return _in_context(run)


@huey.periodic_task(crontab(minute='17'))
def purge_exports() -> int:
    """Delete export files past their keeping time (EXPORT_KEEP_HOURS), once an hour."""
    with _app().app_context():
        count = purge_expired()
        db.session.commit()
        return count


@huey.periodic_task(clock.at_local_time(8, 35))
def daily_notifications() -> dict:
    """Overdue follow-ups and policies expiring on leads, told to their owners (each once)."""
    with _app().app_context():
        try:
            result = daily_sweep()
            db.session.commit()
            dispatch()
            return result
        finally:
            db.session.remove()


@huey.task()
def deliver_notification(notification_id: int) -> dict | None:
    """Send one notification to the e-mail and webhook its user chose, recording each channel (a channel already
    sent is not sent again)."""
    def run() -> dict:
        outcome = queue.run('deliver_notification', notification_id)
        db.session.commit()
        return outcome

    return _in_context(run)


TASKS = {'build_pack': build_pack, 'push_summaries': push_summaries, 'run_export': run_export,
         'deliver_notification': deliver_notification}
