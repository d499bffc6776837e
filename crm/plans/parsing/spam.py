"""Detect strings injected into the real text: SEO/novel spam, stray asterisks, markdown residue."""
from __future__ import annotations

import re

from .model import Removal
from .text import CJK

SPAM_CUES = ('小说', '笔记', '首长', '往事', '官场', '全文阅读', '免费阅读', '最新章节', '无弹窗', 'txt下载', '番外', '全集')
HEADING_ENDS = ('回顾', '成绩', '说明', '工作', '情况', '成就', '任务', '目标', '举措', '措施', '形势', '思路', '要求')
_CUE_RUN = re.compile('(?:' + '|'.join(SPAM_CUES) + ')+')
_NUMBER_SPAM = re.compile(r'\d+万\d+(?![\d.万亿千百元个家%‰年月日人户项平吨])')
_BOUNDARY = '。！？；;!?'
_MAX_PREFIX = 4


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


def find_spam(text: str) -> list[tuple[int, int]]:
    """Spans of injected spam runs in a cleaned line."""
    spans: list[tuple[int, int]] = []
    for match in list(_CUE_RUN.finditer(text)) + list(_NUMBER_SPAM.finditer(text)):
        start = _left_boundary(text, match.start())
        if start is None or not _next_is_sentence(text, match.end()):
            continue
        if match.end() - start > 10:
            continue
        spans.append((start, match.end()))
    return sorted(set(spans))


def remove_spans(text: str, spans: list[tuple[int, int]], kind: str, reason: str, line: int,
                 removed: list[Removal]) -> str:
    """Cut the given spans out of the text, recording each removal."""
    for start, end in sorted(spans, reverse=True):
        removed.append(Removal(kind, text[start:end], line, reason))
        text = text[:start] + text[end:]
    return text


def strip_injections(text: str, line: int, removed: list[Removal]) -> str:
    """Remove spam runs, markdown bold markers, stray asterisks and stray 'and' between CJK text."""
    text = remove_spans(text, find_spam(text), 'spam', 'injected string that does not belong to the sentence',
                        line, removed)
    bold = [(m.start(), m.end()) for m in re.finditer(r'\*\*', text)]
    text = remove_spans(text, bold, 'markup', 'markdown bold marker', line, removed)
    stray = [(m.start(), m.end()) for m in re.finditer(rf'(?<=[{CJK}，,。；;、])\*|\*(?=[{CJK}，,。；;、])', text)]
    text = remove_spans(text, stray, 'stray-symbol', 'stray asterisk inside the text', line, removed)
    ands = [(m.start(), m.end()) for m in re.finditer(rf'(?<=[{CJK}]) ?and ?(?=[{CJK}])', text)]
    return remove_spans(text, ands, 'stray-symbol', 'stray English word between Chinese words', line, removed)
