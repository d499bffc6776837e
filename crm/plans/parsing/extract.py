"""Sentences, commitments, quantitative targets and tags of a clean paragraph."""
from __future__ import annotations

import re

from .model import ParsedCommitment, ParsedTarget
from .text import normalize_for_search

TRIGGERS = ('打造', '建设', '推进', '加快', '力争', '确保', '支持', '引进', '培育', '实施', '完善', '提升', '争创', '构建',
            '推动', '深化', '强化', '加强', '促进', '落实', '争取', '建成', '形成', '大力发展', '重点发展', '积极发展',
            '优先发展', '着力发展', '招引', '优化', '鼓励', '扩大', '创建', '启动', '探索', '健全', '提高', '新增', '达到',
            '突破', '不少于', '不低于', '保持', '控制在')
FUTURE = re.compile(r'到\s*\d{4}年|至\s*\d{4}年|\d{4}年(?:前|底前)|力争|确保|争取|将(?![其近])|期间|期末|(?:年|期)末|计划|目标|预期'
                    r'|(?<![重主需必只纲摘])要(?![求素点件闻])|建议')
# Sections that look back or size up the situation (回顾五年成就, 2013年工作回顾, 计划执行情况, 面临的新机遇新挑战,
# 发展环境): their sentences report what was done or what is faced, and are commitments only when they say so.
RETROSPECTIVE = re.compile(r'回顾|成就|成绩|执行情况|完成情况|工作总结|面临|研判|^(?:发展)?(?:环境|基础|现状)$')
STRONG_FUTURE = re.compile(r'(?<!截)到\s*\d{4}年|力争|争取|下一步|将(?:继续|进一步|着力|加快|全力|重点|大力|深入|持续)')
_MARKER = re.compile(r'^(?:《[^》]*》|第[^\s篇章节]{1,4}[篇章节]\s*|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|\d{1,2}[.、．])')
PAST = re.compile(r'已|累计完成|完成了|五年来|取得|获评|荣获|实现了|成功|先后|同比|预计实现|较上年')
UNITS = ('万平方米', '平方公里', '平方米', '亿美元', '万美元', '亿元', '万元', '万人次', '万人', '人次', '万套', '万吨',
         '万户', '万个', '万辆', '万张', '个百分点', '公里', '公顷', '亩', '家', '个', '幢', '栋', '座', '所', '项', '条',
         '套', '台', '吨', '张', '名', '户', '岁', '%', '‰', '倍', '场', '处', '辆', '元', '人', '件', '次', '床', '方')
_UNIT = '|'.join(sorted(map(re.escape, UNITS), key=len, reverse=True))
PRE = ('不少于', '不低于', '不超过', '达到', '突破', '超过', '累计', '年均增长', '增长', '控制在', '保持在', '稳定在', '提高到',
       '提升到', '达', '超', '≥', '≤', '>', '<', '以上')
_PRE = '|'.join(sorted(map(re.escape, PRE), key=len, reverse=True))
_VALUE = re.compile(rf'(?P<pre>{_PRE})?\s*(?P<val>\d+(?:\.\d+)?)\s*(?P<unit>{_UNIT})(?P<post>以上|左右|以内|以下)?')
_BASE = re.compile(rf'(?:从|由)[^,，;；。]*?(?P<base>\d+(?:\.\d+)?\s*(?:{_UNIT})?)[^,，;；。]*?(?:提高|提升|上升|增加|增长|扩大)到')
PERIOD_END = {'十一五': 2010, '十二五': 2015, '十三五': 2020, '十四五': 2025, '十五五': 2030}
_SPLIT = re.compile(r'(?<=[。！？；!?;])(?![”’"）)》」])|(?<=[。！？；!?;][”’"）)》」])|\n')


def split_sentences(text: str) -> list[str]:
    """Split on 。！？；(and ! ? ;) and line breaks, keeping closing quotes attached; not inside 《》 or “”."""
    out, buf, depth = [], '', 0
    for i, ch in enumerate(text):
        if ch == '\n':
            out.append(buf)
            buf = ''
            continue
        buf += ch
        depth += 1 if ch in '《“' else -1 if ch in '》”' and depth > 0 else 0
        nxt = text[i + 1] if i + 1 < len(text) else ''
        if depth == 0 and ch in '。！？；!?;' and nxt not in '”’"）)》」':
            out.append(buf)
            buf = ''
        elif depth == 0 and ch in '”’"）)》」' and buf[-2:-1] and buf[-2] in '。！？；!?;':
            out.append(buf)
            buf = ''
    out.append(buf)
    return [s.strip() for s in out if s.strip()]


def find_verbs(sentence: str) -> list[str]:
    """Commitment trigger words present in a sentence."""
    return [v for v in TRIGGERS if v in sentence]


