"""Character statistics of a body of plan texts: how often pairs of characters occur, and how often they end or
start a clause. The importer reads a document against its own statistics joined with those of the other
documents: pairs seen nowhere else point at injected strings, and clause boundaries tell where a title fused with
its text ends."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

CLAUSE_PUNCT = '。，,；;：:、！？!?'
_P = re.escape(CLAUSE_PUNCT)
_PAIR_END = re.compile(rf'(?=([^{_P}\n][^{_P}\n])[{_P}])')
_PAIR_START = re.compile(rf'(?:^|(?<=[{_P}]))(?=([^{_P}\n][^{_P}\n]))', re.M)
_CHAR_END = re.compile(rf'([^{_P}\n])(?=[{_P}])')
_CHAR_START = re.compile(rf'(?:^|(?<=[{_P}]))([^{_P}\n])', re.M)
BACKOFF = 3.0


@dataclass
class CorpusStats:
    """Counts of characters and adjacent pairs, and of those that end or start a clause."""
    pairs: Counter[str] = field(default_factory=Counter)
    pair_ends: Counter[str] = field(default_factory=Counter)
    pair_starts: Counter[str] = field(default_factory=Counter)
    chars: Counter[str] = field(default_factory=Counter)
    char_ends: Counter[str] = field(default_factory=Counter)
    char_starts: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, texts: Iterable[str]) -> CorpusStats:
        """Count the given texts (each a paragraph or a line)."""
        stats = cls()
        for text in texts:
            stats.pairs.update(text[i:i + 2] for i in range(len(text) - 1))
            stats.pair_ends.update(_PAIR_END.findall(text))
            stats.pair_starts.update(_PAIR_START.findall(text))
            stats.chars.update(text)
            stats.char_ends.update(_CHAR_END.findall(text))
            stats.char_starts.update(_CHAR_START.findall(text))
        return stats

    def joined(self, other: CorpusStats | None) -> CorpusStats:
        """These counts plus another corpus's."""
        if other is None:
            return self
        out = CorpusStats()
        for name in ('pairs', 'pair_ends', 'pair_starts', 'chars', 'char_ends', 'char_starts'):
            counter = Counter(getattr(self, name))
            counter.update(getattr(other, name))
            setattr(out, name, counter)
        return out

    def ends(self, pair: str) -> float:
        """Probability that a clause ends after `pair` (backed off to its last character)."""
        unit = (self.char_ends[pair[-1]] + 0.5) / (self.chars[pair[-1]] + 5)
        return (self.pair_ends[pair] + BACKOFF * unit) / (self.pairs[pair] + BACKOFF)

    def starts(self, pair: str) -> float:
        """Probability that a clause starts with `pair` (backed off to its first character)."""
        unit = (self.char_starts[pair[0]] + 0.5) / (self.chars[pair[0]] + 5)
        return (self.pair_starts[pair] + BACKOFF * unit) / (self.pairs[pair] + BACKOFF)
