"""Detect strings injected into the real text: SEO/novel spam, stray asterisks, markdown residue."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

from . import language
from .corpus import CorpusStats, pair_counts
from .model import Corrections, ParsedParagraph, Removal, Suspect
from .text import CJK

# Words of the strings search-engine spam injects into scraped pages: web-novel titles and reading sites, gambling
# and streaming ads. Only a short run ending in one of them, standing between two sentences, is cut.
SPAM_CUES = ('小说', '笔记', '首长', '往事', '官场', '全文阅读', '免费阅读', '最新章节', '无弹窗', 'txt下载', '番外', '全集',
             '笔趣阁', '小说网', '娱乐城', '百家乐', '时时彩', '六合彩', '老虎机', '在线观看', '免费下载')
HEADING_ENDS = ('回顾', '成绩', '说明', '工作', '情况', '成就', '任务', '目标', '举措', '措施', '形势', '思路', '要求')
_CUE_RUN = re.compile('(?:' + '|'.join(SPAM_CUES) + ')+')
_NUMBER_SPAM = re.compile(r'\d+万\d+(?![\d.万亿千百元个家%‰年月日人户项平吨])')
_BOUNDARY = '。！？；;!?'
_MAX_PREFIX = 4
REJOIN_REACH = 8  # characters after a cue within which the words before it may go on as one word (来之 + … + 不易)
REJOIN_WORD = 3  # characters such a word has at least (a pair joins by chance)


def _left_boundary(text: str, start: int) -> int | None:
    """Start of an injected run ending at a cue: a sentence end, a heading end word or the text start."""
    for width in range(0, _MAX_PREFIX + 1):
        pos = start - width
        if pos < 0:
            return None
        if pos == 0 or text[pos - 1] in _BOUNDARY or any(text[:pos].endswith(w) for w in HEADING_ENDS):
            if all(re.match(f'[{CJK}0-9]', c) for c in text[pos:start]):
                return pos
        if pos > 0 and not re.match(f'[{CJK}]', text[pos - 1]):
            return None
    return None


_CONTINUATION = re.compile(r'(产业|创作|作家|作者|市场|平台|行业|发展|出版|阅读|改编|IP|等|和|与|及|的|、)')


def _next_is_sentence(text: str, end: int) -> bool:
    """What follows the run starts a new sentence rather than continuing the run as a noun phrase."""
    return end < len(text) and bool(re.match(f'[{CJK}0-9“"《(（]', text[end])) and not _CONTINUATION.match(text, end)


def _rejoined_later(text: str, start: int, end: int) -> bool:
    """Whether the words before text[start:end] go on as a word of general Chinese of REJOIN_WORD characters or
    more (来之 + 不易) from a place up to REJOIN_REACH characters after it, within the sentence: the run of junk went on
    past the cue, and the words before it are the sentence's."""
    for k in range(end + 1, min(len(text), end + REJOIN_REACH) + 1):
        if text[k - 1] in _BOUNDARY + '，,、：:':
            return False
        word = language.word_across(text[:start], text[k:])
        if word is not None and len(word) >= REJOIN_WORD:
            return True
    return False


def find_spam(text: str, before: str = '') -> list[tuple[int, int]]:
    """Spans of injected spam runs in a cleaned line (`before`: the line before it, if the text runs on from it)."""
    spans: list[tuple[int, int]] = []
    for match in list(_CUE_RUN.finditer(text)) + list(_NUMBER_SPAM.finditer(text)):
        start = _left_boundary(text, match.start())
        if start is None or not _next_is_sentence(text, match.end()):
            continue
        if match.end() - start > 10:
            continue
        if start == 0 < match.start() and before and language.word_across(before, text[:match.start()]):
            start = match.start()  # the line goes on a word the line before broke off (服务中 / 心 + cue): its
            # first characters are the sentence's, not a title's
        if start < match.start() and language.official_edge(text[start:match.start()]):
            continue  # the words before the cue are government prose (全区上下…): the sentence's, not the run's
        if start < match.start() and language.word_across(text[:match.start()], text[match.end():]):
            start = match.start()  # the cue stood inside a word of the sentence (坚 + cue + 实): the words are its own
        elif start < match.start() and _rejoined_later(text, match.start(), match.end()):
            start = match.start()  # the run went on past the cue inside a word of the sentence (成绩来之 + cue… +
            # 不易: 来之不易): the words before the cue are the sentence's, not a title's
        spans.append((start, match.end()))
    return sorted(set(spans))


