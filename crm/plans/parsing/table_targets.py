"""Targets read from indicator tables (指标 / 单位 / 目标值 / 年均增长 …)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .extract import _UNIT, PERIOD_END, RATE_UNITS, target_kind
from .model import ParsedTable, ParsedTarget

# A cell value: 7.5%以上, ≥80, 年均下降3.8, 力争5.5%以上, 4.0万人, [800], 6%—7%
_NUM = re.compile(rf'(?P<pre>[≥≤><]|(?:年均)?(?:下降|降低|增长)|不低于|不少于|不超过|力争|确保|保持在|稳定在|控制在|达到)?\s*'
                  rf'(?P<val>-?\d+(?:\.\d+)?)(?:\s*(?:{_UNIT})?\s*(?:[—–~～至]|-(?=\d))\s*(?P<val2>\d+(?:\.\d+)?))?'
                  rf'\s*(?P<unit>{_UNIT})?\s*(?P<post>以上|左右|以内|以下)?')
_BRACKET = re.compile(r'^\s*[\[［〔【]')
_BRACKET_NOTE = re.compile(r'[\[［〔【]\s*[\]］〕】]\s*内(?:的)?(?:数据|数值|数字)?为([^;；。,，]*)')
_GROWTH = re.compile(r'增长|增速|增幅')
_NOT_PLANNED = re.compile(r'实际|完成|执行')


def _find(header: list[str], *words: str) -> int | None:
    return next((i for i, h in enumerate(header) if any(w in h.replace(' ', '') for w in words)), None)


def _year(cell: str) -> int | None:
    m = re.search(r'(\d{4})\s*年', cell)
    return int(m.group(1)) if m else None


def target_columns(header: list[str]) -> tuple[int | None, int | None, int | None, int | None]:
    """Indexes of the name, unit, target and base columns. The base is a year column before the target (and of
    an earlier year), never a column of results such as 完成情况 2015年 after it."""
    name = next((i for i, h in enumerate(header) if re.search('指标|名称', h) and '属性' not in h), None)
    unit = next((i for i, h in enumerate(header) if re.fullmatch(r'(?:计量)?单位', h.replace(' ', ''))), None)
    target = _find(header, '目标')
    years = [(y, i) for i, h in enumerate(header) if (y := _year(h))]
    if target is None and years:
        target = max(years)[1]
    target_year = _year(header[target]) if target is not None else None
    earlier = [(y, i) for y, i in years if target is not None and i < target
               and (target_year is None or y < target_year)]
    base = min(earlier)[1] if earlier else None
    return name, unit, target, base


def growth_column(header: list[str], target: int) -> int | None:
    """The planned growth column that goes with the target column (年均增长 after it, not a result column)."""
    return next((i for i in range(target + 1, len(header))
                 if _GROWTH.search(header[i]) and not _NOT_PLANNED.search(header[i])), None)


def bracket_meaning(notes: list[str]) -> str:
    """What the table's note says values in brackets are (`五年累计数`), or ''."""
    for note in notes:
        m = _BRACKET_NOTE.search(note)
        if m:
            return m.group(1).strip()
    return ''


def table_targets(table: ParsedTable, text: str) -> list[ParsedTarget]:
    """Targets of a structured indicator table; `text` is the table paragraph's text.

    Each row gives its target value (with the base of an earlier year column) and, where the table has a planned
    growth column, the growth as a target of its own (`…年均增长`). Values in brackets keep their number; when a
    note under the table says they are cumulative (`[ ]内为五年累计数`) the comparator is `累计`."""
    if not table.structured or not table.rows:
        return []
    name, unit, target, base = target_columns(table.header)
    if name is None or target is None:
        return []
    year = _year(table.header[target]) or _caption_year(table.caption)
    base_year = _year(table.header[base]) if base is not None else None
    growth = growth_column(table.header, target)
    cols = _Columns(name, unit, target, base, growth, growth is not None and '%' in table.header[growth])
    growth_label = _growth_label(table.header[growth]) if growth is not None else ''
    cumulative = '累计' in bracket_meaning(table.notes)
    period = f'{base_year}-{year}' if base_year and year else ''
    out = []
    for row in table.rows:
        out.extend(_row_targets(row, cols, year, period, text, cumulative, growth_label))
    return out


@dataclass
class _Columns:
    """Column indexes of one indicator table, and whether its growth header says (%)."""
    name: int
    unit: int | None
    target: int
    base: int | None
    growth: int | None
    growth_percent: bool = False


def _caption_year(caption: str) -> int | None:
    """End year of the plan period a caption names (`“十二五”规划主要指标完成情况` → 2015)."""
    m = re.search(r'(十[一二三四五六七八九]五)', caption)
    return PERIOD_END.get(m.group(1)) if m else None


def _growth_label(label: str) -> str:
    """`规划目标 年均增长(%)` → `年均增长`."""
    label = re.sub(r'[(（][^()（）]*[)）]', '', label.split(' ')[-1])
    return re.sub(r'(?:率|速度)$', '', label)


def _row_targets(row: list[str], cols: _Columns, year: int | None, period: str, text: str, cumulative: bool,
                 growth_label: str) -> list[ParsedTarget]:
    if cols.target >= len(row) or cols.name >= len(row) or not row[cols.name]:
        return []
    metric = re.sub(r'^\(\d+\)\s*', '', row[cols.name])
    unit_text = row[cols.unit] if cols.unit is not None and cols.unit < len(row) else ''
    paren = re.search(rf'[（(]({_UNIT}|[^（()）]*?(?:元|%|人|吨|公顷|米))[)）]\s*$', metric)
    if not unit_text and paren:
        unit_text = paren.group(1)
    line = '\t'.join(row)
    sentence = line if line in text else row[cols.name]
    out = []
    base_val = (row[cols.base] if cols.base is not None and cols.base < len(row)
                and row[cols.base] not in ('', '—', '-') else None)
    for m in _NUM.finditer(row[cols.target]):  # 确保5.0%,力争5.5%以上: a floor and a stretch goal
        unit = m.group('unit') or unit_text
        out.append(ParsedTarget(metric, _value(m), unit, _comparator(m, row[cols.target], cumulative), year, period,
                                base_val, sentence, 'table', target_kind(metric, unit)))
    g = _NUM.search(row[cols.growth]) if cols.growth is not None and cols.growth < len(row) else None
    if g:
        bracketed = cumulative and _BRACKET.match(row[cols.growth])
        label = '累计增长' if bracketed else growth_label
        unit = g.group('unit') or ('%' if cols.growth_percent else '')
        if bracketed and not g.group('unit') and unit_text and unit_text not in RATE_UNITS:
            unit = unit_text  # [85] in the growth column of a row in 万人: 85万人 over the five years
        comparator = _comparator(g, row[cols.growth], False)
        out.append(ParsedTarget(f'{metric}{label}', _value(g), unit, '' if comparator in label else comparator,
                                year, period, None, sentence, 'table', 'growth'))
    return out


def _value(m: re.Match[str]) -> str:
    return m.group('val') if not m.group('val2') else f"{m.group('val')}-{m.group('val2')}"


def _comparator(m: re.Match[str], cell: str, cumulative: bool) -> str:
    if cumulative and _BRACKET.match(cell):
        return '累计'
    return (m.group('pre') or m.group('post') or '').strip()
