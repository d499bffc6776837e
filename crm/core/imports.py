"""The shared import loop and cell parsers: every good row in one transaction, every bad row reported
with its row number, column and a Chinese reason; a dry run rolls everything back."""
from __future__ import annotations

import os
import re
import signal
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from crm.core import audit
from crm.core.exports import FORMULA_PREFIXES
from crm.core.i18n import gettext as _
from crm.core.spreadsheets import Table, map_columns
from crm.db import db

MAX_CELL = 500
# C0 control characters other than tab, line feed and carriage return (which multi-line cells contain), and DEL.
# PostgreSQL cannot store NUL, and none of them is typed by a person.
CONTROL_CHARACTERS = re.compile(r'[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')


class RowError(ValueError):
    """One bad cell: the field name and a Chinese explanation."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


@dataclass
class ImportReport:
    """What an import did (or would do, on a dry run)."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    extra: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False
    batch_id: int | None = None  # the import batch record, for confirmed imports

    def as_dict(self) -> dict[str, Any]:
        batch = {} if self.batch_id is None else {'batch': self.batch_id}
        return {'imported': self.imported, 'updated': self.updated, 'unchanged': self.unchanged, **self.extra,
                'errors': self.errors, 'dry_run': self.dry_run, **batch}


@dataclass
class ImportSpec:
    """What a kind of import expects: its columns (with the usual headers), required fields and labels."""

    object_type: str
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    labels: dict[str, str]
    ignored: frozenset[str] = frozenset()


def run_import(table: Table, spec: ImportSpec, handle: Callable[[int, dict[str, str], ImportReport], None], *,
               dry_run: bool = False, filename: str = '',
               before_commit: Callable[[], None] | None = None) -> ImportReport:
    """Map the columns, hand each row to `handle`, collect RowErrors; commit or roll back the batch savepoint."""
    report = ImportReport(dry_run=dry_run)
    mapping, unknown = map_columns(table.header, spec.columns)
    missing = [spec.labels[name] for name in spec.required if name not in mapping]
    if missing:
        report.errors.append({'row': 1, 'column': '、'.join(missing),
                              'message': _('Required columns missing: %(columns)s', columns='、'.join(missing))})
        return report
    savepoint = db.session.begin_nested()
    kill_at = fault_injection_row()
    for position, (number, cells) in enumerate(table.rows, 1):
        if position == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        extra = next((i for i in range(len(table.header), len(cells)) if cells[i]), None)
        if extra is not None:
            report.errors.append({'row': number, 'column': _('column %(n)s', n=extra + 1),
                                  'message': _('The row has %(cells)s columns, more than the %(header)s of the '
                                               'header (perhaps an extra separator or an unpaired quote)',
                                               cells=len(cells), header=len(table.header))})
            continue
        record = {name: cells[index] if index < len(cells) else '' for name, index in mapping.items()}
        try:
            for name, value in record.items():
                check_cell(value, name, spec.labels.get(name, name))
            handle(number, record, report)
        except RowError as exc:
            report.errors.append({'row': number, 'column': spec.labels.get(exc.column, exc.column),
                                  'message': str(exc)})
    if before_commit is not None:
        before_commit()
    if dry_run:
        savepoint.rollback()
        return report
    savepoint.commit()
    summary = {k: v for k, v in report.as_dict().items() if k != 'errors'}
    audit.log(db.session, 'import', spec.object_type, None, file=filename, error_rows=len(report.errors),
              ignored_columns=[c for c in unknown if c not in spec.ignored], **summary)
    return report


def fault_injection_row() -> int:
    """Testing hook: with CRM_FAULT_KILL_IMPORT_AT_ROW=N set, the process kills itself (SIGKILL) on reaching the
    N-th data row of an import, to show that a crash leaves nothing of the batch behind. Unset: 0, never."""
    value = os.environ.get('CRM_FAULT_KILL_IMPORT_AT_ROW', '')
    return int(value) if value.isdigit() else 0


# --- cell parsers -------------------------------------------------------------------------------

def check_cell(value: str, column: str, label: str) -> None:
    """Refuse oversized cells and invisible control characters (NUL and the like) before any parsing."""
    if len(value) > MAX_CELL:
        raise RowError(column, _('%(label)s is too long (%(length)s characters, at most %(most)s)', label=label,
                                  length=len(value), most=MAX_CELL))
    found = CONTROL_CHARACTERS.search(value)
    if found:
        raise RowError(column, _('%(label)s contains an invisible control character (U+%(code)s); remove it and '
                                  'import again', label=label, code=f'{ord(found.group()):04X}'))


def plain(text: str) -> str:
    """Trimmed but otherwise as typed (Chinese text keeps its full-width punctuation: ，（）); a leading apostrophe that
    protected a formula-like value (see exports) is dropped."""
    text = (text or '').strip()
    return text[1:] if text.startswith("'") and text[1:2] and text[1] in FORMULA_PREFIXES else text


def folded(text: str) -> str:
    """plain() after NFKC folding, for codes, numbers, dates and choices: full-width digits, letters and signs
    (１２０，３ＡＢ－) become ASCII."""
    return plain(unicodedata.normalize('NFKC', text or ''))


def decimal_cell(text: str, column: str, label: str, low: Decimal, high: Decimal) -> Decimal | None:
    """A decimal within [low, high] (thousands separators allowed), or None when empty."""
    text = folded(text).replace(',', '')
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise RowError(column, _('%(label)s is not a number: %(text)s', label=label, text=text[:30])) from exc
    if not low <= value <= high:
        raise RowError(column, _('%(label)s must be between %(low)s and %(high)s: %(text)s', label=label, low=low,
                                  high=high, text=text))
    return value.quantize(Decimal('0.01'))


def int_cell(text: str, column: str, label: str, low: int, high: int) -> int | None:
    """An integer within [low, high], or None when empty."""
    value = decimal_cell(text, column, label, Decimal(low), Decimal(high))
    if value is None:
        return None
    if value != value.to_integral_value():
        raise RowError(column, _('%(label)s must be a whole number', label=label))
    return int(value)


def date_cell(text: str, column: str, label: str) -> date | None:
    """ISO, 2026/1/31, 2026.1.31, 2026年1月31日, 20260131 or an Excel serial day number (full-width digits too);
    None when empty."""
    text = folded(text)
    if not text:
        return None
    if re.fullmatch(r'\d{5}(\.0+)?', text):
        return date(1899, 12, 30) + timedelta(days=int(float(text)))
    match = (re.fullmatch(r'(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?', text)
             or re.fullmatch(r'((?:19|20)\d{2})(\d{2})(\d{2})', text))
    if not match:
        raise RowError(column, _('%(label)s is not a date: %(text)s (write 2026-01-31)', label=label, text=text[:30]))
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError as exc:
        raise RowError(column, _('%(label)s does not exist: %(text)s', label=label, text=text[:30])) from exc


def choice_cell(text: str, column: str, label: str, allowed: tuple[str, ...], default: str | None) -> str | None:
    """One of `allowed` (empty: the default)."""
    value = folded(text) or default
    if value is not None and value not in allowed:
        raise RowError(column, _('%(label)s must be one of %(allowed)s: %(value)s', label=label, allowed='/'.join(allowed),
                                  value=value[:20]))
    return value


def list_cell(text: str, *, fold: bool = False) -> list[str]:
    """'a、b, c；d' → ['a', 'b', 'c', 'd'] (`fold`: NFKC-folded, for words from a fixed list)."""
    return [part for part in (p.strip() for p in re.split(r'[、,，;；/]+', (folded if fold else plain)(text))) if part]
