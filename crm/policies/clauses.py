"""Clause candidates read from a policy's articles, each with the sentence that grants it (verbatim in its
article): kind, formula (fixed amount, percentage of a base, rate per ㎡ / person / 亩, tiers, multi-year
schedule, alternatives in one sentence), caps or the stated absence of a cap, the conditions a firm must meet, and
measures without money (一事一议, priority, honours). Also the 申兑指南: how, when and where to apply.

Honesty rule: every number of a candidate is a number the sentence states (amounts converted to 万元, the unit the
text used kept); nothing is guessed. A sentence the patterns cannot read fully gives no candidate (the import
report says so); an administrator reviews every candidate before it counts."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from crm.core.industries import naming_words
from crm.plans.parsing.extract import find_terms
from crm.policies.structure import Article, cn_number

NUM = r'\d+(?:,\d{3})*(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+'
MONEY_UNITS = {'亿元': Decimal(10000), '万元': Decimal(1), '千元': Decimal('0.1'), '元': Decimal('0.0001')}
MONEY = re.compile(rf'(?P<num>{NUM})\s*(?P<unit>亿元|万元|千元|元)(?!\s*[/／])')
PERCENT = re.compile(r'(?P<num>\d+(?:\.\d+)?)\s*%|百分之(?P<cn>[零一二两三四五六七八九十百]+)|(?P<word>全额|减半)')
QUANTITY = re.compile(rf'(?P<num>{NUM})\s*(?P<unit>亿元|万元|千元|元|人|名|平方米|㎡|亩|%)')

GRANT = re.compile(r'给予|予以')
GRANT_FALLBACK = re.compile(r'(?<![规依])按(?!规定|照规定|要求|程序)|奖励|补助|补贴|资助|扶持')
CAP = re.compile(rf'(?P<word>最高不超过|最高不超|最高可达|最高为|最高|不超过|不高于|上限为|上限|封顶|最多)'
                 rf'(?:[^，,；;。\d]{{0,4}}?)(?P<num>{NUM})\s*(?P<unit>亿元|万元|千元|元)(?!\s*[/／])')
CAP_INSIDE = re.compile(rf'(?P<num>{NUM})\s*(?P<unit>亿元|万元|千元|元)\s*(?:（含）)?(?:以内|封顶|为限)')
CAP_YEAR = re.compile(r'每年|年度|每年度|年均|一年|每一年度')
CAP_TOTAL = re.compile(r'累计|合计|总额|总计|共计|总共|单个企业|同一企业|每家企业|每个企业|每项|单个项目|每个项目|单项')
UNCAPPED = re.compile(r'不设上限|上不封顶|不封顶|无上限|不设封顶|不受上限')

FIELD_WORDS: list[tuple[str, str]] = [
    ('land_yield', r'亩均税收|亩均产出|亩均'),
    ('rd_spend', r'研发投入|研发费用|研发经费'),
    ('fiscal_contribution', r'地方财政贡献|地方综合贡献|区级财政贡献|地方贡献|财政贡献|综合贡献|年纳税额|纳税额|纳税总额|年纳税|实缴税收|'
                            r'税收贡献|年度税收|税收'),
    ('revenue', r'营业收入|销售收入|主营业务收入|营收|年销售额|销售额'),
    ('registered_capital', r'实缴注册资本|注册资本'),
    ('investment', r'固定资产投资|设备投资|实际投资|投资总额|投资额|实际到位资金|到位资金|总投资|投资'),
    ('headcount', r'员工|职工|从业人员|参保人数|社保缴纳人数|在职人员|用工'),
    ('leased_area', r'办公用房面积|租用面积|租赁面积|办公面积|用房面积|使用面积|面积'),
]
_FIELD_ALT = '|'.join(f'(?P<{name}>{words})' for name, words in FIELD_WORDS)
FIELD_RE = re.compile(_FIELD_ALT)
FIELD_UNITS = {'headcount': ('人', '名'), 'leased_area': ('平方米', '㎡'), 'land_yield': ('亿元', '万元', '千元', '元')}
BASE_WORDS: list[tuple[str, str]] = [
    ('rent', r'房租|租金|租赁费'),
    ('rd_spend', r'研发投入|研发费用|研发经费'),
    ('fiscal_contribution', r'地方财政贡献|地方综合贡献|区级财政贡献|地方贡献|财政贡献|综合贡献|地方留成|税收贡献|纳税额|税收'),
    ('investment', r'固定资产投资|设备投资|实际投资|投资总额|投资额|实际到位资金|到位资金|设备购置|技术改造投入|技改投入|投资'),
]
BASE_RE = [(name, re.compile(words)) for name, words in BASE_WORDS]
THRESHOLD = re.compile(
    rf'(?P<pre>达到|超过|突破|不低于|不少于|高于|低于|不足|少于|不超过|在|为|首次)?\s*(?P<num>{NUM})\s*'
    r'(?P<unit>亿元|万元|千元|元|人|名|平方米|㎡|亩|%)(?:/亩)?\s*(?:（含）|\(含\))?'
    rf'(?:\s*(?:至|到|~|～|-|—)\s*(?P<num2>{NUM})\s*(?P<unit2>亿元|万元|千元|元|人|名|平方米|㎡|亩|%)(?:（含）|\(含\))?)?'
    r'\s*(?P<post>及以上|以上|及以下|以下|以内|之间)?')
RD_RATIO = re.compile(r'研发(?:投入|费用|经费)[^，,；;。]{0,14}?(?:占|比例|比重)[^，,；;。]{0,14}?'
                      r'(?:达到|不低于|超过|在|为)?\s*(?P<num>\d+(?:\.\d+)?)\s*%\s*(?:（含）)?(?P<post>以上|及以上)?')
TAGS: list[tuple[str, re.Pattern]] = [
    ('高新技术企业', re.compile(r'(?:国家(?:级)?)?高新技术企业')),
    ('专精特新', re.compile(r'(?<!国家级)(?<!省级)(?<!市级)(?<!国家)“?专精特新”?(?:中小)?企业')),
    ('规上', re.compile(r'规模以上|规上')),
    ('世界500强', re.compile(r'世界500强')),
    ('中国500强', re.compile(r'中国500强')),
    ('准独角兽', re.compile(r'准独角兽')),
    ('独角兽', re.compile(r'(?<!准)独角兽')),
    ('总部', re.compile(r'总部企业')),
]
CERTIFIED = re.compile(r'(?:被|经)?(?:认定|评为|评定|获评|认证)(?:为|的)?(?P<cert>[^，,；;。]{2,30}?)(?:的|，|,|$)')
_DISTRICT = r'(?![在于])[\u4e00-\u9fff]{1,5}?区|本区'
LOCATION = re.compile(rf'(?:工商注册|注册|税务登记|登记|落户|注册地)[^，,；;。]{{0,12}}?(?:在|于|为|位于)(?P<d>{_DISTRICT})'
                      rf'|(?:在|于)(?P<d2>{_DISTRICT})(?:内)?(?:注册|登记|新注册|落户|设立|纳税)')
YOUNG = re.compile(r'(?:成立|注册)(?:时间)?(?:不满|未满|不超过|少于|在)(?P<n>\d+|[一二两三四五六七八九十])年(?:以内|以下)?')
OLD = re.compile(r'(?:成立|注册)(?:时间)?(?:满|超过|不少于)(?P<n>\d+|[一二两三四五六七八九十])年(?:以上)?')
SCHED_FIRST_LAST = re.compile(
    r'前(?P<n1>[一二两三四五六七八九十\d]{1,2})年(?:内)?[^，,；;。%]{0,24}?(?P<p1>\d+(?:\.\d+)?%|全额|减半)'
    r'[^；;。]{0,40}?后(?P<n2>[一二两三四五六七八九十\d]{1,2})年(?:内)?[^，,；;。%]{0,24}?(?P<p2>\d+(?:\.\d+)?%|全额|减半)')
SCHED_EACH = re.compile(r'第(?P<y>[一二三四五六七八九十\d]{1,2})(?:个?年)?(?:[、至到和及-]第?(?P<y2>[一二三四五六七八九十\d]{1,2}))?个?年(?:度)?'
                        r'[^，,；;。%]{0,24}?(?P<p>\d+(?:\.\d+)?%|全额|减半)')
SCHED_LIST = re.compile(r'(?P<n>[一二两三四五六\d])年(?:内)?[^，,；;。]{0,6}?(?:分别|依次)(?:按|给予)?[^，,；;。\d]{0,20}?'
                        r'(?P<list>\d+(?:\.\d+)?%(?:[、，,和及]\d+(?:\.\d+)?%)+)')
SCHED_RUN = re.compile(r'连续(?P<n>[一二两三四五六\d])年[^，,；;。%]{0,24}?(?P<p>\d+(?:\.\d+)?%|全额)')
RATE_M2 = [re.compile(rf'每(?:平方米|㎡|平米|m2|m²)(?:每(?P<per>天|日|月|年))?[^，,；;。\d]{{0,6}}?(?P<num>{NUM})\s*(?P<u>元)'),
           re.compile(rf'(?P<num>{NUM})\s*(?P<u>元)\s*/\s*(?:平方米|㎡|m2|m²)(?:\s*[/·.]\s*(?P<per>天|日|月|年))?')]
RATE_UNIT = [re.compile(rf'每(?:引进|新增|招用|新招用|录用|新引进|购置|新购置)?(?:1|一)?(?P<who>人|名|亩|台|套)(?:每(?P<per>年|月))?'
                        rf'[^，,；;。]{{0,10}}?(?P<num>{NUM})\s*(?P<u>万元|元)'),
             re.compile(rf'(?P<num>{NUM})\s*(?P<u>万元|元)\s*/\s*(?P<who>人|名|亩|台|套)(?:\s*[/·]\s*(?P<per>年|月))?')]
NON_CASH: list[tuple[str, re.Pattern]] = [
    ('一事一议', re.compile(r'一事一议|一企一策|一项一策')),
    ('优先支持', re.compile(r'优先(?:安排|推荐|保障|支持|考虑|纳入|申报|享受|供地|审批|办理)')),
    ('绿色通道', re.compile(r'绿色通道')),
    ('荣誉', re.compile(r'授予[^，,；;。]{0,14}(?:称号|荣誉)|通报表扬|予以表彰|给予表彰')),
    ('人才服务', re.compile(r'人才公寓|子女入学|就医保障|落户便利')),
    ('用地用房保障', re.compile(r'用地保障|用房保障|优先供地')),
]
MEASURE = re.compile(r'实行|给予|予以|提供|优先|安排|享受|开辟|纳入|采取|授予|表彰|支持')
FUND_SIZE = re.compile(r'专项资金|资金规模|总规模|基金规模|设立[^，,；;。]{0,10}基金')
KINDS: list[tuple[str, re.Pattern]] = [
    ('房租补助', re.compile(r'房租|租金|租赁补助|用房补助|租赁费')),
    ('购房补助', re.compile(r'购房|购置办公用房|购买办公用房|购置自用')),
    ('上市奖励', re.compile(r'上市|挂牌|股改|股份制改造')),
    ('人才奖励', re.compile(r'人才|博士|硕士|领军|高层次|引才|招用|新招|稳岗|毕业生|大学生')),
    ('技改', re.compile(r'技术改造|技改|设备投资|设备购置|数字化改造|机器人')),
    ('研发资助', re.compile(r'研发')),
    ('税收贡献奖励', re.compile(r'财政贡献|地方贡献|综合贡献|纳税|税收')),
    ('知识产权', re.compile(r'专利|知识产权|商标|标准制定')),
    ('融资/基金', re.compile(r'贴息|融资|基金|担保|贷款')),
    ('认定奖励', re.compile(r'认定|评为|获评|称号|授予|入选')),
    ('落户奖励', re.compile(r'落户|新引进|新设立|新注册|投资奖励|固定资产投资|实际投资|开办')),
]
LEVEL_WORDS = re.compile(r'^(国家级|省级|市级|区级|国家|省|市|区|全国|世界|[一二三四五六七八九]级|[A-Z0-9]{1,5}级?)')


def tidy(value: Decimal) -> Decimal:
    """100.00 → 100, 1.50 → 1.5 (never 1E+2)."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def money(num: str, unit: str) -> Decimal | None:
    """An amount as written (`1.5` 亿元, `五十` 万元, `1,000` 元) in 万元."""
    value = _number(num)
    return None if value is None else tidy(value * MONEY_UNITS[unit])


