"""Find text repeated by content, not by line, and drop the repeated copies.

Two copies of the same text rarely agree line by line: a page saved twice or a PDF copied twice is wrapped
differently, spaced differently (NBSP, ideographic spaces, full- and half-width punctuation) and often carries
junk the other copy lacks. Both copies are therefore compared as one stream of normalised characters (NFKC, all
whitespace removed), whatever their line breaks.

The stream is cut into shingles of `SHINGLE` characters, each looked up in a hash index of the shingles seen so
far. A shingle seen before anchors an alignment of the two places, which is followed character by character and,
where the copies differ, resynchronised across a difference of at most `MAX_GAP` characters on either side (an
injected string, a changed word). Each character is indexed once or skipped as part of a copy, and a
resynchronisation searches a window of fixed size, so the cost is linear in the length of the document.

A repeat shorter than `MIN_REPEAT` normalised characters is not a copy: headings, slogans and table rows
legitimately recur. Within one document a repeat is dropped only in whole sentences or lines; across the articles
of a web page only a whole article repeated is dropped, since two articles may quote the same passage.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from .model import ParsedDocument, ParsedParagraph, Removal
from .segment import Item, Line

SHINGLE = 12
MIN_REPEAT = 50
LINE_REPEAT = 80
PASSAGE_SENTENCES = 2
MAX_GAP = 60
MAX_EXTRA = 0.25  # characters only one copy has, per aligned character, for the two to count as copies
ITEM_COPY = 0.9  # share of an article's text found in another article that makes it a copy of it
BODY_COPY = 0.25  # share of the document a repeat covers to count as a repeated body (with furniture between)
_CHUNK = 64
_JUNK_KINDS = ('spam', 'stray-symbol', 'html', 'markup')
_SENTENCE_END = set('。！？；!?;')
_WS = re.compile(r'\s+')


@dataclass
class Repeat:
    """A later stretch of the stream (`dup`) that repeats an earlier one (`src`); `aligned` characters agree,
    `src_extra` and `dup_extra` are the characters only one of the copies has (within the stretches)."""
    src: tuple[int, int]
    dup: tuple[int, int]
    aligned: int
    src_extra: int = 0
    dup_extra: int = 0
    gaps: list[tuple[int, int, int, int]] = field(default_factory=list)  # (src pos, src skip, dup pos, dup skip)


def normalise(text: str) -> str:
    """The comparison form of a text: NFKC, without whitespace."""
    return _WS.sub('', unicodedata.normalize('NFKC', text))


def find_repeats(stream: str, *, shingle: int = SHINGLE, min_len: int = MIN_REPEAT, max_gap: int = MAX_GAP,
                 bounds: list[int] | None = None) -> list[Repeat]:
    """Later stretches of `stream` that repeat an earlier stretch, at least `min_len` aligned characters each,
    in stream order. `bounds` (sorted end positions of segments, e.g. articles) stop an alignment: a stretch
    never runs across the end of a segment.

    Shingles are taken at anchors only (see `anchors`): chosen by the text itself, the same in every copy, about
    one in ten characters, so the index and its look-ups cost a tenth of the stream's length."""
    bounds = bounds or [len(stream)]
    index: dict[str, int] = {}
    found: list[Repeat] = []
    points = anchors(stream)
    n, a, floor = len(stream), 0, 0
    while a < len(points):
        j = points[a]
        if j + shingle > n:
            break
        key = stream[j:j + shingle]
        p = index.get(key)
        if p is None or p + shingle > j:
            if p is None:
                index[key] = j
            a += 1
            continue
        rep, run_end = _follow(stream, p, j, floor, shingle, max_gap, bounds)
        if rep.aligned >= min_len and rep.src_extra + rep.dup_extra <= MAX_EXTRA * rep.aligned \
                and len(set(stream[rep.dup[0]:rep.dup[1]])) > 5:
            found.append(rep)
            floor = rep.dup[1]
            a = bisect.bisect_left(points, floor, a + 1)
        else:  # a short repeat: its shingles are all in the index already, skip them
            a = bisect.bisect_left(points, run_end - shingle + 1, a + 1)
    return found


_BREAK = re.compile(r'[。，,、；;：:！!？?）)》”]')
ANCHOR_GAP = 24


def anchors(stream: str) -> list[int]:
    """Where shingles start: after each punctuation mark (a clause starts there in every copy, however it is
    wrapped or spaced), and inside a longer stretch without punctuation (a table row, a list of names) wherever
    three characters sum (weighted) to a multiple of eight — chosen by content as well, so copies share them."""
    points = [0] + [m.end() for m in _BREAK.finditer(stream)]
    out: list[int] = []
    for start, end in zip(points, points[1:] + [len(stream)]):
        out.append(start)
        if end - start > ANCHOR_GAP:
            codes = [ord(c) for c in stream[start:end + 2]]
            out.extend(start + k for k in range(1, min(end - start, len(codes) - 2))
                       if (codes[k] + 3 * codes[k + 1] + 7 * codes[k + 2]) % 8 == 0)
    return out


