"""Turn the clean logical lines of one item into headings, paragraphs and tables."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from . import language
from .corpus import CorpusStats
from .headings import BOX, GLOSSARY, ORDER, HeadingMatch, is_plain_title, match_heading
from .model import ParsedHeading, ParsedParagraph, ParsedTable, Removal
from .outline import Outline
from .runin import COVERBS, is_fused_group, split_parallel
from .segment import Line
from .spam import LANGUAGE_REASON
from .tables import TableData, read_table, row_of_cells
from .text import CJK, CN_NUM, cn_to_int, compact_key, ends_sentence, normalize_for_search

# `表 1-1 …`, `表一：…`, `表1“十五五”…`, and `表1明湖区…` (an Arabic number may run straight into the caption: the
# spaces around it are gone once spaces touching Chinese text are squeezed), or `表:…`
_CAPTION = re.compile(r'^(表\s*(?:[\d一二三四五六七八九十]+(?:\s*[-－—]\s*\d+)?(?=[\s:：“"])'
                      r'|\d+(?:\s*[-－—]\s*\d+)?(?=[\u4e00-\u9fff])))\s*[:：]?\s*(.*)$|^(表)[:：](.*)$')
CONTINUES = '，,、；;：:）)》”’」』】。！？!?%'  # a line starting with these goes on from the line before
OPENS = '（(《“‘「『【'
MAX_TERM = 40
WRAP_MIN = 12  # a wrap width below this would be a column of table cells, not of running text
WRAP_LINES, WRAP_SHARE = 6, 0.3
WRAP_SLACK = 2  # a full line may be this much shorter than the wrap width (spaces squeezed out of it)  # how many of those lines, and what share of them, must have the width
WORD_BREAK = 0.05  # a clause ends and starts at a pair this seldom (the two read together): it sits inside a clause
WORD_PAIRS = 5  # ... and the two characters across the break are written together this often
_CLAUSE_MARK = re.compile('[，。；,;]')
ACROSS_SAID = 2  # times the document writes the four characters across a line's break elsewhere: the break is inside
# a name or a phrase of it
LEAD = re.compile(r'^[\u4e00-\u9fff]{4,12}。')
# a salutation (各位代表：) on a line of its own: a few words and a colon, then at most a short unpunctuated tail
SALUTATION = re.compile(r'^[\u4e00-\u9fff]{2,10}[:：][^，,、；;。：:！？!?]{0,12}$')  # a short first sentence of words only, no clause in it
ARTICLE = re.compile(rf'^\s*第[{CN_NUM}\d]+条')  # an article of a policy text (第十八条 …) starts a paragraph
STRUCTURAL = ('pian', 'zhang', 'jie', 'cn', 'paren')
COPIED_KINDS = ('pian', 'zhang', 'jie', 'cn')  # headings a copied block may carry along (see ItemBuilder._copied)
STRAY_REASON = 'a line of no sentence standing alone where no heading or paragraph fits, reading as junk'
TAIL_REASON = 'words of no sentence after a heading\'s title, where its clauses end, read as junk as well as prose'
AROUND = 20  # characters of the lines either side of a dropped line shown to a reviewer
BROKEN_GAP = 3  # blank lines a heading broken inside a word may stand apart from its rest by
PARALLEL = ('cn', 'paren', 'num')
_HAN = re.compile(f'[{CJK}]')


@dataclass
class Built:
    """Output of building one item."""
    headings: list[ParsedHeading] = field(default_factory=list)
    paragraphs: list[ParsedParagraph] = field(default_factory=list)
    tables: list[ParsedTable] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    duplicates: list[Removal] = field(default_factory=list)  # headings dropped as copies of earlier ones
    warnings: list[str] = field(default_factory=list)
    flow: list[ParsedHeading | ParsedParagraph] = field(default_factory=list)  # both, in reading order


def caption_match(text: str) -> tuple[str, str] | None:
    """Recognise a table caption such as `表 1-1 …` or `表:…`."""
    if len(text) > 80 or '。' in text:
        return None
    m = _CAPTION.match(text)
    if not m:
        return None
    return (m.group(1) or m.group(3)), (m.group(2) if m.group(1) else m.group(4)) or ''


def box_match(text: str) -> re.Match[str] | None:
    """Recognise a 专栏 box caption."""
    return BOX.match(text) if len(text) <= 80 and '。' not in text else None


def glossary_match(text: str) -> str | None:
    """Recognise a glossary heading; return any text fused after it."""
    if len(text) > 40 and not text.startswith(('名词解释', '附件名词解释')):
        return None
    m = GLOSSARY.match(text)
    if not m or text.index('名词解释') > 20:
        return None
    return m.group(1)


def is_stop(text: str) -> bool:
    """Lines that end a table or a reflowed paragraph."""
    h = match_heading(text)
    return bool((h and h.kind in STRUCTURAL) or box_match(text) or caption_match(text)
                or glossary_match(text) is not None)


def wrap_width(lines: list[Line]) -> int | None:
    """The width at which the text was wrapped, if it was: the most common length of the lines that stop without
    ending a sentence, when many lines share it (a PDF or a saved page wraps every full line at the same width)."""
    lengths = Counter(len(ln.text) for ln in lines if len(ln.text) >= WRAP_MIN and not ends_sentence(ln.text)
                      and not _numbered(ln.text))
    if not lengths:
        return None
    width, count = lengths.most_common(1)[0]
    return width if count >= WRAP_LINES and count >= WRAP_SHARE * sum(lengths.values()) else None


def _printed(line: Line) -> int:
    """A line's length as printed: its spaces (a PDF's spurious ones, NBSPs) take a place each."""
    return len((line.raw or line.text).strip())


def raw_wrap_width(lines: list[Line]) -> int | None:
    """The wrap width counted on the lines as printed (spaces included): a line cut at the margin has exactly this
    length, however many of its spaces are squeezed out. The most common printed length of the lines that stop
    without ending a sentence, when it holds as many of them as `wrap_width` asks."""
    lengths = Counter(_printed(ln) for ln in lines if len(ln.text) >= WRAP_MIN and not ends_sentence(ln.text)
                      and not _numbered(ln.text))
    if not lengths:
        return None
    width, count = lengths.most_common(1)[0]
    return width if count >= WRAP_LINES and count >= WRAP_SHARE * sum(lengths.values()) else None


def standalone_titles(lines: list[str], stats: CorpusStats | None = None) -> list[HeadingMatch]:
    """The titles of numbered headings that stand on a line of their own (一、发展基础): how this document's titles
    end. Counted as clause ends, they tell where a sibling's title fused with its text ends. A line as long as the
    text's wrap width is left out (the first line of a wrapped paragraph that opens with a heading), and so is one
    broken inside a word (see _broken): of general Chinese, or one the documents write (星湖电竞数 / 娱产业园, read by
    `stats`, theirs: by the lines' own when none are given, made once a line is in doubt)."""
    width = wrap_width([Line(t, 0) for t in lines])
    out = []
    made = [stats] if stats is not None else []

    def read() -> CorpusStats:
        if not made:
            made.append(CorpusStats.of(lines))
        return made[0]

    for i, text in enumerate(lines):
        text = text.strip()
        head = match_heading(text) if text else None
        if (head is not None and head.kind in PARALLEL and head.split == 'line' and not head.rest
                and is_plain_title(head.title) and not (width and len(text) >= width - WRAP_SLACK)
                and not _broken(lines, i, text, read)):
            out.append(head)
    return out


def _broken(lines: list[str], i: int, text: str, stats: Callable[[], CorpusStats]) -> bool:
    """Whether line `i` (`text`) is a heading broken inside a word: the next non-blank line, at most BROKEN_GAP
    blank lines below, goes on with the word it ends in (see ItemBuilder._join_broken_headings)."""
    nxt = next((t.strip() for t in lines[i + 1:i + BROKEN_GAP + 2] if t.strip()), '')
    return bool(nxt) and not ends_sentence(text) and match_heading(nxt) is None and not is_stop(nxt) \
        and (_goes_on(text, nxt) or word_across(stats(), text, nxt))


_ITEM_NUMBER = re.compile(f'^[{CN_NUM}0-9０-９][、.．]')


def word_across(stats: CorpusStats | None, text: str, nxt: str) -> bool:
    """The break between `text` and the next line `nxt` falls inside a word: the next line's first clause is a
    single character (园，发展…), or the line ends where clauses seldom end and the next starts where they seldom
    start (WORD_BREAK, the two read together: a line that starts the next one's clause counts among the starts),
    with the two characters across the break written together elsewhere in the text (临河商|务区: 商务; 电竞数|娱产业园).
    A next line that opens with an item's number (一、, 2.) opens an item, not a clause of one character."""
    if re.match(r'^.[，,、；;。：:]', nxt) and not _ITEM_NUMBER.match(nxt):
        return True
    if stats is None or len(text) < 2 or len(nxt) < 2:
        return False
    return (stats.ends(text[-2:]) * stats.starts(nxt[:2]) < WORD_BREAK ** 2
            and stats.pairs[text[-1] + nxt[0]] >= WORD_PAIRS)


def _goes_on(text: str, nxt: str) -> bool:
    """Whether a heading's line `text` goes on into the next line `nxt`: the break splits a word or a figure (see
    language.runs_across), or the title ends on a preposition or coverb whose object opens the next line
    (三、培育智能硬件产业以 / 北岸智能硬件产业园为载体…: a title does not end on one, so it ran into its text and the
    line was broken after it)."""
    if language.runs_across(text, nxt):
        return True
    head = match_heading(text)
    title = head.title.rstrip() if head is not None and not head.rest else ''
    return bool(title) and (language.ends_on_opener(title) or title.endswith(COVERBS)) \
        and bool(re.match(f'[{CJK}0-9０-９“"《(（]', nxt))




def _clauses(text: str) -> int:
    """How many clause breaks (commas) a text holds."""
    return sum(text.count(c) for c in '，,')


def _numbered(text: str) -> bool:
    """A numbered heading line: sibling titles are often written to one length (对仗), so their lines share a length
    without being cut at a margin; they say nothing of a wrap width."""
    head = match_heading(text)
    return head is not None and head.kind in STRUCTURAL + PARALLEL


class ItemBuilder:
    """Walk one item's lines and emit its structure."""

    def __init__(self, lines: list[Line], outline: Outline, allow_parts: bool,
                 stats: CorpusStats | None = None, terms: tuple[str, ...] = (), contents: tuple[str, ...] = (),
                 titles_judged: bool = False, keep: tuple[str, ...] = ()) -> None:
        self.lines, self.outline, self.allow_parts = lines, outline, allow_parts
        self.titles_judged, self.keep = titles_judged, keep
        self.terms = terms
        self.contents = contents
        self.stats = stats
        self.out = Built()
        self.glossary: str | None = None
        self.gloss_n = self.gloss_part = 0
        self.titles: dict[int, tuple[str, str]] = {}
        self._joined: str | None = None  # the lines of prose, one per line, made when first read (_written_across)
        self.opened: dict[tuple[str, int, str], int] = {}  # the headings opened so far that a copy may carry along
        # (COPIED_KINDS), and their lines
        # spaces squeezed out of a line (a PDF's spurious ones around figures) shorten it: where the lengths as read
        # spread too much to show the width, the lengths as printed show it
        self.wrap = wrap_width(lines) or raw_wrap_width(lines)
        self.raw_wrap = raw_wrap_width(lines) if self.wrap else None
        self.spaced, self.gap = False, 1
        if self.wrap:
            self.spaced = self._spaced()
            self._join_wrapped_headings()
        self._join_broken_headings()

    def _spaced(self) -> bool:
        """Does the layout put a blank line between the lines of a wrapped paragraph? (Most lines cut at the wrap
        width are followed by a blank line.)"""
        full = [i for i, ln in enumerate(self.lines[:-1])
                if len(ln.text.strip()) >= self.wrap - 1 and not ends_sentence(ln.text.strip())]
        gaps = Counter(next((n for n in range(i + 1, len(self.lines)) if self.lines[n].text.strip()), i + 1) - i - 1
                       for i in full)
        self.gap = max(1, gaps.most_common(1)[0][0]) if gaps else 1  # blank lines between the lines of a paragraph
        return sum(1 for i in full if not self.lines[i + 1].text.strip()) > len(full) / 2

    def _join_wrapped_headings(self) -> None:
        """A numbered heading fused with its text and broken at the wrap width: its line is the first line of a
        paragraph, so the rest of the paragraph is joined to it before the title is told apart from the text."""
        for i, ln in enumerate(self.lines):
            text = ln.text.strip()
            if not self._full(ln) or ends_sentence(text):
                continue
            head = match_heading(text)
            if head is None or head.kind not in PARALLEL:
                continue
            # a blank line after the heading's line parts it from its text unless the layout spaces every line
            if not self.spaced and i + 1 < len(self.lines) and not self.lines[i + 1].text.strip():
                continue
            joined, j = self._gather(i, text, whole_line=False)
            if j > i + 1:
                self.lines[i] = Line(joined, ln.line, joined)
                for n in range(i + 1, j):
                    self.lines[n] = Line('', self.lines[n].line, '')

    def _join_broken_headings(self) -> None:
        """A numbered heading line broken inside a word (三、培育智能硬件产 / 业园为载体…: a layout that breaks lines at
        names as well as at a margin): the break splits a word of general Chinese (see language.word_across) or a
        number, so the line goes on into the next one, and the two are joined before the title is told apart from the text. A heading
        that ends where its title ends is followed by text that joins no word with it."""
        for i, ln in enumerate(self.lines):
            text = ln.text.strip()
            if not text or ends_sentence(text):
                continue
            head = match_heading(text)
            if head is None or head.kind not in STRUCTURAL + PARALLEL:
                continue
            k = next((n for n in range(i + 1, min(len(self.lines), i + BROKEN_GAP + 2)) if self.lines[n].text.strip()),
                     None)
            if k is None:
                continue
            nxt = self.lines[k].text.strip()
            if match_heading(nxt) or is_stop(nxt) or '\t' in self.lines[k].raw \
                    or not (_goes_on(text, nxt) or word_across(self.stats, text, nxt)) \
                    or head.kind in STRUCTURAL and match_heading(text + nxt) is None:
                continue  # (a chapter's heading joined to a line it cannot hold, a sentence, would be lost)
            self.lines[i] = Line(text + nxt, ln.line, text + nxt)
            self.lines[k] = Line('', self.lines[k].line, '')

    def run(self) -> Built:
        """Build the item."""
        listed = self._listed_titles() if self.contents else {}
        if self.stats is not None:
            self.titles = self._parallel_titles(self.stats, listed)
        self.titles.update(listed)
        i = 0
        while i < len(self.lines):
            i = self._step(i) if self.lines[i].text.strip() else i + 1
        return self.out

    def _step(self, i: int) -> int:
        ln = self.lines[i]
        text = ln.text.strip()
        fused = glossary_match(text)
        if fused is not None:
            return self._open_glossary(i, fused)
        if self.glossary is not None and re.match(r'^\d{1,3}、', text):
            return self._gloss_entry(i)
        if self.glossary is not None and self.gloss_n and not match_heading(text) and not box_match(text):
            return self._gloss_more(i)
        box = box_match(text)
        if box:
            return self._box(i, box)
        cap = caption_match(text)
        if cap or '\t' in ln.raw:
            return self._table(i, cap)
        head = match_heading(text)
        if head and i in self.titles:
            head = replace(head, title=self.titles[i][0], rest=self.titles[i][1])
        if head and (head.title or head.rest) and head.kind != 'numd' \
                and (self.outline.accepts(head.kind, head.ordinal) or self._copied(head) is not None):
            return self._heading(i, head)
        if self._stray_line(i, text):
            self.out.removed.append(Removal('spam', text, ln.line, STRAY_REASON, None, self._around(i)))
            return i + 1
        if self._is_part(i, text):
            self._emit_heading('part', 0, '', text, ln.line)
            return i + 1
        text, j = self._gather(i, text, whole_line=True)
        text = self._salutation_rest(i, text)
        self._paragraph(text, ln.line, 'bullet' if text.startswith('——') else 'text')
        return j

    def _salutation_rest(self, i: int, text: str) -> str:
        """A salutation (各位代表：) without the words after its colon where they stand alone (see _stray_line): no
        sentence runs on after a salutation on its line, and a string there that reads as junk (ALONE_LEAD) is
        dropped and reported like a stray line."""
        head, colon, rest = text.partition('：') if '：' in text else text.partition(':')
        rest = rest.strip()
        if not (rest and self.titles_judged and SALUTATION.match(text)) or re.search(r'\s', rest) \
                or any(k and k in rest for k in self.keep) or len(rest) < language.LINE_MIN_CHARS \
                or language.line_lead(rest) < language.ALONE_LEAD:
            return text
        self.out.removed.append(Removal('spam', rest, self.lines[i].line, STRAY_REASON, None, text))
        return head + colon

    def _parallel_titles(self, stats: CorpusStats, listed: dict[int, tuple[str, str]]) -> dict[int, tuple[str, str]]:
        """Titles and run-in text of sibling headings whose titles are fused with their text (see runin). A sibling
        whose title the document lists elsewhere (`listed`: a table of contents, the heading on a line of its own in
        another copy) counts as a title standing alone."""
        groups: list[list[tuple[int, str, str]]] = []
        open_groups: dict[str, list[tuple[int, str, str]]] = {}
        for i, ln in enumerate(self.lines):
            text = ln.text.strip()
            head = match_heading(text) if text else None
            if head is None or head.kind not in ORDER:
                continue
            rank = ORDER.index(head.kind)
            for kind in [k for k in open_groups if ORDER.index(k) > rank or (k == head.kind and head.ordinal == 1)]:
                groups.append(open_groups.pop(kind))
            if head.kind in PARALLEL:
                # (a title told apart by a colon or a repeated year stands as told: its text after it is no title's)
                told = head.title if head.split in ('colon', 'year') else text[len(head.marker):].strip()
                open_groups.setdefault(head.kind, []).append((i, told, head.split))
        groups.extend(open_groups.values())
        titles: dict[int, tuple[str, str]] = {}
        for group in groups:
            texts = [listed[i][0] if i in listed else t for i, t, _ in group]
            # a title on a line of its own, or told apart by a colon or a repeated year, is not fused: it ends where
            # it ends, and its length and commas tell where its fused siblings' titles end
            # (a line as long as the text's wrap width is the first line of a paragraph cut at the margin)
            fixed = [how in ('colon', 'year') or how == 'line' and not self._at_margin(i) or i in listed
                     for i, _, how in group]
            if all(fixed):
                continue
            texts = [self._without_tail(t) if f else t for t, f in zip(texts, fixed)]
            alone = any(how == 'line' and not self._at_margin(i) or i in listed for i, _, how in group)
            ends = split_parallel(texts, stats, fixed) if is_fused_group(texts, fixed, alone) else None
            if ends is None and any(fixed):
                # a line that holds more clauses than the titles standing alone is the first line of a fused
                # heading's paragraph (cut at the margin), not a title on its own
                fewest = min(_clauses(t) for t, f in zip(texts, fixed) if f)
                fixed = [f and not (how == 'line' and i not in listed and _clauses(t) > fewest)
                         for (i, _, how), t, f in zip(group, texts, fixed)]
                ends = split_parallel(texts, stats, fixed) if is_fused_group(texts, fixed, alone) else None
            for (i, text, _), k, sure in zip(group, ends or (), fixed):
                if not sure:
                    titles[i] = (text[:k], text[k + 1:] if text[k:k + 1] == '。' else text[k:])
        return titles

    def _without_tail(self, title: str) -> str:
        """A title standing alone as the outline will name it: without a string appended to it that reads as
        advertising (see _title_without_junk), which would lend its fused siblings a length no title has."""
        found = self._junk_in_title(title) if self.titles_judged else None
        return title if found is None else (title[:found[0].start] + title[found[0].end:]).rstrip()

    def _junk_in_title(self, title: str) -> tuple[language.Span, str] | None:
        """The string in a title that reads as advertising (see language.title_junk), or else a tail of it that
        stands alone after a head where the document's clauses end (see language.stray_tail), with the reason it is
        cut; none that an administrator kept or whose cut would take the last character of a word the title breaks
        off."""
        span, reason = language.title_junk(title), LANGUAGE_REASON
        if span is None and self.stats is not None:
            span, reason = language.stray_tail(title, self.stats.phrase_ends), TAIL_REASON
        if span is None or any(k and k in title[span.start - 2:] for k in self.keep) or language.dangling(title, span):
            return None
        return self._own_start(title, span), reason

    def _own_start(self, title: str, span: language.Span) -> language.Span:
        """The span without its first character where that character and the title's one before it form a pair
        the document says OWN_NAME times on its other lines (建设美丽青 + 川 + an advertisement: 青川, the district's
        name): the document's own words, however the span reads; what is left is cut only if long enough to cut."""
        pair = title[span.start - 1:span.start + 1] if span.start else ''
        if len(pair) < 2 or not all(_HAN.match(c) for c in pair) \
                or len(_HAN.findall(title[span.start + 1:span.end])) < language.CUT_MIN_CHARS:
            return span
        said = sum(ln.text.count(pair) for ln in self.lines) - sum(ln.text.count(title) for ln in self.lines)
        return replace(span, start=span.start + 1) if said >= language.OWN_NAME else span

    def _at_margin(self, i: int) -> bool:
        """Line `i` is as long as the text's wrap width: cut at the margin, it need not end where a title ends."""
        return self._full(self.lines[i])

    def _full(self, line: Line) -> bool:
        """Whether a line fills the text's wrap width, as read or as printed (raw_wrap): spurious spaces that a PDF
        put into a line cut at the margin (打  造, 高\xa0 校) make it shorter once they are squeezed out."""
        return bool(self.wrap) and (len(line.text.strip()) >= self.wrap - WRAP_SLACK
                                    or self.raw_wrap is not None and _printed(line) >= self.raw_wrap - WRAP_SLACK)

    def _listed_titles(self) -> dict[int, tuple[str, str]]:
        """Titles of numbered headings fused with their text, where the table of contents lists the heading: the
        title is the longest listed one the line starts with (after its marker)."""
        titles: dict[int, tuple[str, str]] = {}
        for i, ln in enumerate(self.lines):
            text = ln.text.strip()
            head = match_heading(text) if text else None
            if head is None or head.kind not in PARALLEL:
                continue
            rest = text[len(head.marker):].strip()
            folded = compact_key(head.marker + rest)
            listed = max((t for t in self.contents if folded.startswith(t) and len(folded) > len(t)), key=len,
                         default=None)
            if listed is None:
                continue
            k = next((k for k in range(1, len(rest) + 1) if compact_key(head.marker + rest[:k]) == listed), None)
            if k is not None and k < len(rest):
                titles[i] = (rest[:k], rest[k + 1:] if rest[k] == '。' else rest[k:])
        return titles

    def _is_part(self, i: int, text: str) -> bool:
        if not self.allow_parts or not self._title_line(i, text) or text[0] in '(（' or re.match(r'^\d+年\d+月', text):
            return False
        k = next((n for n in range(i + 1, len(self.lines)) if self.lines[n].text.strip()), None)
        nxt = self.lines[k].text.strip() if k is not None else ''
        if len(nxt) >= 50 or nxt and not match_heading(nxt) and len(self._gather(k, nxt, whole_line=False)[0]) >= 50:
            return True  # (a paragraph follows: on one line, or wrapped at a margin narrower than that)
        # a plain title right before sections that number from 一、 again (a report's second part) is a part heading
        head = match_heading(nxt)
        return bool(head and head.kind == 'cn' and head.ordinal == 1 and self.outline.last.get('cn'))

    def _stray_line(self, i: int, text: str) -> bool:
        """A line of no sentence standing alone where the document's structure leaves no place for it: no heading,
        and no first piece of a paragraph (see _title_line), that reads as junk (language.line_lead) at least
        ALONE_LEAD (a lead no title of government prose has), ALONE_CHARS characters at most; or, inside a numbered
        section (the numbering of the section's siblings goes on after it, so it opens no part of its own), after a
        heading or a sentence's end and with no table next to it, at least LONE_LEAD. A document's own short lines
        there (a project's name, 名校战略工程; the first piece of a paragraph broken before a name, 推进临河 /
        商务区二期建设…) read as its prose by far. Lines an administrator kept stay."""
        if not self.titles_judged or match_heading(text) or re.search(r'\s', text) \
                or any(k and k in text for k in self.keep):
            return False
        before = next((ln for ln in reversed(self.lines[:i]) if ln.text.strip()), None)
        after = next((ln for ln in self.lines[i + 1:] if ln.text.strip()), None)
        if before is None or after is None or '\t' in after.raw or row_of_cells(after):
            return False
        if not (self._title_line(i, text) or is_plain_title(text) and not self._full(self.lines[i])
                and match_heading(after.text.strip())):
            return False  # (no text runs on into a heading)
        lead = language.line_lead(text)
        if lead >= language.ALONE_LEAD and language.LINE_MIN_CHARS <= len(text) <= language.ALONE_CHARS:
            return True
        prior = before.text.strip()
        beside_table = '\t' in before.raw or row_of_cells(before)
        return not beside_table and (ends_sentence(prior) or bool(match_heading(prior))) \
            and lead >= language.LONE_LEAD and self._within_series(i)

    def _stray_rest(self, i: int, rest: str) -> bool:
        """Whether what follows a heading's title on its line (see _parallel_titles, _listed_titles) is no text of
        it but a string standing alone (see _stray_line): words of no sentence, ending the line where no paragraph
        runs on, that read as junk about as well as government prose."""
        return self.titles_judged and self._title_line(i, rest) and not re.search(r'\s', rest) \
            and not any(k and k in rest for k in self.keep) and language.line_lead(rest) >= language.LONE_LEAD

    def _within_series(self, i: int) -> bool:
        """Whether line `i` stands inside the series of the item's top numbered headings: one of them is open, and
        the next one after the line goes on with its numbering (一、 … 二、), where a part would start it again."""
        kinds = [k for k in ORDER if k in self.outline.last and k != 'part']
        if not kinds:
            return False
        top = kinds[0]
        for ln in self.lines[i + 1:]:
            head = match_heading(ln.text.strip()) if ln.text.strip() else None
            if head is not None and head.kind == top:
                return head.ordinal == self.outline.last[top] + 1
        return False

    def _around(self, i: int) -> str:
        """The lines either side of line `i`, for a reviewer."""
        before = next((ln.text.strip() for ln in reversed(self.lines[:i]) if ln.text.strip()), '')
        after = next((ln.text.strip() for ln in self.lines[i + 1:] if ln.text.strip()), '')
        return f'{before[-AROUND:]}\n{self.lines[i].text.strip()}\n{after[:AROUND]}'

    def _title_line(self, i: int, text: str) -> bool:
        """A short line without punctuation reads as a title, unless it is the first piece of a paragraph broken
        at the margin: it fills the text's wrap width (a title is shorter than a full line), the next line goes on
        with punctuation, or a known name (a platform, an industry) or a word of general Chinese (产业|园) runs across
        the break."""
        if not is_plain_title(text) or (self.wrap and len(text) >= self.wrap - 1):
            return False
        nxt = next((ln.text.strip() for ln in self.lines[i + 1:] if ln.text.strip()), '')
        return not (nxt and (nxt[0] in CONTINUES or text[-1] in OPENS or self._name_across(text, nxt)
                             or word_across(self.stats, text, nxt) or language.runs_across(text, nxt)
                             or self._written_across(text, nxt)))

    def _written_across(self, text: str, nxt: str) -> bool:
        """Whether the two Chinese characters either side of the break between `text` and the next line `nxt`, read
        together, are written ACROSS_SAID times within the document's lines of prose (推进临河 / 商务区…: 临河商务): the
        break falls inside a name or a phrase the document writes, not after a title."""
        four = text[-2:] + nxt[:2]
        if len(four) < 4 or not all(_HAN.match(c) for c in four):
            return False
        if self._joined is None:  # the lines of prose, each on its own (a table's cells, repeated with its header,
            # and the short lines of titles say nothing of how the document writes)
            self._joined = '\n'.join(t for t in (ln.text.strip() for ln in self.lines) if _CLAUSE_MARK.search(t))
        return self._joined.count(four) >= ACROSS_SAID

    def _name_across(self, text: str, nxt: str) -> bool:
        head, tail = normalize_for_search(text[-MAX_TERM:]), normalize_for_search(nxt[:MAX_TERM])
        joined = head + tail
        return any(0 <= (at := joined.find(term)) < len(head) < at + len(term) for term in self.terms if len(term) >= 3)

    def _gather(self, i: int, text: str, whole_line: bool) -> tuple[str, int]:
        """Reflow: join following lines while the text lacks final punctuation."""
        j, last = i + 1, i
        if whole_line and self._title_line(i, text):
            return text, j
        while True:
            k = next((n for n in range(j, len(self.lines)) if self.lines[n].text.strip()), None)
            if k is None or ends_sentence(text) and not self._runs_on(last, k) or self._salutation(last, text):
                break
            nxt = self.lines[k]
            if is_stop(nxt.text) or '\t' in nxt.raw or (self.glossary is not None and re.match(r'^\d{1,3}、', nxt.text)):
                break
            if self._numbered_after_short(last, nxt.text) or self._row(self.lines[last]) or self._row(nxt):
                break
            text, j, last = text + nxt.text.strip(), k + 1, k
        return text, j

    def _salutation(self, last: int, text: str) -> bool:
        """A salutation line (各位代表：) stands alone even when a stray string runs on after its colon: the line stops
        short of the margin, so no wrap carries it into the next paragraph."""
        return bool(SALUTATION.match(text)) and not (self.wrap and len(self.lines[last].text.strip()) >= self.wrap - WRAP_SLACK)

    def _row(self, line: Line) -> bool:
        """A table printed on one line (its cells blank-separated) is a block of its own: a line longer than the wrap
        width, if the text has one (a line cut at the margin may hold blank-separated figures)."""
        return row_of_cells(line) and not (self.wrap and len(line.text.strip()) <= self.wrap)

    def _numbered_after_short(self, last: int, nxt: str) -> bool:
        """A numbered item (1.抓实项目攻坚。) after a line that stops short of the margin starts on its own: the line
        before it was not cut by a wrap (with no wrap width, no line is)."""
        head = match_heading(nxt.strip())
        if head is None or head.kind != 'num':
            return False
        return not self.wrap or len(self.lines[last].text.strip()) < self.wrap - WRAP_SLACK

    def _runs_on(self, last: int, k: int) -> bool:
        """Whether a wrapped paragraph whose line `last` ends a sentence goes on at line `k`: the line was cut at the
        wrap width (a full line: the sentence ended where the margin fell) and the next line is right below it, in a
        layout that parts paragraphs with a blank line and not the lines of one (where every line is spaced, a
        full line ending a sentence may as well end its paragraph: it is left to end it)."""
        if not self.wrap:
            return False
        size = len(self.lines[last].text.strip())
        gap = k - last - 1
        if match_heading(self.lines[k].text.strip()) is not None or ARTICLE.match(self.lines[k].text):
            return False
        if self.spaced:  # every line spaced: only a line cut at exactly the margin, as printed, goes on, and not
            # into a line that opens with a lead sentence (落实财政金融政策。…: a paragraph's unnumbered title)
            return (gap == self.gap and self.raw_wrap is not None and _printed(self.lines[last]) == self.raw_wrap
                    and not LEAD.match(self.lines[k].text.strip()))
        # a line whose spaces were squeezed out is short as read: as printed, it fills the width
        return gap == 0 and (self.wrap - WRAP_SLACK <= size <= self.wrap
                             or self.raw_wrap is not None and _printed(self.lines[last]) == self.raw_wrap)

    def _heading(self, i: int, head: HeadingMatch) -> int:
        first = self._copied(head)
        if first is not None:
            line = self.lines[i].line
            self.out.duplicates.append(Removal('duplicate-block', f'{head.marker} {head.title}', line,
                                               f'same heading as the one of line {first}, out of its numbering'))
            self.out.warnings.append(f'repeated text: the heading of line {line} dropped as a copy of line {first}')
            return i + 1
        if head.kind in COPIED_KINDS:
            self.opened.setdefault((head.kind, head.ordinal, compact_key(head.title)), self.lines[i].line)
        self.glossary = None
        self._emit_heading(head.kind, head.ordinal, head.marker, head.title, self.lines[i].line)
        rest = head.rest.strip()
        if rest and self._stray_rest(i, rest):
            self.out.removed.append(Removal('spam', rest, self.lines[i].line, STRAY_REASON, None,
                                            self._around(i)))
            rest = ''
        if not rest:
            return i + 1
        text, j = self._gather(i, rest, whole_line=False)
        self._paragraph(text, self.lines[i].line, 'bullet' if text.startswith('——') else 'text')
        return j

    def _copied(self, head: HeadingMatch) -> int | None:
        """The line of the earlier heading a heading of a title alone copies (第七节 推进产业数字化 again after 第九节,
        二、重点工作安排 again after 四、: a copied block that carried a heading along), where its number goes back in
        the series open (one of a new chapter's starts again from 1, and a title said in two series is no copy
        unless the number goes back); None for any other heading."""
        if head.kind not in COPIED_KINDS or head.rest:
            return None
        key = (head.kind, head.ordinal, compact_key(head.title))
        if key in self.opened and 1 < head.ordinal < self.outline.last.get(head.kind, 0):
            return self.opened[key]
        return None

    def _add(self, target: list[Any], item: ParsedHeading | ParsedParagraph) -> None:
        target.append(item)
        self.out.flow.append(item)

    def _emit_heading(self, kind: str, ordinal: int, marker: str, title: str, line: int) -> None:
        if self.titles_judged:
            title = self._title_without_junk(title, line)
        self._add(self.out.headings, self.outline.push(kind, ordinal, marker, title, line))

    def _title_without_junk(self, title: str, line: int) -> str:
        """The title without a string appended to it, or inserted inside one of its words, that reads as
        advertising (see _junk_in_title): cut before the outline names the heading, and reported like a string cut
        from a paragraph."""
        found = self._junk_in_title(title)
        if found is None:
            return title
        span, reason = found
        confidence = span.confidence if reason == LANGUAGE_REASON else None
        self.out.removed.append(Removal('spam', title[span.start:span.end], line, reason, confidence, title))
        return (title[:span.start] + title[span.end:]).rstrip()

    def _paragraph(self, text: str, line: int, kind: str, base: str | None = None,
                   markers: list[str] | None = None, unit: str = '段', path: list[str] | None = None) -> None:
        text = text.strip()
        if not text:
            return
        anchor, n = self.outline.next_paragraph(base)
        cite = self.outline.citation(n, markers, unit)
        self._add(self.out.paragraphs,
                  ParsedParagraph(0, kind, text, path or self.outline.heading_path(), anchor, cite, line))

    def _open_glossary(self, i: int, fused: str) -> int:
        self.glossary = self.outline.prefix + 'gl'
        self.gloss_n = 0
        title = self.lines[i].text.strip()
        title = title[:len(title) - len(fused)] if fused else title
        anchor = self.outline.unique(self.glossary)
        self._add(self.out.headings, ParsedHeading(1, '名词解释', title, anchor, [title], self.lines[i].line))
        if fused.strip():
            self._gloss_text(fused.strip(), self.lines[i].line)
        return i + 1

    def _gloss_entry(self, i: int) -> int:
        text, j = self._gather(i, self.lines[i].text.strip(), whole_line=False)
        self._gloss_text(text, self.lines[i].line)
        return j

    def _gloss_more(self, i: int) -> int:
        """A further paragraph of the glossary entry above (an entry may run over several)."""
        text, j = self._gather(i, self.lines[i].text.strip(), whole_line=False)
        self.gloss_part += 1
        anchor = self.outline.unique(f'{self.glossary}.e{self.gloss_n}.p{self.gloss_part}')
        root = [self.outline.root] if self.outline.root else []
        cite = ' '.join(root + ['名词解释', f'第{self.gloss_n}条', f'第{self.gloss_part}段'])
        self._add(self.out.paragraphs, ParsedParagraph(0, 'glossary', text, root + ['名词解释'], anchor, cite,
                                                       self.lines[i].line))
        return j

    def _gloss_text(self, text: str, line: int) -> None:
        m = re.match(r'^(\d{1,3})、', text)
        self.gloss_n = int(m.group(1)) if m else self.gloss_n + 1
        self.gloss_part = 1
        anchor = self.outline.unique(f'{self.glossary}.e{self.gloss_n}')
        root = [self.outline.root] if self.outline.root else []
        cite = ' '.join(root + ['名词解释', f'第{self.gloss_n}条'])
        self._add(self.out.paragraphs, ParsedParagraph(0, 'glossary', text, root + ['名词解释'], anchor, cite, line))

    def _box(self, i: int, box: re.Match[str]) -> int:
        marker = re.sub(r'\s+', '', self.lines[i].text[:box.end(1)])
        number = cn_to_int(box.group(1)) or 0
        base = self.outline.unique(f'{self.outline.prefix}box{number}')
        caption = self.lines[i].text.strip()
        level = len(self.outline.heading_path()) + 1
        self._add(self.out.headings, ParsedHeading(level, marker, box.group(2), base,
                                                   self.outline.heading_path() + [marker], self.lines[i].line))
        data, j = read_table(self.lines, i + 1, is_stop)
        path = self.outline.heading_path() + [caption]
        self._record_table(caption, base, data, self.lines[i].line)
        if data.structured and len(data.header) == 2:
            for row in data.rows:
                self._paragraph('\t'.join(row), self.lines[i].line, 'box', base, [marker], path=path)
        elif data.cells or data.notes:
            self._paragraph(data.text(), self.lines[i].line, 'table', base, [marker], path=path)
            self.out.tables[-1].paragraph = self.out.paragraphs[-1].anchor
        return j

    def _table(self, i: int, cap: tuple[str, str] | None) -> int:
        start = i + 1 if cap else i
        caption = self.lines[i].text.strip() if cap else ''
        data, j = read_table(self.lines, start, is_stop)
        anchor, n = self.outline.next_paragraph()
        table = self._record_table(caption, anchor, data, self.lines[i].line)
        text = '\n'.join(x for x in (caption, data.text()) if x)
        cite = self.outline.citation(n)
        self._add(self.out.paragraphs, ParsedParagraph(0, 'table', text, self.outline.heading_path(), anchor, cite,
                                                   self.lines[i].line))
        return max(j, i + 1) if table else j

    def _record_table(self, caption: str, anchor: str, data: TableData, line: int) -> ParsedTable:
        missing = not data.rows and not data.cells
        table = ParsedTable(caption, anchor, data.header, data.rows, data.notes, missing,
                            data.structured and not missing, line, anchor)
        if missing:
            self.out.warnings.append(f'table without body: {caption or "(no caption)"} (line {line})')
        elif not data.structured:
            self.out.warnings.append(f'table kept as text, structure not recovered: {caption} (line {line})')
        self.out.tables.append(table)
        self.out.removed.extend(data.removed)
        self.out.warnings.extend(f'{caption or "(no caption)"}: {w}' for w in data.warnings)
        return table