def _number(num: str) -> Decimal | None:
    num = num.replace(',', '')
    if re.fullmatch(r'\d+(?:\.\d+)?', num):
        return Decimal(num)
    value = cn_number(num)
    return None if value is None else Decimal(value)


def _percent(m: re.Match) -> Decimal | None:
    if m.group('num'):
        return Decimal(m.group('num'))
    if m.group('cn'):
        value = cn_number(m.group('cn'))
        return None if value is None else Decimal(value)
    return Decimal(100) if m.group('word') == '全额' else Decimal(50)


def _years(numeral: str) -> int | None:
    return cn_number(numeral)


@dataclass
class Candidate:
    """One clause read from the text, before an administrator accepts it."""

    article: str
    citation: str
    kind: str
    formula: str
    quote: str
    amount: Decimal | None = None
    percent: Decimal | None = None
    base: str | None = None
    rate: Decimal | None = None
    unit: str | None = None
    tiers: list[dict] = field(default_factory=list)
    schedule: list[float] = field(default_factory=list)
    cap_year: Decimal | None = None
    cap_total: Decimal | None = None
    uncapped: bool = False
    conditions: list[dict] = field(default_factory=list)
    note: str = ''


def split_sentences(text: str) -> list[str]:
    """Sentences ending at 。！？ or a line break (not inside 《》 or “”); a ； keeps the sentence together."""
    out, buf, depth = [], '', 0
    for i, ch in enumerate(text):
        if ch == '\n':
            out.append(buf)
            buf = ''
            continue
        buf += ch
        if ch in '《“':
            depth += 1
        elif ch in '》”' and depth:
            depth -= 1
        nxt = text[i + 1] if i + 1 < len(text) else ''
        if depth == 0 and ch in '。！？!?' and nxt not in '”’"）)》」':
            out.append(buf)
            buf = ''
    out.append(buf)
    return [s.strip() for s in out if s.strip()]