def _end_of_segment(bounds: list[int], pos: int) -> int:
    return bounds[min(bisect.bisect_right(bounds, pos), len(bounds) - 1)]


def _follow(s: str, p: int, j: int, floor: int, k: int, max_gap: int, bounds: list[int]) -> tuple[Repeat, int]:
    """Align the copy starting at `j` with the source at `p`: extend backwards, then forwards across small
    differences. Returns the repeat and the end of the first exact run (for skipping short repeats)."""
    back = 0
    while j - back > floor and p - back > 0 and s[j - back - 1] == s[p - back - 1]:
        back += 1
    src0, dup0 = p - back, j - back
    src_stop = min(dup0, _end_of_segment(bounds, src0))
    dup_stop = _end_of_segment(bounds, dup0)
    ps, js, aligned = p, j, back
    src_extra = dup_extra = 0
    gaps: list[tuple[int, int, int, int]] = []
    first_run = None
    while True:
        ps2, js2 = _extend(s, ps, js, src_stop, dup_stop)
        aligned += js2 - js
        ps, js = ps2, js2
        if first_run is None:
            first_run = js
        if js >= dup_stop or ps >= src_stop:
            break
        step = _resync(s, ps, js, k, max_gap, src_stop, dup_stop)
        if step is None:
            break
        gs, gd = step
        if gs and gd and _FIGURE.fullmatch(s[ps:ps + gs]) and _FIGURE.fullmatch(s[js:js + gd]):
            break  # different figures in the same place: two texts written alike (articles, years), not one copied
        src_extra += gs
        dup_extra += gd
        gaps.append((ps, gs, js, gd))
        ps, js = ps + gs, js + gd
    return Repeat((src0, ps), (dup0, js), aligned, src_extra, dup_extra, gaps), first_run


_FIGURE = re.compile(r'[0-9〇零一二三四五六七八九十百千两.%]+')


def _extend(s: str, ps: int, js: int, src_stop: int, dup_stop: int) -> tuple[int, int]:
    """Advance both positions while the characters agree (compared in chunks, then one by one)."""
    while ps + _CHUNK <= src_stop and js + _CHUNK <= dup_stop and s[ps:ps + _CHUNK] == s[js:js + _CHUNK]:
        ps, js = ps + _CHUNK, js + _CHUNK
    while ps < src_stop and js < dup_stop and s[ps] == s[js]:
        ps, js = ps + 1, js + 1
    return ps, js


def _resync(s: str, ps: int, js: int, k: int, max_gap: int, src_stop: int, dup_stop: int) -> tuple[int, int] | None:
    """The smallest pair of skips (source, copy), each at most `max_gap`, after which `k` characters agree again."""
    window = s[ps:min(ps + max_gap + k, src_stop)]
    best: tuple[int, int, int] | None = None
    for gd in range(max_gap + 1):
        if best is not None and gd >= best[0]:
            break
        if js + gd + k > dup_stop:
            break
        gs = window.find(s[js + gd:js + gd + k])
        if 0 <= gs <= max_gap and (best is None or gs + gd < best[0]):
            best = (gs + gd, gs, gd)
    return (best[1], best[2]) if best else None


# --- the document's lines as one stream -------------------------------------------------------------------------

@dataclass
class Stream:
    """The normalised characters of every line of every item, with where each came from."""
    text: str
    line_of: list[int]  # per character: index into `lines`
    offset_of: list[int]  # per character: offset in that line's text
    lines: list[tuple[int, int]]  # (item index, line index)
    bounds: list[int] = field(default_factory=list)  # stream end of each item
    item_start: list[int] = field(default_factory=list)
    line_sizes: Counter[int] | None = None  # characters per line (counted when first needed)

    @classmethod
    def of(cls, items: list[Item]) -> Stream:
        parts: list[str] = []
        line_of: list[int] = []
        offset_of: list[int] = []
        lines: list[tuple[int, int]] = []
        bounds: list[int] = []
        starts: list[int] = []
        size = 0
        for n, item in enumerate(items):
            starts.append(size)
            for m, ln in enumerate(item.lines):
                text = ln.text
                if not text.strip():
                    continue
                ref = len(lines)
                lines.append((n, m))
                chars, offsets = _normalised_chars(text)
                parts.append(chars)
                line_of.extend([ref] * len(chars))
                offset_of.extend(offsets)
                size += len(chars)
            parts.append(chr(0xF0000 + n % 0xFFFD))  # a character no other position shares: alignments stop here
            line_of.append(-1)
            offset_of.append(-1)
            size += 1
            bounds.append(size)
        return cls(''.join(parts), line_of, offset_of, lines, bounds, starts)


