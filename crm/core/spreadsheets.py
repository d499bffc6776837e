"""Reading uploaded spreadsheets safely: CSV (UTF-8, UTF-8 with BOM, GB18030) and XLSX.

Hostile files are refused before parsing: size, wrong magic bytes, password-protected workbooks (an OLE container),
zip entry count, total expansion and per-entry ratio, macros, and XML parts that declare a DTD or entities (billion
laughs); openpyxl also parses with defusedxml installed. Formulas are never calculated: a cell gives its saved result,
or the formula's text when none was saved.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import defusedxml  # noqa: F401  (openpyxl parses with defusedxml when it is installed)
from defusedxml import DefusedXmlException
from openpyxl import load_workbook

MAX_BYTES = 10 * 1024 * 1024
MAX_ZIP_ENTRIES = 200
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_RATIO = 100
MAX_ROWS = 50_000
CFB_MAGIC = bytes.fromhex('d0cf11e0a1b11ae1')  # OLE compound file: legacy .xls, and password-protected .xlsx
XML_DECLARATION = re.compile(rb'<!(?:DOCTYPE|ENTITY)', re.IGNORECASE)
XSTRING_ESCAPED = re.compile(r'_x([0-9A-Fa-f]{4})_')
FORMULA_TAG = re.compile(rb'<(?:\w+:)?f[\s>/]')
ENTITY_MESSAGE = ('Excel 文件中含有 XML 实体声明（可能是恶意构造的文件），已拒绝。请在 Excel 中另存为新的 .xlsx 后再导入 '
                  '(XML entity declarations are refused)')
# A cell may be as large as the file (the import then reports it on its row) instead of stopping the whole read.
csv.field_size_limit(MAX_BYTES)


class SpreadsheetError(ValueError):
    """The file cannot be read as a table; the message says why (Chinese first)."""


@dataclass
class Table:
    """A header and numbered data rows (row numbers as a spreadsheet user sees them)."""

    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def read_table(filename: str, data: bytes) -> Table:
    """Parse an uploaded CSV or XLSX file into a Table."""
    if len(data) > MAX_BYTES:
        raise SpreadsheetError('文件超过 10 MB 上限 (file larger than 10 MB)')
    if not data.strip():
        raise SpreadsheetError('文件是空的 (empty file)')
    name = filename.lower()
    if data[:8] == CFB_MAGIC:
        # Excel and WPS save a password-protected workbook as an OLE container holding the encrypted package.
        if 'EncryptionInfo'.encode('utf-16-le') in data or name.endswith(('.xlsx', '.xlsm')):
            raise SpreadsheetError('Excel 文件设有打开密码（已加密），无法读取。请在 Excel 中取消密码后另存为 .xlsx 再导入 '
                                   '(password-protected workbook)')
        raise SpreadsheetError('不支持旧版 .xls 文件，请另存为 .xlsx 或 .csv (legacy .xls is not supported)')
    if name.endswith(('.xlsx', '.xlsm')) or data[:4] == b'PK\x03\x04':
        return _read_xlsx(data)
    if name.endswith(('.xls', '.et')):
        raise SpreadsheetError('不支持旧版 .xls 文件，请另存为 .xlsx 或 .csv (legacy .xls is not supported)')
    return _read_csv(data)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (what Excel and WPS write on Chinese Windows)."""
    for encoding in ('utf-8-sig', 'gb18030'):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError('无法识别文件编码，请保存为 UTF-8 或 GB18030 (unknown text encoding)')


def _read_csv(data: bytes) -> Table:
    # Binary files (and UTF-16 text) are full of NUL bytes; a stray NUL in a cell is reported on its row instead.
    if data[:4096].count(b'\x00') > 16:
        raise SpreadsheetError('这不是文本表格文件 (not a CSV text file)')
    text = decode_text(data)
    dialect = csv.excel_tab if text.count('\t') > text.count(',') else csv.excel
    reader = csv.reader(io.StringIO(text, newline=''), dialect)
    rows = []
    try:
        for n, row in enumerate(reader, 1):
            rows.append((n, [cell.strip() for cell in row]))
    except csv.Error as exc:
        raise SpreadsheetError(f'第 {reader.line_num} 行附近无法按 CSV 读取：{exc} (malformed CSV)') from exc
    return _table(rows)


