"""Targets read from indicator tables (指标 / 单位 / 目标值 …)."""
from __future__ import annotations

import re

from .model import ParsedTable, ParsedTarget
from .extract import _UNIT

_NUM = re.compile(r'(?P<pre>[≥≤><]|不低于|不少于|力争|确保|保持在|稳定在)?\s*(?P<val>-?\d+(?:\.\d+)?)\s*(?P<unit>%|‰)?\s*(?P<post>以上|左右|以内|以下)?')


def _find(header: list[str], *words: str) -> int | None:
    return next((i for i, h in enumerate(header) if any(w in h.replace(' ', '') for w in words)), None)


def _year(cell: str) -> int | None:
    m = re.search(r'(\d{4})\s*年', cell)
    return int(m.group(1)) if m else None


def target_columns(header: list[str]) -> tuple[int | None, int | None, int | None, int | None]:
    """Indexes of the name, unit, target and base columns."""
    name = _find(header, '指标', '名称')
    unit = _find(header, '单位')
    target = _find(header, '目标')
    years = [(y, i) for i, h in enumerate(header) if (y := _year(h))]
    if target is None and years:
        target = max(years)[1]
    base = min(years)[1] if years and min(years)[1] != target else None
    return name, unit, target, base


def table_targets(table: ParsedTable, text: str) -> list[ParsedTarget]:
    """Targets of a structured indicator table; `text` is the table paragraph's text."""
    if not table.structured or not table.rows:
        return []
    name, unit, target, base = target_columns(table.header)
    if name is None or target is None:
        return []
    year = _year(table.header[target])
    out = []
    for row in table.rows:
        t = _row_target(row, name, unit, target, base, year, text)
        if t:
            out.append(t)
    return out


def _row_target(row: list[str], name: int, unit: int | None, target: int, base: int | None, year: int | None,
                text: str) -> ParsedTarget | None:
    if target >= len(row) or name >= len(row) or not row[name]:
        return None
    m = _NUM.search(row[target])
    if not m:
        return None
    metric = re.sub(r'^\(\d+\)\s*', '', row[name])
    unit_text = row[unit] if unit is not None and unit < len(row) else ''
    paren = re.search(rf'[（(]({_UNIT}|[^（()）]*?(?:元|%|人|吨|公顷|米))[)）]\s*$', metric)
    if not unit_text and paren:
        unit_text = paren.group(1)
    unit_text = m.group('unit') or unit_text
    line = '\t'.join(row)
    sentence = line if line in text else row[name]
    base_val = row[base] if base is not None and base < len(row) and row[base] not in ('', '—', '-') else None
    return ParsedTarget(metric, m.group('val'), unit_text, (m.group('pre') or m.group('post') or '').strip(), year,
                        '', base_val, sentence, 'table')