def _normalised_chars(text: str) -> tuple[str, range | list[int]]:
    """The comparison form of one line and, per character of it, the offset it came from. NFKC maps the
    characters of plan text one to one (full-width punctuation to ASCII), so whitespace is all that is removed;
    a line in which some character expands (㎡ → m2) is mapped character by character."""
    whole = unicodedata.normalize('NFKC', text)
    if len(whole) == len(text):
        if not _WS.search(whole):
            return whole, range(len(whole))
        runs = [(m.group(0), m.start()) for m in re.finditer(r'\S+', whole)]
        return ''.join(run for run, _ in runs), [start + i for run, start in runs for i in range(len(run))]
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        for out in unicodedata.normalize('NFKC', ch):
            if not out.isspace():
                chars.append(out)
                offsets.append(i)
    return ''.join(chars), offsets


# --- dropping copies ----------------------------------------------------------------------------------------------

@dataclass
class _Cut:
    """Characters [start, end) of one line to drop (end None: to the end of the line)."""
    item: int
    line: int
    start: int
    end: int | None


def drop_repeats(items: list[Item], doc: ParsedDocument) -> list[Item]:
    """Drop every repeated copy from the items, keeping the first or the cleaner copy, and report what was dropped
    (doc.duplicate_blocks, with the line numbers of both copies)."""
    stream = Stream.of(items)
    repeats = find_repeats(stream.text, bounds=stream.bounds)
    if not repeats:
        return items
    def item_of(pos: int) -> int:
        return bisect.bisect_right(stream.bounds, pos)

    cross = [r for r in repeats if item_of(r.src[0]) != item_of(r.dup[0])]
    within = [_in_phase(stream, r) for r in repeats if item_of(r.src[0]) == item_of(r.dup[0])]
    dropped_items = _drop_item_copies(items, cross, stream, doc, item_of)
    kept: list[tuple[int, int]] = []  # stretches kept as the original of an earlier copy: never dropped after
    for group in _groups(within):
        _drop_group(items, group, stream, doc, kept)
    return [it for n, it in enumerate(items) if n not in dropped_items]


PHASE = 12  # characters: the ending both paragraphs before the copies share (…500万元。 and …300万元。 share 00万元。)


def _paragraphs(stream: Stream, span: tuple[int, int]) -> bool:
    """Whether a stretch of the stream is whole sentences: it ends one, and starts a line or follows the end of one
    (a formula that opens one sentence and is part of another is no repeated paragraph)."""
    start, end = span
    text = stream.text
    return text[end - 1] in _SENTENCE_END and (text[start - 1] in _SENTENCE_END or _line_start(stream, start))


def _line_start(stream: Stream, pos: int) -> bool:
    return 0 <= pos < len(stream.text) and stream.line_of[pos] >= 0 and (
        pos == 0 or stream.line_of[pos - 1] != stream.line_of[pos])


def _in_phase(stream: Stream, rep: Repeat) -> Repeat:
    """A repeat of a paragraph that follows right after its source matches as well a few characters earlier or later (the
    。 ending the paragraph before both copies, then all of the copy but its last 。): the alignment is moved, by
    at most PHASE characters, to where both copies start a line, so that whole paragraphs are compared."""
    if rep.dup[0] - rep.src[1] > PHASE or _line_start(stream, rep.src[0]) and _line_start(stream, rep.dup[0]):
        return rep  # only a copy that follows right after its source can match out of phase
    text = stream.text
    for k in range(1, PHASE + 1):
        for d in (k, -k):
            (s0, s1), (d0, d1) = rep.src, rep.dup
            if d > 0 and text[s1:s1 + d] != text[d1:d1 + d] or d < 0 and text[s0 + d:s0] != text[d0 + d:d0]:
                continue
            if d < 0 and min(s0, d0) + d < 0 or max(s1, d1) + d > len(text):
                continue
            if _line_start(stream, s0 + d) and _line_start(stream, d0 + d) and -1 not in (
                    stream.line_of[s1 + d - 1], stream.line_of[d1 + d - 1]):
                return Repeat((s0 + d, s1 + d), (d0 + d, d1 + d), rep.aligned, rep.src_extra, rep.dup_extra,
                              [(a + d, b, c + d, e) for a, b, c, e in rep.gaps])
    return rep