def _segments(sentence: str) -> list[str]:
    return [s for s in re.split(r'(?<=[；;])', sentence) if s.strip()]


def _grant_at(segment: str) -> int | None:
    """Where the grant starts: 给予/予以, or an earlier 按 whose clause states the rate or share (按每平方米…, 按其…的50%)."""
    m = GRANT.search(segment)
    at = m.start() if m else None
    for by in re.finditer(r'(?<![规依])按(?!规定|照规定|要求|程序)', segment):
        if at is not None and by.start() > at:
            break
        clause = re.split(r'[，,；;]', segment[by.start():])[0]
        if PERCENT.search(clause) or MONEY.search(clause) or re.search(r'每(?:平方米|㎡|人|名|亩)', clause):
            return by.start()
    if at is None:
        m = GRANT_FALLBACK.search(segment)
        at = m.start() if m else None
    return at


def _spans_overlap(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < b and a < span[1] for a, b in spans)


def _base(text: str) -> str | None:
    """The base a percentage is of: the base word nearest before it. Only its increase (研发投入增量部分, 新增部分) is
    no base a firm's record holds: None."""
    best = None
    for name, pattern in BASE_RE:
        for m in pattern.finditer(text):
            if best is None or m.start() > best[0]:
                best = (m.start(), name, m.end())
    if best and re.search(r'增量|新增部分|增长部分|增加部分|超过上年', text[best[2]:]):
        return None
    return best[1] if best else None


def _field(text: str) -> str | None:
    """The measured quantity named last in the text (营业收入, 实际投资 …)."""
    found = None
    for m in FIELD_RE.finditer(text):
        found = m.lastgroup
    return found


def _kind(segment: str, grant: str, title: str) -> str:
    for text in (grant, segment):
        if text is segment and re.search(r'认定|评为|获评|入选', segment):
            return '认定奖励'
        for kind, pattern in KINDS:
            if pattern.search(text):
                return kind
    for kind, pattern in KINDS:
        if pattern.search(title):
            return kind
    return '其他'


