"""Sentences, commitments, quantitative targets and tags of a clean paragraph."""
from __future__ import annotations

import re

from .model import ParsedCommitment, ParsedTarget
from .text import normalize_for_search

TRIGGERS = ('打造', '建设', '推进', '加快', '力争', '确保', '支持', '引进', '培育', '实施', '完善', '提升', '争创', '构建',
            '推动', '深化', '强化', '加强', '促进', '落实', '争取', '建成', '形成', '大力发展', '重点发展', '积极发展',
            '优先发展', '着力发展', '招引', '优化', '鼓励', '扩大', '创建', '启动', '探索', '健全', '提高', '新增', '达到',
            '突破', '不少于', '不低于', '保持', '控制在')
FUTURE = re.compile(r'到\s*\d{4}年|至\s*\d{4}年|十[一二三四五六七八九]五”?\s*末'
                    r'|\d{4}年(?:前|底前)|力争|确保|争取|将(?![其近])|期间|期末|(?:年|期)末|计划|目标|预期'
                    r'|(?<![重主需必只纲摘])要(?![求素点件闻])|建议')
# Sections that look back or size up the situation (回顾五年成就, 2013年工作回顾, 计划执行情况, 面临的新机遇新挑战,
# 发展环境): their sentences report what was done or what is faced, and are commitments only when they say so.
RETROSPECTIVE = re.compile(r'回顾|成就|成绩|执行情况|完成情况|工作总结|面临|研判|^(?:发展)?(?:环境|基础|现状)$')
# Headings of sections that set targets or plan ahead (not 执行情况, which RETROSPECTIVE catches first)
PROSPECTIVE = re.compile(r'目标|草案|预期|工作安排|计划(?!执行|完成)')
STRONG_FUTURE = re.compile(r'(?<!截)到\s*\d{4}年|到\s*“?十[一二三四五六七八九]五”?\s*(?:期末|末)'
                           r'|力争|争取|下一步|将(?:继续|进一步|着力|加快|全力|重点|大力|深入|持续)')
_MARKER = re.compile(r'^(?:《[^》]*》|第[^\s篇章节]{1,4}[篇章节]\s*|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|\d{1,2}[.、．])')
PAST = re.compile(r'已|累计完成|完成了|五年来|取得|获评|荣获|实现了|成功|先后|同比|预计实现|较上年')
# Units: a rate, or a base unit with an optional magnitude (万人, 亿元, 万平方米, 万千瓦, 亿人次 …).
COUNT_UNITS = ('人次', '人', '家', '户', '个', '幢', '栋', '座', '所', '项', '条', '套', '台', '张', '名', '件', '辆', '床',
               '间', '只', '场', '处', '次', '批', '款', '部')
MEASURE_UNITS = ('平方公里', '平方米', '立方米', '公顷', '公里', '千米', '千瓦时', '千瓦', '美元', '元', '吨', '亩', '岁', '方')
RATE_UNITS = ('%', '‰', '个百分点', '百分点', '倍')
UNITS = RATE_UNITS + tuple(m + u for m in ('', '万', '亿') for u in COUNT_UNITS + MEASURE_UNITS)
_UNIT = '|'.join(sorted(map(re.escape, UNITS), key=len, reverse=True))
# Comparators before a value (达到 60, 不低于 3.5%, 力争突破 1700 亿元) and after it (以上, 左右, 以内, 以下).
PRE = ('不少于', '不低于', '不超过', '不高于', '达到', '突破', '超过', '高于', '低于', '累计', '控制在', '保持在', '稳定在',
       '提高到', '提升到', '力争', '确保', '达', '超', '≥', '≤', '>', '<', '以上')
_PRE = '|'.join(sorted(map(re.escape, PRE), key=len, reverse=True))
POST = ('以上', '左右', '以内', '以下')
_NUMBER = r'\d+(?:\.\d+)?'
# A value, or a range of two (6%—7%, 5至7%, 20-30家): the first unit may be left out
_VALUE = re.compile(rf'(?P<pre>{_PRE})?\s*(?P<val>{_NUMBER})'
                    rf'(?:(?:\s*(?P<unit1>{_UNIT}))?\s*(?:[—–~～至]|-(?=\s*\d))\s*(?P<val2>{_NUMBER}))?'
                    rf'\s*(?P<unit>{_UNIT})(?P<post>{"|".join(POST)})?')
