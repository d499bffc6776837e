"""The clean source documents of the recovery benchmark (markup described in sources/README.md)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

SOURCES = Path(__file__).resolve().parent / 'sources'
GENRES = {'gy': '规划纲要', 'zb': '政府工作报告', 'jh': '计划执行情况报告', 'zc': '政策文件', 'xw': '新闻稿'}
_FRONT = {'标题': 'title', '发文': 'issuer', '日期': 'date', '文号': 'number'}


@dataclass
class Element:
    """A heading, a paragraph or a table of a clean document."""
    kind: str  # heading | paragraph | table
    text: str = ''
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)  # table: header row first
    note: str = ''

    @property
    def runin(self) -> bool:
        """A heading whose title ends with 。: in the clean layout its paragraph follows on the same line."""
        return self.kind == 'heading' and self.text.endswith('。')

    @property
    def marker_kind(self) -> str:
        """chapter (第X章/节/部分), cn (一、), paren (（一）), num (1.) or ''."""
        if re.match(r'^第[一二三四五六七八九十百\d]+[篇章节部]', self.text):
            return 'chapter'
        if re.match(r'^[一二三四五六七八九十]+、', self.text):
            return 'cn'
        if re.match(r'^[（(][一二三四五六七八九十]+[)）]', self.text):
            return 'paren'
        if re.match(r'^\d{1,2}[.．、]', self.text):
            return 'num'
        return ''


@dataclass
class Source:
    """One clean document: front matter and its elements in reading order."""
    name: str
    genre: str
    title: str
    issuer: str
    date: str
    number: str
    elements: list[Element]

    def paragraphs(self) -> list[str]:
        """The citable paragraphs of the clean text (run-in heading titles not included)."""
        return [e.text for e in self.elements if e.kind == 'paragraph']

    def headings(self) -> list[str]:
        return [e.text for e in self.elements if e.kind == 'heading']

    def tables(self) -> list[Element]:
        return [e for e in self.elements if e.kind == 'table']

    def text(self) -> str:
        """Every real character of the document (title, headings, paragraphs, table cells, notes)."""
        parts = [self.title, self.issuer, self.date, self.number]
        for e in self.elements:
            parts += [e.text, e.note] + ['|'.join(r) for r in e.rows]
        return '\n'.join(p for p in parts if p)


def parse_source(name: str, text: str) -> Source:
    """Read one source file."""
    front: dict[str, str] = {}
    elements: list[Element] = []
    lines = text.replace('\r\n', '\n').split('\n')
    i = 0
    while i < len(lines) and lines[i].strip():
        key, _, value = lines[i].partition('：')
        if key not in _FRONT:
            raise ValueError(f'{name}: front matter line {i + 1} is not 标题/发文/日期/文号: {lines[i]}')
        front[_FRONT[key]] = value.strip()
        i += 1
    table: Element | None = None
    for line in lines[i:]:
        line = line.strip()
        if not line:
            table = None
            continue
        if line.startswith('[表]'):
            table = Element('table', line[3:].strip())
            elements.append(table)
        elif line.startswith('[注]'):
            if table is None and not (elements and elements[-1].kind == 'table'):
                raise ValueError(f'{name}: a note that follows no table: {line}')
            (table or elements[-1]).note = line[3:].strip()
            table = None
        elif table is not None and '|' in line:
            table.rows.append([c.strip() for c in line.split('|')])
        else:
            table = None
            m = re.match(r'^(=+)\s*(.+)$', line)
            if m:
                elements.append(Element('heading', m.group(2).strip(), len(m.group(1))))
            else:
                elements.append(Element('paragraph', line))
    source = Source(name, GENRES[name[:2]], front.get('title', ''), front.get('issuer', ''), front.get('date', ''),
                    front.get('number', ''), elements)
    _check(source)
    return source


def _check(source: Source) -> None:
    paragraphs = source.paragraphs()
    if len(set(paragraphs)) != len(paragraphs):
        raise ValueError(f'{source.name}: a paragraph occurs twice')
    for n, e in enumerate(source.elements):
        if e.runin and (n + 1 >= len(source.elements) or source.elements[n + 1].kind != 'paragraph'):
            raise ValueError(f'{source.name}: run-in heading without a paragraph: {e.text}')
        if e.kind == 'table' and (len(e.rows) < 3 or len({len(r) for r in e.rows}) != 1):
            raise ValueError(f'{source.name}: table {e.text} is not rectangular')


@lru_cache(maxsize=1)
def load_sources() -> tuple[Source, ...]:
    """All clean source documents, sorted by file name."""
    return tuple(parse_source(p.stem, p.read_text(encoding='utf-8')) for p in sorted(SOURCES.glob('*.txt')))