def _threshold_value(field_name: str, num: str, unit: str) -> Decimal | None:
    if unit in MONEY_UNITS:
        return money(num, unit)
    return _number(num)


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _thresholds(text: str, context_field: str | None) -> list[dict]:
    """Conditions on quantities stated before the grant: 实际投资1亿元以上, 员工50人以上, 营业收入5000万元至1亿元."""
    out = []
    for clause_text in re.split(r'[，,]', text):
        for m in THRESHOLD.finditer(clause_text):
            pre, post, unit = m.group('pre') or '', m.group('post') or '', m.group('unit')
            if unit == '%' or pre in ('在', '为') and not post and not m.group('num2'):
                continue
            name = _field(clause_text[:m.start()]) or context_field
            if name is None or unit not in FIELD_UNITS.get(name, tuple(MONEY_UNITS)):
                continue
            low = _threshold_value(name, m.group('num'), unit)
            if low is None:
                continue
            if m.group('num2'):
                high = _threshold_value(name, m.group('num2'), m.group('unit2'))
                if high is not None:
                    out.append({'field': name, 'op': 'between', 'value': [_plain(low), _plain(high)]})
                continue
            if post in ('以上', '及以上') or pre in ('达到', '超过', '突破', '不低于', '不少于', '高于', '首次'):
                out.append({'field': name, 'op': 'gte', 'value': _plain(low)})
            elif post in ('以下', '及以下', '以内') or pre in ('不超过', '低于', '不足', '少于'):
                out.append({'field': name, 'op': 'lte', 'value': _plain(low)})
    return out


def _tag_conditions(text: str) -> list[dict]:
    out: list[dict] = []
    tags = [tag for tag, pattern in TAGS if pattern.search(text)]
    if tags:
        out.append({'field': 'tags', 'op': 'has', 'value': tags})
    certified = CERTIFIED.search(text)
    if certified and not tags:
        cert = certified.group('cert').strip('“”"')
        if cert and not re.search(r'\d', cert):
            out.append({'field': 'certification', 'op': 'has', 'value': [certified.group('cert')]})
    return out


_INDUSTRY_WORDS = naming_words()
_INDUSTRY_ALT = '|'.join(re.escape(w) for w, _name in _INDUSTRY_WORDS)
_INDUSTRY_RUN = re.compile(rf'(?:(?:{_INDUSTRY_ALT})(?:、|和|及|与|或|以及))*(?:{_INDUSTRY_ALT})(?:类)?'
                           r'(?:企业|产业|行业|项目|机构|领域|平台|公司)')
_INDUSTRY_WORD = re.compile(_INDUSTRY_ALT)
_INDUSTRY_OF = dict(_INDUSTRY_WORDS)


def industry_words(text: str) -> list[str]:
    """Industries the text names as a kind of firm or sector (数字经济企业; 数字经济、电竞数娱企业), in text order."""
    found = []
    for run in _INDUSTRY_RUN.finditer(text):
        for word in _INDUSTRY_WORD.finditer(run.group(0)):
            name = _INDUSTRY_OF[word.group(0)]
            if name not in found:
                found.append(name)
    return found


def platform_words(text: str, platforms: dict[str, list[str]]) -> list[str]:
    """The platforms (by their catalogue name) the text names."""
    return find_terms(text, platforms) if platforms else []


def _subject_conditions(text: str, district: str, context_field: str | None,
                        platforms: dict[str, list[str]] | None = None) -> list[dict]:
    conditions = _thresholds(text, context_field)
    ratio = RD_RATIO.search(text)
    if ratio:
        conditions = [c for c in conditions if c['field'] != 'rd_spend']
        conditions.append({'field': 'rd_ratio', 'op': 'gte', 'value': _plain(Decimal(ratio.group('num')))})
    conditions += _tag_conditions(text)
    place = LOCATION.search(text)
    if place:
        name = place.group('d') or place.group('d2')
        conditions.append({'field': 'registered_district', 'op': 'eq', 'value': district if name == '本区' else name})
    young, old = YOUNG.search(text), OLD.search(text)
    if young and _years(young.group('n')):
        conditions.append({'field': 'years_registered', 'op': 'lte', 'value': _years(young.group('n'))})
    if old and _years(old.group('n')):
        conditions.append({'field': 'years_registered', 'op': 'gte', 'value': _years(old.group('n'))})
    industries = industry_words(text)
    if industries:
        conditions.append({'field': 'industry', 'op': 'has_any', 'value': industries})
    housed = platform_words(text, platforms or {})
    if housed:
        conditions.append({'field': 'platform', 'op': 'has_any', 'value': housed})
    return conditions


def _caps(text: str, candidate: Candidate) -> list[tuple[int, int]]:
    spans = []
    for m in list(CAP.finditer(text)) + list(CAP_INSIDE.finditer(text)):
        value = money(m.group('num'), m.group('unit'))
        if value is None:
            continue
        scope = re.split(r'[，,]', text[:m.start()])[-1] + (m.group('word') if 'word' in m.groupdict() else '')
        if CAP_YEAR.search(scope):
            candidate.cap_year = candidate.cap_year if candidate.cap_year is not None else value
        else:
            candidate.cap_total = candidate.cap_total if candidate.cap_total is not None else value
        spans.append(m.span())
    if UNCAPPED.search(text):
        candidate.uncapped = True
    return spans


def _schedule(text: str) -> tuple[list[float], int] | None:
    """Yearly percentages (前两年100%、后三年50% → 100, 100, 50, 50, 50) and where they start."""
    m = SCHED_FIRST_LAST.search(text)
    if m:
        n1, n2 = _years(m.group('n1')), _years(m.group('n2'))
        p1, p2 = _pct_word(m.group('p1')), _pct_word(m.group('p2'))
        if n1 and n2 and n1 + n2 <= 10 and p1 is not None and p2 is not None:
            return [p1] * n1 + [p2] * n2, m.start('p1')
    m = SCHED_LIST.search(text)
    if m:
        values = [float(v) for v in re.findall(r'\d+(?:\.\d+)?(?=%)', m.group('list'))]
        n = _years(m.group('n'))
        if n and n == len(values):
            return values, m.start('list')
    years: dict[int, float] = {}
    first = None
    for m in SCHED_EACH.finditer(text):
        y, y2, p = _years(m.group('y')), _years(m.group('y2')) if m.group('y2') else None, _pct_word(m.group('p'))
        if y is None or p is None:
            continue
        first = m.start('p') if first is None else first
        for year in range(y, (y2 or y) + 1):
            years[year] = p
    if len(years) >= 2 and sorted(years) == list(range(1, max(years) + 1)) and max(years) <= 10:
        return [years[y] for y in sorted(years)], first or 0
    m = SCHED_RUN.search(text)
    if m:
        n, p = _years(m.group('n')), _pct_word(m.group('p'))
        if n and n <= 10 and p is not None:
            return [p] * n, m.start('p')
    return None


