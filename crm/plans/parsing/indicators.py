"""Indicator tables flattened one cell per line (分类 / 指标名称 / 属性 / 单位 / 2015年 / 2020年 / 年均增长 / 数据来源).

PDF extraction leaves every cell on a line of its own: header cells split over two lines, long names wrapped
into two cells, empty cells dropped, the category only on the first row of its group and the header repeated
at page breaks. Every indicator row still has a *core*: the run of 属性, unit and value cells after its name.
The text cells between two cores are the tail of one row (text values, data source) followed by the head of
the next (category, name). When anything does not fit, nothing is returned and the block stays text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import Removal
from .segment import Line
from .text import ends_sentence

_PAREN = r'(?:[(（][^()（）]{0,10}[)）])?'
LABEL = re.compile(
    r'(?:分类|类别|领域|类型|序号|编号'
    r'|(?:主要)?指标(?:名称|属性|项)?|名称|项目|属性|性质|(?:计量)?单位'
    r'|(?:数据)?来源|(?:责任|牵头|主管|统计)(?:单位|部门)|备注'
    r'|\d{4}年(?:[规划预期计目标实际完成基数值情况末底]{0,5})'
    r'|(?:规划|预期|计划|实际|现状|基期|期末)?(?:目标值?|完成值?|完成情况|情况|实际值|现状值|基期值|基数|值)'
    r'|(?:年均|累计|年度|五年)?(?:增长|增速|增幅|增量|下降|降低)(?:率|速度)?'
    r'|率|)' + _PAREN)
GROWTH = re.compile(r'增长|增速|增幅|增量|下降|降低')
ATTR = re.compile(r'(?:预期|约束|指导|鼓励)性')
_UNIT_WORD = (r'(?:万|亿|千|百)?(?:平方公里|平方米|立方米|公顷|公里|千米|亩|米|美元|元|人次|人|户|套|个|家|幢|栋|座|所|项|'
              r'条|台|吨标准煤|标准煤|吨|张|名|岁|年|天|辆|床|件|次|千瓦时|千瓦|个百分点|百分点|微克|毫克|克)')
UNIT = re.compile(rf'%|‰|[(（](?:%|‰)[)）]|{_UNIT_WORD}(?:/{_UNIT_WORD})?')
VALUE = re.compile(r'(?:年均|累计|年度)?(?:增长|下降|降低|提高|减少)?(?:保持在|稳定在|控制在|不低于|不少于|不超过|不高于|达到|力争)?'
                   r'[≥≤><＞＜]?=?[\[［〔【]?[-－+]?\d+(?:\.\d+)?[\]］〕】]?(?:%|‰|个百分点)?(?:以上|以下|以内|左右)?'
                   r'(?:\s*[(（][^()（）]{1,12}[)）])?|[—－\-–/／]{1,2}')
_PREFIX = re.compile(r'(?:年均|累计|年度)?(?:增长|下降|降低|提高|减少)|保持在|稳定在|控制在|不低于|不少于|不超过|不高于|达到'
                     r'|[≥≤><＞＜]')
_NUMERIC = re.compile(r'\d')
ORG = re.compile(r'(?:局|委|办|会|院|厅|署|处|中心|公司|集团|政府|街道|办公室)$')
CATEGORY = re.compile(r'[\u4e00-\u9fff]{2,8}')
NOTE_CELL = re.compile(r'[(（][^()（）]+[)）]')
MAX_NAME_PARTS = 3
MAX_TEXT_CELL = 30


@dataclass
class IndicatorTable:
    """An indicator table recovered from cells: leaf header, rows, the header cells in reading order, removed
    repeats and warnings."""
    header: list[str]
    rows: list[list[str]]
    header_text: list[str] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Row:
    """One indicator row while it is being assembled."""
    category: str
    name: str
    core: list[str]
    text_values: list[str] = field(default_factory=list)
    tail: list[str] = field(default_factory=list)


class _Unrecoverable(Exception):
    """The cells do not read as an indicator table."""


def is_label(text: str) -> bool:
    """A header cell (or fragment) of an indicator table: 指标名称, 单位, 2020年, 年均增长率(%), 数据来源 …"""
    return bool(text) and LABEL.fullmatch(text) is not None


def width(text: str) -> float:
    """Printed width: a CJK character counts 1, an ASCII or other narrow character ½."""
    return sum(1 if ord(c) >= 0x2E80 else 0.5 for c in text)


def indicator_header(cells: list[Line]) -> int:
    """Number of leading cells that form an indicator-table header (a name column and a year, target or growth
    column), or 0."""
    texts = [_compact(c.text) for c in cells]
    start = _header_end(texts)
    if start < 3 or start >= len(texts):
        return 0
    try:
        _Reader(texts[:start], [])
    except _Unrecoverable:
        return 0
    return start


def recover_indicator_table(cells: list[Line]) -> IndicatorTable | None:
    """Rows of a one-cell-per-line indicator table, or None when its structure cannot be recovered."""
    start = indicator_header(cells)
    if not start:
        return None
    try:
        return _Reader([_compact(c.text) for c in cells[:start]], cells[start:]).read()
    except _Unrecoverable:
        return None


def _header_end(texts: list[str]) -> int:
    """Index of the first body cell: the header is the leading run of labels (a label may be split in two)."""
    i = 0
    while i < len(texts):
        if is_label(texts[i]):
            i += 1
        elif i + 1 < len(texts) and is_label(texts[i] + texts[i + 1]):
            i += 2
        else:
            break
    return i


def role(label: str) -> str:
    """Column role of a header label: cat, seq, name, attr, unit, tail (source, remarks) or value."""
    core = re.sub(r'[(（][^()（）]*[)）]$', '', label)
    if core in ('分类', '类别', '领域', '类型'):
        return 'cat'
    if core in ('序号', '编号'):
        return 'seq'
    if '属性' in core or '性质' in core:
        return 'attr'
    if re.fullmatch(r'(?:主要)?指标(?:名称|项)?|名称|项目', core):
        return 'name'
    if re.fullmatch(r'(?:计量)?单位', core):
        return 'unit'
    if re.search(r'来源|责任|牵头|主管|统计|备注', core):
        return 'tail'
    return 'value'


def header_atoms(fragments: list[str]) -> list[str]:
    """Join header fragments split across lines: `指标`+`属性`, `年均增长`+`率(%)`, `年均`+`增长`."""
    atoms: list[str] = []
    i = 0
    while i < len(fragments):
        frag = fragments[i]
        if atoms and re.match(r'[(（率%]', frag):
            atoms[-1] += frag
            i += 1
            continue
        nxt = fragments[i + 1] if i + 1 < len(fragments) else ''
        if nxt and not re.match(r'[(（率%]', nxt) and is_label(frag + nxt) and (
                not is_label(frag) or not is_label(nxt) or role(frag) == role(nxt) != 'value'
                or role(frag) != 'value' and role(frag) in {role(a) for a in atoms}):
            atoms.append(frag + nxt)
            i += 2
            continue
        atoms.append(frag)
        i += 1
    return atoms


class _Reader:
    """Read the body cells of one table against the columns its header names."""

    def __init__(self, header: list[str], body: list[Line]) -> None:
        self.fragments = header
        self.atoms = header_atoms(header)
        self.roles = [role(a) for a in self.atoms]
        self.removed: list[Removal] = []
        self.warnings: list[str] = []
        self.leaf_roles: list[str] = []
        self.order = self._template()
        self.body = self._drop_repeated_header(body)

    def read(self) -> IndicatorTable:
        """Recover header and rows (raises _Unrecoverable)."""
        cells = _merge_fragments([c.text.strip() for c in self.body])
        kinds = [_kind(t) for t in cells]
        cores = self._cores(kinds)
        rows = self._rows(cells, cores)
        values = [self._values(r) for r in rows]
        leaves, growth = self._leaves(max(len(v) for v in values))
        has_cat = 'cat' in self.roles or any(r.category for r in rows)
        header = ([''] if has_cat and 'cat' not in self.roles else []) + leaves
        out = [self._assemble(r, v, growth, has_cat) for r, v in zip(rows, values)]
        self._check(rows, values)
        return IndicatorTable(header, out, self.atoms, self.removed, self.warnings)

    def _template(self) -> list[str]:
        """Column roles in order, value columns collapsed into one `value` slot."""
        if 'name' not in self.roles or 'seq' in self.roles or self.roles.count('tail') > 1:
            raise _Unrecoverable
        values = [a for a, r in zip(self.atoms, self.roles) if r == 'value']
        if not any(re.search(r'\d{4}年|目标|增长|增速', a) for a in values):
            raise _Unrecoverable
        order: list[str] = []
        for r in self.roles:
            if not order or order[-1] != r:
                order.append(r)
        if len(order) != len(set(order)):
            if order.count('value') > 1 and all(order.count(r) == 1 for r in order if r != 'value'):
                first = order.index('value')
                order = [r for i, r in enumerate(order) if r != 'value' or i == first]
            else:
                raise _Unrecoverable
        return order

    def _drop_repeated_header(self, body: list[Line]) -> list[Line]:
        """Remove the header where a page break repeats it (anywhere, even inside a row)."""
        head, n, out, i = self.fragments, len(self.fragments), [], 0
        while i < len(body):
            if _compact(body[i].text) == head[0] and [_compact(c.text) for c in body[i:i + n]] == head:
                self.removed.append(Removal('repeated-header', '\n'.join(head), body[i].line,
                                            'table header repeated at a page break'))
                i += n
                continue
            out.append(body[i])
            i += 1
        return out

    def _rank(self, kind: str) -> int:
        if kind not in self.order:
            raise _Unrecoverable
        return self.order.index(kind)

    def _cores(self, kinds: list[str]) -> list[list[int]]:
        """Index lists of each row's core cells; a core starting with a column after the values (属性 at the
        end of the row) continues the previous row, the text between being that row's text values."""
        cores: list[list[int]] = []
        i = 0
        while i < len(kinds):
            if kinds[i] == 'text':
                i += 1
                continue
            run = []
            while i < len(kinds) and kinds[i] != 'text':
                run.append(i)
                i += 1
            ranks = [self._rank(kinds[k]) for k in run]
            if ranks != sorted(ranks) or sum(kinds[k] == 'attr' for k in run) > 1 or sum(
                    kinds[k] == 'unit' for k in run) > 1:
                raise _Unrecoverable
            after_values = 'value' in self.order and ranks[0] > self.order.index('value')
            if cores and after_values and max(self._rank(kinds[k]) for k in cores[-1] if kinds[k] != 'text') < ranks[0]:
                cores[-1].extend(range(cores[-1][-1] + 1, run[0]))
                cores[-1].extend(run)
            else:
                cores.append(run)
        if len(cores) < 2:
            raise _Unrecoverable
        return cores

    def _rows(self, cells: list[str], cores: list[list[int]]) -> list[_Row]:
        """Split the text between cores into the previous row's tail and the next row's category and name."""
        name_width = max((width(cells[c[0] - 1]) for c in cores if c[0] > 0 and _kind(cells[c[0] - 1]) == 'text'),
                         default=0)
        rows: list[_Row] = []
        end = 0
        category = ''
        for core in cores:
            tail, cat, name = self._split_run(cells[end:core[0]], name_width)
            if rows:
                rows[-1].tail = tail
            elif tail:
                raise _Unrecoverable
            category = cat or category
            inside = [cells[k] for k in range(core[0], core[-1] + 1)]
            row = _Row(category, name, [t for t in inside if _kind(t) != 'text'])
            row.text_values = [t for t in inside if _kind(t) == 'text']
            rows.append(row)
            end = core[-1] + 1
        rows[-1].tail = cells[end:]
        return rows

    def _split_run(self, run: list[str], name_width: float) -> tuple[list[str], str, str]:
        """(tail of the previous row, category, name) of the text cells before a core."""
        if not run:
            raise _Unrecoverable
        source = 'tail' in self.roles
        parts = [run[-1]]
        j = len(run) - 2
        while j >= 0 and len(parts) < MAX_NAME_PARTS and (NOTE_CELL.fullmatch(parts[0]) or _wraps(
                run[j], parts[0], name_width) and not (source and ORG.search(run[j]))):
            parts.insert(0, run[j])
            j -= 1
        category = ''
        if j >= 0 and CATEGORY.fullmatch(run[j]) and not ORG.search(run[j]):
            category = run[j]
            j -= 1
        name = ''.join(parts)
        if len(name) > 40 or ends_sentence(name):
            raise _Unrecoverable
        return run[:j + 1], category, name

    def _values(self, row: _Row) -> list[str]:
        """The row's value cells in order: numbers of the core, else its text values (wrapped lines joined)."""
        numbers = [t for t in row.core if _kind(t) == 'value']
        texts = list(row.text_values)
        tail = row.tail
        if 'tail' in self.roles:
            if not numbers and not texts:
                cut = next((k for k, t in enumerate(tail) if ORG.search(t)), len(tail))
                texts, tail = tail[:cut], tail[cut:]
            row.tail = [''.join(tail)] if tail else []
        else:
            texts, row.tail = texts + tail, []
        texts = _join_wrapped(texts)
        if any(len(t) > MAX_TEXT_CELL or ends_sentence(t) for t in texts + row.tail):
            raise _Unrecoverable
        return numbers + texts

    def _leaves(self, most: int) -> tuple[list[str], list[bool]]:
        """Leaf column labels; a two-level header (规划目标 over 目标值 / 年均增长) is resolved by the number
        of value columns the rows fill. Also which value columns hold growth rates."""
        values = [i for i, r in enumerate(self.roles) if r == 'value']
        extra = len(values) - most
        if extra < 0:
            raise _Unrecoverable
        groups = [i for i in values if not re.search(r'\d{4}年|值|增长|增速|率', self.atoms[i])][:extra]
        subs = [i for i in values if groups and i > groups[-1]]
        spans: dict[int, list[int]] = {}
        if extra and len(groups) == extra and not len(subs) % extra and len(subs) // extra >= 2:
            span = len(subs) // extra
            spans = {g: subs[n * span:(n + 1) * span] for n, g in enumerate(groups)}
        inside = {i for s in spans.values() for i in s}
        leaves: list[tuple[str, str]] = []
        for i, atom in enumerate(self.atoms):
            if i in spans:
                leaves.extend((f'{atom} {self.atoms[s]}', 'value') for s in spans[i])
            elif i not in inside:
                leaves.append((atom, self.roles[i]))
        self.leaf_roles = [r for _label, r in leaves]
        growth = [bool(GROWTH.search(label)) for label, r in leaves if r == 'value']
        if len(growth) < most:
            raise _Unrecoverable
        return [label for label, _r in leaves], growth

    def _assemble(self, row: _Row, values: list[str], growth: list[bool], has_cat: bool) -> list[str]:
        """Cells of the row in header order; missing values stay empty where they most likely are."""
        placed = _place(values, growth, text=not any(_kind(v) == 'value' for v in values))
        if len(values) == 1 < len(growth) - sum(growth):
            self.warnings.append(f'indicator row {row.name}: one value for several columns, placed by rule')
        attr = next((t for t in row.core if _kind(t) == 'attr'), '')
        unit = next((t for t in row.core if _kind(t) == 'unit'), '')
        cells = {'cat': row.category, 'name': row.name, 'attr': attr, 'unit': unit,
                 'tail': row.tail[0] if row.tail else ''}
        out = [row.category] if has_cat and 'cat' not in self.roles else []
        it = iter(placed)
        for r in self.leaf_roles:
            out.append(next(it) if r == 'value' else cells.get(r, ''))
        return out

    def _check(self, rows: list[_Row], values: list[list[str]]) -> None:
        """Reject readings that do not look like an indicator table."""
        numeric = sum(1 for v in values if any(_NUMERIC.search(x) and _kind(x) == 'value' for x in v))
        if numeric * 2 < len(rows):
            raise _Unrecoverable
        if 'attr' in self.roles and sum(1 for r in rows if any(_kind(t) == 'attr' for t in r.core)) * 2 < len(rows):
            raise _Unrecoverable


