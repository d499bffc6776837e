"""Score an import against a generated document's ground truth.

Texts are compared by `key`: width-folded (NFKC: ，→, （→( Ⅲ→III), quotes unified, whitespace removed. These are the
representation changes the generator makes that an importer keeps verbatim on purpose (it cites the source as it
reads), so they are not counted as damage left in the text.

- exact: share of clean paragraphs that are, by key, one paragraph of the import.
- junk kept: share of injected strings (spam, page metadata and navigation, TOC, script, end matter, markup rules)
  still in citable text (paragraphs and headings), in whole or in part: any four characters of the string that occur
  neither in the clean document nor in another injected string count as a leftover (but four digits, which the
  figures of a table's cells form once their spacing is taken out: 浙ICP备77460064号 is not kept in 2600 6000).
- duplicates: extra copies of clean paragraphs (and tables) in the import, counted by how many times the import
  covers each one beyond the number of times the clean document holds it (two speeches on one page both open with
  各位代表：, and the import rightly keeps both).
- false cuts: letters and digits of the clean paragraphs and headings that are nowhere in the import's paragraphs,
  headings or tables: not in a four-character run of an import text that carries the paragraph (a copy or a piece
  of it, not a text that shares a set phrase), nor at a paragraph's edge split off to a neighbouring text. Injected
  strings the import kept are taken out first (junk_kept counts them).
Stray symbols (asterisks, 'and', ** markers) are reported apart: `symbols_kept`.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from crm.plans.parsing import ParsedDocument

from .generator import Generated

_QUOTES = str.maketrans({'“': '"', '”': '"', '„': '"', '‟': '"', '‘': "'", '’': "'", '○': '〇', '\u3007': '〇'})
SYMBOL_KINDS = ('symbol',)
SHINGLE = 4
CARRY, SHORT_RUN = 8, 4
SPLIT_REACH = 20
MIN_BLOCK = 4
DUPLICATE_BLOCK = 8  # a copy shares runs this long with the paragraph (shorter common phrases are not copies)
COPY_SHARE, COPY_CHARS = 0.3, 24  # and covers this share of it and this many characters (a piece of a copy split
# in two, not a phrase two paragraphs share); a short paragraph only counts as copied whole
SEP = '\x00'


def key(text: str) -> str:
    """Comparison key: NFKC, quotes unified, no whitespace."""
    return re.sub(r'\s+', '', unicodedata.normalize('NFKC', text).translate(_QUOTES))


@dataclass
class DocScore:
    """Counts of one document."""
    name: str
    damages: list[str]
    paragraphs: int = 0
    exact: int = 0
    injected: int = 0
    kept: int = 0
    kept_by_kind: dict[str, int] = field(default_factory=dict)
    injected_by_kind: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    real_chars: int = 0
    false_cut_chars: int = 0
    symbols_injected: int = 0
    symbols_kept: int = 0
    missed: list[str] = field(default_factory=list)  # clean paragraphs not recovered exactly
    leftovers: list[str] = field(default_factory=list)  # injected strings left in the text
    cuts: list[str] = field(default_factory=list)  # real text removed (per paragraph: what is missing)


def _import_texts(doc: ParsedDocument) -> tuple[list[str], list[str]]:
    """Keys of the import's paragraphs, and of its citable texts (paragraphs and headings)."""
    paragraphs = [key(p.text) for p in doc.paragraphs]
    headings = [key(f'{h.marker}{h.title}') for h in doc.headings]
    return paragraphs, paragraphs + headings


def _shingles(text: str) -> set[str]:
    return {text[i:i + SHINGLE] for i in range(max(1, len(text) - SHINGLE + 1))}


