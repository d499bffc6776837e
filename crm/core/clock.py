"""One clock for the whole product.

Instants are taken and stored in UTC. Every business date a user sees or a figure depends on — today, due,
overdue, stale, the digest's date, expiry windows, month and year buckets, target periods, pack and summary
dates — is the date in the office's time zone: the `BUSINESS_TIMEZONE` setting (environment `CRM_TIMEZONE`),
Asia/Shanghai by default. Everything asks this module; nothing calls `date.today()` or converts by hand.

Tests fix the clock with `frozen(instant)`; nothing else moves it.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Callable, Iterator
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = 'Asia/Shanghai'
_fixed: list[datetime] = []


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone_name() -> str:
    """The configured business time zone (the app's setting inside an app context, else the environment)."""
    if has_app_context():
        return current_app.config.get('BUSINESS_TIMEZONE') or DEFAULT_ZONE
    return os.environ.get('CRM_TIMEZONE') or DEFAULT_ZONE


def zone() -> ZoneInfo:
    return _zone(zone_name())


def zone_named(name: str) -> ZoneInfo:
    return _zone(name)


def now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    if _fixed:
        return _fixed[-1]
    return datetime.now(timezone.utc)


def local_now() -> datetime:
    """The current instant on the office's wall clock."""
    return now().astimezone(zone())


def today() -> date:
    """Today's date in the office's time zone."""
    return local_now().date()


def local(instant: datetime | None) -> datetime | None:
    """An instant on the office's wall clock (naive values are taken as UTC, as the database returns them)."""
    if instant is None:
        return None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=timezone.utc)
    return instant.astimezone(zone())


def local_date(instant: datetime | None) -> date | None:
    """The business date of an instant (a signing at 07:00 Beijing on 1 December is a December signing)."""
    moment = local(instant)
    return moment.date() if moment else None


def start_of(day: date) -> datetime:
    """The UTC instant at which `day` begins in the office's time zone."""
    return datetime.combine(day, time.min, tzinfo=zone()).astimezone(timezone.utc)


def day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """UTC bounds [start of `first`, start of the day after `last`) for comparing stored instants with dates."""
    return start_of(first), start_of(last + timedelta(days=1))


def month_range(year: int, month: int) -> tuple[datetime, datetime]:
    """UTC bounds of a calendar month in the office's time zone."""
    following = date(year + (month == 12), month % 12 + 1, 1)
    return start_of(date(year, month, 1)), start_of(following)


def year_range(year: int) -> tuple[datetime, datetime]:
    """UTC bounds of a calendar year in the office's time zone."""
    return start_of(date(year, 1, 1)), start_of(date(year + 1, 1, 1))


def month_key(instant: datetime | None) -> str | None:
    """`2025-12` for an instant, by the office's calendar."""
    day = local_date(instant)
    return f'{day:%Y-%m}' if day else None


def utc_offset_label() -> str:
    """How the zone is named to users, e.g. 北京时间 for Asia/Shanghai, else the zone's name and offset."""
    if zone_name() == DEFAULT_ZONE:
        return '北京时间'
    offset = local_now().strftime('%z')
    return f'{zone_name()} (UTC{offset[:3]}:{offset[3:]})'


def at_local_time(hour: int, minute: int) -> Callable[[datetime], bool]:
    """A schedule for the job queue: true once a day at hour:minute on the office's wall clock.

    The queue hands over naive UTC datetimes; this turns them into the business zone before comparing, so the
    schedule holds whatever zone the worker's machine runs in."""

    def due(moment: datetime) -> bool:
        wall = local(moment)
        return wall.hour == hour and wall.minute == minute

    return due


def every_hour_at(minute: int) -> Callable[[datetime], bool]:
    """A schedule for the job queue: true once an hour, at `minute` past the hour."""

    def due(moment: datetime) -> bool:
        return moment.minute == minute

    return due


@contextmanager
def frozen(instant: datetime) -> Iterator[datetime]:
    """Fix the clock at `instant` (aware; naive values are UTC) inside the block."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=timezone.utc)
    _fixed.append(instant.astimezone(timezone.utc))
    try:
        yield _fixed[-1]
    finally:
        _fixed.pop()