def _groups(repeats: list[Repeat]) -> list[list[Repeat]]:
    """Consecutive repeats that continue each other (the next one later in both copies, all of the source before
    all of the copy): parts of one repeated body, decided together."""
    groups: list[list[Repeat]] = []
    for rep in repeats:
        last = groups[-1][-1] if groups else None
        if last is not None and rep.src[0] >= last.src[1] and rep.dup[0] >= last.dup[1] \
                and rep.src[1] <= groups[-1][0].dup[0]:
            groups[-1].append(rep)
        else:
            groups.append([rep])
    return groups


def _content_length(stream: Stream, item: int) -> int:
    return stream.bounds[item] - stream.item_start[item] - 1


def _junk_count(doc: ParsedDocument, lines: list[Line]) -> int:
    numbers = {ln.line for ln in lines}
    return sum(1 for r in doc.removed if r.line in numbers and r.kind in _JUNK_KINDS)


def _drop_item_copies(items: list[Item], cross: list[Repeat], stream: Stream, doc: ParsedDocument,
                      item_of) -> set[int]:
    """Articles of a web page repeated whole in another article: the one with more junk goes (the later on a tie)."""
    shared: dict[tuple[int, int], list[int]] = {}
    pairs: dict[tuple[int, int], list[Repeat]] = {}
    for rep in cross:
        key = (item_of(rep.src[0]), item_of(rep.dup[0]))
        pairs.setdefault(key, []).append(rep)
        totals = shared.setdefault(key, [0, 0, 0])
        totals[0] += rep.aligned
        totals[1] += rep.src_extra
        totals[2] += rep.dup_extra
    dropped: set[int] = set()
    for (first, later), (aligned, first_extra, later_extra) in sorted(shared.items()):
        if first in dropped or later in dropped:
            continue
        covers_later = aligned >= ITEM_COPY * _content_length(stream, later)
        covers_first = aligned >= ITEM_COPY * _content_length(stream, first)
        if not (covers_later or covers_first):
            continue
        if covers_later and covers_first:  # near-identical: the one with more junk goes
            first_dirt = _junk_count(doc, items[first].lines) + first_extra
            loser = first if first_dirt > _junk_count(doc, items[later].lines) + later_extra else later
        else:
            loser = later if covers_later else first
        keeper = first if loser == later else later
        _drop_insertions(items, stream, pairs[first, later], keeper == later, [], doc)
        dropped.add(loser)
        body = '\n'.join(ln.text for ln in items[loser].lines if ln.text.strip())
        doc.duplicate_blocks.append(Removal('duplicate-block', body, items[loser].title_line,
                                            f'near-identical copy of item {items[keeper].ordinal} '
                                            f'《{items[keeper].title}》'))
    return dropped


def _drop_group(items: list[Item], group: list[Repeat], stream: Stream, doc: ParsedDocument,
                kept_before: list[tuple[int, int]]) -> None:
    """Drop one copy of a repeated stretch: the later one, unless the earlier carries more text the other lacks
    and was not kept already as the original of another copy (a text printed three times keeps one copy).

    A repeat is dropped in whole sentences and from `LINE_REPEAT` characters on, or from `MIN_REPEAT` on when it is
    the same whole lines twice, character for character (a paragraph, or a run of lines, that long is not said twice
    in one text). Made of whole lines in both places (a paragraph or more, however wrapped) that is enough; one that starts or ends inside a line must hold
    `PASSAGE_SENTENCES` whole sentences: a single sentence or a clause shared by two paragraphs is the document's
    own formula (guiding principles, a slogan) said twice."""
    aligned = sum(r.aligned for r in group)
    src_extra = sum(_inline(stream, pos, skip) for r in group for pos, skip, _, _ in r.gaps)
    dup_extra = sum(_inline(stream, pos, skip) for r in group for _, _, pos, skip in r.gaps)
    keep_later = src_extra > dup_extra and not any(_overlaps(r.src, span) for r in group for span in kept_before)
    src_cuts = [c for r in group for c in _cuts(items, stream, r.src)]
    dup_cuts = [c for r in group for c in _cuts(items, stream, r.dup)]
    if not src_cuts or not dup_cuts:
        return
    whole = all(_whole_lines(items, cuts) for cuts in (src_cuts, dup_cuts))
    cuts, kept = (src_cuts, dup_cuts) if keep_later else (dup_cuts, src_cuts)
    exact = whole and all(not (r.gaps or r.src_extra or r.dup_extra) and _paragraphs(stream, r.src)
                          and _paragraphs(stream, r.dup) for r in group)
    if _length(items, cuts) < (MIN_REPEAT if exact else LINE_REPEAT) or not whole and _sentences(
            items, cuts) < PASSAGE_SENTENCES:
        return
    kept_lines = _numbers(items, kept)
    kept_before.extend(r.dup if keep_later else r.src for r in group)
    _drop_insertions(items, stream, group, keep_later, cuts, doc)
    removed_text = _apply(items, cuts)
    first_line, last_line = _numbers(items, cuts)
    dropped_spans = [r.src if keep_later else r.dup for r in group]
    kept_spans = [r.dup if keep_later else r.src for r in group]
    doc.copies.append((*_span_lines(items, stream, dropped_spans), *_span_lines(items, stream, kept_spans)))
    extra = src_extra if keep_later else dup_extra
    reason = (f'repeat of lines {kept_lines[0]}-{kept_lines[1]}' if not keep_later else
              f'earlier copy of lines {kept_lines[0]}-{kept_lines[1]}, which carry less foreign text')
    reason += f' ({aligned} characters' + (f', {extra} of them only in this copy)' if extra else ')')
    doc.duplicate_blocks.append(Removal('duplicate-block', removed_text, first_line, reason))
    doc.warnings.append(f'repeated text: lines {first_line}-{last_line} dropped as a copy of lines '
                        f'{kept_lines[0]}-{kept_lines[1]}')
    if aligned >= BODY_COPY * len(stream.text):
        _drop_furniture(items, stream, group[-1].src[1], group[0].dup[0], doc)