def _check_zip(data: bytes) -> zipfile.ZipFile:
    if data[:4] != b'PK\x03\x04':
        raise SpreadsheetError('扩展名是 .xlsx，但内容不是 Excel 文件 (not an XLSX file)')
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise SpreadsheetError('Excel 文件已损坏 (damaged XLSX file)') from exc
    entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES:
        raise SpreadsheetError('Excel 文件内部条目过多，已拒绝 (too many entries in the XLSX archive)')
    total = sum(e.file_size for e in entries)
    if total > MAX_UNCOMPRESSED or any(e.compress_size and e.file_size / e.compress_size > MAX_RATIO
                                       for e in entries):
        raise SpreadsheetError('Excel 文件解压后过大，疑似压缩炸弹，已拒绝 (XLSX expands too much)')
    names = {e.filename.lower() for e in entries}
    if any(n.endswith('vbaproject.bin') for n in names):
        raise SpreadsheetError('文件包含宏，已拒绝 (files with macros are refused)')
    if 'xl/workbook.xml' not in names or any(e.flag_bits & 0x1 for e in entries):
        raise SpreadsheetError('无法读取该 Excel 文件（可能已加密）(unreadable or encrypted XLSX)')
    return archive


def _cell_text(value) -> str:
    if value is None:
        return ''
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(' ')
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), 'f')
    if isinstance(value, str):  # OOXML's _xHHHH_ escapes (Excel writes a carriage return as _x000D_)
        value = XSTRING_ESCAPED.sub(_unescape, value)
    return str(value).strip()


def _unescape(match: re.Match) -> str:
    code = int(match.group(1), 16)
    return match.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)


def _refuse_xml_declarations(archive: zipfile.ZipFile) -> None:
    """Spreadsheet XML never declares a DTD or entities; a part that does is an entity-expansion attack (billion
    laughs) or an attempt to read local files. Parts are scanned as bytes, in chunks, before any XML parsing."""
    for entry in archive.infolist():
        if not entry.filename.lower().endswith(('.xml', '.rels', '.vml')):
            continue
        with archive.open(entry) as part:
            tail = b''
            while chunk := part.read(1 << 16):
                if XML_DECLARATION.search(tail + chunk):
                    raise SpreadsheetError(ENTITY_MESSAGE)
                tail = chunk[-16:]


def _has_formulas(archive: zipfile.ZipFile) -> bool:
    for entry in archive.infolist():
        if entry.filename.lower().startswith('xl/worksheets/') and entry.filename.lower().endswith('.xml'):
            with archive.open(entry) as part:
                tail = b''
                while chunk := part.read(1 << 16):
                    if FORMULA_TAG.search(tail + chunk):
                        return True
                    tail = chunk[-16:]
    return False


def _sheet_rows(data: bytes, *, formulas: bool) -> list[list]:
    """The first sheet's values: stored (cached) results, or with `formulas` the formula text of formula cells.
    Nothing is ever calculated."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=not formulas)
        rows = []
        for n, values in enumerate(book.worksheets[0].iter_rows(values_only=True), 1):
            if n > MAX_ROWS + 1:
                raise SpreadsheetError(f'行数超过 {MAX_ROWS} 行上限 (too many rows)')
            rows.append(list(values))
        book.close()
    except SpreadsheetError:
        raise
    except DefusedXmlException as exc:
        raise SpreadsheetError(ENTITY_MESSAGE) from exc
    except Exception as exc:  # openpyxl raises many kinds for malformed parts
        raise SpreadsheetError(f'无法读取该 Excel 文件 (unreadable XLSX: {type(exc).__name__})') from exc
    return rows


def _read_xlsx(data: bytes) -> Table:
    archive = _check_zip(data)
    _refuse_xml_declarations(archive)
    rows = _sheet_rows(data, formulas=False)
    if _has_formulas(archive):
        # A formula saved without its result (files written by programs rather than Excel/WPS) is imported as its
        # literal text instead of silently becoming an empty cell.
        for row, texts in zip(rows, _sheet_rows(data, formulas=True)):
            for i, text in enumerate(texts[:len(row)]):
                if row[i] is None and isinstance(text, str) and text.startswith('='):
                    row[i] = text
    return _table([(n, [_cell_text(v) for v in values]) for n, values in enumerate(rows, 1)])


def _table(rows: list[tuple[int, list[str]]]) -> Table:
    rows = [(n, cells) for n, cells in rows if any(cells)]
    if not rows:
        raise SpreadsheetError('文件中没有数据 (no rows)')
    if len(rows) > MAX_ROWS + 1:
        raise SpreadsheetError(f'行数超过 {MAX_ROWS} 行上限 (too many rows)')
    header_number, header = rows[0]
    return Table(header=[h.strip().lstrip('\ufeff') for h in header], rows=rows[1:])


def map_columns(header: list[str], aliases: dict[str, tuple[str, ...]]) -> tuple[dict[str, int], list[str]]:
    """Which column holds each field (by its usual Chinese or English headers), and the unrecognised headers."""
    def norm(text: str) -> str:
        return ''.join(text.lower().split()).replace('（', '(').replace('）', ')')

    lookup = {norm(alias): name for name, names in aliases.items() for alias in (name, *names)}
    mapping: dict[str, int] = {}
    unknown = []
    for index, title in enumerate(header):
        name = lookup.get(norm(title))
        if name and name not in mapping:
            mapping[name] = index
        elif title:
            unknown.append(title)
    return mapping, unknown