def _compact(text: str) -> str:
    return re.sub(r'\s+', '', text)


def _kind(text: str) -> str:
    """attr, unit, value or text."""
    if ATTR.fullmatch(text):
        return 'attr'
    if UNIT.fullmatch(text):
        return 'unit'
    if VALUE.fullmatch(text):
        return 'value'
    return 'text'


def _wraps(text: str, following: str, name_width: float) -> bool:
    """A name line that filled its column, so the name goes on in the following cell: it is about as wide as
    the widest unwrapped name (or too long for a category) and not narrower than what follows it."""
    return width(text) >= width(following) and (len(text) > 8 or width(text) >= max(name_width - 1, 6))


def _merge_fragments(texts: list[str]) -> list[str]:
    """Rejoin cells cut by a line break: an open parenthesis, a trailing `、`/`,`, a prefix word before a number."""
    out: list[str] = []
    i = 0
    while i < len(texts):
        cell = texts[i]
        i += 1
        while i < len(texts) and (_unbalanced(cell) and re.search(r'[)）]', texts[i])
                                  or cell[-1] in '、,，'
                                  or _PREFIX.fullmatch(cell) and VALUE.fullmatch(texts[i])):
            cell += texts[i]
            i += 1
        out.append(cell)
    return out


def _unbalanced(text: str) -> bool:
    return text.count('(') + text.count('（') > text.count(')') + text.count('）')


def _join_wrapped(texts: list[str]) -> list[str]:
    """Join text-value lines where a full line (at least as wide as the next, three characters or more) wrapped."""
    out: list[str] = []
    line: str | None = None
    for t in texts:
        if line is not None and width(line) >= max(width(t), 3):
            out[-1] += t
            line = None
        else:
            out.append(t)
            line = t
    return out


def _place(values: list[str], growth: list[bool], text: bool) -> list[str]:
    """Spread the values a row has over its value columns. Growth columns are the first to be missing; then,
    for numbers, the later level columns (a base without a target), for text the earlier ones (a target such
    as 完成市下达任务 without a base)."""
    missing = len(growth) - len(values)
    if missing < 0:
        raise _Unrecoverable
    levels = [i for i, g in enumerate(growth) if not g]
    order = [i for i in reversed(range(len(growth))) if growth[i]] + (levels if text else list(reversed(levels)))
    empty = set(order[:missing])
    it = iter(values)
    return [next(it) if i not in empty else '' for i in range(len(growth))]