def _pct_word(text: str) -> float | None:
    m = PERCENT.fullmatch(text)
    if not m:
        return None
    value = _percent(m)
    return None if value is None else float(value)


def _rate(text: str) -> tuple[str, Decimal, str, str | None, tuple[int, int]] | None:
    """(formula, rate as written, unit as written, base, span) of a rate per ㎡, person or 亩."""
    for pattern in RATE_M2:
        m = pattern.search(text)
        if m and _number(m.group('num')) is not None:
            per = m.groupdict().get('per')
            unit = '元/㎡' + (f'·{"天" if per == "日" else per}' if per else '')
            return 'per_m2', _number(m.group('num')), unit, 'leased_area', m.span()
    for pattern in RATE_UNIT:
        m = pattern.search(text)
        if m and _number(m.group('num')) is not None:
            who = m.group('who')
            per = m.groupdict().get('per')
            unit = f'{m.group("u")}/{"人" if who == "名" else who}' + (f'·{per}' if per else '')
            base = 'land_area' if who == '亩' else 'equipment' if who in ('台', '套') else \
                ('headcount' if re.search(r'员工|职工|招用|用工', text) else 'persons')
            return 'per_unit', _number(m.group('num')), unit, base, m.span()
    return None


def _values(text: str) -> list[tuple[str, Decimal, str]]:
    """The list after 分别: percentages or amounts, in order (('percent', 3, '%'), ('amount', 50, '万元'))."""
    stop = re.search(r'最高|不超过|上限|封顶|累计', text)
    text = text[:stop.start()] if stop else text
    out = []
    tokens = sorted([(m.start(), 'percent', _percent(m), '%') for m in PERCENT.finditer(text) if m.group('num')]
                    + [(m.start(), 'amount', money(m.group('num'), m.group('unit')), m.group('unit'))
                       for m in MONEY.finditer(text)], key=lambda t: t[0])
    for _pos, kind, value, unit in tokens:
        if value is not None:
            out.append((kind, value, unit))
    return out


def _range_of(item: str) -> dict | None:
    """A tier bound from a list item: `5000万元（含）以上至1亿元` → {min: 5000, max: 10000}."""
    amounts = [m for m in QUANTITY.finditer(item) if m.group('unit') != '%']
    if not amounts:
        return None
    values = [_threshold_value('', m.group('num'), m.group('unit')) for m in amounts]
    if any(v is None for v in values):
        return None
    if len(values) >= 2:
        return {'min': _plain(values[0]), 'max': _plain(values[1])}
    after = item[amounts[0].end():]
    before = item[:amounts[0].start()]
    if re.match(r'\s*(?:（含）|\(含\))?\s*(?:及)?以下|\s*(?:（含）)?以内', after) or re.search(r'不足|低于|少于$', before):
        return {'min': None, 'max': _plain(values[0])}
    return {'min': _plain(values[0]), 'max': None}


def _alternatives(segment: str, at: int, base_text: str, context_field: str | None, title: str, district: str,
                  make) -> list[Candidate] | None:
    """`…国家级、省级…的，分别给予50万元和20万元` (one clause per category) or `…1亿元以下、1亿元以上的，分别按3%、
    5%` (one clause with tiers). None when the lists do not pair up."""
    values = _values(segment[at + 2:])
    before = segment[:at]
    pieces = re.split(r'[，,]', before)
    region = next((p for p in reversed(pieces) if '、' in p or QUANTITY.search(p)), '')
    if not values or not region:
        return None
    items = [i for i in re.split(r'[、]|(?<=[元人亩㎡米])和', region) if i.strip()]
    if len(items) != len(values):
        return None
    if all(QUANTITY.search(i) for i in items):
        ranges = [_range_of(i) for i in items]
        if any(r is None for r in ranges):
            return None
        prefix = before[:before.rfind(region)] + region
        name = _field(prefix) or context_field
        if name is None:
            return None
        tiers = []
        for bound, (kind, value, unit) in zip(ranges, values):
            tier = {'field': name, 'min': bound['min'], 'max': bound['max']}
            tier['percent' if kind == 'percent' else 'amount'] = _plain(value)
            tiers.append(tier)
        # a list of bare amounts after 突破/达到 (营业收入首次突破1亿元、5亿元) are minimums; each tier ends at the next
        if all(t['max'] is None for t in tiers) and len(tiers) > 1:
            for t, nxt in zip(tiers, tiers[1:]):
                t['max'] = nxt['min']
        candidate = make('tiers')
        candidate.tiers = tiers
        candidate.unit = '%' if values[0][0] == 'percent' else values[0][2]
        if values[0][0] == 'percent':
            candidate.base = _base(before) or (name if name in dict(BASE_WORDS) else None)
        lows = [t['min'] for t in tiers if t['min'] is not None]
        if lows and len(lows) == len(tiers):
            candidate.conditions.append({'field': name, 'op': 'gte', 'value': min(lows)})
        return [candidate]
    first = re.sub(r'^.*?(?:被认定为|认定为|被评为|评为|获评|获得|入选|列入|对)', '', items[0])
    first = re.sub(r'^(?:企业)?(?:新)?引进的?', '', first)
    items = [first, *items[1:]]
    last = re.sub(r'的$', '', items[-1].strip())
    ends = {i.strip()[-1:] for i in items[:-1]}
    noun = ''
    if len(ends) == 1 and ends.pop() in last:
        cut = last.index(items[0].strip()[-1]) + 1
        noun = last[cut:]
        labels = [i.strip() + noun for i in items[:-1]] + [last]
    else:
        labels = [i.strip() for i in items[:-1]] + [last]
    # 分别按每人每月1000元、2000元: each amount is a rate per person (and month or year), as written
    each = re.match(r'(?:按|给予)?每(?:1|一)?(?:人|名)(?:每(?P<per>年|月))?', segment[at + 2:])
    out = []
    for label, (kind, value, unit) in zip(labels, values):
        candidate = make('percent' if kind == 'percent' else 'per_unit' if each else 'fixed')
        if kind == 'percent':
            candidate.percent, candidate.unit, candidate.base = value, '%', _base(base_text)
        elif each:
            candidate.rate, candidate.base = tidy(value / MONEY_UNITS[unit]), 'persons'
            candidate.unit = f'{unit}/人' + (f'·{each.group("per")}' if each.group('per') else '')
        else:
            candidate.amount, candidate.unit = value, unit
        tag = next((t for t, pattern in TAGS if pattern.fullmatch(label)), None)
        candidate.conditions.append({'field': 'tags', 'op': 'has', 'value': [tag]} if tag else
                                    {'field': 'certification', 'op': 'has', 'value': [label]})
        out.append(candidate)
    return out