_BASE = re.compile(rf'(?:从|由)[^,，;；。]*?(?P<base>\d+(?:\.\d+)?\s*(?:{_UNIT})?)[^,，;；。]*?(?:提高|提升|上升|增加|增长|扩大)到')
# The words a metric ends with when the value is a change, not a level: 年均增长, 增速, 下降, 提高 (…个百分点)
GROWTH = re.compile(r'(?:(?:年均|年平均|平均|同比|累计)?(?:增长|增速|增幅|增加|提高|提升|上升|下降|降低|减少)(?:率)?)$')
SHARE = re.compile(r'占|比重$|比例$|占比$|份额$')
# Words before a value that say what kind of target it is, not what is measured
_METRIC_END = re.compile(rf'(?:{_PRE}|实现|为|提高到|提升到|提高至|提升至|增加到|增加至|下降到|下降至|降低到|降低至|降至|降到'
                         r'|减少到|减少至|扩大到|达到了|保持|稳定|控制|的)+$')
_TIME = re.compile(r'(?<![比较同与])(?:到|至|截至|截止)?\s*(?:\d{4}\s*年(?:底|末|前)*|“?十[一二三四五六七八九]五”?\s*'
                   r'(?:期间|时期|期末|末))')
_COMPARED = re.compile(r'^(?:比|较|同比)(?:上年|去年|\d{4}\s*年|基期)?')
# A bare verb before the value puts what is counted after it: 培育5家全过程咨询总部企业
_BARE_VERB = re.compile(r'^(?:力争|确保|争取|全年|每年|累计|再|新)?(?:新增|新建|新开工|新认定|新引进|引进|培育|建成|建设|打造|'
                        r'招引|创建|认定|设立|举办|开工|完成|实施|改造|发放|吸引|集聚|扶持|支持|开放|新开办|开办|交付)$')
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


def _clause(sentence: str, start: int, after: int) -> str:
    """The words before a value, back to the clause start or the previous value (新建中小学2所、幼儿园3所)."""
    clause = re.split(r'[,，;；:：。]', sentence[:start])[-1]
    if after and len(sentence[after:start]) < len(clause):
        clause = sentence[after:start].lstrip('、和及与')
    return clause


def _metric(clause: str) -> str:
    """What a value measures: the clause before it without time phrases, bullets and the words that say what kind of
    target it is (达到, 不低于, 提高到 …); 总量 and 规模 go only when a name of four characters or more is left."""
    clause = _TIME.sub('', clause).lstrip('—－-·•* ')
    clause = re.sub(r'^(?:其中|并|且|同时|实现)', '', clause)
    clause = _METRIC_END.sub('', clause.strip())
    trimmed = re.sub(r'(?:总量|规模)$', '', clause)
    if len(trimmed) >= 4:
        clause = _METRIC_END.sub('', trimmed)
    return clause.strip()


def target_kind(metric: str, unit: str) -> str:
    """growth (年均增长 6%), share (占…比重 15%), count (万人, 家, 幢, 个 …), rate (a level in %) or amount."""
    if GROWTH.search(metric):
        return 'growth'
    if SHARE.search(metric) and unit in ('%', '‰', '') or metric.endswith(('比重', '占比')):
        return 'share'
    if unit.lstrip('万亿') in COUNT_UNITS:
        return 'count'
    if unit in RATE_UNITS:
        return 'rate'
    return 'amount'


def find_targets(sentence: str, source: str = 'text') -> list[ParsedTarget]:
    """Quantitative targets in a commitment sentence: absolute values, growth rates, shares, counts and ranges,
    with their comparator (以上, 左右, 不低于, 突破, 力争 …), target year or period and base."""
    year, period = sentence_year(sentence)
    base = _BASE.search(sentence)
    out: list[ParsedTarget] = []
    after, subject = 0, ''
    for m in _VALUE.finditer(sentence):
        nxt = sentence[m.end():m.end() + 1]
        if re.match(r'年|月|日', sentence[m.end('val'):m.end('val') + 1]) or m.group('unit') == '方' and nxt in '面式案':
            continue
        if m.group('unit1') and m.group('val2') and m.group('unit1') != m.group('unit'):
            continue
        metric = _metric(_clause(sentence, m.start(), after))
        metric = _object_after(sentence, m.end(), metric)
        if not metric or GROWTH.fullmatch(_COMPARED.sub('', metric)):
            # 年均增长6%左右，力争突破1700亿元 / 达到2.9%，比上年提高0.2个百分点: the subject carries over
            metric = subject + metric if subject else metric
        if not metric:
            continue
        subject = GROWTH.sub('', metric) or subject
        after = m.end()
        value = m.group('val') if not m.group('val2') else f"{m.group('val')}-{m.group('val2')}"
        comparator = (m.group('post') or m.group('pre') or '').strip()
        out.append(ParsedTarget(metric, value, m.group('unit'), comparator, year, period,
                                base.group('base').replace(' ', '') if base and base.end() <= m.start() else None,
                                sentence, source, target_kind(metric, m.group('unit'))))
    return out