def is_retrospective(heading_path: list[str]) -> bool:
    """True under a heading that reviews past work or sizes up the situation."""
    return any(RETROSPECTIVE.search(_MARKER.sub('', heading).strip()) for heading in heading_path)


def is_commitment(sentence: str, retrospective: bool = False) -> bool:
    """A forward-looking sentence with a commitment trigger (in a review section: one that says it looks ahead)."""
    if not find_verbs(sentence):
        return False
    if retrospective:
        return bool(STRONG_FUTURE.search(sentence))
    return not (PAST.search(sentence) and not FUTURE.search(sentence))


def sentence_year(sentence: str) -> tuple[int | None, str]:
    """Target year and period of a sentence."""
    period = ''
    m = re.search(r'“?(十[一二三四五]五)”?\s*(期间|时期|期末|末)', sentence)
    if m:
        period = m.group(1) + ('期间' if m.group(2) in ('期间', '时期') else '期末')
    rng = re.search(r'(\d{4})\s*[-—–~至到]\s*(\d{4})年', sentence)
    if rng:
        period = f'{rng.group(1)}-{rng.group(2)}'
    y = re.search(r'(?:到|至|截至|于|力争|确保)\s*(\d{4})年', sentence) or re.search(r'(\d{4})年(?:底|末)?(?:前)?[,，]', sentence)
    if y and not rng:
        return int(y.group(1)), period
    if m and m.group(2) in ('期末', '末'):
        return PERIOD_END.get(m.group(1)), period
    return None, period


def _metric(sentence: str, start: int) -> str:
    clause = re.split(r'[,，;；:：。]', sentence[:start])[-1]
    clause = re.sub(r'^(?:到|至)?\s*\d{4}年(?:底|末)?', '', clause)
    clause = re.sub(rf'(?:{_PRE}|力争|确保|实现|为|总量|提高到|提升到|规模)+$', '', clause)
    return clause.strip()


def find_targets(sentence: str, source: str = 'text') -> list[ParsedTarget]:
    """Quantitative targets in a commitment sentence."""
    year, period = sentence_year(sentence)
    base = _BASE.search(sentence)
    out = []
    for m in _VALUE.finditer(sentence):
        if re.match(r'年|月|日', sentence[m.end('val'):m.end('val') + 1]) or m.group('unit') == '方' and m.end() < len(sentence) and sentence[m.end()] in '面式案':
            continue
        comparator = (m.group('post') or m.group('pre') or '').strip()
        metric = _metric(sentence, m.start())
        if not metric:
            continue
        out.append(ParsedTarget(metric, m.group('val'), m.group('unit'), comparator, year, period,
                                base.group('base').replace(' ', '') if base and base.end() <= m.start() else None,
                                sentence, source))
    return out


def find_terms(text: str, dictionary: dict[str, list[str]]) -> list[str]:
    """Canonical names whose aliases occur in the normalised text."""
    norm = normalize_for_search(text)
    return [name for name, aliases in _normalised_aliases(dictionary) if any(_contains(norm, a) for a in aliases)]


_ALIAS_CACHE: dict[int, tuple[dict, list[tuple[str, tuple[str, ...]]]]] = {}


def _normalised_aliases(dictionary: dict[str, list[str]]) -> list[tuple[str, tuple[str, ...]]]:
    """The dictionary with every alias normalised once (cached per dictionary object)."""
    cached = _ALIAS_CACHE.get(id(dictionary))
    if cached is None or cached[0] is not dictionary:
        entries = [(name, tuple(normalize_for_search(a) for a in [name, *aliases])) for name, aliases in
                   dictionary.items()]
        cached = (dictionary, entries)
        if len(_ALIAS_CACHE) > 8:
            _ALIAS_CACHE.clear()
        _ALIAS_CACHE[id(dictionary)] = cached
    return cached[1]


def _contains(norm: str, alias: str) -> bool:
    if not alias:
        return False
    if alias.isascii():
        return re.search(rf'(?<![a-z0-9]){re.escape(alias)}(?![a-z0-9])', norm) is not None
    return alias in norm


def commitments(sentences: list[str], platforms: dict[str, list[str]], industries: dict[str, list[str]],
                retrospective: bool = False) -> tuple[list[ParsedCommitment], list[ParsedTarget]]:
    """Commitments and targets of a paragraph's sentences."""
    found, targets = [], []
    for s in sentences:
        if not is_commitment(s, retrospective):
            continue
        ts = find_targets(s)
        targets.extend(ts)
        found.append(ParsedCommitment(s, 'quantitative' if ts else 'qualitative', find_verbs(s),
                                      find_terms(s, platforms), find_terms(s, industries)))
    return found, targets