class _Index:
    """Which import texts share shingles with a clean text."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.postings: dict[str, set[int]] = defaultdict(set)
        for n, t in enumerate(texts):
            for s in _shingles(t):
                self.postings[s].add(n)

    def candidates(self, text: str) -> list[int]:
        hits: dict[int, int] = defaultdict(int)
        for s in _shingles(text):
            for n in self.postings.get(s, ()):
                hits[n] += 1
        return sorted(hits)


def _covered(clean: str, other: str, least: int = MIN_BLOCK) -> int:
    """Characters of `clean` matched in `other` by blocks of `least` characters or more."""
    matcher = SequenceMatcher(None, clean, other, autojunk=False)
    return sum(b.size for b in matcher.get_matching_blocks() if b.size >= least or b.size == len(clean))


def _coverage(clean: str, carriers: list[str], texts: list[str]) -> list[bool]:
    """Which characters of `clean` the import holds: those inside a run of MIN_BLOCK characters that occurs in one
    of the texts carrying it (`carriers`), and an uncovered start or end of `clean` that some import text ends or
    starts with (the text was split there: a title that took the first sentence, a piece left to the neighbour)."""
    n = MIN_BLOCK
    grams = {t[i:i + n] for t in carriers for i in range(len(t) - n + 1)}
    covered = [False] * len(clean)
    for i in range(len(clean) - n + 1):
        if clean[i:i + n] in grams:
            covered[i:i + n] = [True] * n
    if len(clean) < n and any(clean in t for t in carriers):
        covered = [True] * len(clean)
    head = next((i for i, ok in enumerate(covered) if ok), len(clean))
    tail = next((i for i, ok in enumerate(reversed(covered)) if ok), len(clean))
    if head >= 2 and _split_off(clean, head, [_bare(t) for t in texts], start=True):
        covered[:head] = [True] * head
    if tail >= 2 and _split_off(clean, tail, [_bare(t) for t in texts], start=False):
        covered[len(clean) - tail:] = [True] * tail
    return covered


def _split_off(clean: str, size: int, texts: list[str], start: bool) -> bool:
    """Some import text ends with the first `size` characters of `clean` (or more of its start), or starts with
    its last ones: that piece was split off, not removed."""
    for length in range(size, min(len(clean), size + SPLIT_REACH) + 1):
        piece = _bare(clean[:length] if start else clean[len(clean) - length:])
        if piece and any(t.endswith(piece) if start else t.startswith(piece) for t in texts):
            return True
    return False


def _without(text: str, strings: list[str]) -> str:
    for s in strings:
        text = text.replace(s, '')
    return text


def _bare(text: str) -> str:
    """A piece without the punctuation a split takes away (the 。 after a run-in title)."""
    return text.strip('。，,；;：:、')


def _run(unit: str) -> int:
    """Length of the runs that tie an import text to a clean unit: CARRY, or SHORT_RUN for a short unit."""
    return CARRY if len(unit) >= 2 * CARRY else SHORT_RUN


def carriers(units: list[str], texts: list[str]) -> list[list[str]]:
    """For each clean unit, the import texts that hold it whole or in part: its copies and its pieces, not a text
    that merely uses the same set phrase (五年累计新增城镇就业 is in more than one paragraph). Each character of an
    import text belongs to the clean unit of which the text holds the largest share (through runs of CARRY
    characters, SHORT_RUN for a short unit such as a heading); a text carries the units that own a run of its
    characters."""
    postings: dict[tuple[int, str], set[int]] = defaultdict(set)
    for u, unit in enumerate(units):
        r = _run(unit)
        for i in range(len(unit) - r + 1):
            postings[r, unit[i:i + r]].add(u)
    out: list[list[str]] = [[] for _ in units]
    for text in texts:
        spans: dict[int, set[int]] = defaultdict(set)
        for r in (CARRY, SHORT_RUN):
            for i in range(len(text) - r + 1):
                for u in postings.get((r, text[i:i + r]), ()):
                    spans[u].update(range(i, i + r))
        owned: dict[int, int] = defaultdict(int)
        for pos in set().union(*spans.values()) if spans else ():
            owned[max((u for u in spans if pos in spans[u]), key=lambda u: (len(spans[u]) / len(units[u]), -u))] += 1
        for u, n in owned.items():
            if n >= min(_run(units[u]), len(units[u])):
                out[u].append(text)
    for u, unit in enumerate(units):
        if len(unit) < SHORT_RUN:
            out[u] = [t for t in texts if unit in t]
    return out


def _lost(clean: str, covered: list[bool]) -> tuple[int, str]:
    """Letters and digits not covered (punctuation where a paragraph was split is not text removed), and the text
    with covered characters shown as ·."""
    lost = sum(1 for c, ok in zip(clean, covered) if not ok and c.isalnum())
    return lost, ''.join(c if not ok else '·' for c, ok in zip(clean, covered)).strip('·')


def score(gen: Generated, doc: ParsedDocument) -> DocScore:
    """Score one import against its ground truth."""
    out = DocScore(gen.name, gen.damages)
    paragraphs, citable = _import_texts(doc)
    tables = [key(p.text) for p in doc.paragraphs if p.kind == 'table']
    everything = citable + tables
    exact = set(paragraphs)
    clean_paragraphs = [key(p) for p in gen.paragraphs()]
    out.paragraphs = len(clean_paragraphs)
    for raw, k in zip(gen.paragraphs(), clean_paragraphs):
        if k in exact:
            out.exact += 1
        else:
            out.missed.append(raw)
    # duplicates: how many times the import's paragraphs cover each clean paragraph (and each table)
    para_index = _Index(paragraphs)
    units = clean_paragraphs + [key(' '.join([t.text, *('|'.join(r) for r in t.rows)]).replace('|', ''))
                                for s in gen.sources for t in s.tables()]
    # a text the clean document itself holds n times (各位代表： opening each of two speeches on one page) is expected
    # n times: only copies beyond those are duplicates
    # only the import paragraphs a clean unit owns count as its copies: a paragraph of another article on the same
    # page that shares set phrases with different figures is that article's paragraph, not a copy
    expected = Counter(units)
    owned = dict(zip(units, carriers(units, paragraphs)))
    for k, times in expected.items():
        mine = {id(t) for t in owned[k]}
        parts = [_covered(k, paragraphs[n], DUPLICATE_BLOCK) for n in para_index.candidates(k)
                 if id(paragraphs[n]) in mine]
        total = sum(c for c in parts if c >= max(COPY_SHARE * len(k), min(len(k), COPY_CHARS)))
        out.duplicates += max(0, round(total / len(k)) - times) if k else 0
    # false cuts: real characters found nowhere in the import (read without the injected strings it kept, which
    # junk_kept counts: a string left inside a word does not make the word's characters missing)
    injected = sorted({key(i.text) for i in gen.injected if key(i.text)}, key=len, reverse=True)
    real = [_without(t, injected) for t in everything]
    units = gen.paragraphs() + [h.removesuffix('。') for h in gen.headings()]
    held = carriers([key(u) for u in units], real)
    for raw, texts in zip(units, held):
        k = key(raw)
        out.real_chars += len(k)
        lost, shown = _lost(k, _coverage(k, texts, real))
        if lost:
            out.false_cut_chars += lost
            out.cuts.append(shown)
    _junk(gen, citable, out)
    return out


def _junk(gen: Generated, citable: list[str], out: DocScore) -> None:
    clean = SEP.join(key(x) for x in gen.paragraphs() + gen.headings() + [
        c for s in gen.sources for t in s.tables() for c in [t.text, t.note, *(c for r in t.rows for c in r)]])
    text = SEP.join(citable)
    counted = [inj for inj in gen.injected if inj.kind not in SYMBOL_KINDS and key(inj.text)]
    symbols = [inj for inj in gen.injected if inj.kind in SYMBOL_KINDS]
    out.symbols_injected = len(symbols)
    for sym in {key(s.text) for s in symbols}:
        n = sum(1 for s in symbols if key(s.text) == sym)
        out.symbols_kept += min(n, text.count(sym) - clean.count(sym)) if sym != 'and' else min(
            n, len(re.findall(r'(?<![a-z])and(?![a-z])', text)))
    by_string: dict[str, list[str]] = defaultdict(list)
    for inj in counted:
        by_string[key(inj.text)].append(inj.kind)
    grams: dict[str, set[str]] = {s: {s[i:i + 4] for i in range(len(s) - 3)} or {s} for s in by_string}
    owners: dict[str, int] = defaultdict(int)
    for gs in grams.values():
        for g in gs:
            owners[g] += 1
    for s, kinds in by_string.items():
        n = len(kinds)
        whole = text.count(s) - clean.count(s)
        own = [g for g in grams[s] if owners[g] == 1 and g not in clean and not g.isdigit()]
        partial = max((text.count(g) for g in own), default=0)
        kept = max(0, min(n, max(whole, partial)))
        out.injected += n
        out.kept += kept
        for kind in kinds:
            out.injected_by_kind[kind] = out.injected_by_kind.get(kind, 0) + 1
        if kept:
            out.kept_by_kind[kinds[0]] = out.kept_by_kind.get(kinds[0], 0) + kept
            out.leftovers.append(s)


@dataclass
class Summary:
    """The benchmark's four numbers over a sample, with their parts."""
    documents: int
    paragraphs: int
    exact: float
    injected: int
    junk_kept: float
    duplicates: int
    real_chars: int
    false_cuts: int
    symbols_kept: int
    kept_by_kind: dict[str, str]
    by_damage: dict[str, dict[str, float]]


