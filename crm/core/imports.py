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
from typing import Any, TypeVar

from crm.core import audit
from crm.core.exports import FORMULA_PREFIXES, csv_bytes, xlsx_bytes
from crm.core.i18n import gettext as _
from crm.core.spreadsheets import Table, map_columns
from crm.core.validators import InvalidValue
from crm.db import db

MAX_CELL = 500
ERROR_COLUMN = '错误说明'  # the column the file of rows with errors adds, ignored when that file is imported again
# C0 control characters other than tab, line feed and carriage return (which multi-line cells contain), and DEL.
# PostgreSQL cannot store NUL, and none of them is typed by a person.
CONTROL_CHARACTERS = re.compile(r'[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')
T = TypeVar('T')


class RowError(ValueError):
    """One bad cell: the field name and a Chinese explanation."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column

    @property
    def errors(self) -> list[RowError]:
        return [self]


class RowErrors(RowError):
    """Every bad cell of one row (the first one's column, all the messages)."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(errors[0].column, '；'.join(str(e) for e in errors))
        self._errors = errors

    @property
    def errors(self) -> list[RowError]:
        return self._errors


class RowCheck:
    """Checks a row cell by cell and keeps going after a bad one, so that a row's every mistake is reported at once:
    `check(parser, ...)` returns the parsed value, or None after noting the parser's RowError; `done()` raises them
    all together."""

    def __init__(self) -> None:
        self.errors: list[RowError] = []

    def __call__(self, parse: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return parse(*args, **kwargs)
        except RowError as exc:
            self.errors.extend(exc.errors)
            return None

    def add(self, column: str, message: str) -> None:
        self.errors.append(RowError(column, message))

    def failed(self, *columns: str) -> bool:
        """Whether any of `columns` (any column at all, without arguments) was bad."""
        return any(not columns or e.column in columns for e in self.errors)

    def done(self) -> None:
        if self.errors:
            raise RowErrors(self.errors)


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
    # What the rows did, for undoing the batch: ('create', record, None) or ('update', record, values before).
    changes: list[tuple[str, Any, dict[str, Any] | None]] = field(default_factory=list, repr=False, compare=False)

    def created(self, record: Any) -> None:
        """Note a record the import added."""
        self.changes.append(('create', record, None))

    def updating(self, record: Any, fields: Any) -> None:
        """Note a record's `fields` as they are before the import changes them (call before changing them)."""
        self.changes.append(('update', record, {name: getattr(record, name) for name in dict.fromkeys(fields)}))

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
    # Checks a row's cells without writing anything, noting every bad one on the RowCheck (the kind's parse_row).
    parse: Callable[[dict[str, str], RowCheck], Any] | None = None


def run_import(table: Table, spec: ImportSpec, handle: Callable[[int, dict[str, str], ImportReport], None], *,
               dry_run: bool = False, filename: str = '',
               before_commit: Callable[[], None] | None = None) -> ImportReport:
    """Map the columns, hand each row to `handle`, collect RowErrors; commit or roll back the batch savepoint."""
    report = ImportReport(dry_run=dry_run)
    mapping, unknown = map_columns(table.header, spec.columns)
    missing = [spec.labels[name] for name in spec.required if name not in mapping]
    if missing:
        report.errors.append(row_error(1, [RowError('、'.join(missing), _('Required columns missing: %(columns)s',
                                                                         columns='、'.join(missing)))], {}))
        return report
    savepoint = db.session.begin_nested()
    kill_at = fault_injection_row()
    for position, (number, cells) in enumerate(table.rows, 1):
        if position == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        extra = next((i for i in range(len(table.header), len(cells)) if cells[i]), None)
        if extra is not None:
            report.errors.append(row_error(number, [RowError(
                _('column %(n)s', n=extra + 1),
                _('The row has %(cells)s columns, more than the %(header)s of the header (perhaps an extra separator or '
                  'an unpaired quote)', cells=len(cells), header=len(table.header)))], {}))
            continue
        record = {name: cells[index] if index < len(cells) else '' for name, index in mapping.items()}
        check = RowCheck()
        for name, value in record.items():
            check(check_cell, value, name, spec.labels.get(name, name))
        try:
            if check.errors:
                # The row's other cells are still checked (the refused ones left empty, and not reported twice);
                # nothing of the row is written.
                if spec.parse is not None:
                    rest = RowCheck()
                    spec.parse({k: '' if check.failed(k) else v for k, v in record.items()}, rest)
                    check.errors.extend(e for e in rest.errors if not check.failed(e.column))
                check.done()
            handle(number, record, report)
        except RowError as exc:
            report.errors.append(row_error(number, exc.errors, spec.labels))
    if before_commit is not None:
        before_commit()
    if dry_run:
        savepoint.rollback()
        return report
    savepoint.commit()
    summary = {k: v for k, v in report.as_dict().items() if k != 'errors'}
    audit.log(db.session, 'import', spec.object_type, None, file=filename, error_rows=len(report.errors),
              ignored_columns=[c for c in unknown if c not in spec.ignored and c != ERROR_COLUMN], **summary)
    return report


def row_error(number: int, errors: list[RowError], labels: dict[str, str]) -> dict[str, Any]:
    """A bad row as the report lists it: its number, every problem (column label and reason), and the columns and
    reasons joined for a one-line summary."""
    problems = [{'column': labels.get(e.column, e.column), 'message': str(e)} for e in errors]
    return {'row': number, 'column': '、'.join(dict.fromkeys(p['column'] for p in problems)),
            'message': '；'.join(p['message'] for p in problems), 'problems': problems}


def error_rows_file(table: Table, report: ImportReport, filename: str) -> tuple[bytes, str] | None:
    """The rows with errors as a file to fix and import again: the upload's columns and cells as they were, plus a
    column saying every problem of the row; XLSX for an uploaded workbook, else CSV. None when no data row is bad."""

    bad = {e['row']: e for e in report.errors}
    keep = [i for i, title in enumerate(table.header) if title != ERROR_COLUMN]  # a re-uploaded error file
    width = len(table.header)
    rows = []
    for number, cells in table.rows:
        if number in bad:
            cells = [*cells, *[''] * (width - len(cells))]
            problems = bad[number].get('problems') or [bad[number]]
            rows.append([*(cells[i] for i in keep), *cells[width:],
                         '；'.join(f'{p["column"]}：{p["message"]}' for p in problems)])
    if not rows:
        return None
    header = [table.header[i] for i in keep] + [ERROR_COLUMN]
    stem = os.path.splitext(os.path.basename(filename))[0] or 'import'
    if filename.lower().endswith(('.xlsx', '.xlsm')):
        return xlsx_bytes(header, rows), f'{stem}-错误行.xlsx'
    return csv_bytes(header, rows), f'{stem}-错误行.csv'


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


def validated_cell(text: str, column: str, validate: Callable[[str], T], *, fold: bool = False) -> T | None:
    """An optional cell checked by one of crm.core.validators (a phone number, a credit code): None when empty, else
    the validator's value; its InvalidValue becomes a RowError of `column` with the same message. `fold`: NFKC-folded
    first (codes); otherwise as typed (see plain)."""
    value = (folded if fold else plain)(text)
    if not value:
        return None
    try:
        return validate(value)
    except InvalidValue as exc:
        raise RowError(column, str(exc)) from exc


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
