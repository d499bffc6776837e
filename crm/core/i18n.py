"""Language and time-zone selection, and display filters (Asia/Shanghai, Chinese first)."""
from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, request
from flask_babel import format_datetime
from flask_login import current_user

LANG_COOKIE = 'crm_lang'


def select_locale() -> str:
    """The user's saved choice, then the language cookie, then Chinese."""
    languages = current_app.config['LANGUAGES']
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = request.cookies.get(LANG_COOKIE)
    return chosen if chosen in languages else current_app.config['BABEL_DEFAULT_LOCALE']


def select_timezone() -> str:
    return current_app.config['BABEL_DEFAULT_TIMEZONE']


def _fmt_dt(value: datetime | None, fmt: str = 'yyyy-MM-dd HH:mm') -> str:
    return format_datetime(value, fmt) if value else ''


def init_app(app: Flask) -> None:
    """Register the display filters."""
    app.add_template_filter(_fmt_dt, 'dt')
