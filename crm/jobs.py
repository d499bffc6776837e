"""Background jobs with huey, run by `crm worker`. Where the queue lives is the app's configuration, applied by
create_app (init_app): Redis when JOBS_REDIS_URL (environment: HUEY_REDIS_URL) is set — one queue shared by every
app process and worker, on any machine —, else a SQLite file in the instance folder (one machine); with
JOBS_IMMEDIATE (the tests) each task runs at once, inside the request that queues it.

Features declare their jobs in crm.core.queue: the jobs queued by name (`handles`; a request queues
`enqueue('build_pack', build.id)`) and the jobs run on a schedule (`every`, in the feature's feature.py). This
module only gives each declared job its huey task (named crm.jobs.<job>, as the queue's stored messages name
them), puts its sender in crm.core.queue, and owns the transactions of what a task does (the functions it runs
flush, a task commits; then `job_committed` is announced, so the notifications it wrote go out)."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app, has_app_context
from huey import Huey
from huey.api import TaskWrapper
from huey.storage import RedisStorage, SqliteStorage
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from crm.core import hooks, queue
from crm.db import db

EXTENSION = 'crm_jobs'
T = TypeVar('T')
# The huey task of each job queued by name, and of each job run on a schedule (made once per process).
TASKS: dict[str, TaskWrapper] = {}
SCHEDULED: dict[str, TaskWrapper] = {}


class AppHuey(Huey):
    """A queue that follows the configuration of the app whose request (or command) enqueues: one app per process
    in production; the tests build several apps in one process."""

    def enqueue(self, task):
        if has_app_context():
            _use(current_app.extensions.get(EXTENSION))
        return super().enqueue(task)


# Tasks register on this queue when an app is built (declare_tasks); until an app configures it, it runs tasks at
# once in memory.
huey = AppHuey('crm', immediate=True)
_configured: dict = {}


def init_app(app: Flask) -> None:
    """Point the queue at the storage the app's configuration names; a task for every job the features declared
    (create_app calls this once the features are loaded)."""
    declare_tasks()
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


def declare_tasks() -> None:
    """A huey task for each declared job that has none yet (huey refuses a second task of one name)."""
    for name in queue.names():
        if name not in TASKS:
            TASKS[name] = huey.task(name=name)(_queued_task(name))
    for name, (schedule, work) in queue.scheduled().items():
        if name not in SCHEDULED:
            SCHEDULED[name] = huey.periodic_task(schedule, name=name)(_scheduled_task(work))


def _queued_task(name: str) -> Callable[..., Any]:
    """The task of a job queued by name: the job's function, then one commit (and one after each of its steps
    when it takes a checkpoint). It answers the record's status (a pack build, a push, an export) or the
    function's own summary."""
    def task(*args: Any) -> Any:
        def run() -> Any:
            kwargs = {'checkpoint': db.session.commit} if queue.takes_checkpoint(name) else {}
            done = queue.run(name, *args, **kwargs)
            db.session.commit()
            return None if done is None else getattr(done, 'status', done)

        return _in_context(run)

    return task


def _scheduled_task(work: Callable[[], T]) -> Callable[[], T]:
    """The task of a job run on a schedule: the job's function, then a commit."""
    def task() -> T:
        def run() -> T:
            result = work()
            db.session.commit()
            return result

        return _in_context(run)

    return task


def _in_context(run: Callable[[], T]) -> T:
    """Run a task's work inside the request's application context when there is one (tests run queued tasks at
    once, inside the request), else in the worker's own; the notifications it committed go out after."""
    if has_app_context():
        return run()

    with _app().app_context():
        try:
            result = run()
            hooks.announce('job_committed')
            return result
        finally:
            db.session.remove()