def summarize(scores: list[DocScore]) -> Summary:
    """Totals over documents, and the exact share, junk kept and duplicates among documents with each damage."""
    paragraphs = sum(s.paragraphs for s in scores)
    injected = sum(s.injected for s in scores)
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for s in scores:
        for kind, n in s.injected_by_kind.items():
            kinds[kind][1] += n
        for kind, n in s.kept_by_kind.items():
            kinds[kind][0] += n
    by_damage: dict[str, dict[str, float]] = {}
    for name in sorted({d for s in scores for d in s.damages}):
        with_it = [s for s in scores if name in s.damages]
        paras = sum(s.paragraphs for s in with_it)
        inj = sum(s.injected for s in with_it)
        by_damage[name] = {'documents': len(with_it),
                           'exact': round(sum(s.exact for s in with_it) / paras, 3) if paras else 1.0,
                           'junk_kept': round(sum(s.kept for s in with_it) / inj, 3) if inj else 0.0,
                           'duplicates': sum(s.duplicates for s in with_it),
                           'false_cuts': sum(s.false_cut_chars for s in with_it)}
    return Summary(len(scores), paragraphs, sum(s.exact for s in scores) / paragraphs if paragraphs else 1.0,
                   injected, sum(s.kept for s in scores) / injected if injected else 0.0,
                   sum(s.duplicates for s in scores), sum(s.real_chars for s in scores),
                   sum(s.false_cut_chars for s in scores), sum(s.symbols_kept for s in scores),
                   {k: f'{v[0]}/{v[1]}' for k, v in sorted(kinds.items())}, by_damage)