INSERTION_MIN, INSERTION_MAX = 3, 30
INSERTION_REASON = 'only in one of two copies of the same text: a string inserted into this copy'
_CLAUSE_MARK = re.compile(r'[。，,、；;：:！!？?（）()“”"《》]')


def _drop_insertions(items: list[Item], stream: Stream, group: list[Repeat], keep_later: bool, cuts: list[_Cut],
                     doc: ParsedDocument) -> None:
    """Cut from the copy that is kept the strings it has and the other copy lacks at the same place: two copies of
    one text that differ by a run of words with nothing in its place in the other are one text with something
    inserted. Only a run of words is cut (no clause mark in it, INSERTION_MIN to INSERTION_MAX characters), never a
    whole line of the copy's head (its title, issuer and date), and only on lines the dropped copy does not share."""
    dropped = {(c.item, c.line) for c in cuts}
    spans: dict[int, list[tuple[int, int]]] = {}
    start = min(r.dup[0] if keep_later else r.src[0] for r in group)
    body = stream.text.find('。', start)  # whole lines before the first sentence are the copy's head
    head = set(stream.line_of[start:body]) if body >= 0 else set()
    for r in group:
        for src_pos, src_skip, dup_pos, dup_skip in r.gaps:
            pos, size, other = (dup_pos, dup_skip, src_skip) if keep_later else (src_pos, src_skip, dup_skip)
            piece = stream.text[pos:pos + size]
            if other or not INSERTION_MIN <= size <= INSERTION_MAX or _CLAUSE_MARK.search(piece):
                continue
            for at in range(pos, pos + size):
                ref = stream.line_of[at]
                if ref < 0:
                    break
                spans.setdefault(ref, []).append((stream.offset_of[at], stream.offset_of[at] + 1))
    if stream.line_sizes is None:
        stream.line_sizes = Counter(stream.line_of)
    for ref, chars in spans.items():
        item, index = stream.lines[ref]
        if (item, index) in dropped or ref in head and len(chars) >= stream.line_sizes[ref]:
            continue  # a whole line of the head only one copy has is its front matter, not an inserted string
        ln = items[item].lines[index]
        runs: list[list[int]] = []
        for a, b in sorted(chars):
            if runs and a <= runs[-1][1] + 1 and not ln.text[runs[-1][1]:a].strip():
                runs[-1][1] = b
            else:
                runs.append([a, b])
        text = ln.text
        for a, b in reversed(runs):
            doc.removed.append(Removal('spam', text[a:b], ln.line, INSERTION_REASON, 1.0, text[max(0, a - 12):b + 12]))
            text = text[:a] + text[b:]
        items[item].lines[index] = Line(text, ln.line, text)


def _inline(stream: Stream, pos: int, size: int) -> int:
    """Characters of a stretch only one copy has that stand inside lines: strings inserted into the text. Whole
    lines one copy has (its front matter, a page's furniture) say nothing about which copy is cleaner."""
    if not size:
        return 0
    if stream.line_sizes is None:
        stream.line_sizes = Counter(stream.line_of)
    inside = Counter(stream.line_of[pos:pos + size])
    return sum(n for ref, n in inside.items() if ref >= 0 and n < stream.line_sizes[ref])


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _whole_lines(items: list[Item], cuts: list[_Cut]) -> bool:
    return cuts[0].start == 0 and cuts[-1].end is None


