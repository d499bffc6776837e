"""Small key/value settings kept in the database (e.g. whether demo data is loaded)."""
from __future__ import annotations

import time
from datetime import datetime

from flask import current_app
from sqlalchemy import String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import Base, db, utcnow

DEMO_LOADED = 'demo_loaded_at'
CACHE_SECONDS = 30.0


class AppSetting(Base):
    """One named setting."""

    __tablename__ = 'app_setting'

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def _local() -> dict[str, tuple[float, str | None]]:
    """This process's copies of the app's settings (one set per app: per database)."""
    return current_app.extensions.setdefault('crm_settings', {})


def get_setting(key: str, *, cached: bool = False) -> str | None:
    """Read a setting; `cached` allows a value up to CACHE_SECONDS old (for per-page reads: a change made in another
    app process shows there within that time)."""
    now, local = time.monotonic(), _local()
    if cached and key in local and now - local[key][0] < CACHE_SECONDS:
        return local[key][1]
    value = db.session.scalar(select(AppSetting.value).where(AppSetting.key == key))
    local[key] = (now, value)
    return value


def set_setting(key: str, value: str | None) -> None:
    """Write a setting (flushes; the caller commits)."""
    row = db.session.get(AppSetting, key) or AppSetting(key=key)
    row.value = value
    db.session.add(row)
    db.session.flush()
    _local().pop(key, None)
