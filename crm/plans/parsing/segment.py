"""Split a raw document into items (web-page articles) and logical lines; find the table of contents."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from . import language
from .junk import DATE_ONLY, SEPARATOR
from .text import CN_NUM, clean_line, cn_to_int, compact_key, squeeze_spaces, unify_spaces


@dataclass
class Line:
    """One logical line of text with its 1-based source line number."""
    text: str
    line: int
    raw: str = ''


@dataclass
class Item:
    """A document or one article of a web-page collection."""
    title: str | None
    lines: list[Line] = field(default_factory=list)
    ordinal: int = 0
    title_line: int = 0


_TOC_LINE = re.compile(rf'^\s*((第[{CN_NUM}\d]+[篇章节])|[{CN_NUM}]+、|[(（][{CN_NUM}]+[)）]|\d+(\.\d+)*\s).{{0,60}}?'
                       r'(\t+|\s{2,}|[.．·…]{2,}\s*|\s+)\d{1,3}\s*$')
_TOC_TITLE = re.compile(r'^\s*目\s*录\s*$')


def find_web_items(lines: list[Line]) -> list[tuple[int, int, int]] | None:
    """Return (title_idx, body_idx, date_idx) triples when the text is a collection of web articles."""
    triples = []
    filled = [i for i, ln in enumerate(lines) if ln.text.strip()]  # a double-spaced page: blank lines between
    for n, i in enumerate(filled):
        if not DATE_ONLY.match(lines[i].text.strip()) or n < 2:
            continue
        body, title = filled[n - 1], filled[n - 2]
        if len(lines[body].text) > 200 and 0 < len(lines[title].text.strip()) <= 80:
            triples.append((title, body, i))
    return triples if len(triples) >= 2 else None


_PAGE_REF = re.compile(r'^.{2,50}?(\t+|\s{2,}|[.．·…]{2,}\s*|\s)\d{1,3}\s*$')


def find_toc(lines: list[Line]) -> set[int]:
    """Indexes of table-of-contents lines (headings followed by page numbers) near the start."""
    limit = max(len(lines) // 4, 40)
    title = next((i for i, ln in enumerate(lines[:limit]) if _TOC_TITLE.match(ln.text)), None)
    if title is not None:
        return {title} | _toc_block(lines, title + 1)
    hits = [i for i, ln in enumerate(lines[:limit]) if _TOC_LINE.match(ln.raw or ln.text)]
    return set(hits) if len(hits) >= 3 else set()


def toc_titles(lines: list[Line]) -> tuple[str, ...]:
    """The headings a table of contents lists, without their page numbers and leaders, in comparison form (NFKC,
    no whitespace): the document's own word on where each section title ends."""
    out = []
    for i in sorted(find_toc(lines)):
        text = unicodedata.normalize('NFKC', lines[i].raw or lines[i].text).strip()
        text = compact_key(re.sub(r'[\s.…·—_-]*\d{1,3}\s*$', '', text))
        if 2 <= len(text) <= 60 and not _TOC_TITLE.match(text):
            out.append(text)
    return tuple(out)


def _toc_block(lines: list[Line], start: int) -> set[int]:
    """Contiguous page-referenced lines after a 目录 title (blank lines allowed)."""
    block: set[int] = set()
    for i in range(start, len(lines)):
        text = lines[i].raw or lines[i].text
        if not text.strip():
            continue
        if not _PAGE_REF.match(text) or '。' in text:
            break
        block.add(i)
    return block


_INLINE_MARK = re.compile(rf'(?:(?<=[。！？；!?”":：])\s*|(?<=[^第\s])\s+|^\s*)(?P<m>[{CN_NUM}]+、|[(（][{CN_NUM}]+[)）]'
                          r'|\d{1,2}[.．](?!\d)|(?:附件)?名词解释)')


def split_inline(text: str, line: int) -> list[Line]:
    """Split a line holding a whole article into logical lines at its heading markers (in numbering order)."""
    cuts, counters = [], {'cn': 0, 'paren': 0, 'num': 0}
    for m in _INLINE_MARK.finditer(text):
        kind, ordinal = _marker_kind(m.group('m'))
        if kind == 'gloss':
            cuts.append(m.start('m'))
            counters['num'] = 99
            continue
        if ordinal is None or ordinal not in (counters[kind] + 1, 1):
            continue
        if ordinal == 1 and counters[kind] and kind == 'cn' and m.start() != 0:
            continue
        counters[kind] = ordinal
        if kind == 'cn':
            counters['paren'] = counters['num'] = 0
        cuts.append(m.start('m'))
    return _cut(text, sorted(set(cuts) | set(paragraph_breaks(text))), line)