def _length(items: list[Item], cuts: list[_Cut]) -> int:
    total = 0
    for cut in cuts:
        text = items[cut.item].lines[cut.line].text
        total += len(normalise(text[cut.start:cut.end]))
    return total


def _sentences(items: list[Item], cuts: list[_Cut]) -> int:
    return sum(1 for cut in cuts for ch in items[cut.item].lines[cut.line].text[cut.start:cut.end]
               if ch in _SENTENCE_END)


def _numbers(items: list[Item], cuts: list[_Cut]) -> tuple[int, int]:
    return items[cuts[0].item].lines[cuts[0].line].line, items[cuts[-1].item].lines[cuts[-1].line].line


def _span_lines(items: list[Item], stream: Stream, spans: list[tuple[int, int]]) -> tuple[int, int]:
    """The first and last line the stretches of one copy reach into, sentences cut from them or not."""
    refs = [ref for ref in (stream.line_of[spans[0][0]], stream.line_of[spans[-1][1] - 1]) if ref >= 0]
    first, last = (stream.lines[ref] for ref in (refs[0], refs[-1]))
    return items[first[0]].lines[first[1]].line, items[last[0]].lines[last[1]].line


def _cuts(items: list[Item], stream: Stream, span: tuple[int, int]) -> list[_Cut]:
    """The line pieces a stretch of the stream covers, snapped to whole sentences where it starts or ends inside a
    line (a sentence is dropped whole or not at all)."""
    start, end = span
    first, last = stream.line_of[start], stream.line_of[end - 1]
    if first < 0 or last < 0:
        return []
    cuts: list[_Cut] = []
    for ref in range(first, last + 1):
        item, index = stream.lines[ref]
        text = items[item].lines[index].text
        lo = stream.offset_of[start] if ref == first else 0
        hi = stream.offset_of[end - 1] + 1 if ref == last else len(text)
        if lo > 0 and not normalise(text[:lo]):
            lo = 0
        if hi < len(text) and not normalise(text[hi:]):
            hi = len(text)
        if lo > 0:
            lo = _sentence_start(text, lo)
        if hi < len(text):
            hi = _sentence_end(text, hi)
        if hi > lo and normalise(text[lo:hi]):
            cuts.append(_Cut(item, index, lo, None if hi >= len(text) else hi))
    return cuts


def _sentence_start(text: str, pos: int) -> int:
    """`pos` if a sentence starts there, else the start of the next sentence."""
    if text[pos - 1] in _SENTENCE_END:
        return pos
    for i in range(pos, len(text)):
        if text[i] in _SENTENCE_END:
            return i + 1
    return len(text)


def _sentence_end(text: str, pos: int) -> int:
    """`pos` if a sentence ends there, else the end of the last sentence before it."""
    for i in range(pos, 0, -1):
        if text[i - 1] in _SENTENCE_END:
            return i
    return 0


def _apply(items: list[Item], cuts: list[_Cut]) -> str:
    pieces = []
    for cut in reversed(cuts):
        ln = items[cut.item].lines[cut.line]
        end = len(ln.text) if cut.end is None else cut.end
        pieces.append(ln.text[cut.start:end])
        if cut.start == 0 and end == len(ln.text):
            items[cut.item].lines[cut.line] = Line('', ln.line, '')
        else:
            rest = (ln.text[:cut.start] + ln.text[end:]).strip()
            items[cut.item].lines[cut.line] = Line(rest, ln.line, rest)
    return '\n'.join(reversed(pieces))


FURNITURE_LINES = 8
_NUMBERED = re.compile(r'^(第[一二三四五六七八九十百\d]+[篇章节]|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|\d{1,2}[.．、])')


def _drop_furniture(items: list[Item], stream: Stream, start: int, end: int, doc: ParsedDocument) -> None:
    """Short non-sentence lines between two copies of a whole body: the page's navigation and metadata printed
    again before the second copy."""
    if start >= end or stream.line_of[start - 1] < 0 or stream.line_of[end] < 0:
        return
    between = range(stream.line_of[start - 1] + 1, stream.line_of[end])
    if len(between) > FURNITURE_LINES:
        return  # more than a page's header between the copies: text of the document, not furniture
    for ref in between:
        item, index = stream.lines[ref]
        ln = items[item].lines[index]
        text = ln.text.strip()
        if not text or any(ch in _SENTENCE_END for ch in text) or len(text) > 60 or text.endswith((':', '：')) \
                or _NUMBERED.match(text):
            continue
        doc.removed.append(Removal('metadata', text, ln.line, 'page furniture between two copies of the text'))
        items[item].lines[index] = Line('', ln.line, '')


