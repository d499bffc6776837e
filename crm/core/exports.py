"""Spreadsheet exports (CSV with BOM for Excel/WPS, XLSX) that never turn user text into formulas.

An export carries every row of the list it was asked for. Rows are read from the database in batches and written
as they come: CSV a few hundred rows at a time, XLSX in one pass (openpyxl's write-only workbook, nothing read back),
into a spooled temporary file that is then sent in chunks, so time grows linearly with the rows and memory stays
flat. The only limit is Excel's own (1,048,576 rows a sheet): a larger XLSX export is refused with a message, never
cut. Lists export through crm.core.export_jobs, which writes exports past EXPORT_BACKGROUND_ROWS in the job worker.
"""
from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any
from urllib.parse import quote, urlsplit

from flask import Response, flash, redirect, request
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

from crm.core.i18n import gettext as _

FORMULA_PREFIXES = ('=', '+', '-', '@', '\t', '\r', '\0')
# OOXML strings escape characters as _xHHHH_ (Excel writes a carriage return as _x000D_, since XML readers turn a raw
# one into a line feed); a literal _xHHHH_ in the text is itself escaped as _x005F_xHHHH_.
XSTRING_ESCAPE = re.compile(r'_(x[0-9A-Fa-f]{4}_)')
XLSX_MAX_ROWS = 1_048_576 - 1  # a worksheet's rows, less the header
CSV_CHUNK_ROWS = 500
# Rows are read from the database in batches of this size (server-side cursor on PostgreSQL), not all at once.
YIELD_PER = 1000
SPOOL_IN_MEMORY = 8 * 1024 * 1024  # larger files go to a temporary file on disk


class ExportTooLarge(ValueError):
    """The rows do not fit the format; the message says why and what to do instead."""


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


def _csv_cell(value: Any) -> str:
    """`_text(safe_cell(value))` in one call (it runs for every cell of an export: a million for 100,000 leads)."""
    if value.__class__ is str:
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if value is None:
        return ''
    return _text(safe_cell(value))


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """CSV in UTF-8 with BOM (opens correctly in Chinese Excel and WPS), a few hundred rows a chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write('\ufeff')
    writer.writerow(header)
    cell = _csv_cell
    for n, row in enumerate(rows, 1):
        writer.writerow([cell(v) for v in row])
        if n % CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue().encode('utf-8')
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode('utf-8')


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """The whole CSV file at once (command line, tests)."""
    return b''.join(csv_chunks(header, rows))


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A CSV download of every row. The file is written while the rows are read (in batches), to memory or, past a
    few megabytes, to a temporary file, then sent in chunks: memory stays flat, and a failure while reading gives an
    error page rather than a file silently cut short."""
    spool = _spool()
    for chunk in csv_chunks(header, rows):
        spool.write(chunk)
    return _send(spool, filename, 'text/csv')


def xlsx_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """An XLSX download; more rows than a worksheet holds are refused with a message back on the list page."""
    spool = _spool()
    try:
        xlsx_write(header, rows, spool)
    except ExportTooLarge as exc:
        spool.close()
        flash(str(exc), 'error')
        return redirect(_back_url(request))
    return _send(spool, filename, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """The whole XLSX file at once (command line, tests)."""
    buffer = io.BytesIO()
    xlsx_write(header, rows, buffer)
    return buffer.getvalue()


def xlsx_write(header: Sequence[str], rows: Iterable[Sequence[Any]], fh: IO[bytes]) -> int:
    """Write an XLSX workbook to `fh` in one pass and return the data rows written. Every string cell is stored as
    text, never as a formula (nor as an error value such as #N/A). Control characters that XML cannot carry (NUL and
    the like, which forms and imports keep out anyway) are left out instead of failing the export; carriage returns
    (browsers send CR LF from text areas) are escaped the way Excel does, so they survive."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet()

    def value(v: Any) -> Any:
        if isinstance(v, Decimal):
            return float(v)
        if not isinstance(v, str):
            return v
        text = safe_cell(ILLEGAL_CHARACTERS_RE.sub('', v))
        text = XSTRING_ESCAPE.sub(r'_x005F_\1', text).replace('\r', '_x000D_')
        if text in ERROR_CODES:  # '#N/A' and the like would otherwise be stored as an error cell
            cell = WriteOnlyCell(sheet, text)
            cell.data_type = 's'
            return cell
        return text

    sheet.append([value(v) for v in header])
    count = 0
    for row in rows:
        count += 1
        if count > XLSX_MAX_ROWS:
            sheet.close()  # finish and remove the sheet's temporary file: nothing is saved
            sheet._writer.cleanup()
            raise ExportTooLarge(_('The export has more than %(rows)s rows, beyond what one Excel sheet holds, so no XLSX '
                                   'file can be made. Export CSV instead (no row limit), or narrow the filters.',
                                   rows=f'{XLSX_MAX_ROWS:,}'))
        sheet.append([value(v) for v in row])
    book.save(fh)
    return count


def _spool() -> IO[bytes]:
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)


def _send(spool: IO[bytes], filename: str, mimetype: str) -> Response:
    size = spool.tell()
    spool.seek(0)

    def chunks() -> Iterator[bytes]:
        with spool:
            while chunk := spool.read(1 << 16):
                yield chunk

    response = Response(chunks(), mimetype=mimetype)
    response.headers['Content-Length'] = str(size)
    return _attachment(response, filename)


def _back_url(request) -> str:
    """Where a refused export sends the user back to: the page they came from, on this site."""
    referrer = request.referrer or ''
    parts = urlsplit(referrer)
    if referrer and parts.netloc == request.host and parts.scheme in ('http', 'https'):
        return referrer
    return '/'


def _attachment(response: Response, filename: str) -> Response:
    ascii_name = filename.encode('ascii', 'ignore').decode() or 'export'
    response.headers['Content-Disposition'] = (f'attachment; filename="{ascii_name}"; '
                                               f"filename*=UTF-8''{quote(filename)}")
    return response