_PARAGRAPH_END = '。！？；：:!?;”"'
_SPACE_RUN = re.compile(r'[\s\u00a0\u3000]+')
_HEADED = re.compile(rf'^(?:第[{CN_NUM}\d]+(?:[篇章节]|部分)|[{CN_NUM}]+、|[(（][{CN_NUM}]+[)）])\s*(\S.*)$')


_CLOSING = '”’"\'」』）)》】，,。；;：:、！？!?'


TITLE_CLAUSE = 12  # a numbered title in two clauses (坚持创新驱动，建设科创新城): each at most this long …
CLAUSE_MIN = 3  # … and at least this long (推动绿色发展，建设 + a blank: the title goes on past the blank)
_TITLE_WORD = re.compile(r'(纲要|规划|报告|计划|草案|意见|方案|办法|决定|回顾|情况|说明|任务|目标|举措|措施|形势|思路|要求)$')


def _plain_title(text: str, clauses: int = 1) -> bool:
    """A heading's title: short, no sentence punctuation, quotes closed (not a sentence cut at a quote's blank),
    and at most `clauses` clauses of a few words each (a numbered title may pair two: 坚持创新驱动，建设科创新城)."""
    parts = re.split(r'[，,、]', text)
    return (len(text) <= 40 and not re.search(r'[。；;：:]', text) and text[-1] not in '“‘"\'《(（「『【，,、'
            and (len(parts) == 1 or len(parts) <= clauses and all(CLAUSE_MIN <= len(p) <= TITLE_CLAUSE for p in parts))
            and text.count('“') == text.count('”') and text.count('"') % 2 == 0)


def _section_title(text: str) -> bool:
    """An unnumbered section title standing before its text (2024年国民经济和社会发展计划执行情况): a plain title
    that ends with a word naming a kind of document or section."""
    return 6 <= len(text) <= 30 and _plain_title(text) and bool(_TITLE_WORD.search(text))


def paragraph_breaks(text: str) -> list[int]:
    """Where the paragraphs of an article printed on one line begin.

    A web page that prints a whole body on one line separates its paragraphs with one kind of blank (a space, two
    ideographic spaces, two NBSPs): the blank that most often follows a sentence's final mark, when it does so more
    than once (Chinese prose puts no space after 。). Every such blank after a final mark breaks a paragraph, and so
    does one after a numbered heading's title (一、发展基础 …), which ends with no mark, unless the blank falls inside
    a word or a figure (二、主要任 务, 到2027 年: a stray blank of the same kind within the title or its text)."""
    runs = [m for m in _SPACE_RUN.finditer(text) if m.start() > 0 and m.end() < len(text)]
    after_end = Counter(m.group(0) for m in runs if _mark_before(text, m.start()) in _PARAGRAPH_END)
    if not after_end:
        return []
    sep, count = after_end.most_common(1)[0]
    if count < 2:
        return []
    cuts, last = [], 0
    table = None  # where an inline table's caption starts, while its cells run on (the caption may stand apart)
    for m in runs:
        if m.group(0) != sep:
            continue
        if text[m.end()] in _CLOSING and not _opening_quote(text, m.end()):
            continue  # a blank before a closing mark (“ 最多跑一次 ”) is inside a sentence
        before = text[last:m.start()].strip()
        if table is None and _TABLE_CAPTION.match(before):
            table = last
        head = _HEADED.match(before)
        title = head and _without_junk(clean_line(head.group(1)))  # (judged as it will stand: a stray blank inside
        # it, 建\xa0 设 or a string's own 战帝 传, squeezed out as every line's are)
        after_end = last == 0 or _mark_before(text, last - len(sep)) in _PARAGRAPH_END  # (past bold marks: 。**)
        ended = _mark_before(text, m.start()) in _PARAGRAPH_END or (
            table is not None and _after_table(text[table:m.start()].strip(), text, m.end()))
        if ended or (head and _plain_title(title, clauses=2) and not _figure_after(title, text[m.end():])
                     and not language.runs_across(before, text[m.end():m.end() + language.BREAK_REACH])) or (
                after_end and not head and _section_title(before)) or (_CHAPTER_START.match(text, m.end()) and before):
            cuts.append(m.end())
            last = m.end()
            table = None if ended else table
    return cuts


def _figure_after(title: str, rest: str) -> bool:
    """Whether the text after a blank opens with a figure that the title's last words lead into (研发投入强度达到 +
    blank + 2.9%: a verb's object) or with a bare amount: a stray blank inside a figure's sentence, not a title's end
    (a text opens with a date, not a quantity)."""
    return language.leads_into_figure(title, rest) or language.opens_with_amount(rest)