# --- paragraphs said twice ----------------------------------------------------------------------------------------

PARAGRAPH_REPEAT = 16  # a paragraph this long (normalised) said twice in one text is a copy (各位代表： is not)
_QUOTES = str.maketrans({'“': '"', '”': '"', '‘': "'", '’': "'"})


def paragraph_key(text: str) -> str:
    """A paragraph's content for telling copies apart: NFKC, quotes unified, no whitespace."""
    return normalise(text).translate(_QUOTES)


def drop_repeated_paragraphs(paragraphs: list[ParsedParagraph], doc: ParsedDocument,
                             item_of: dict[int, int]) -> list[ParsedParagraph]:
    """Drop every later paragraph of an item whose content is that of an earlier one: a copy the stream alignment
    did not take out (a short run of list items repeated, a copy that differed only by a string cut since). Tables
    are left alone; across the articles of a web page a shared passage is a quotation, not a copy. Then the pieces
    a dropped copy left (`_drop_pieces`) and the short paragraphs that went with a copy (`_drop_neighbours`) go as
    well. Each copy dropped is reported with the line of the paragraph kept."""
    first: dict[tuple[int, str], ParsedParagraph] = {}
    out: list[ParsedParagraph] = []
    spans: list[tuple[int, int, int, int]] = []
    for p in paragraphs:
        key = (item_of.get(id(p), 0), paragraph_key(p.text))
        if p.kind == 'table' or len(key[1]) < PARAGRAPH_REPEAT:
            out.append(p)
            continue
        kept = first.setdefault(key, p)
        if kept is p:
            out.append(p)
            continue
        doc.duplicate_blocks.append(Removal('duplicate-block', p.text, p.line,
                                            f'same text as the paragraph of line {kept.line}'))
        doc.warnings.append(f'repeated text: the paragraph of line {p.line} dropped as a copy of line {kept.line}')
        spans.append((p.line, p.line, kept.line, kept.line))
    out = _drop_pieces(out, doc)
    out = _drop_neighbours(out, doc, doc.copies + spans)
    for n, p in enumerate(out, start=1):
        p.seq = n
    return out


PIECE = 12  # characters of a paragraph found in a paragraph of the other copy that make it a piece of that copy
PIECE_SHINGLE = 8  # runs of this many characters tie a piece to the paragraph it was cut from


def _drop_pieces(paragraphs: list[ParsedParagraph], doc: ParsedDocument) -> list[ParsedParagraph]:
    """Drop the paragraphs left where a repeated copy was dropped that are pieces of a paragraph of the copy kept.
    A copy wrapped or spaced otherwise than its original is cut in whole sentences where its alignment starts and
    ends, and an alignment may end or resume inside a paragraph (a string inserted near its end, a sentence moved
    by a damaged outline): the sentences between two cuts stay behind, a piece no whole-paragraph comparison
    matches. Within the place of a dropped copy, a paragraph whose text lies in one paragraph of the copy kept
    (`PIECE` characters at least, and at most `MAX_EXTRA` of it elsewhere: a heading fused with it, a string
    inserted) is that paragraph said twice."""
    gone: set[int] = set()
    for first, last, kept_first, kept_last in doc.copies:
        kept = [q for q in paragraphs if kept_first <= q.line <= kept_last and q.kind != 'table'
                and id(q) not in gone and not first <= q.line <= last]
        grams: dict[str, set[int]] = {}
        keys = [paragraph_key(q.text) for q in kept]
        for n, k in enumerate(keys):
            for i in range(len(k) - PIECE_SHINGLE + 1):
                grams.setdefault(k[i:i + PIECE_SHINGLE], set()).add(n)
        for p in paragraphs:
            if not first <= p.line <= last or kept_first <= p.line <= kept_last or p.kind == 'table' \
                    or id(p) in gone:
                continue
            text = paragraph_key(p.text)
            if len(text) < PIECE:
                continue
            covered: dict[int, list[bool]] = {}
            for i in range(len(text) - PIECE_SHINGLE + 1):
                for n in grams.get(text[i:i + PIECE_SHINGLE], ()):
                    marks = covered.setdefault(n, [False] * len(text))
                    marks[i:i + PIECE_SHINGLE] = [True] * PIECE_SHINGLE
            best = max(covered, key=lambda n: sum(covered[n]), default=None)
            if best is None:
                continue
            found = sum(covered[best])
            if found < PIECE or len(text) - found > MAX_EXTRA * len(text):
                continue
            source = kept[best]
            gone.add(id(p))
            _report_copy(doc, p, f'piece of the paragraph of line {source.line}, left of a copy of lines '
                                 f'{kept_first}-{kept_last}', f'as a piece of the paragraph of line {source.line}')
    return [p for p in paragraphs if id(p) not in gone]