@dataclass
class _Context:
    field: str | None = None


def _segment(segment: str, sentence: str, article: Article, district: str, ctx: _Context,
             shared: list[dict], platforms: dict[str, list[str]]) -> list[Candidate]:
    def make(formula: str) -> Candidate:
        grant_text = segment[grant:] if grant is not None else segment
        return Candidate(article.anchor, article.citation, _kind(segment, grant_text, article.title + article.chapter),
                         formula, sentence, conditions=[dict(c) for c in shared])

    named = _field(segment)
    grant = _grant_at(segment)
    if grant is None or FUND_SIZE.search(segment) and not GRANT.search(segment):
        if named:
            ctx.field = named
        return _non_cash(segment, sentence, article, shared)
    subject = segment[:grant]
    own = _subject_conditions(subject, district, named or ctx.field, platforms)
    if named:
        ctx.field = named
    outer = shared
    shared = _merge(shared, own)
    respectively = segment.rfind('分别', grant - 2 if grant >= 2 else 0)
    if respectively < 0:
        respectively = segment.find('分别')
    if respectively >= 0:
        found = _alternatives(segment, respectively, segment[:respectively] + segment[respectively:], ctx.field,
                              article.title, district, make)
        if found:
            probe = Candidate('', '', '', '', '')
            _caps(segment[respectively:], probe)
            listed = [c for c in own if c['field'] not in ('tags', 'certification')]
            for candidate in found:  # the listed categories are each candidate's own condition
                candidate.conditions = _merge(_merge(outer, listed), candidate.conditions[len(shared):])
                candidate.cap_year, candidate.cap_total = probe.cap_year, probe.cap_total
                candidate.uncapped = probe.uncapped
            return found
    if re.search(r'拨付|兑现|发放|支付', segment) and not GRANT.search(segment):
        return []  # how the money is paid (申兑指南), not a benefit
    grant_text = segment[grant:]
    candidate = make('fixed')
    masked = [(a + grant, b + grant) for a, b in _caps(grant_text, candidate)]
    schedule = _schedule(segment)
    rate = _rate(segment)
    if rate:
        masked.append(rate[4])
    percents = [m for m in PERCENT.finditer(segment, grant) if not _spans_overlap(m.span(), masked)
                and not re.match(r'\s*(?:（含）)?(?:及)?以[上下]', segment[m.end():])
                and not re.search(r'占|比例|比重|增长|增幅|提高$', segment[max(0, m.start() - 8):m.start()])
                and (m.group('num') or m.group('cn'))]
    amounts = [m for m in MONEY.finditer(segment, grant) if not _spans_overlap(m.span(), masked)
               and not re.match(r'\s*(?:（含）|\(含\))?\s*(?:及)?(?:以上|以下|至|到)', segment[m.end():])]
    staged = _stages(segment, grant) if not (schedule or rate or percents) else None
    if staged:
        out = []
        for stage, amount in staged:  # 分三个阶段给予奖励：完成股份制改造的给予100万元，辅导备案的给予200万元，…
            step = make('fixed')
            step.amount, step.unit, step.note = money(amount.group('num'), amount.group('unit')), amount.group('unit'), \
                stage
            step.cap_year, step.cap_total, step.uncapped = candidate.cap_year, candidate.cap_total, candidate.uncapped
            out.append(step)
        return out
    if schedule:
        candidate.formula, candidate.schedule = 'schedule', schedule[0]
        candidate.base, candidate.unit = _base(segment[:schedule[1]]), '%'
    elif rate:
        candidate.formula, candidate.rate, candidate.unit, candidate.base = rate[0], rate[1], rate[2], rate[3]
    elif percents:
        candidate.formula, candidate.percent, candidate.unit = 'percent', _percent(percents[0]), '%'
        candidate.base = _base(segment[:percents[0].start()])
    elif amounts:
        candidate.amount, candidate.unit = money(amounts[0].group('num'), amounts[0].group('unit')), \
            amounts[0].group('unit')
    elif candidate.cap_total is not None or candidate.cap_year is not None:
        candidate.formula = 'up_to'
    else:
        return _non_cash(segment, sentence, article, shared)
    if '一次性' in segment and candidate.formula in ('fixed', 'up_to'):
        candidate.note = (candidate.note + ' 一次性').strip()
    return [candidate]


