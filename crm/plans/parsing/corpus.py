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
_TRIPLE_END = re.compile(rf'(?=([^{_P}\n]{{3}})[{_P}])')
_TRIPLE_START = re.compile(rf'(?:^|(?<=[{_P}]))(?=([^{_P}\n]{{3}}))', re.M)
SENTENCE_PUNCT = '。！？；!?;'
_OPENING = re.compile(rf'(?:^|(?<=[{re.escape(SENTENCE_PUNCT)}]))([^{_P}\n\s])([^{_P}\n\s])?([^{_P}\n\s])?', re.M)
BACKOFF = 3.0
_SEP = '\x00'  # between the texts counted together (no text holds it)
COUNTERS = ('pairs', 'pair_ends', 'pair_starts', 'chars', 'char_ends', 'char_starts', 'triples', 'triple_ends',
            'triple_starts', 'char_opens', 'pair_opens', 'triple_opens')


@dataclass
class CorpusStats:
    """Counts of characters and adjacent pairs, and of those that end or start a clause."""
    pairs: Counter[str] = field(default_factory=Counter)
    pair_ends: Counter[str] = field(default_factory=Counter)
    pair_starts: Counter[str] = field(default_factory=Counter)
    chars: Counter[str] = field(default_factory=Counter)
    char_ends: Counter[str] = field(default_factory=Counter)
    char_starts: Counter[str] = field(default_factory=Counter)
    triples: Counter[str] = field(default_factory=Counter)
    triple_ends: Counter[str] = field(default_factory=Counter)
    triple_starts: Counter[str] = field(default_factory=Counter)
    char_opens: Counter[str] = field(default_factory=Counter)  # characters, pairs and triples that open a sentence
    pair_opens: Counter[str] = field(default_factory=Counter)
    triple_opens: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, texts: Iterable[str], clauses: bool = True) -> CorpusStats:
        """Count the given texts (each a paragraph or a line); without `clauses`, only the characters, pairs and
        triples and the sentence openings (what sentence_opens reads). (The texts are counted as one string, each
        on a line of its own, with what spans two of them left out: one count per counter, not one per text.)"""
        stats = cls()
        lines = '\n'.join(texts)
        joined = lines.replace('\n', _SEP)
        stats.pairs, stats.triples = _grams(joined, 2), _grams(joined, 3)
        stats.chars = Counter(joined)
        del stats.chars[_SEP]
        if clauses:
            stats.pair_ends = Counter(_PAIR_END.findall(lines))
            stats.pair_starts = Counter(_PAIR_START.findall(lines))
            stats.char_ends = Counter(_CHAR_END.findall(lines))
            stats.char_starts = Counter(_CHAR_START.findall(lines))
            stats.triple_ends = Counter(_TRIPLE_END.findall(lines))
            stats.triple_starts = Counter(_TRIPLE_START.findall(lines))
        for first, second, third in _OPENING.findall(lines):
            stats.char_opens[first] += 1
            if second:
                stats.pair_opens[first + second] += 1
            if third:
                stats.triple_opens[first + second + third] += 1
        return stats

    def joined(self, other: CorpusStats | None) -> CorpusStats:
        """These counts plus another corpus's."""
        if other is None:
            return self
        out = CorpusStats()
        for name in COUNTERS:
            small, large = sorted((getattr(self, name), getattr(other, name)), key=len)
            counter = Counter(large)  # (a copy of the larger one, the smaller one counted in: a background is large)
            counter.update(small)
            setattr(out, name, counter)
        return out

    def ends(self, pair: str) -> float:
        """Probability that a clause ends after `pair` (backed off to its last character)."""
        unit = (self.char_ends[pair[-1]] + 0.5) / (self.chars[pair[-1]] + 5)
        return (self.pair_ends[pair] + BACKOFF * unit) / (self.pairs[pair] + BACKOFF)

    def phrase_ends(self, text: str) -> float:
        """Probability that a clause ends after `text`, read by its last three characters where they are common
        enough to say (a phrase that closes clauses, 持续增强, 稳定有序), backed off to its last two."""
        return _interpolate(self.ends(text[-2:]), self.triple_ends, self.triples, text[-3:])

    def phrase_starts(self, text: str) -> float:
        """Probability that a clause starts with `text`, read by its first three characters likewise."""
        return _interpolate(self.starts(text[:2]), self.triple_starts, self.triples, text[:3])

    def sentence_opens(self, text: str) -> float:
        """Probability that a sentence (not a clause within one) opens with `text`, read by its first three
        characters, backed off to its first two and its first one: 加快推进 opens sentences, 成为 only clauses."""
        if not text:
            return 0.0
        unit = (self.char_opens[text[0]] + 0.5) / (self.chars[text[0]] + 5)
        if len(text) < 2:
            return unit
        pair = (self.pair_opens[text[:2]] + BACKOFF * unit) / (self.pairs[text[:2]] + BACKOFF)
        return _interpolate(pair, self.triple_opens, self.triples, text[:3])

    def starts(self, pair: str) -> float:
        """Probability that a clause starts with `pair` (backed off to its first character)."""
        unit = (self.char_starts[pair[0]] + 0.5) / (self.chars[pair[0]] + 5)
        return (self.pair_starts[pair] + BACKOFF * unit) / (self.pairs[pair] + BACKOFF)


def pair_counts(texts: Iterable[str]) -> Counter[str]:
    """How often each pair of adjacent characters occurs in `texts` (none spanning two of them)."""
    return _grams('\n'.join(texts).replace('\n', _SEP), 2)


def _grams(joined: str, n: int) -> Counter[str]:
    """Runs of `n` characters in `joined`, but those across a separator (counted at once: one Counter, not one
    update a text)."""
    counts = Counter([joined[i:i + n] for i in range(len(joined) - n + 1)])
    for key in [k for k in counts if _SEP in k]:
        del counts[key]
    return counts


def _interpolate(lower: float, hits: Counter[str], seen: Counter[str], triple: str) -> float:
    """A triple's share of `hits` among its occurrences, drawn towards the pair's estimate (`lower`) while it is
    rare."""
    if len(triple) < 3:
        return lower
    return (hits[triple] + BACKOFF * lower) / (seen[triple] + BACKOFF)
