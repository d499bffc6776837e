"""The industry vocabulary, in one place: the canonical industries the plans, platforms and policies speak of
(数字经济, 电竞数娱, …) with the words that name each, the GB/T 4754 code prefixes that fall under each, and the
GB/T 4754-2017 classification as shipped in seeds/industries.csv. Reading only: no database (firms seeds the
classification's table from `classification_rows`, and resolves codes and names against it)."""
from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable

from config import ROOT

# The canonical industries and the words that name each (paragraph tags, clause reading, matching).
KEYWORDS: dict[str, list[str]] = {
    '跨境电商': ['跨境电商', '跨境电子商务', '跨境贸易电子商务', '跨贸', '跨境O2O', '综试区'],
    '数字贸易': ['数字贸易', '服务贸易', '贸易数字化'],
    '电竞数娱': ['电竞', '数娱', '数字互娱', '游戏', '电子竞技', '数字娱乐'],
    '人力资源服务': ['人力资源服务', '人才中介', '猎头', '人力资源'],
    '人工智能': ['人工智能', 'AI', '智能算法', '机器学习'],
    '数字经济': ['数字经济', '信息经济', '智慧经济', '大数据', '云计算', '物联网', '软件与信息服务', '信息软件', '区块链',
             '算力', '5G'],
    '金融': ['金融', '财富管理', '基金', '创投', '投资机构', '保险', '银行', '证券', '资产管理'],
    '文创': ['文创', '文化创意', '创意设计', '影视', '动漫', '文化产业', '设计园'],
    '健康': ['健康产业', '生命健康', '大健康', '养老服务', '医疗服务', '健康服务'],
    '总部经济': ['总部经济', '总部企业', '总部基地', '楼宇经济'],
    '商贸': ['商贸', '商圈', '零售', '消费', '商业综合体', '夜间经济', '首店'],
    '科技服务': ['科技服务', '孵化器', '众创空间', '研发', '检验检测', '知识产权', '科技中介', '技术转移'],
    '生物医药': ['生物医药', '医药', '医疗器械', '制药', '基因'],
    '智能制造': ['智能制造', '高端装备', '工业互联网', '机器人', '先进制造'],
    '旅游': ['旅游', '文旅', '游客', '景区'],
    '体育': ['体育', '赛事', '健身', '亚运'],
    '物流': ['物流', '仓储', '供应链'],
    '新能源': ['新能源', '光伏', '储能', '动力电池', '碳中和'],
}

# GB/T 4754 code prefixes → the canonical industry (longest prefix wins).
CODE_INDUSTRIES = {
    '64': '数字经济', '65': '数字经济', '63': '数字经济', '726': '人力资源服务', '529': '跨境电商', '5292': '跨境电商',
    '51': '商贸', '52': '商贸', '66': '金融', '67': '金融', '68': '金融', '69': '金融', '86': '文创', '87': '文创',
    '877': '电竞数娱', '88': '文创', '89': '体育', '90': '电竞数娱', '73': '科技服务', '75': '科技服务',
    '27': '生物医药', '34': '智能制造', '35': '智能制造', '84': '健康', '85': '健康', '58': '物流', '59': '物流',
    '61': '旅游', '72': '总部经济',
}

CLASSIFICATION = ROOT / 'seeds' / 'industries.csv'  # GB/T 4754-2017: code, name, level, parent


@functools.cache
def _patterns() -> tuple[tuple[str, re.Pattern], ...]:
    """Per canonical industry, one pattern for its name and words (a match page reads about 200 texts: one search
    per industry instead of a Python loop over every word)."""
    return tuple((name, re.compile('|'.join(re.escape(w) for w in [name, *words] if w)))
                 for name, words in KEYWORDS.items())


def industries_of_text(text: str) -> set[str]:
    """Canonical industries whose name or words occur in a text (names, titles, focus labels)."""
    return {name for name, pattern in _patterns() if pattern.search(text)}


def industries_of_code(code: str | None) -> set[str]:
    """The canonical industry a GB/T 4754 code falls under (by its longest known prefix), if any."""
    if not code:
        return set()
    for length in range(len(code), 1, -1):
        if code[:length] in CODE_INDUSTRIES:
            return {CODE_INDUSTRIES[code[:length]]}
    return set()


def codes_of(industry: str) -> list[str]:
    """The GB/T 4754 code prefixes that fall under a canonical industry."""
    return [code for code, name in CODE_INDUSTRIES.items() if name == industry]


def industry_names(words: Iterable[str]) -> set[str]:
    """The canonical industries named by words (a policy's or platform's labels)."""
    return set(_industry_names(tuple(words)))


@functools.lru_cache(maxsize=1024)
def _industry_names(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(industries_of_text(' '.join(words)))


@functools.cache
def naming_words(min_length: int = 3) -> tuple[tuple[str, str], ...]:
    """(word, canonical industry) for every name and every word of at least `min_length` characters, longest first
    (a text is read for the longest word that fits)."""
    table = {w: name for name, words in KEYWORDS.items() for w in [name, *(w for w in words if len(w) >= min_length)]}
    return tuple(sorted(table.items(), key=lambda kv: -len(kv[0])))


def classification_rows() -> list[dict[str, str]]:
    """The rows of seeds/industries.csv (its leading '#' lines are the note of where the data comes from)."""
    with CLASSIFICATION.open(encoding='utf-8') as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith('#')))
