"""Track the heading stack and derive heading paths, anchors and citation paths."""
from __future__ import annotations

from dataclasses import dataclass, field

from .headings import ORDER, PREFIX
from .model import ParsedHeading


@dataclass
class Open:
    """An open heading on the stack."""
    kind: str
    piece: str
    marker: str
    text: str


@dataclass
class Outline:
    """Heading stack of one item plus anchor bookkeeping."""
    prefix: str = ''
    root: str | None = None
    stack: list[Open] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    last: dict[str, int] = field(default_factory=dict)
    parts: int = 0

    def accepts(self, kind: str, ordinal: int) -> bool:
        """Numbering check: a heading continues its series (or restarts at 1)."""
        if kind in ('pian', 'zhang', 'jie'):
            return True
        last = self.last.get(kind, 0)
        return ordinal == 1 or last < ordinal <= last + 2

    def push(self, kind: str, ordinal: int, marker: str, title: str, line: int) -> ParsedHeading:
        """Open a heading and return its record."""
        self.last[kind] = ordinal
        rank = ORDER.index(kind)
        self.stack = [o for o in self.stack if ORDER.index(o.kind) < rank]
        if kind == 'part':
            self.parts += 1
            ordinal = self.parts
        sep = ' ' if kind in ('pian', 'zhang', 'jie') and title else ''
        opened = Open(kind, f'{PREFIX[kind]}{ordinal}', marker or title, f'{marker}{sep}{title}')
        self.stack.append(opened)
        anchor = self.unique(self.prefix + '.'.join(o.piece for o in self.stack))
        path = ([self.root] if self.root else []) + [o.marker for o in self.stack]
        return ParsedHeading(len(self.stack) + (1 if self.root else 0), marker, title, anchor, path, line)

    def base(self) -> str:
        """Anchor base of the current heading ('pre' before any heading)."""
        return self.prefix + ('.'.join(o.piece for o in self.stack) if self.stack else 'pre')

    def heading_path(self) -> list[str]:
        """Full heading texts from the root."""
        return ([self.root] if self.root else []) + [o.text for o in self.stack]

    def next_paragraph(self, base: str | None = None) -> tuple[str, int]:
        """Anchor and ordinal of the next paragraph under the current (or given) base."""
        base = base or self.base()
        n = self.counts.get(base, 0) + 1
        self.counts[base] = n
        return self.unique(f'{base}.p{n}'), n

    def citation(self, ordinal: int, markers: list[str] | None = None, unit: str = '段') -> str:
        """Human citation path such as `第六章 二、(一) 第2段`."""
        if markers is None:
            markers = [o.marker for o in self.stack] or ['序言']
        lead = [self.root] if self.root else []
        if self.root and not self.stack and markers == ['序言']:
            markers = []
        joined = _join_markers(markers)
        return ' '.join(lead + ([joined] if joined else []) + [f'第{ordinal}{unit}'])

    def unique(self, anchor: str) -> str:
        """Make an anchor unique within the document, deterministically."""
        anchor = ''.join(c if c.isascii() and (c.isalnum() or c in '.-') else '-' for c in anchor.lower())
        candidate, n = anchor, 2
        while candidate in self.used:
            candidate, n = f'{anchor}-{n}', n + 1
        self.used.add(candidate)
        return candidate


def _join_markers(markers: list[str]) -> str:
    """`第六章`, `二、`, `(一)` → `第六章 二、(一)`: a space only after markers that do not end in punctuation."""
    out = ''
    for marker in markers:
        if out and not out.endswith(('、', ')', '）', '.', '．')):
            out += ' '
        out += marker
    return out
