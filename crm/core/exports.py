"""Spreadsheet exports (CSV with BOM for Excel/WPS, XLSX) that never turn user text into formulas."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Response

FORMULA_PREFIXES = ('=', '+', '-', '@', '\t', '\r', '\0')
# OOXML strings escape characters as _xHHHH_ (Excel writes a carriage return as _x000D_, since XML readers turn a raw
# one into a line feed); a literal _xHHHH_ in the text is itself escaped as _x005F_xHHHH_.
XSTRING_ESCAPE = re.compile(r'_(x[0-9A-Fa-f]{4}_)')


def safe_cell(value: Any) -> Any:
    """Text starting like a formula gets a leading apostrophe; numbers and dates stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _text(value: Any) -> str:
    if value is None:
        return ''
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV in UTF-8 with BOM (opens correctly in Chinese Excel and WPS)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_text(safe_cell(v)) for v in row])
    return ('\ufeff' + buffer.getvalue()).encode('utf-8')


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A CSV download."""
    return _download(csv_bytes(header, rows), filename, 'text/csv; charset=utf-8')


def xlsx_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """An XLSX download."""
    return _download(xlsx_bytes(header, rows), filename,
                     'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """An XLSX workbook; every string cell is stored as text, never as a formula. Control characters that XML cannot
    carry (NUL and the like, which forms and imports keep out anyway) are left out instead of failing the export;
    carriage returns (browsers send CR LF from text areas) are escaped the way Excel does, so they survive."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def value(v: Any) -> Any:
        if isinstance(v, Decimal):
            return float(v)
        if not isinstance(v, str):
            return v
        text = safe_cell(ILLEGAL_CHARACTERS_RE.sub('', v))
        return XSTRING_ESCAPE.sub(r'_x005F_\1', text).replace('\r', '_x000D_')

    book = Workbook(write_only=False)
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append([value(v) for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = 's'
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _download(payload: bytes, filename: str, mimetype: str) -> Response:
    from urllib.parse import quote

    response = Response(payload, mimetype=mimetype)
    ascii_name = filename.encode('ascii', 'ignore').decode() or 'export'
    response.headers['Content-Disposition'] = (f'attachment; filename="{ascii_name}"; '
                                               f"filename*=UTF-8''{quote(filename)}")
    return response