def _object_after(sentence: str, end: int, metric: str) -> str:
    """培育5家全过程咨询总部企业: when only a verb stands before the value, what is counted follows it."""
    core = re.sub(r'^(?:力争|确保|争取)', '', metric)
    if not _BARE_VERB.match(core) and not _BARE_VERB.match(metric):
        return metric
    noun = re.match(r'[\u4e00-\u9fff“”"A-Za-z0-9]{2,20}?(?=[,，;；:：。、]|$)', sentence[end:])
    if not noun or noun.group(0).startswith(('的', '以上', '左右', '以内', '以下')):
        return metric
    return metric + noun.group(0)


def find_terms(text: str, dictionary: dict[str, list[str]]) -> list[str]:
    """Canonical names whose aliases occur in the normalised text, in the dictionary's order. Only the entries with
    an alias whose first two characters occur in the text are looked at (and those with a one-character or ASCII
    alias): most texts name none of a long dictionary."""
    norm = normalize_for_search(text)
    entries, by_start, always = _normalised_aliases(dictionary)
    present = {norm[i:i + 2] for i in range(len(norm) - 1)}
    candidates = set(always)
    for start in present & by_start.keys():
        candidates.update(by_start[start])
    return [entries[n][0] for n in sorted(candidates) if any(_contains(norm, a) for a in entries[n][1])]


_Aliases = tuple[list[tuple[str, tuple[str, ...]]], dict[str, list[int]], list[int]]
_ALIAS_CACHE: dict[int, tuple[dict, _Aliases]] = {}


def _normalised_aliases(dictionary: dict[str, list[str]]) -> _Aliases:
    """The dictionary with every alias normalised once, the entries by the first two characters of their aliases,
    and the entries that have an alias not so indexed (cached per dictionary object)."""
    cached = _ALIAS_CACHE.get(id(dictionary))
    if cached is None or cached[0] is not dictionary:
        entries = [(name, tuple(normalize_for_search(a) for a in [name, *aliases])) for name, aliases in
                   dictionary.items()]
        by_start: dict[str, list[int]] = {}
        always: list[int] = []
        for n, (_, aliases) in enumerate(entries):
            for alias in aliases:
                if len(alias) < 2 or alias.isascii():
                    always.append(n)
                elif alias:
                    by_start.setdefault(alias[:2], []).append(n)
        cached = (dictionary, (entries, by_start, always))
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


def is_target_statement(sentence: str, retrospective: bool = False, prospective: bool = False) -> bool:
    """A sentence that sets a target without a verb of action: a value and a future horizon (到“十三五”末,…占全区幼儿
    总数的75%以上), or a value in a section of targets (——地区生产总值增长6.0%; under 2024年…主要目标); in a review
    section only one that says it looks ahead; never one with a sign of a past result."""
    if not _VALUE.search(sentence):
        return False
    if retrospective:
        return bool(STRONG_FUTURE.search(sentence))
    if STRONG_FUTURE.search(sentence):
        return True
    return bool((FUTURE.search(sentence) or prospective) and not PAST.search(sentence))


def is_prospective(heading_path: list[str]) -> bool:
    """A section that sets targets or plans the year ahead (二、2025年主要目标和重点工作, 2025年…计划草案, 发展目标)."""
    return not is_retrospective(heading_path) and any(
        PROSPECTIVE.search(_MARKER.sub('', heading).strip()) for heading in heading_path)


def section_year(heading_path: list[str]) -> int | None:
    """The year a section of targets is about (2025年主要目标 → 2025): the nearest heading that names one."""
    for heading in reversed(heading_path):
        m = re.search(r'(\d{4})\s*年', heading)
        if m and PROSPECTIVE.search(heading):
            return int(m.group(1))
    return None


def commitments(sentences: list[str], platforms: dict[str, list[str]], industries: dict[str, list[str]],
                retrospective: bool = False, heading_path: list[str] | None = None
                ) -> tuple[list[ParsedCommitment], list[ParsedTarget]]:
    """Commitments and targets of a paragraph's sentences; `heading_path` tells a section of targets (whose values
    are targets even without a verb, and whose year they take when they name none)."""
    prospective = bool(heading_path) and not retrospective and is_prospective(heading_path)
    year = section_year(heading_path) if prospective else None
    found, targets = [], []
    for s in sentences:
        if not is_commitment(s, retrospective) and not is_target_statement(s, retrospective, prospective):
            continue
        ts = find_targets(s)
        for t in ts:
            if t.year is None and not t.period:
                t.year = year
        targets.extend(ts)
        found.append(ParsedCommitment(s, 'quantitative' if ts else 'qualitative', find_verbs(s),
                                      find_terms(s, platforms), find_terms(s, industries)))
    return found, targets
