"""Background jobs with huey: a SQLite queue in instance/ by default (Redis when HUEY_REDIS_URL is set), run by
`crm worker`. Tests and the CLI run the same functions inline."""
from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from huey import RedisHuey, SqliteHuey

from config import INSTANCE
from crm.core import clock


def _make_huey():
    if os.environ.get('HUEY_REDIS_URL'):
        return RedisHuey('crm', url=os.environ['HUEY_REDIS_URL'])
    Path(INSTANCE).mkdir(parents=True, exist_ok=True)
    return SqliteHuey('crm', filename=str(Path(INSTANCE) / 'jobs.db'),
                      immediate=os.environ.get('CRM_ENV') == 'testing')


huey = _make_huey()
T = TypeVar('T')


@functools.cache
def _app():
    """One application per worker process (tasks push their own contexts on it)."""
    from crm import create_app

    return create_app()


@huey.periodic_task(clock.at_local_time(8, 30))  # 08:30 on the office's clock (BUSINESS_TIMEZONE), whatever the host's
def daily_digest() -> dict:
    """The daily follow-up digest for every officer and leader."""
    from crm.db import db
    from crm.leads.digest import send_digests

    with _app().app_context():
        result = send_digests()
        db.session.commit()
        return result


def _in_context(run: Callable[[], T]) -> T:
    """Run a queued task's work inside the request's application context when there is one (tests run queued
    tasks at once, inside the request), else in the worker's own; the notifications it committed go out after."""
    from flask import has_app_context

    if has_app_context():
        return run()
    from crm.db import db
    from crm.notifications import dispatch

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
    from crm.packs.services import run_build

    def run() -> str | None:
        build = run_build(build_id)
        return build.status if build else None

    return _in_context(run)


@huey.task()
def push_summaries(push_id: int) -> str | None:
    """Issue the 政策摘要 of a queued push (see crm.policies.push)."""
    from crm.policies.push import run_push

    def run() -> str | None:
        push = run_push(push_id)
        return push.status if push else None

    return _in_context(run)


@huey.periodic_task(clock.at_local_time(8, 35))
def daily_notifications() -> dict:
    """Overdue follow-ups and policies expiring on leads, told to their owners (each once)."""
    from crm.db import db
    from crm.notifications import dispatch
    from crm.notifications.events import daily_sweep

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
    from crm.db import db
    from crm.notifications.services import deliver

    def run() -> dict:
        outcome = deliver(notification_id)
        db.session.commit()
        return outcome

    return _in_context(run)