def _stages(segment: str, grant: int) -> list[tuple[str, re.Match]] | None:
    """After the grant's colon, one amount per stage or case, each with its own 给予 (完成股改的给予100万元，辅导备案的给予
    200万元): (the stage as written, its amount). None unless every part is such a pair and there are several."""
    colon = re.search(r'[：:]', segment[grant:])
    if colon is None:
        return None
    parts = [p for p in re.split(r'[，,；;。]', segment[grant + colon.end():]) if p.strip()]
    found = []
    for part in parts:
        given, amounts = GRANT.search(part), list(MONEY.finditer(part))
        if given is None or len(amounts) != 1 or amounts[0].start() < given.start():
            return None
        found.append((re.sub(r'的$', '', part[:given.start()].strip()), amounts[0]))
    return found if len(found) >= 2 and all(stage for stage, _m in found) else None


def _non_cash(segment: str, sentence: str, article: Article, shared: list[dict]) -> list[Candidate]:
    for label, pattern in NON_CASH:
        m = pattern.search(segment)
        if m and MEASURE.search(segment) and not MONEY.search(segment):
            kind = _kind(segment, segment, article.title + article.chapter)
            return [Candidate(article.anchor, article.citation, kind if label != '一事一议' else '其他', 'none', sentence,
                              conditions=[dict(c) for c in shared], note=f'{label}：{m.group(0)}')]
    return []


def _merge(first: list[dict], second: list[dict]) -> list[dict]:
    out = [dict(c) for c in first]
    for condition in second:
        if condition not in out:
            out.append(condition)
    return out


def _merge_tiers(found: list[Candidate]) -> list[Candidate]:
    """Consecutive clauses of one sentence each for one range of the same quantity (…5000万元至1亿元的，给予20万元；
    1亿元以上的，给予50万元) are one clause with tiers."""
    def bound(candidate: Candidate) -> dict | None:
        ranges = [c for c in candidate.conditions if c['op'] in ('gte', 'between', 'lte')
                  and c['field'] not in ('years_registered', 'rd_ratio')]
        return ranges[0] if len(ranges) == 1 else None

    if len(found) < 2 or len({c.quote for c in found}) != 1:
        return found
    money_clauses = [c for c in found if c.formula in ('fixed', 'percent') and bound(c)]
    fields = {bound(c)['field'] for c in money_clauses}
    if len(money_clauses) != len(found) or len(fields) != 1 or len({c.formula for c in found}) != 1:
        return found
    first = found[0]
    tiers = []
    for c in found:
        b = bound(c)
        low, high = (b['value'] if b['op'] == 'between' else
                     (b['value'], None) if b['op'] == 'gte' else (None, b['value']))
        tier = {'field': b['field'], 'min': low, 'max': high}
        if c.formula == 'percent':
            tier['percent'] = _plain(c.percent)
        else:
            tier['amount'] = _plain(c.amount)
        tiers.append(tier)
    ordered = sorted(tiers, key=lambda t: (t['min'] is None, t['min'] or 0))
    for tier, nxt in zip(ordered, ordered[1:]):  # 1亿元以上…；5亿元以上…: the first tier ends where the next begins
        if tier['max'] is None and tier['min'] is not None and nxt['min'] is not None:
            tier['max'] = nxt['min']
    merged = Candidate(first.article, first.citation, first.kind, 'tiers', first.quote, base=first.base,
                       unit=first.unit, tiers=tiers, cap_year=first.cap_year, cap_total=first.cap_total,
                       uncapped=any(c.uncapped for c in found))
    merged.conditions = [c for c in first.conditions if c is not bound(first) and c != bound(first)]
    lows = [t['min'] for t in tiers if t['min'] is not None]
    if len(lows) == len(tiers):
        merged.conditions.append({'field': tiers[0]['field'], 'op': 'gte', 'value': min(lows)})
    return [merged]


def scope_of(articles: list[Article], district: str) -> dict[str, Any]:
    """What the applicability article says of every clause: where firms must be registered, which industries."""
    for article in articles:
        for sentence in split_sentences(article.text):
            if re.search(r'适用于|适用对象|支持对象|适用范围|扶持对象', sentence):
                place = LOCATION.search(sentence)
                name = (place.group('d') or place.group('d2')) if place else None
                return {'district': district if name == '本区' else name, 'industries': industry_words(sentence),
                        'quote': sentence, 'article': article.anchor}
    return {'district': None, 'industries': [], 'quote': None, 'article': None}


def extract_clauses(articles: list[Article], *, district: str = '拱墅区',
                    platforms: dict[str, list[str]] | None = None) -> tuple[list[Candidate], list[str]]:
    """Clause candidates of every article, and warnings for sentences with amounts that were not read.
    `platforms`: catalogue name → spellings, for conditions on where a firm is housed."""
    platforms = platforms or {}
    scope = scope_of(articles, district)
    shared_scope = [{'field': 'registered_district', 'op': 'eq', 'value': scope['district']}] if scope['district'] \
        else []
    out: list[Candidate] = []
    warnings: list[str] = []
    for article in articles:
        ctx = _Context()
        listing: list[Candidate] = []  # clauses whose sentence ends with a colon: the items after it are conditions
        for sentence in split_sentences(article.text):
            if sentence == scope['quote']:
                continue
            if listing and _grant_at(sentence) is None:
                listed = _subject_conditions(sentence, district, ctx.field, platforms)
                for candidate in listing:
                    candidate.conditions = _merge(candidate.conditions, listed)
                continue
            found: list[Candidate] = []
            shared: list[dict] = []
            for segment in _segments(sentence):
                before = len(found)
                found += _segment(segment, sentence, article, district, ctx, shared, platforms)
                if len(found) == before and GRANT.search(segment) and MONEY.search(segment) \
                        and not FUND_SIZE.search(segment):
                    warnings.append(f'{article.citation}：未能读出金额，请人工录入：{segment}')
                if not found and _grant_at(segment) is None:
                    shared = _merge(shared, _subject_conditions(segment, district, ctx.field, platforms))
            found = _merge_tiers(found)
            for candidate in found:
                if candidate.formula != 'none':
                    candidate.conditions = _merge(shared_scope, candidate.conditions) if not any(
                        c['field'] == 'registered_district' for c in candidate.conditions) else candidate.conditions
                out.append(candidate)
            listing = found if re.search(r'[:：]$', sentence) else []
    return out, warnings