def _report_copy(doc: ParsedDocument, p: ParsedParagraph, reason: str, how: str) -> None:
    """Report a paragraph dropped as part of a repeated copy: on the import report, and as a warning."""
    doc.duplicate_blocks.append(Removal('duplicate-block', p.text, p.line, reason))
    doc.warnings.append(f'repeated text: the paragraph of line {p.line} dropped {how}')


NEIGHBOUR_LINES = 12  # lines between a copy and a paragraph next to it that went with it (blank and junk lines)


def _drop_neighbours(paragraphs: list[ParsedParagraph], doc: ParsedDocument,
                     spans: list[tuple[int, int, int, int]]) -> list[ParsedParagraph]:
    """Drop the paragraphs right before or after a dropped copy that are the same as those right before or after
    the copy kept (see _same_paragraph): a short line that went with the text copied (各位代表： above a repeated
    opening paragraph), too short to be told a copy alone, parted from it by junk lines (kept as a heading, maybe);
    the copy's last paragraph, where strings inserted close together ended its alignment early. Only a paragraph
    within `NEIGHBOUR_LINES` lines of the copy is compared (lines of other copies dropped between do not count),
    and never one of either copy itself."""
    gone: set[int] = set()
    for first, last, kept_first, kept_last in spans:
        for side in (-1, 1):
            edge, kept_edge = (first, kept_first) if side < 0 else (last, kept_last)
            while True:
                near = _next_paragraph(paragraphs, edge, side, gone)
                kept_near = _next_paragraph(paragraphs, kept_edge, side, gone)
                if near is None or kept_near is None or near is kept_near or near.kind == 'table' \
                        or not _same_paragraph(near.text, kept_near.text) \
                        or kept_first <= near.line <= kept_last or first <= kept_near.line <= last \
                        or _apart(near.line, edge, spans) > NEIGHBOUR_LINES \
                        or _apart(kept_near.line, kept_edge, spans) > NEIGHBOUR_LINES:
                    break
                gone.add(id(near))
                _report_copy(doc, near, f'same text as the paragraph of line {kept_near.line}, next to a copy of '
                                        f'lines {kept_first}-{kept_last}',
                             f'with the copy of lines {kept_first}-{kept_last} next to it')
                edge, kept_edge = near.line, kept_near.line
    return [p for p in paragraphs if id(p) not in gone]


def _same_paragraph(text: str, kept: str) -> bool:
    """Whether `text`, next to a copy, is the paragraph `kept` said again: the same content; or a piece of it
    (`PIECE` characters at least found in it, at most `MAX_EXTRA` of them not: cut from it with a few words of its
    own); or all of it but `MAX_EXTRA` with strings inserted (at most as many characters as it shares with it)."""
    a, b = paragraph_key(text), paragraph_key(kept)
    if a == b:
        return True
    if len(a) < PIECE or len(b) < PIECE:
        return False
    found, held = _found(a, b), _found(b, a)
    return found >= PIECE and len(a) - found <= MAX_EXTRA * len(a) or (
        len(b) - held <= MAX_EXTRA * len(b) and 2 * found >= len(a))


def _found(text: str, other: str) -> int:
    """Characters of `text` in runs of `PIECE_SHINGLE` that `other` holds too."""
    grams = {other[i:i + PIECE_SHINGLE] for i in range(len(other) - PIECE_SHINGLE + 1)}
    marks = [False] * len(text)
    for i in range(len(text) - PIECE_SHINGLE + 1):
        if text[i:i + PIECE_SHINGLE] in grams:
            marks[i:i + PIECE_SHINGLE] = [True] * PIECE_SHINGLE
    return sum(marks)


def _apart(line: int, edge: int, spans: list[tuple[int, int, int, int]]) -> int:
    """Lines between a paragraph and the edge of a copy, but for those of other copies dropped between them."""
    lo, hi = sorted((line, edge))
    inside = sum(max(0, min(hi - 1, last) - max(lo + 1, first) + 1) for first, last, _, _ in spans)
    return hi - lo - inside


def _next_paragraph(paragraphs: list[ParsedParagraph], line: int, side: int,
                    gone: set[int]) -> ParsedParagraph | None:
    """The nearest paragraph before (`side` -1) or after (1) a line, not dropped already."""
    around = [p for p in paragraphs if id(p) not in gone and (p.line < line if side < 0 else p.line > line)]
    if not around:
        return None
    return max(around, key=lambda p: p.line) if side < 0 else min(around, key=lambda p: p.line)
