"""A policy text's structure and metadata: 第N条 articles (in 第N章 chapters), or 一、/（一）/1. items, or plain
paragraphs; the title, issuer, 文号, issue date, and the dates it is in force from and until.

The text arrives as the plan importer's clean lines (junk, tables of contents and repeats removed). Copies made
from PDFs damage numbers (`第 1 2 条`, `1 0 0万元`, full-width `１００`): these are repaired first, so articles
are found and every quote is cut from the repaired text the reader sees."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from crm.plans.parsing import split_sentences
from crm.plans.parsing.model import Removal
from crm.plans.parsing.segment import Line

CN_DIGITS = '零〇○一二两三四五六七八九'
CN_NUMERAL = f'[{CN_DIGITS}十百千]'
_FULL_WIDTH = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, '％': '%', '＋': '+'})
_SPACED_DIGITS = re.compile(r'(?<=\d) +(?=\d)')
_SPACED_POINT = re.compile(r'(?<=\d) *[.．] *(?=\d)')
_SPACED_PERCENT = re.compile(r'(?<=\d) +(?=%)')

ARTICLE = re.compile(rf'^第({CN_NUMERAL}{{1,6}}|\d{{1,3}})条(?![款项])\s*')
INLINE_ARTICLE = re.compile(rf'(?<=[。；;：:])\s*第({CN_NUMERAL}{{1,6}}|\d{{1,3}})条(?![款项])')
CHAPTER = re.compile(rf'^第({CN_NUMERAL}{{1,4}}|\d{{1,2}})([章节])\s*(.*)$')
CN_ITEM = re.compile(r'^([一二三四五六七八九十]{1,3})、\s*')
PAREN_ITEM = re.compile(r'^[(（]([一二三四五六七八九十]{1,3})[)）]\s*')
NUM_ITEM = re.compile(r'^(\d{1,2})(?:[.．、](?!\d))\s*')
ANY_ITEM = re.compile(f'{CN_ITEM.pattern}|{PAREN_ITEM.pattern}|{NUM_ITEM.pattern}')
TITLE_WORDS = re.compile(r'(办法|细则|政策|意见|规定|措施|方案|通知|规则|条例|决定|若干|指南|实施意见|管理办法|新政|举措)')
ISSUER = re.compile(r'^[\u4e00-\u9fff（）()、\s]{4,60}(人民政府|人民政府办公室|办公室|办公厅|局|委员会|管委会|管理委员会|'
                    r'领导小组|中心|政府)$')
DOC_NUMBER = re.compile(r'[\u4e00-\u9fff]{1,12}\s*[〔\[［【(（]\s*\d{4}\s*[〕\]］】)）]\s*\d{1,4}\s*号')
DATE = re.compile(r'(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日')
CN_DATE = re.compile(rf'([{CN_DIGITS}]{{4}})年([一二三四五六七八九十]{{1,3}})月([一二三四五六七八九十]{{1,3}})日')
ANY_DATE = f'(?:{DATE.pattern}|{CN_DATE.pattern})'
ISO_DATE = re.compile(r'^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})')


def repair(text: str) -> str:
    """Undo the damage copies from PDFs do to numbers: full-width digits, spaces inside numbers and before %."""
    text = text.translate(_FULL_WIDTH)
    text = _SPACED_POINT.sub('.', text)
    text = _SPACED_DIGITS.sub('', text)
    return _SPACED_PERCENT.sub('', text)


def cn_number(numeral: str) -> int | None:
    """`十二` → 12, `一百零五` → 105, `两千` → 2000, `2024` → 2024; None for anything else."""
    numeral = numeral.strip()
    if numeral.isdigit():
        return int(numeral)
    digits = {c: i for i, c in enumerate('零一二三四五六七八九')} | {'〇': 0, '○': 0, '两': 2}
    if numeral and all(c in digits for c in numeral) and len(numeral) > 1:  # 二〇二四: digit by digit
        return int(''.join(str(digits[c]) for c in numeral))
    total, current = 0, 0
    for ch in numeral:
        if ch in digits:
            current = digits[ch]
        elif ch in '十百千':
            total += (current or 1) * {'十': 10, '百': 100, '千': 1000}[ch]
            current = 0
        else:
            return None
    return (total + current) if numeral else None


def parse_date(text: str) -> date | None:
    """The first date written in the text (2024年1月5日, 二〇二四年一月五日 or 2024-01-05)."""
    for pattern in (DATE, CN_DATE, ISO_DATE):
        m = pattern.search(text)
        if m:
            try:
                return date(*(cn_number(g) for g in m.groups()))
            except (TypeError, ValueError):
                return None
    return None


@dataclass
class Article:
    """A citable unit of a policy: 第N条, an item (二、（一）), the preamble (序言), or a paragraph."""

    number: int | str | None
    anchor: str
    citation: str
    text: str
    title: str = ''
    chapter: str = ''
    line: int = 0


@dataclass
class Validity:
    """A sentence stating when the policy is in force, with what it says."""

    anchor: str
    quote: str
    effective_from: date | None = None
    valid_until: date | None = None
    years: int | None = None


@dataclass
class PolicyText:
    """A policy document read: its metadata, articles and what was removed as junk."""

    title: str | None = None
    issuer: str | None = None
    doc_number: str | None = None
    issued_on: date | None = None
    effective_from: date | None = None
    valid_until: date | None = None
    layout: str = 'plain'
    articles: list[Article] = field(default_factory=list)
    validity: list[Validity] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    encoding: str = 'utf-8'


def _join(parts: list[str]) -> str:
    """Lines of one article as one text: wrapped lines are joined, an item marker starts a new line."""
    out = ''
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if not out:
            out = part
        elif ANY_ITEM.match(part) and not re.match(r'^\d', part) or NUM_ITEM.match(part) and out[-1] in '。；;：:':
            out += '\n' + part
        elif out[-1].isascii() and out[-1].isalpha() and part[0].isascii() and part[0].isalpha():
            out += ' ' + part
        else:
            out += part
    return out


def _split_inline_articles(lines: list[Line]) -> list[Line]:
    """Articles run together on one line (a PDF copy lost its breaks): split before 第N条 after a sentence end,
    when N continues the numbering."""
    out, expected = [], None
    for ln in lines:
        text = ln.text
        m = ARTICLE.match(text)
        if m:
            expected = (cn_number(m.group(1)) or 0) + 1
        pieces, start = [], 0
        for inline in INLINE_ARTICLE.finditer(text):
            number = cn_number(inline.group(1))
            if expected is not None and number == expected:
                pieces.append(text[start:inline.start()])
                start = inline.start() + (len(inline.group(0)) - len(inline.group(0).lstrip()))
                expected += 1
        pieces.append(text[start:])
        out.extend(Line(p.strip(), ln.line, p) for p in pieces if p.strip())
    return out


def _is_title_line(text: str) -> bool:
    return 4 <= len(text) <= 80 and not re.search(r'[。；;，,：:]', text) and bool(TITLE_WORDS.search(text))


def _is_heading_only(text: str) -> bool:
    return len(text) <= 25 and not re.search(r'[。；;，,]', text)


class _Builder:
    def __init__(self) -> None:
        self.articles: list[Article] = []
        self.used: set[str] = set()

    def add(self, number, anchor: str, citation: str, lines: list[Line], title: str = '', chapter: str = '') -> None:
        text = _join([ln.text for ln in lines])
        if not text:
            return
        base, n = anchor, 2
        while anchor in self.used:
            anchor, n = f'{base}-{n}', n + 1
        self.used.add(anchor)
        self.articles.append(Article(number, anchor, citation, text, title, chapter, lines[0].line if lines else 0))


def _layout(lines: list[Line]) -> str:
    numbers = [cn_number(m.group(1)) for ln in lines if (m := ARTICLE.match(ln.text))]
    if len(set(numbers)) >= 2:
        return 'articles'
    counts = {'cn': 0, 'paren': 0, 'num': 0}
    for ln in lines:
        for kind, pattern in (('cn', CN_ITEM), ('paren', PAREN_ITEM), ('num', NUM_ITEM)):
            if pattern.match(ln.text):
                counts[kind] += 1
    if counts['cn'] >= 2 or counts['paren'] >= 2 or counts['num'] >= 2:
        return 'items'
    return 'plain'


def _first_marker(lines: list[Line], layout: str) -> int:
    for i, ln in enumerate(lines):
        if layout == 'articles' and (ARTICLE.match(ln.text) or CHAPTER.match(ln.text) and len(ln.text) <= 40):
            return i
        if layout == 'items' and ANY_ITEM.match(ln.text):
            return i
    return len(lines) if layout != 'plain' else 0


def _trailing(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    """The body and the closing lines after it (issuer, date, 附件 list): metadata, not text to cite."""
    end = len(lines)
    while end > 0:
        text = lines[end - 1].text.strip()
        if not text or parse_date(text) and len(text) <= 20 or ISSUER.match(text) or re.match(r'^附件\s*[:：\d]', text):
            end -= 1
            continue
        break
    return lines[:end], lines[end:]


def _articles(lines: list[Line], builder: _Builder) -> None:
    chapter, current, number, last = '', [], None, 0
    for ln in lines:
        text = ln.text
        head = CHAPTER.match(text)
        if head and len(text) <= 40 and '。' not in text:
            if current:
                builder.add(number, f'art{number}', f'第{_cn(number)}条', current, _bracket_title(current), chapter)
            chapter, current, number = text, [], None
            continue
        m = ARTICLE.match(text)
        value = cn_number(m.group(1)) if m else None
        if m and value is not None and (last == 0 or last < value <= last + 2):
            if current:
                builder.add(number, f'art{number}', f'第{_cn(number)}条', current, _bracket_title(current), chapter)
            number, last = value, value
            current = [Line(text[m.end():], ln.line, ln.raw)]
            continue
        if number is None:  # a chapter's lead text before its first article
            builder.add(None, 'pre', '序言', [ln], '', chapter)
            continue
        current.append(ln)
    if current:
        builder.add(number, f'art{number}', f'第{_cn(number)}条', current, _bracket_title(current), chapter)


def _bracket_title(lines: list[Line]) -> str:
    m = re.match(r'^[【\[]([^】\]]{1,20})[】\]]', lines[0].text if lines else '')
    return m.group(1) if m else ''


_CN_DIGIT_NAMES = '零一二三四五六七八九'


def _cn(number: int | None) -> str:
    """12 → 十二, 105 → 一百零五 (article numbers are cited the way the text writes them)."""
    if number is None:
        return ''
    if number < 10:
        return _CN_DIGIT_NAMES[number]
    if number < 20:
        return '十' + (_CN_DIGIT_NAMES[number % 10] if number % 10 else '')
    if number < 100:
        return _CN_DIGIT_NAMES[number // 10] + '十' + (_CN_DIGIT_NAMES[number % 10] if number % 10 else '')
    rest = number % 100
    tail = '' if not rest else ('零' + _cn(rest) if rest < 10 else
                                ('一' + _cn(rest) if rest < 20 else _cn(rest)))
    return _CN_DIGIT_NAMES[number // 100] + '百' + tail


def _items(lines: list[Line], builder: _Builder) -> None:
    """Items: the articles are the （一） items when the 一、 lines are headings, else the 一、 items (or the 1.
    items when there is nothing else); deeper items stay inside their article."""
    cn_lines = [ln for ln in lines if CN_ITEM.match(ln.text)]
    paren = sum(1 for ln in lines if PAREN_ITEM.match(ln.text))
    headings = sum(1 for ln in cn_lines if _is_heading_only(ln.text[CN_ITEM.match(ln.text).end():]))
    if paren >= 2 and (not cn_lines or headings * 2 >= len(cn_lines)):
        level = 'paren'
    elif len(cn_lines) >= 2:
        level = 'cn'
    elif paren >= 2:
        level = 'paren'
    else:
        level = 'num'
    section: str | None = None
    section_title = ''
    current: list[Line] = []
    meta: tuple | None = None

    def close() -> None:
        nonlocal current, meta
        if current:
            if meta:
                builder.add(meta[0], meta[1], meta[2], current, meta[3], section_title)
            else:
                builder.add(None, 'pre', '序言', current)
        current, meta = [], None

    def in_section(anchor: str) -> str:
        return f's{cn_number(section)}.{anchor}' if section else anchor

    for ln in lines:
        text = ln.text
        cn, pm, nm = CN_ITEM.match(text), PAREN_ITEM.match(text), NUM_ITEM.match(text)
        if cn:
            close()
            section, body = cn.group(1), text[cn.end():]
            if level == 'cn':
                title = body if _is_heading_only(body) else ''
                section_title = text if title else ''
                meta = (section, f's{cn_number(section)}', f'{section}、', title)
                current = [] if title else [Line(body, ln.line, ln.raw)]
            else:
                section_title = text
                if not _is_heading_only(body):  # a section with text of its own
                    meta = (section, f's{cn_number(section)}', f'{section}、', '')
                    current = [Line(body, ln.line, ln.raw)]
            continue
        if pm and level == 'paren':
            close()
            item = pm.group(1)
            meta = (f'{section}（{item}）' if section else f'（{item}）', in_section(f'i{cn_number(item)}'),
                    f'{section}、（{item}）' if section else f'（{item}）', '')
            current = [Line(text[pm.end():], ln.line, ln.raw)]
            continue
        if nm and level == 'num':
            close()
            k = nm.group(1)
            meta = (f'{section}、{k}' if section else k, in_section(f'n{k}'),
                    f'{section}、{k}.' if section else f'{k}.', '')
            current = [Line(text[nm.end():], ln.line, ln.raw)]
            continue
        if meta is None and section is not None:  # text directly under a section heading
            meta = (section, f's{cn_number(section)}', f'{section}、', '')
        current.append(ln)
    close()


def _plain(lines: list[Line], builder: _Builder) -> None:
    """No numbering: each paragraph (ending with 。) is cited as 第N段."""
    current: list[Line] = []
    n = 0
    for ln in lines:
        current.append(ln)
        if re.search(r'[。！？]$', ln.text):
            n += 1
            builder.add(n, f'p{n}', f'第{n}段', current)
            current = []
    if current:
        n += 1
        builder.add(n, f'p{n}', f'第{n}段', current)


def _front(front: list[Line], result: PolicyText) -> list[Line]:
    """Title, issuer, 文号 and date lines before the first article; the rest is the preamble."""
    titles: list[str] = []
    preamble: list[Line] = []
    pending = ''
    for ln in front:
        text = ln.text.strip()
        if not text:
            continue
        wrapped = re.search(r'关于印发\s*《([^》]{4,80})》', text)
        if wrapped:
            titles.insert(0, wrapped.group(1))
        doc_number = DOC_NUMBER.search(text)
        if doc_number and len(text) <= len(doc_number.group(0)) + 6:
            result.doc_number = result.doc_number or re.sub(r'\s+', '', doc_number.group(0))
            continue
        if parse_date(text) and len(text) <= 20:
            result.issued_on = result.issued_on or parse_date(text)
            continue
        if ISSUER.match(text):
            result.issuer = result.issuer or re.sub(r'\s+', '、', text)
            continue
        if not re.search(r'[。；;，,：:]', text) and len(text) <= 80:
            joined = pending + text
            if _is_title_line(joined) and re.search(TITLE_WORDS.pattern + r'(?:[）)]|[（(][^（）()]{1,10}[）)])?$', joined):
                titles.append(joined)
                pending = ''
                continue
            if not pending and len(text) <= 40:
                pending = text
                continue
        if pending:
            preamble.append(Line(pending, ln.line, pending))
            pending = ''
        if wrapped and len(text) <= 100 and '。' not in text:
            continue
        preamble.append(ln)
    if pending:
        preamble.append(Line(pending, 0, pending))
    if titles and not result.title:
        result.title = titles[0] if re.search(r'关于印发', ''.join(f.text for f in front)) and titles else \
            max(titles, key=len)
    return preamble


_EFFECTIVE = re.compile(rf'自\s*({ANY_DATE}|发布之日|印发之日|公布之日|颁布之日|发文之日)\s*起\s*(?:施行|实施|执行|生效)')
_YEARS = re.compile(r'有效期(?:为|暂定为?)?\s*([\d一二三四五六七八九十两]{1,3})\s*年')
_UNTIL = re.compile(rf'(?:有效期|执行期|实施期|期限|截止)[^。；]{{0,30}}?(?:至|到)\s*({ANY_DATE})\s*止?|至\s*({ANY_DATE})\s*止')
_RANGE = re.compile(rf'({ANY_DATE})\s*(?:至|到|—|－|-|~|～)\s*({ANY_DATE})')


_ON_ISSUE = re.compile(r'发布之日|印发之日|公布之日|颁布之日|发文之日')


def _validity(result: PolicyText) -> None:
    """The sentences that say when the policy is in force (自…起施行, 有效期…年, 至…止)."""
    for article in result.articles:
        for sentence in split_sentences(article.text):
            found = Validity(article.anchor, sentence)
            effective = _EFFECTIVE.search(sentence)
            if effective:
                found.effective_from = parse_date(effective.group(1))
            years = _YEARS.search(sentence)
            if years:
                found.years = cn_number(years.group(1))
            until = _UNTIL.search(sentence)
            if until:
                found.valid_until = parse_date(until.group(0))
            span = _RANGE.search(sentence)
            if span and re.search(r'有效期|执行|施行|实施|期限', sentence):
                found.effective_from = found.effective_from or parse_date(span.group(1))
                found.valid_until = parse_date(span.group(0)[len(span.group(1)):]) or found.valid_until
            if found.effective_from or found.valid_until or found.years or effective:
                result.validity.append(found)


def in_force(result: PolicyText, issued_on: date | None) -> tuple[date | None, date | None]:
    """(effective from, valid until) as the text states them; 自发布之日起 counts from `issued_on`, and 有效期N年
    ends the day before the N-th anniversary of the start."""
    effective = next((v.effective_from for v in result.validity if v.effective_from), None)
    if effective is None and any(_ON_ISSUE.search(v.quote) for v in result.validity):
        effective = issued_on
    until = next((v.valid_until for v in result.validity if v.valid_until), None)
    years = next((v.years for v in result.validity if v.years), None)
    start = effective or issued_on
    if until is None and years and start:
        try:
            end = start.replace(year=start.year + years)
        except ValueError:  # 29 February
            end = start.replace(year=start.year + years, day=28)
        until = end - timedelta(days=1)
    return effective, until


def read_structure(lines: list[Line]) -> PolicyText:
    """Articles, metadata and validity of a policy from its clean lines."""
    lines = [Line(repair(ln.text).strip(), ln.line, ln.raw) for ln in lines if ln.text.strip()]
    lines = _split_inline_articles(lines)
    result = PolicyText()
    result.layout = _layout(lines)
    start = _first_marker(lines, result.layout)
    preamble = _front(lines[:start], result)
    body, tail = _trailing(lines[start:])
    for ln in tail:
        text = ln.text.strip()
        if parse_date(text) and len(text) <= 20:
            result.issued_on = result.issued_on or parse_date(text)
        elif ISSUER.match(text):
            result.issuer = result.issuer or re.sub(r'\s+', '、', text)
        result.removed.append(Removal('metadata', text, ln.line, 'issuer, date or attachment list after the text'))
    builder = _Builder()
    if preamble and result.layout != 'plain':
        builder.add(None, 'pre', '序言', preamble)
    elif preamble:
        body = preamble + body
    {'articles': _articles, 'items': _items, 'plain': _plain}[result.layout](body, builder)
    result.articles = builder.articles
    _validity(result)
    result.effective_from, result.valid_until = in_force(result, result.issued_on)
    return result