def _without_junk(title: str) -> str:
    """A heading's title without a string appended to it that reads as advertising (see language.title_junk): the
    title is judged as it will stand once that is cut."""
    span = language.title_junk(title) if len(title) > TITLE_CLAUSE else None
    return title[:span.start] + title[span.end:] if span else title


def _mark_before(text: str, pos: int) -> str:
    """The character before `pos`, past emphasis marks (a sentence set in bold: **…。**)."""
    stripped = text[:pos].rstrip('*')
    return stripped[-1] if stripped else ''


_CHAPTER_START = re.compile(rf'第[{CN_NUM}\d]+(?:[篇章节]|部分)(?![{CN_NUM}、])\s*[^\s，,。；;、的]')
_TABLE_CAPTION = re.compile(r'^表\s*[\d一二三四五六七八九十]')
_TABLE_NOTE = re.compile(r'^(注|说明|备注|资料来源|数据来源)\s*[:：]')
_PROSE = re.compile(r'[^\s]{6,}?[，,；;。][^\s]{6,}')


def _after_table(before: str, text: str, pos: int) -> bool:
    """A table printed inline (caption, then its cells between blanks) ends where prose begins: a stretch up to the
    next blank that holds clause punctuation, which a figure or a cell name does not."""
    if not _TABLE_CAPTION.match(before):
        return False
    nxt = _SPACE_RUN.search(text, pos)
    stretch = text[pos:nxt.start() if nxt else len(text)]
    return bool(_PROSE.match(stretch)) and not _TABLE_NOTE.match(stretch)


def _opening_quote(text: str, pos: int) -> bool:
    """An ASCII double quote at `pos` that opens a quotation (an even number of them before it)."""
    return text[pos] == '"' and text.count('"', 0, pos) % 2 == 0


def _marker_kind(marker: str) -> tuple[str, int | None]:
    if '名词解释' in marker:
        return 'gloss', None
    if marker[0] in '(（':
        return 'paren', cn_to_int(marker[1:-1])
    if marker[0].isdigit():
        return 'num', int(re.match(r'\d+', marker).group(0))
    return 'cn', cn_to_int(marker[:-1])


def _cut(text: str, cuts: list[int], line: int) -> list[Line]:
    bounds = [0] + [c for c in cuts if c > 0] + [len(text)]
    out: list[Line] = []
    for start, end in zip(bounds, bounds[1:]):
        piece = text[start:end].strip()
        if piece:
            out.extend(_split_title_space(piece, line))
    return out


def _split_title_space(piece: str, line: int) -> list[Line]:
    """`一、园区定位与空间布局 杭州下城区…` -> heading line + body line (the space separates them in web pages), unless
    a word or a figure runs across the space, the title ends on a preposition whose object is the figure after the
    space (一、总体目标到 2027 年，…), what follows it opens with an amount (…地区生产总值 1182亿元) or with a clause of
    one character (（七）推动绿色低碳，…): a stray blank inside the title or its text."""
    m = re.match(rf'^([{CN_NUM}]+、|[(（][{CN_NUM}]+[)）])\s*([^\s。,，;；:：“”"《(（]{{2,30}})\s+(\S.*)$', piece)
    if m and len(m.group(3)) > 10 and not language.runs_across(m.group(2), m.group(3)) \
            and not _figure_after(m.group(2), m.group(3)) \
            and not re.match(r'^.[，,、；;。：:]', m.group(3)):
        head = m.group(1) + m.group(2)
        return [Line(squeeze_spaces(head), line, head), Line(squeeze_spaces(m.group(3)), line, m.group(3))]
    return [Line(squeeze_spaces(piece), line, piece)]


def gloss_entries(text: str, line: int) -> list[Line]:
    """Split an inline glossary `名词解释1、…2、…` into one line per numbered entry."""
    cuts, expected = [], 1
    for m in re.finditer(r'(?<![\d.])(\d{1,3})、', text):
        if int(m.group(1)) == expected:
            cuts.append(m.start())
            expected += 1
    return _cut_plain(text, cuts, line) if expected > 2 else [Line(text, line, text)]


def _cut_plain(text: str, cuts: list[int], line: int) -> list[Line]:
    bounds = [0] + [c for c in cuts if c > 0] + [len(text)]
    return [Line(text[a:b].strip(), line, text[a:b]) for a, b in zip(bounds, bounds[1:]) if text[a:b].strip()]


def raw_lines(text: str) -> list[Line]:
    """Split decoded text into lines with unified spaces (tabs kept), numbered from 1."""
    text = text.replace('\r\n', '\n').replace('\r', '\n')
    return [Line(unify_spaces(t, keep_tabs=True).rstrip(), i + 1, t) for i, t in enumerate(text.split('\n'))]


def is_separator(text: str) -> bool:
    """True for an item separator line such as `-`."""
    return bool(SEPARATOR.match(text))
