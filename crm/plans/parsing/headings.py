"""Recognise heading lines: 篇/章/节, 一、, (一), 1., 1、, 专栏 boxes, table captions and glossaries."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .spam import HEADING_ENDS
from .text import CN_NUM, cn_to_int, ends_sentence

ORDER = ('pian', 'zhang', 'jie', 'part', 'cn', 'paren', 'num', 'numd')
PREFIX = {'pian': 'v', 'zhang': 'c', 'jie': 'j', 'part': 'h', 'cn': 's', 'paren': 'i', 'num': 'n', 'numd': 'm'}
_CHAPTER = re.compile(rf'^第([{CN_NUM}\d]+)([篇章节])(?![{CN_NUM}、])\s*(.*)$')
_CN = re.compile(rf'^([{CN_NUM}]+)、(.*)$')
_PAREN = re.compile(rf'^[(（]([{CN_NUM}]+)[)）](.*)$')
_NUM = re.compile(r'^(\d{1,2})[.．](?![\d.．])\s*(.*)$')
_NUMD = re.compile(r'^(\d{1,3})、(.*)$')
BOX = re.compile(rf'^专栏\s*([{CN_NUM}\d]+)\s*[:：]?\s*(.*)$')
CAPTION = re.compile(r'^(表\s*[\d一二三四五六七八九十]+(?:\s*[-－—]\s*\d+)?|表)\s*[:：]?\s*(.*)$')
GLOSSARY = re.compile(r'^(?:附件)?(?:.{0,20})名词解释\s*(.*)$')
RUN_IN_LIMIT = 40
TITLE_ENDS = HEADING_ENDS + ('安排', '问题', '方向')  # words that close a section title
COMPOUND_GAP = 2


@dataclass
class HeadingMatch:
    """A recognised heading: kind, ordinal, marker, title and the run-in body that follows it."""
    kind: str
    ordinal: int
    marker: str
    title: str
    rest: str = ''
    split: str = 'line'  # how title and rest were told apart: line, colon, year, stop, word or none


def match_heading(text: str) -> HeadingMatch | None:
    """Recognise a numbered heading at the start of a logical line."""
    m = _CHAPTER.match(text)
    if m:
        return _chapter(m)
    for kind, pattern in (('cn', _CN), ('paren', _PAREN), ('num', _NUM), ('numd', _NUMD)):
        m = pattern.match(text)
        if m and m.group(2).strip():
            ordinal = cn_to_int(m.group(1))
            if ordinal is None:
                return None
            marker = text[:len(text) - len(m.group(2))].strip()
            title, rest, split = split_title(m.group(2).strip(), kind)
            return HeadingMatch(kind, ordinal, marker, title, rest, split)
    return None


def _chapter(m: re.Match[str]) -> HeadingMatch | None:
    kind = {'篇': 'pian', '章': 'zhang', '节': 'jie'}[m.group(2)]
    title = m.group(3).strip()
    if '。' in title or len(title) > 40 or (title and title[0] in ',，、;；'):
        return None
    ordinal = cn_to_int(m.group(1))
    if ordinal is None:
        return None
    return HeadingMatch(kind, ordinal, f'第{m.group(1)}{m.group(2)}', title)


def split_title(rest: str, kind: str) -> tuple[str, str, str]:
    """Split a heading's text into its title and a run-in or fused body, saying how the two were told apart."""
    stop = rest.find('。')
    colon = re.search(r'[:：]', rest[:16]) if kind in ('num', 'numd') else None
    if colon:
        return rest[:colon.start()], rest[colon.end():], 'colon'
    fused = _fused_split(rest)
    if fused:
        return rest[:fused], rest[fused:], 'year'
    if 0 <= stop <= RUN_IN_LIMIT:
        return rest[:stop], rest[stop + 1:], 'stop'
    if len(rest) <= RUN_IN_LIMIT and not ends_sentence(rest):
        return rest, '', 'line'
    ended = _title_end_word(rest)
    if ended:
        return rest[:ended], rest[ended:], 'word'
    if 0 <= stop <= 60:
        return rest[:stop], rest[stop + 1:], 'stop'
    return '', rest, 'none'


def _title_end_word(rest: str) -> int | None:
    """End of a title closed by a title-ending word (…的说明, …工作回顾) with no punctuation before it."""
    head = re.split(r'[,，。;；:：]', rest[:30])[0]
    hits = sorted({m.end() for w in TITLE_ENDS for m in re.finditer(w, head)})
    if not hits or hits[0] < 4:
        return None
    end = hits[0]
    for hit in hits[1:]:  # two title words in a row close the title together (工作安排, 情况说明)
        if hit - end > COMPOUND_GAP:
            break
        end = hit
    return end


def _fused_split(rest: str) -> int | None:
    """Find where a title fused with its body ends: before a repeated year, after a title-ending word."""
    m = re.match(r'(\d{4})年', rest)
    if not m:
        return None
    again = rest.find(m.group(0), m.end())
    if again < 0 or again > 60:
        return None
    best = None
    for word in HEADING_ENDS:
        for hit in re.finditer(word, rest[:again]):
            end = hit.end()
            if best is None or end > best:
                best = end
    return best if best else again


def is_plain_title(text: str) -> bool:
    """A short unnumbered line without punctuation that reads as a title."""
    return 4 <= len(text) <= 30 and not re.search(r'[,，、;；。:：!！?？]', text) and not ends_sentence(text)