# --- 申兑指南 ---------------------------------------------------------------------------------------------------

GUIDE_FIELDS: list[tuple[str, Any, re.Pattern, re.Pattern]] = [
    # (key, label in the interface language: 申报条件, 申报材料, 申报时间, 兑现方式与时限, 受理部门, 咨询电话, 叠加规则, 追回规定;
    #  heading words, sentence words)
    ('apply_conditions', _l('Who may apply'), re.compile(r'申报条件|申请条件|支持对象|适用对象|申报主体'),
     re.compile(r'申报条件|申请条件|适用于|适用对象|支持对象|申报主体')),
    ('materials', _l('Documents to submit'), re.compile(r'申报材料|申请材料|所需材料|提交材料'),
     re.compile(r'申报材料|申请材料|提交(?:以下|下列|如下)?(?:申报)?材料|需提供|应提供|提供以下')),
    ('apply_period', _l('When to apply'), re.compile(r'申报时间|受理时间|申报期限'),
     re.compile(r'申报时间|受理时间|申报期|集中申报|申报截止|每年\d{1,2}月[^。；]{0,20}申报|申报[^。；]{0,12}每年\d{1,2}月')),
    ('payment', _l('How and when it is paid'), re.compile(r'兑现|资金拨付|拨付方式'),
     re.compile(r'兑现|拨付|分期|分批|工作日内[^。；]{0,10}(?:支付|发放|拨付)|资金[^。；]{0,6}(?:发放|支付)')),
    ('department', _l('Accepting department'), re.compile(r'受理部门|受理单位|责任部门'),
     re.compile(r'受理部门|受理单位|由[^，,；;。]{2,24}?(?:负责|受理)(?!解释)|向[^，,；;。]{2,24}?(?:申报|提出申请|提交)')),
    ('phone', _l('Enquiries'), re.compile(r'咨询电话|联系电话|联系方式'), re.compile(r'咨询电话|联系电话|联系方式')),
    ('stacking', _l('Combining with other support'), re.compile(r'叠加|不重复'),
     re.compile(r'就高不重复|不重复享受|不得重复|重复享受|叠加享受|不再重复|同类政策')),
    ('clawback', _l('Clawback'), re.compile(r'追回|退回|收回'),
     re.compile(r'追回|收回|退回|退还|返还|迁出[^。；]{0,20}(?:资金|奖励|补助)')),
]
GUIDE_LABELS = {key: label for key, label, _h, _s in GUIDE_FIELDS}
PHONE = re.compile(r'(?:0\d{2,3}[-－—\s]?)?\d{7,8}(?:[-－]\d{1,4})?|1[3-9]\d{9}')
DEPARTMENT = re.compile(r'(?:受理部门|受理单位)[:：]\s*(?P<a>[^，,；;。\s]{2,30})'
                        r'|由(?P<b>[^，,；;。]{2,24}?(?:局|委员会|委|办公室|中心|管委会|部门|街道))(?:负责|受理)(?!解释)'
                        r'|向(?P<c>[^，,；;。]{2,24}?(?:局|委员会|委|办公室|中心|管委会|部门|街道))(?:申报|提出申请|提交)')


def _one_subject(chapter: str) -> bool:
    """A chapter heading about one thing (申报材料), not several (申报与兑现): only then is every article under it
    about what the heading names."""
    words = re.sub(r'^(?:第[一二三四五六七八九十百\d]+章|[一二三四五六七八九十]+、)\s*', '', chapter)
    return not re.search(r'[与和及、]', words)


def extract_guide(articles: list[Article]) -> dict[str, dict]:
    """The 申兑指南 fields the text states, each with its verbatim sentences and the article they come from."""
    guide: dict[str, dict] = {}
    for key, label, heading, words in GUIDE_FIELDS:
        quotes: list[tuple[Article, str]] = []
        for article in articles:
            if heading.search(article.title) or heading.search(article.chapter) and _one_subject(article.chapter):
                quotes.append((article, article.text))
                continue
            quotes += [(article, s) for s in split_sentences(article.text) if words.search(s)]
        if not quotes:
            continue
        quote = '\n'.join(dict.fromkeys(q for _a, q in quotes))
        text = quote
        if key == 'phone':
            numbers = [m.group(0) for _a, q in quotes for m in PHONE.finditer(q)]
            if not numbers:
                continue
            text = '、'.join(dict.fromkeys(numbers))
        elif key == 'department':
            names = [next(g for g in m.groups() if g) for _a, q in quotes for m in DEPARTMENT.finditer(q)]
            if not names:
                continue
            text = '、'.join(dict.fromkeys(names))
        guide[key] = {'text': text, 'quote': quote, 'article': quotes[0][0].anchor,
                      'citation': quotes[0][0].citation}
    return guide


def highest_only(guide: dict[str, dict]) -> bool:
    """The text says support for the same cost is not combined (就高不重复)."""
    stacking = guide.get('stacking', {}).get('quote', '')
    return bool(re.search(r'就高|不重复享受|不得重复享受|不再重复', stacking))
