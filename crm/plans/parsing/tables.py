"""Recover tables flattened one cell per line or tab-separated, with page-break header repeats."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from .indicators import indicator_header, recover_indicator_table
from .model import Removal
from .segment import Line
from .text import ends_sentence, squeeze_spaces

NOTE = re.compile(r'^(注|说明|备注|资料来源|数据来源)\s*[:：]')


@dataclass
class TableData:
    """Table content read from the lines after a caption."""
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)
    structured: bool = True
    removed: list[Removal] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    header_text: list[str] = field(default_factory=list)

    def text(self) -> str:
        """Text of the table as one block: rows of tab-joined cells, or the cells one per line. The header line
        is `header_text` when set (the header cells as the source reads them, before two-level labels are
        combined)."""
        if self.structured:
            head = self.header_text or self.header
            body = ['\t'.join(head)] if head else []
            body += ['\t'.join(r) for r in self.rows]
        else:
            body = list(self.cells)
        return '\n'.join(body + self.notes)


def read_table(lines: list[Line], start: int, stop: Callable[[str], bool]) -> tuple[TableData, int]:
    """Read the table starting at lines[start]; return it and the index after it."""
    first = next((ln for ln in lines[start:] if ln.text.strip()), None)
    if first is not None and '\t' in first.raw:
        return _read_tabbed(lines, start)
    return _read_cells(lines, start, stop)


def _read_cells(lines: list[Line], start: int, stop: Callable[[str], bool]) -> tuple[TableData, int]:
    data, cells, i = TableData(), [], start
    while i < len(lines):
        text = lines[i].text.strip()
        if not text:
            i += 1
            continue
        if not cells and row_of_cells(lines[i]):
            cells = [Line(cell, lines[i].line, cell) for cell in lines[i].raw.split()]
            i += 1
            break
        if stop(text) or not _fits(text, cells):
            break
        if NOTE.match(text):
            data.notes.append(text)
            i += 1
            break
        cells.append(lines[i])
        i += 1
    data.cells = [c.text for c in cells]
    _structure_cells(data, cells)
    return data, i


def row_of_cells(line: Line) -> bool:
    """A table printed on one line (a web page's flattened table): many blank-separated cells, none of them a
    clause (no clause punctuation anywhere)."""
    return len(line.raw.split()) >= ROW_CELLS and not re.search(r'[，,；;。：:！？!?]', line.text)


ROW_CELLS = 8
PROSE_CELL = 16  # a line this long with clause punctuation, after a figure, is prose (wrapped at a narrow margin)


def _fits(text: str, cells: list[Line]) -> bool:
    """A long line belongs to the table only as a content cell after a name cell or a broken content cell."""
    prev = cells[-1].text if cells else ''
    if len(text) >= PROSE_CELL and re.search(r'[，,；;。]', text) and 0 < len(prev) <= 12 and re.search(r'\d', prev) \
            and not NOTE.match(text):
        return False  # a clause after a figure (126, 60以上) starts the paragraph after an indicator table
    if len(text) <= 40:
        return True
    if not cells:
        return False
    if ends_sentence(text) and len(prev) <= 12 and re.search(r'\d', prev):
        return False  # a finished sentence after a figure (41, 80以上) is the paragraph after an indicator table
    return (len(prev) <= 20 and not ends_sentence(prev)) or (len(prev) > 20 and not ends_sentence(prev))


def _structure_cells(data: TableData, cells: list[Line]) -> None:
    texts = [c.text for c in cells]
    if not texts:
        data.structured = False
        return
    if _numbered(data, texts):
        return
    if indicator_header(cells):
        if not _indicator(data, cells):
            data.structured = False
        return
    if _two_column(data, cells):
        return
    data.structured = False


def _indicator(data: TableData, cells: list[Line]) -> bool:
    """Indicator tables: 指标名称 / 属性 / 单位 / base and target years / 年均增长 / 数据来源. A table with such
    a header whose rows cannot be recovered stays text."""
    table = recover_indicator_table(cells)
    if table is None:
        return False
    data.header, data.rows, data.header_text = table.header, table.rows, table.header_text
    data.removed.extend(table.removed)
    data.warnings.extend(table.warnings)
    return True


def _numbered(data: TableData, texts: list[str]) -> bool:
    """Rows introduced by an integer cell 1, 2, 3 …"""
    starts, expected = [], 1
    for i, t in enumerate(texts):
        if t == str(expected):
            starts.append(i)
            expected += 1
    if len(starts) < 2:
        return False
    segments = [texts[a:b] for a, b in zip(starts, starts[1:] + [len(texts)])]
    width = Counter(len(s) for s in segments).most_common(1)[0][0]
    rows = [_merge_cells(s, width) for s in segments]
    header = _merge_header(texts[:starts[0]], width)
    if any(r is None for r in rows) or header is None:
        return False
    data.header, data.rows = header, [r for r in rows if r is not None]
    return True


def _merge_cells(cells: list[str], width: int) -> list[str] | None:
    cells = list(cells)
    while len(cells) > width:
        idx = next((i for i, c in enumerate(cells[:-1]) if c[-1] in ',，、;；'), None)
        if idx is None:
            return None
        cells[idx:idx + 2] = [cells[idx] + cells[idx + 1]]
    return cells if len(cells) == width else None


def _merge_header(cells: list[str], width: int) -> list[str] | None:
    cells = list(cells)
    while len(cells) > width:
        idx = next((i for i, c in enumerate(cells[:-1])
                    if re.fullmatch(r'\d{4}\s*年', c) or cells[i + 1][0] in '(（'), None)
        if idx is None:
            return None
        cells[idx:idx + 2] = [cells[idx] + cells[idx + 1]]
    return cells if len(cells) == width else None


def _two_column(data: TableData, cells: list[Line]) -> bool:
    """Boxes laid out as name / content pairs, content cells ending with a full stop."""
    texts = [c.text for c in cells]
    if len(texts) < 4 or any(len(t) > 10 or re.search(r'\d', t) for t in texts[:2]):
        return False
    header, rows, i = texts[:2], [], 2
    while i < len(texts):
        name, i = _collect(texts, i, header, data, cells, lambda t: len(t) <= 20 and not ends_sentence(t))
        content, i = _collect(texts, i, header, data, cells, None)
        if not name or not content:
            return False
        rows.append([name, content])
    data.header, data.rows = header, rows
    return bool(rows)


def _collect(texts: list[str], i: int, header: list[str], data: TableData, cells: list[Line],
             accept: Callable[[str], bool] | None) -> tuple[str, int]:
    parts: list[str] = []
    while i < len(texts):
        if texts[i:i + 2] == header:
            data.removed.append(Removal('repeated-header', '\n'.join(header), cells[i].line,
                                        'table header repeated at a page break'))
            i += 2
            continue
        t = texts[i]
        if accept is not None and not accept(t):
            break
        parts.append(t)
        i += 1
        if accept is None and ends_sentence(t):
            break
    return ''.join(parts), i


def _read_tabbed(lines: list[Line], start: int) -> tuple[TableData, int]:
    data, rows, i = TableData(), [], start
    while i < len(lines):
        raw, text = lines[i].raw, lines[i].text.strip()
        if not text:
            i += 1
            continue
        if '\t' not in raw:
            if NOTE.match(text):
                data.notes.append(text)
                i += 1
            break
        rows.append((lines[i].line, [squeeze_spaces(c) for c in raw.split('\t')]))
        i += 1
    _structure_tabbed(data, rows)
    return data, i


def _structure_tabbed(data: TableData, rows: list[tuple[int, list[str]]]) -> None:
    if not rows:
        data.structured = False
        return
    head = [rows[0][1]]
    if len(rows) > 1 and _is_subheader(rows[1][1]):
        head.append(rows[1][1])
    data.header = _combine_header(head)
    keys = [_nonempty(h) for h in head]
    merge_at = None
    for line, cells in rows[len(head):]:
        if _nonempty(cells) in keys:
            data.removed.append(Removal('repeated-header', '\t'.join(cells), line, 'table header repeated at a page break'))
            merge_at = _extra_column(head[0], cells)
            continue
        _add_row(data, _fit_row(cells, merge_at, len(data.header)))
    data.cells = ['\t'.join(r) for r in data.rows]


def _nonempty(cells: list[str]) -> list[str]:
    return [re.sub(r'\s', '', c) for c in cells if c.strip()]


def _is_subheader(cells: list[str]) -> bool:
    vals = [c for c in cells if c]
    return len(cells) > 2 and not cells[0] and not cells[1] and all(len(c) <= 8 and not re.fullmatch(r'[\d.%]+', c)
                                                                    for c in vals)


def _combine_header(head: list[list[str]]) -> list[str]:
    top = list(head[0])
    while top and not top[-1]:
        top.pop()
    if len(head) == 1:
        return top
    sub = head[1] + [''] * max(0, len(top) - len(head[1]))
    out, carry = [], ''
    for i in range(max(len(top), len(sub))):
        cell = top[i] if i < len(top) else ''
        carry = cell or (carry if sub[i] else '')
        out.append(' '.join(x for x in (cell or carry, sub[i] if i < len(sub) else '') if x).strip())
    while out and not out[-1]:
        out.pop()
    return out


def _extra_column(first: list[str], repeat: list[str]) -> int | None:
    """Index of an extra empty column that a repeated header brings (the page's rows have one more cell)."""
    trimmed = list(repeat)
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    base = [c for c in first]
    while base and not base[-1]:
        base.pop()
    if len(trimmed) != len(base) + 1:
        return None
    return next((i for i, c in enumerate(trimmed) if not c and i > 0), None)


def _fit_row(cells: list[str], merge_at: int | None, width: int) -> list[str]:
    cells = list(cells)
    if merge_at is not None and len(cells) > width and merge_at < len(cells):
        cells[merge_at - 1:merge_at + 1] = [' '.join(c for c in cells[merge_at - 1:merge_at + 1] if c)]
    while len(cells) > width and not cells[-1]:
        cells.pop()
    return cells


def _add_row(data: TableData, cells: list[str]) -> None:
    if data.rows and len(data.header) == 2 and len(cells) >= 2 and not cells[0]:
        prev = data.rows[-1]
        if prev and not ends_sentence(prev[-1]):
            prev[-1] += ''.join(cells[1:])
            return
    data.rows.append(cells)