def remove_spans(text: str, spans: list[tuple[int, int]], kind: str, reason: str, line: int,
                 removed: list[Removal]) -> str:
    """Cut the given spans out of the text, recording each removal."""
    for start, end in sorted(spans, reverse=True):
        removed.append(Removal(kind, text[start:end], line, reason))
        text = text[:start] + text[end:]
    return text


def _occurrences(text: str, needles: Iterable[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for needle in needles:
        start = text.find(needle)
        while needle and start >= 0:
            if all(start >= e or start + len(needle) <= s for s, e in spans):
                spans.append((start, start + len(needle)))
            start = text.find(needle, start + len(needle))
    return spans


def strip_injections(text: str, line: int, removed: list[Removal], corrections: Corrections = Corrections(),
                     before: str = '') -> str:
    """Remove spam runs, markdown bold markers, stray asterisks and stray 'and' between CJK text (`before`: the
    text of the line before, see find_spam).

    An administrator's corrections win: strings marked as junk are removed wherever they stand, strings marked as
    part of the text are kept even where the detector would cut them."""
    text = remove_spans(text, _occurrences(text, corrections.strip), 'spam', 'marked as injected by an administrator',
                        line, removed)
    spans = [(s, e) for s, e in find_spam(text, before) if text[s:e] not in corrections.keep]
    text = remove_spans(text, spans, 'spam', 'injected string that does not belong to the sentence', line, removed)
    bold = [(m.start(), m.end()) for m in re.finditer(r'\*\*', text)]
    text = remove_spans(text, bold, 'markup', 'markdown bold marker', line, removed)
    # (one opening a line before a section number or a figure too: *(三)强化考核评价…, *2025年起…)
    stray = [(m.start(), m.end()) for m in re.finditer(
        rf'(?<=[{CJK}，,。；;、])\*|\*(?=[{CJK}，,。；;、])|^\s*\*(?=[(（“"《0-9０-９])', text)]
    text = remove_spans(text, stray, 'stray-symbol', 'stray asterisk inside the text', line, removed)
    ands = [(m.start(), m.end()) for m in re.finditer(rf'(?<=[{CJK}]) ?and ?(?=[{CJK}])', text)]
    return remove_spans(text, ands, 'stray-symbol', 'stray English word between Chinese words', line, removed)


# --- suspects: strings foreign to the rest of the corpus --------------------------------------------------------

_SUSPECT_START = re.compile(f'(?:^|(?<=[{_BOUNDARY}]))[{CJK}0-9]')
# A sentence opening with a preposition or conjunction (与临安…, 为响应…, 以电梯…) is grammar, not an insertion:
# injected strings are titles and names, which do not begin with these.
_GRAMMATICAL_OPENERS = frozenset('与为以对在将把被从向由经和及同跟按据因')
_RUN_CHAR = re.compile(f'[{CJK}0-9]')
SUSPECT_MIN, SUSPECT_MAX = 3, 10
RARE = 2  # a pair seen at most this often in the whole corpus (this occurrence included) counts as foreign
MIN_BACKGROUND = 20_000  # pairs: below this there is no corpus to judge against, and no suspects


def _novel_run(text: str, start: int, counts: Counter[str]) -> str | None:
    """The longest run from `start` whose character pairs, and the pair joining it to what follows, are all
    (nearly) absent from the rest of the corpus: inserted text, not a word of the sentence (a common sentence
    opener shares its pairs with other sentences)."""
    best = None
    end = start + 1
    while end < len(text) and end - start < SUSPECT_MAX and _RUN_CHAR.match(text[end]) \
            and counts[text[end - 1:end + 1]] <= RARE:
        end += 1
        if end - start >= SUSPECT_MIN and end < len(text) and counts[text[end - 1:end + 1]] <= RARE \
                and _RUN_CHAR.match(text[end]):
            best = text[start:end]
    return best


def find_suspects(paragraphs: Sequence[ParsedParagraph], background: CorpusStats | None = None,
                  keep: Iterable[str] = ()) -> list[Suspect]:
    """Runs at the start of a sentence whose character pairs hardly occur anywhere else in the corpus
    (`background`: the other documents) and are followed by more sentence: how injected titles and SEO strings
    look, whatever their words. Proper nouns used once look the same, so these are reported for review, never removed."""
    if background is None or background.pairs.total() < MIN_BACKGROUND:
        return []
    counts = Counter(background.pairs)  # (the large count copied, the small one counted in)
    counts.update(pair_counts(p.text for p in paragraphs))
    kept, found, seen = set(keep), [], set()
    for p in paragraphs:
        for match in _SUSPECT_START.finditer(p.text):
            if p.text[match.start()] in _GRAMMATICAL_OPENERS:
                continue
            run = _novel_run(p.text, match.start(), counts)
            if run and run not in kept and run not in seen:
                seen.add(run)
                start = match.start()
                found.append(Suspect(run, p.anchor, p.text[max(0, start - 12):start + len(run) + 12]))
    return found


# --- junk by language: spans that read as advertising or web fiction, not as the document's prose ---------------

LANGUAGE_REASON = 'reads as advertising or web fiction inserted into the sentence'
CORE_REASON = ('reads as advertising or web fiction inserted into the sentence; where it begins or ends is unsure, '
               'so only the words every reading takes are cut, and the string is listed for review')
SPLICE_REASON = ('breaks a phrase of the document: the words either side of it join as the documents write them, '
                 'and it reads as advertising or web fiction')
LANGUAGE_KINDS = ('text', 'bullet', 'glossary')  # tables and boxes hold names and figures, not prose
# Spans scored per document at most: about 800 are scored per injected string, none on clean text.
DOCUMENT_BUDGET = 600_000
CONTEXT_CHARS = 12


def _kept_ranges(text: str, keep: Iterable[str]) -> list[tuple[int, int]]:
    return _occurrences(text, [k for k in keep if k])


def _context(text: str, start: int, end: int) -> str:
    return text[max(0, start - CONTEXT_CHARS):end + CONTEXT_CHARS]


def drop_foreign_lines(lines: Iterable, removed: list[Removal], corrections: Corrections = Corrections(),
                       stats: CorpusStats | None = None) -> None:
    """Blank the lines (segment.Line) that are nothing but a string the junk model is certain of: done before the
    outline is built, so that a document with such a line gets the same paragraphs, anchors and citations as the
    same document without it. The lines are read as parts of one document (language.reading).

    With `stats` (the document's pairs of characters, each line read alone), a line whose first characters go on the
    word the line before broke off (商业中 / 心…, 中心 written that way elsewhere) is a piece of a wrapped sentence: it
    is left whole here, for the sentence's reading to tell where an inserted string in it begins and ends."""
    lines = list(lines)
    with language.reading('\n'.join(ln.text for ln in lines)):
        _drop_lines(lines, removed, corrections, stats)


_WORD_CHAR = re.compile(rf'[{CJK}0-9A-Za-z]')
WRAP_JOIN = 3  # times the pair across a line break is written elsewhere for the lines to be one sentence broken


def _continues(before: str, text: str, stats: CorpusStats | None) -> bool:
    """Whether `text` goes on the sentence `before` broke off, inside a word."""
    before = before.rstrip()
    return bool(stats and before and _WORD_CHAR.match(before[-1]) and _WORD_CHAR.match(text[0])
                and stats.pairs[before[-1] + text[0]] >= WRAP_JOIN)


def _drop_lines(lines: list, removed: list[Removal], corrections: Corrections, stats: CorpusStats | None) -> None:
    before = ''
    for ln in lines:
        text = ln.text.strip()
        previous, before = before, (text or before)
        if not language.LINE_MIN_CHARS <= len(text) <= language.MAX_SPAN + 2:
            continue  # a longer line is more than one inserted string
        if any(k and k in text for k in corrections.keep):
            continue
        if _continues(previous, text, stats):
            continue
        rest = text
        spans = [sp for sp in language.find_spans(text, words=language.PROSE_WORDS)
                 if language.cut_here(text, sp)]
        for sp in sorted(spans, key=lambda x: -x.start):
            rest = rest[:sp.start] + rest[sp.end:]
        if spans and not re.sub(rf'[^{CJK}0-9A-Za-z]', '', rest):
            best = max(spans, key=lambda x: x.confidence)
            removed.append(Removal('spam', text, ln.line, LANGUAGE_REASON, best.confidence, text))
            ln.text = ''
        elif not spans and not re.search(r'[。；;！!？?，,：:]', text):
            whole = language.whole_line(text)  # a line of no sentence: read by its words as well, like a title
            if whole is not None:
                removed.append(Removal('spam', text, ln.line, LANGUAGE_REASON, whole.confidence, text))
                ln.text = ''


def cut_foreign_spans(paragraphs: list[ParsedParagraph], removed: list[Removal],
                      corrections: Corrections = Corrections(), warnings: list[str] | None = None,
                      background: CorpusStats | None = None) -> tuple[list[ParsedParagraph], list[Suspect]]:
    """Judge every prose paragraph by how it reads (see language): spans the junk model explains with certainty
    and clear edges are cut and reported with their confidence and context; weaker ones are returned as suspects.
    Strings an administrator kept are left alone. A paragraph nothing is left of is dropped. The work is bounded
    per document (DOCUMENT_BUDGET spans scored); past it the rest is not judged, with a warning. The paragraphs are
    read as parts of one document (language.reading). Words opening a sentence that read as junk, after which the
    sentence goes on as sentences of the document, of the other documents (`background`) and of the reference prose
    open, are cut as well (language.opening_stray), and so are strings the words cannot tell from prose that sit where
    the text breaks and rejoins as the documents write it (language.splices)."""
    stats = CorpusStats.of((p.text for p in paragraphs), clauses=False).joined(reference_stats()).joined(background)
    with language.reading('\n'.join(p.text for p in paragraphs)):
        return _cut_spans(paragraphs, removed, corrections, warnings, stats)


@lru_cache(maxsize=1)
def reference_stats() -> CorpusStats:
    """Character statistics of the reference prose the language model ships with (how government sentences open)."""
    return CorpusStats.of(language.read_lines(language.GOV_REFERENCE), clauses=False)


_SENTENCE_START = re.compile(r'(?:^|(?<=[。！？；!?;]))\s*')
OPENING_REASON = 'words opening the sentence read as advertising or web fiction, and the sentence reads on without them'
AFTER_OPENING_REASON = ('stands after the words opening the sentence, which are its own, and reads as advertising '
                        'or web fiction; the sentence reads on without it')


def _opening_strays(text: str, spans: list[language.Span], stats: CorpusStats,
                    kept: list[tuple[int, int]]) -> tuple[list[language.Span], list[language.Span]]:
    """The strings opening sentences of `text` (see language.opening_stray) outside what an administrator kept and
    not short of where a string the model reads ends (it cuts the string, or what it reads besides reads as junk
    too); and the model's spans that overlap none of them."""
    strays = []
    for m in _SENTENCE_START.finditer(text):
        st = language.opening_stray(text, m.end(), stats.sentence_opens,
                                     lambda s: (stats.pairs if len(s) == 2 else stats.triples)[s] - text.count(s))
        if st is None or any(st.start < e and s < st.end for s, e in kept):
            continue
        near = [sp for sp in spans if sp.start < st.end and st.start < sp.end]
        if any(not language.stray_piece(text[st.start:sp.start]) for sp in near if sp.start > st.start) \
                or any(not language.stray_piece(text[sp.end:st.end]) for sp in near if sp.end < st.end):
            continue  # where the model reads a string, what the opening words add to it must read as junk too
        if any(sp.end > st.end and (language.cut_here(text, sp) or language.stray_piece(text[st.end:sp.end]))
               for sp in near):
            continue  # the model reads a string that runs past these words: its reading stands, and no piece of it
            # is cut alone
        strays.append(st)
    rest = [sp for sp in spans if all(sp.end <= st.start or sp.start >= st.end for st in strays)]
    return strays, rest


def _cut_spans(paragraphs: list[ParsedParagraph], removed: list[Removal], corrections: Corrections,
               warnings: list[str] | None, stats: CorpusStats) -> tuple[list[ParsedParagraph], list[Suspect]]:
    out: list[ParsedParagraph] = []
    suspects: list[Suspect] = []
    budget = language.Budget(DOCUMENT_BUDGET)
    for p in paragraphs:
        if p.kind not in LANGUAGE_KINDS:
            out.append(p)
            continue
        if budget.spent:
            out.append(p)
            continue
        spans = language.find_spans(p.text, budget=budget, words=language.PROSE_WORDS)
        if budget.spent and warnings is not None:
            warnings.append(f'too much text reads as junk: not judged from line {p.line} on')
        kept = _kept_ranges(p.text, corrections.keep)
        spans = [sp for sp in spans if all(sp.end <= s or sp.start >= e for s, e in kept)]
        strays, spans = _opening_strays(p.text, spans, stats, kept)
        text = p.text
        for sp in sorted(spans + strays, key=lambda x: -x.start):
            piece = text[sp.start:sp.end]
            if sp in strays:
                removed.append(Removal('spam', piece, p.line, OPENING_REASON if sp.opens else AFTER_OPENING_REASON,
                                       sp.confidence,
                                       _context(p.text, sp.start, sp.end)))
                text = text[:sp.start] + text[sp.end:]
            elif language.cut_here(text, sp):
                wide = language.own_edges(text, language.extended(text, sp))
                if all(wide.end <= s or wide.start >= e for s, e in _kept_ranges(text, corrections.keep)):
                    sp, piece = wide, text[wide.start:wide.end]
                removed.append(Removal('spam', piece, p.line, LANGUAGE_REASON, sp.confidence,
                                       _context(p.text, sp.start, sp.end)))
                text = text[:sp.start] + text[sp.end:]
            elif (core := language.core_cut(text, sp)) is not None and language.cut_here(text, core):
                removed.append(Removal('spam', text[core.start:core.end], p.line, CORE_REASON, sp.confidence,
                                       _context(p.text, core.start, core.end)))
                if language.listed(sp, piece):
                    suspects.append(Suspect(piece, p.anchor, _context(p.text, sp.start, sp.end), 'language',
                                            sp.confidence))
                text = text[:core.start] + text[core.end:]
            elif language.listed(sp, piece):
                suspects.append(Suspect(piece, p.anchor, _context(p.text, sp.start, sp.end), 'language',
                                        sp.confidence))
        for sp in sorted(language.splices(text, stats, _kept_ranges(text, corrections.keep)), key=lambda x: -x.start):
            reason = OPENING_REASON if sp.opens else SPLICE_REASON
            sp = language.own_edges(text, sp)  # (a name the document coins at its edge is the document's: … + 青川研究院)
            removed.append(Removal('spam', text[sp.start:sp.end], p.line, reason, sp.confidence,
                                   _context(text, sp.start, sp.end)))
            text = text[:sp.start] + text[sp.end:]
        p.text = text
        if re.sub(rf'[^{CJK}0-9A-Za-z]', '', text):
            out.append(p)
    for n, p in enumerate(out, start=1):
        p.seq = n
    suspects.reverse()
    return out, suspects


def merge_suspects(first: list[Suspect], second: list[Suspect]) -> list[Suspect]:
    """Both lists, without a second report of a string already listed in the same paragraph."""
    merged = list(first)
    for s in second:
        if not any(s.anchor == m.anchor and (s.text in m.text or m.text in s.text) for m in merged):
            merged.append(s)
    return merged
