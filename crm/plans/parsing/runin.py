"""Split run-in headings fused with their text by reading them side by side with their siblings.

Government reports number their sections with parallel titles (对仗): `(一)坚定目标稳增长有效投资增势良好。`,
`(二)创新引领促转型不断强化服务业…`. The title runs straight into the text with no punctuation, so where it ends
is found from three things: the corpus's punctuation (which character pairs usually end a clause, which
usually start one, and which three-character phrases, where they are common enough to tell: 稳定|有序 is no break,
稳定有序 closes a clause), the words every sibling shares at the same place (抓…,…得到新…: the title covers them), and
titles of about the same length across the group.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from . import language
from .corpus import CorpusStats
from .headings import TITLE_ENDS

COMMAS = ',，、'
MIN_GROUP = 3
FUSED_WITHIN = 25  # a sibling whose first 。 comes later than this has its title fused with its text
MAX_TITLE = 32
JOINING = '和与及或的并'  # characters that join two words: a title does not end on one
# prepositions that take the words after them as their object: a title does not end on one (产业依托|星湖…)
COVERBS = ('依托', '围绕', '按照', '根据', '依据', '借助', '针对', '面向', '对照', '对于', '关于', '随着', '鉴于')
LENGTH_WEIGHT = 1.0  # cost per character a title is longer or shorter than the group's length
SHORT_TITLE, SHORT_WEIGHT = 6, 0.5  # titles shorter than this cost a little more (run-in titles are rarely that short)
PROSE_WEIGHT = 1.0  # weight of the reference prose's reading of a break beside the corpus's (see _prose_break)


def title_cost(stats: CorpusStats, text: str, k: int) -> float:
    """How unlikely a title ending at `k` is: the text breaks there only if a clause could end and another start."""
    cost = -math.log(stats.phrase_ends(text[max(0, k - 3):k]))
    if k >= len(text) or text[k] == '。':
        return cost
    return (cost - math.log(stats.phrase_starts(text[k:k + 3])) + SHORT_WEIGHT * max(0, SHORT_TITLE - k)
            + PROSE_WEIGHT * _prose_break(text, k))


def _prose_break(text: str, k: int) -> float:
    """How much less likely the language model's reference prose makes a sentence that ends at `text[k - 1]` and
    another that starts at `text[k]` than the two characters written on together (nats, at least 0). It reads the
    registers the plan corpus holds little of: a news release's paragraph opens with 据了解 or 近年来 (明确|据了解,
    发展|近年来), and a title does not stop before its last verb (获得感|持续增强)."""
    lm = language.model()
    a, b = text[k - 1], text[k]
    return max(0.0, lm.gov_log(a, b) - lm.gov_log(a, language.EOS) - lm.gov_log(language.BOS, b))


def _balanced(title: str) -> bool:
    return all(title.count(a) == title.count(b) for a, b in ('“”', '《》', '()', '（）'))


def _candidates(text: str, commas: int, stats: CorpusStats, shared: int) -> list[tuple[int, float]]:
    stop = text.find('。')
    stop = len(text) if stop < 0 else stop
    out = []
    for k in range(max(3, shared + 1), min(stop, MAX_TITLE) + 1):
        title = text[:k]
        if sum(title.count(c) for c in COMMAS) != commas or title[-1] in COMMAS + '“《(（' \
                or text[k:k + 1] in set(COMMAS + ')）》”') or not _balanced(title):
            continue
        if k < len(text) and not re.match(r'[\u4e00-\u9fff“"《(（0-9A-Za-z]', text[k]) and text[k] != '。':
            continue
        if _between_title_words(title, text[k:]):
            continue
        if title[-1].isdigit() and k < len(text) and text[k] != '。':
            continue  # a break inside a figure (到2027|年): a title followed by its text does not end on a number
        if title[-1] in JOINING and k < len(text):
            continue  # nor on a word that joins it to more (总体要求和|主要目标)
        if (title.endswith(COVERBS) or language.ends_on_opener(title)) and k < len(text):
            continue  # nor on a preposition whose object follows (发展数字内容产业依托|星湖电竞数娱产业园, 产业以|北岸…)
        if language.leads_into_figure(title, text[k:]):
            continue  # nor on a preposition whose object is the figure after it (总体目标到|2027年)
        if language.opens_with_amount(text[k:]):
            continue  # nor before an amount (地区生产总值|1182亿元): a text opens with a date, not a bare quantity
        if k < len(text) and text[k] != '。' and language.word_across(title, text[k:]) is not None:
            continue  # nor inside a word of general Chinese (新质生产|力)
        out.append((k, title_cost(stats, text, k)))
    return out


def _options(text: str, fixed: bool, commas: int, stats: CorpusStats, shared: int) -> list[tuple[int, float]]:
    """Where a sibling's title may end. A fixed one ends where its text ends. In a fused group the titles run into
    their text with no full stop (a run-in style is the whole group's, and this group's is not), so a sibling's
    first full stop closes its text's first sentence (综合实力跃上新台阶。), not its title: the stop is a choice
    only when nothing before it is."""
    found = _candidates(text, commas, stats, 0 if fixed else shared)
    if fixed:
        return [(k, c) for k, c in found if k == len(text)]
    inside = [(k, c) for k, c in found if text[k:k + 1] != '。']
    return inside or found


def _between_title_words(title: str, rest: str) -> bool:
    """A break between two words that close a title together (工作|安排, 情况|说明): the title goes on."""
    return any(title.endswith(w) for w in TITLE_ENDS) and any(rest.startswith(w) for w in TITLE_ENDS)


def _shared_prefix(texts: Sequence[str]) -> int:
    """Length of the part every sibling shares a character at the same place in (the title covers it)."""
    shared = 0
    for i in range(min(MAX_TITLE, *(len(t) for t in texts))):
        column = {t[i] for t in texts}
        if '。' in column:
            break
        if len(column) == 1:
            shared = i + 1
    return shared


def is_fused_group(texts: Sequence[str], fixed: Sequence[bool] = (), alone: bool = False) -> bool:
    """Siblings whose titles run into their text: enough of them, and at least two with no early full stop; or,
    next to siblings whose titles stand alone (`fixed`), one with a long text and no early full stop. When a
    sibling's title stands on a line of its own (`alone`), the group's titles are not run-in (a run-in style is the
    whole group's): a sibling with text after its first full stop is a title fused with its text too."""
    fixed = fixed or [False] * len(texts)
    fused = sum(1 for t, f in zip(texts, fixed) if not f and ('。' not in t[:FUSED_WITHIN] and len(t) > MAX_TITLE
                                                             or alone and '。' in t[:-1]))
    if any(fixed):
        return len(texts) >= 2 and fused >= 1
    if len(texts) < MIN_GROUP:
        # two siblings: one runs on past any title's length with no full stop near its start
        return len(texts) == 2 and fused >= 1
    fused = sum(1 for t in texts if '。' not in t[:FUSED_WITHIN])
    return fused >= 2


def split_parallel(texts: Sequence[str], stats: CorpusStats, fixed: Sequence[bool] = ()) -> list[int] | None:
    """Where each sibling's title ends (an index into its text), or None when no consistent split exists.

    A `fixed` sibling is a title on its own (a line of its own, or a title told apart by a colon): it ends where its
    text ends, and lends its length and its commas to the choice for the others."""
    shared = _shared_prefix(texts) if len(texts) >= MIN_GROUP else 0  # two texts share a character by chance
    best: tuple[float, list[int]] | None = None
    for commas in range(3):
        options = [_options(t, f, commas, stats, shared) for t, f in zip(texts, fixed or [False] * len(texts))]
        if not all(options):
            continue
        # titles that stand alone say how long the group's titles are: sibling titles differ by a few characters,
        # so a fused one is drawn to the length of the nearest of them; without any, the group shares the one length
        # that suits it best
        alone = sorted({len(t) for t, f in zip(texts, fixed or ()) if f})
        for lengths in ([alone] if alone else [[n] for n in range(3, MAX_TITLE + 1)]):
            total, ends = 0.0, []
            for choice in options:
                k, cost = min(((k, c + LENGTH_WEIGHT * _off(k, lengths)) for k, c in choice), key=lambda kc: kc[1])
                total += cost
                ends.append(k)
            if best is None or total < best[0]:
                best = (total, ends, [[(k, c + LENGTH_WEIGHT * _off(k, lengths)) for k, c in choice]
                                      for choice in options])
    if best is None:
        return None
    return _agreed_length(texts, best[1], best[2])


AGREE_SHARE, AGREE_WEIGHT, TIE = 2 / 3, 2 * LENGTH_WEIGHT, 2.0


def _agreed_length(texts: Sequence[str], ends: list[int], options: list[list[tuple[int, float]]]) -> list[int]:
    """The ends, with a sibling that strays from a length most of the group's titles share (AGREE_SHARE of them,
    three at least) chosen again among the places it may end at no more than TIE over its choice (`options`: each
    place a title may end, with its cost), drawn to that length at AGREE_WEIGHT a character: parallel titles (对仗)
    are written to about one length, and where a title could end in two places about as likely, the group's length
    decides; a title that would cost clearly more nearer it keeps its own."""
    common, count = Counter(ends).most_common(1)[0]
    if count < max(MIN_GROUP, AGREE_SHARE * len(texts)) or count == len(ends):
        return ends
    out = []
    for k, choice in zip(ends, options):
        cost = dict(choice)
        near = [(j, c) for j, c in choice if c <= cost[k] + TIE]
        out.append(k if k == common else min(near, key=lambda jc: jc[1] + AGREE_WEIGHT * abs(jc[0] - common))[0])
    return out


def _off(k: int, lengths: list[int]) -> int:
    """How far a title of `k` characters is from the nearest of `lengths`."""
    return min(abs(k - n) for n in lengths)
