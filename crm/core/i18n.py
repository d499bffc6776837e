"""Language and time-zone selection, and display filters (Asia/Shanghai, Chinese first)."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from functools import cache
from pathlib import Path

import flask_babel
from babel.support import Translations
from flask import Flask, current_app, has_app_context, has_request_context, request
from flask_babel import force_locale, format_datetime, get_timezone
from flask_login import current_user

LANG_COOKIE = 'crm_lang'


def select_locale() -> str:
    """The user's saved choice, then the language cookie, then Chinese (outside a request, as in the worker and
    the command line: Chinese)."""
    languages = current_app.config['LANGUAGES']
    if not has_request_context():
        return current_app.config['BABEL_DEFAULT_LOCALE']
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = request.cookies.get(LANG_COOKIE)
    return chosen if chosen in languages else current_app.config['BABEL_DEFAULT_LOCALE']


# A pack or 政策摘要 is written in 'zh' or 'en'; these are the interface locales that write them.
DOCUMENT_LOCALES = {'zh': 'zh_Hans_CN', 'en': 'en'}


def in_language(lang: str):
    """Everything generated inside (texts, labels, amounts) is in the document's language, whatever the viewer's:
    `with in_language(pack.lang): ...`."""
    return force_locale(DOCUMENT_LOCALES.get(lang, DOCUMENT_LOCALES['zh']))


def gettext(msgid: str, **variables) -> str:
    """A catalogue message in the viewer's language; outside the application (a module used on its own, as the
    policy reader is) in the default language, Chinese."""
    if has_app_context():
        return flask_babel.gettext(msgid, **variables)
    text = _default_catalogue().gettext(msgid)
    return text % variables if variables else text


@cache
def _default_catalogue() -> Translations:
    return Translations.load(Path(__file__).resolve().parents[1] / 'translations', ['zh_Hans_CN'])


def select_timezone() -> str:
    return current_app.config['BABEL_DEFAULT_TIMEZONE']


_DT_FORMAT = 'yyyy-MM-dd HH:mm'


def _fmt_dt(value: datetime | None, fmt: str = _DT_FORMAT) -> str:
    """A moment in the office's time zone. The usual all-numeric pattern is written directly (as Babel writes it, a
    naive value being UTC), without Babel's pattern parsing: a timeline shows a few dozen of them."""
    if not value:
        return ''
    if fmt != _DT_FORMAT or not isinstance(value, datetime):
        return format_datetime(value, fmt)
    local = (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(get_timezone())
    return f'{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}'


def _quantity(value) -> str:
    """A count or amount as people write it: 1 家, 1,260 亿元, 7.5 % — at most two decimals, no trailing zeros."""
    if value is None:
        return ''
    text = f'{Decimal(str(value)).quantize(Decimal("0.01")):,.2f}'
    return text.rstrip('0').rstrip('.') if '.' in text else text


def _share(value: float | None) -> str:
    """A share as a percentage, with a decimal below 10 % so a small start does not read as nothing."""
    if value is None:
        return '—'
    return f'{value:.1%}' if abs(value) < 0.1 else f'{value:.0%}'


def init_app(app: Flask) -> None:
    """Register the display filters."""
    app.add_template_filter(_fmt_dt, 'dt')
    app.add_template_filter(_quantity, 'qty')
    app.add_template_filter(_share, 'share')
