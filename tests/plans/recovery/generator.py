"""A seeded generator of damaged plan documents whose clean text is known.

It takes the clean source documents (`sources/`) and damages them the ways downloaded plan texts are damaged
(../../../../shared/design/SOURCES.md lists them: PDF line wraps with words and names cut, spurious spaces and
NBSPs, padded digits, half-width punctuation, flattened tables with repeated headers, TOCs with page numbers, web
page furniture, whole bodies repeated, web-novel and advertising strings injected between and inside sentences,
headings fused with their text, GB18030 bytes …). Every generated document carries its ground truth: the clean
paragraphs, and exactly which strings were injected.

`generate(seed, count)` gives a reproducible sample; `render(source, DamagePlan())` gives the clean layout of one
source (no damage at all).
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from .sources import Element, Source, load_sources

JUNK_EVAL = Path(__file__).resolve().parent / 'junk_eval.txt'
CJK = re.compile(r'[\u4e00-\u9fff]')
NAME = re.compile(r'[\u4e00-\u9fff]{2,10}?(?:产业园|小镇|中心|园区|基地|实验室|研究院|商务区|数智谷|走廊|总部港|智造园|软件园|大学)')
HALF = str.maketrans({'，': ',', '：': ':', '；': ';', '（': '(', '）': ')', '！': '!', '？': '?'})
FINAL = '。；！？：'

# Every kind of damage the generator applies. Each generated document draws a random set, and document i always
# carries DAMAGES[i % len(DAMAGES)], so any sample of len(DAMAGES) documents or more shows every kind.
DAMAGES = {
    'pdf-wrap': 'paragraphs hard-wrapped at a fixed width, words and numbers cut, blank line between lines',
    'names-broken': 'a line break inside a platform or organisation name (in wrapped and unwrapped text)',
    'double-spaced': 'a blank line after every line',
    'cjk-spaces': 'spurious spaces (and NBSP + space) between Chinese characters',
    'digit-spaces': 'spaces around numbers, units and percent signs',
    'quote-spaces': 'spaces inside quotation marks',
    'nbsp': 'NBSP in headings, before numbers, and lines holding nothing but an NBSP',
    'half-width': 'half-width , : ; ( ) as Chinese punctuation',
    'ascii-quotes': 'ASCII "…" instead of “…”',
    'spam-between': 'junk strings injected between two sentences',
    'spam-mid': 'junk strings injected inside a sentence',
    'spam-heading': 'a junk string right after a heading',
    'spam-line': 'a junk string on a line of its own',
    'asterisks': 'stray asterisks before and inside sentences',
    'stray-and': 'a stray English "and" between Chinese words',
    'markdown': 'markdown bold markers and ---- rule lines',
    'fused-headings': 'a 一、/（一） heading fused with its text, no separator',
    'letter-spaced-title': 'a letter-spaced title (政 府 工 作 报 告)',
    'toc': 'a table of contents with page numbers',
    'table-cells': 'the indicator table flattened one cell per line',
    'table-header-repeat': 'the table header repeated at a page break (in a flattened table: long cells split over two '
                           'lines, the header sometimes between the halves)',
    'page-meta': 'web page metadata lines: 发布时间 / 浏览次数 / 字号 / 来源 / 索引号 block',
    'page-nav': 'breadcrumbs, 打印本页 / 关闭窗口, 上一篇 / 下一篇, site footer with ICP number',
    'script': 'script residue and scraper disclaimers around the text',
    'end-matter': '抄送 list and 印发 line at the end',
    'repeat-body': 'the whole body repeated, the copy exactly as the first',
    'rewrapped-copy': 'a second copy of the whole body wrapped and spaced differently, with extra junk',
    'duplicate-block': 'a run of paragraphs repeated inside the document',
    'web-articles': 'a web page of articles: title, whole body on one line, post date (one article twice)',
    'gb18030': 'encoded in GB18030',
    'crlf': 'CRLF line endings and a UTF-8 BOM',
}
PROBABILITY = 0.3


@dataclass
class Injection:
    """A string the generator put into the text that is not part of the document."""
    kind: str  # spam | metadata | navigation | toc | script | markup | end-matter | symbol
    text: str


@dataclass
class DamagePlan:
    """Which damages one document receives."""
    damages: frozenset[str] = frozenset()

    def has(self, name: str) -> bool:
        return name in self.damages


@dataclass
class Generated:
    """A damaged document and its ground truth."""
    name: str
    data: bytes
    encoding: str
    sources: list[Source]
    damages: list[str]
    injected: list[Injection] = field(default_factory=list)

    def paragraphs(self) -> list[str]:
        """The clean paragraphs the import should give, in order."""
        return [p for s in self.sources for p in s.paragraphs()]

    def headings(self) -> list[str]:
        return [h for s in self.sources for h in s.headings()]

    def text(self) -> str:
        return self.data.decode(self.encoding)


# --- junk strings -------------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def eval_junk() -> tuple[str, ...]:
    """The evaluation list (never shown to the importer)."""
    lines = JUNK_EVAL.read_text(encoding='utf-8').splitlines()
    return tuple(s.strip() for s in lines if s.strip() and not s.startswith('#'))


_NOVEL_A = ('玄天', '九幽', '紫霄', '苍穹', '龙城', '青冥', '太虚', '沧澜', '赤炎', '云荒')
_NOVEL_B = ('剑尊', '狂龙', '战帝', '医仙', '神婿', '魔主', '天骄', '毒妃', '少帅', '霸主')
_READ = ('全文免费看', '无删减在线读', '完本', '手机版', '精校全本', '最新一章', '番外篇', '有声版')
_ITEMS = ('话费', '流量', '点券', '钻石', '元宝', '会员')
_JOBS = ('打字', '录入', '客服', '配音', '抄写', '标注')
_ILLS = ('痛风', '鼻炎', '失眠', '湿疹', '关节炎', '近视')
_CN_NUM = '一二三四五六七八九十'


def templated_junk(rng: random.Random) -> str:
    """A junk string built from slots, so the evaluation also sees wording no list holds."""
    n = rng.choice((10, 20, 30, 50, 88, 100, 200, 300, 500))
    forms = (
        lambda: rng.choice(_NOVEL_A) + rng.choice(_NOVEL_B) + rng.choice(('', '传', '记', '录', '纪')),
        lambda: rng.choice(_NOVEL_A) + rng.choice(_NOVEL_B) + rng.choice(_READ),
        lambda: f'充{n}送{n // 2}{rng.choice(_ITEMS)}',
        lambda: f'{rng.choice(_ITEMS)}{rng.choice(("限时", "今日", "新人"))}{rng.choice(_CN_NUM)}折',
        lambda: f'{rng.choice(_JOBS)}兼职{rng.choice(("日结", "周结", "当天结"))}{n}元',
        lambda: f'在家做{rng.choice(_JOBS)}月入{rng.choice(("五千", "八千", "一万"))}',
        lambda: f'{rng.choice(_ILLS)}{rng.choice(("一贴好", "根治不复发", "三天见效", "祖传方"))}',
        lambda: f'{rng.choice(("注册", "首充", "签到"))}送{n}{rng.choice(("元", "金币", "积分"))}',
        lambda: (f'{rng.choice(("复古", "热血", "仙侠"))}{rng.choice(("手游", "页游"))}{rng.choice(_CN_NUM)}折'
                 f'{rng.choice(("充值", "返利", "开服"))}'),
    )
    return rng.choice(forms)()


def pick_junk(rng: random.Random, avoid: str) -> str:
    """An evaluation junk string (two times in three from the list, else templated) absent from `avoid`."""
    for _ in range(50):
        s = rng.choice(eval_junk()) if rng.random() < 0.67 else templated_junk(rng)
        if s not in avoid:
            return s
    raise RuntimeError('no junk string fits')


# --- blocks ---------------------------------------------------------------------------------------------------------

@dataclass
class Block:
    """One logical line of the rendered document before layout."""
    kind: str  # front | heading | paragraph | runin | table | junk
    text: str = ''
    table: Element | None = None
    wrap: bool = True


class Damager:
    """Applies one document's damages and records what it injects."""

    def __init__(self, rng: random.Random, plan: DamagePlan, avoid: str) -> None:
        self.rng, self.plan, self.avoid = rng, plan, avoid
        self.injected: list[Injection] = []

    def junk(self) -> str:
        s = pick_junk(self.rng, self.avoid)
        self.injected.append(Injection('spam', s))
        return s

    def inject(self, kind: str, text: str) -> str:
        self.injected.append(Injection(kind, text))
        return text

    def choose(self, kind: str, options: tuple[str, ...]) -> str:
        """Inject one of `options` that the document's own text does not contain (so that it can be told apart)."""
        return self.inject(kind, self.rng.choice([o for o in options if o not in self.avoid] or list(options)))

    def _strings(self) -> tuple[str, ...]:
        return tuple(i.text for i in self.injected if i.kind == 'spam')

    # blocks of one source ---------------------------------------------------------------------------------------

    def blocks(self, source: Source, copy: int = 1) -> list[Block]:
        """The body of a source as blocks, with text-level damages applied."""
        out: list[Block] = []
        elements = source.elements
        i = 0
        while i < len(elements):
            e = elements[i]
            if e.kind == 'table':
                out.append(Block('table', e.text, e, wrap=False))
            elif e.kind == 'heading' and e.runin:
                out.append(Block('runin', e.text + elements[i + 1].text))
                i += 1
            elif e.kind == 'heading':
                nxt = elements[i + 1] if i + 1 < len(elements) else None
                if (self.plan.has('fused-headings') and e.marker_kind in ('cn', 'paren') and nxt is not None
                        and nxt.kind == 'paragraph' and self.rng.random() < 0.6):
                    out.append(Block('runin', e.text + nxt.text))
                    i += 2
                    continue
                out.append(Block('heading', e.text, wrap=False))
            else:
                out.append(Block('paragraph', e.text))
            i += 1
        return [self._damage_block(b, copy) for b in out]

    def _damage_block(self, block: Block, copy: int) -> Block:
        if block.kind == 'table':
            return block
        text = block.text
        rng, has = self.rng, self.plan.has
        spam_rate = 0.08 if copy == 1 else 0.14
        if block.kind != 'heading':
            if has('spam-between') and rng.random() < spam_rate:
                text = _insert_between(rng, text, self.junk())
            if has('spam-mid') and rng.random() < spam_rate:
                text = _insert_mid(rng, text, self.junk(), keep=self._strings())
            if has('names-broken') and rng.random() < 0.1 and NAME.search(text):
                m = rng.choice(list(NAME.finditer(text)))  # a junk string next to a name the layout may break
                text = text[:m.end()] + self.junk() + text[m.end():]
            if has('asterisks') and rng.random() < 0.1:
                text = _insert_between(rng, text, self.inject('symbol', '*'))
            if has('stray-and') and rng.random() < 0.05:
                text = _insert_mid(rng, text, self.inject('symbol', 'and'), spaced=True, keep=self._strings())
            if has('markdown') and rng.random() < 0.04:
                self.injected += [Injection('symbol', '**'), Injection('symbol', '**')]
                text = f'**{text}**'
        elif has('spam-heading') and rng.random() < 0.15:
            text = text + self.junk()
        if has('cjk-spaces'):
            text = _cjk_spaces(rng, text, 0.012)
        if has('digit-spaces'):
            text = _digit_spaces(rng, text)
        if has('quote-spaces'):
            text = text.replace('“', '“ ').replace('”', ' ”')
        if has('nbsp'):
            text = _nbsp(rng, text, block.kind == 'heading')
        return replace(block, text=text)


def _positions_between(text: str) -> list[int]:
    return [m.end() for m in re.finditer(r'[。；！？](?=[\u4e00-\u9fff0-9“])', text)]


def _insert_between(rng: random.Random, text: str, junk: str) -> str:
    spots = _positions_between(text)
    at = rng.choice(spots) if spots else 0
    return text[:at] + junk + text[at:]


def _insert_mid(rng: random.Random, text: str, junk: str, spaced: bool = False, keep: tuple[str, ...] = ()) -> str:
    """Insert inside a sentence, between two Chinese characters, never inside a string `keep` lists."""
    inside = {i for k in keep if k for m in re.finditer(re.escape(k), text) for i in range(m.start() + 1, m.end())}
    spots = [i for i in range(3, len(text) - 3) if CJK.match(text[i - 1]) and CJK.match(text[i]) and i not in inside]
    if not spots:
        return text + junk
    at = rng.choice(spots)
    return text[:at] + (f' {junk} ' if spaced else junk) + text[at:]


def _cjk_spaces(rng: random.Random, text: str, rate: float) -> str:
    out = []
    for i, ch in enumerate(text):
        out.append(ch)
        if i + 1 < len(text) and CJK.match(ch) and CJK.match(text[i + 1]) and rng.random() < rate:
            out.append(rng.choice((' ', ' ', '\u00a0 ', '  ')))
    return ''.join(out)


def _digit_spaces(rng: random.Random, text: str) -> str:
    def pad(m: re.Match[str]) -> str:
        before = ' ' if m.start() > 0 and CJK.match(text[m.start() - 1]) and rng.random() < 0.7 else ''
        after = ' ' if rng.random() < 0.7 else ''
        return before + m.group(0) + after
    return re.sub(r'\d+(?:\.\d+)?(?=[\u4e00-\u9fff%])', pad, text)


def _nbsp(rng: random.Random, text: str, heading: bool) -> str:
    if heading:
        return re.sub(r'^(第[一二三四五六七八九十百]+[章节部分]+)\s*', lambda m: m.group(1) + '\u00a0 ', text)
    return re.sub(r'(?<=[\u4e00-\u9fff])(?=\d)', lambda m: '\u00a0' if rng.random() < 0.15 else '', text)


# --- layout ---------------------------------------------------------------------------------------------------------

@dataclass
class Layout:
    """How blocks become physical lines."""
    width: int = 0  # 0: one line per block
    blank_between: bool = True  # blank line between the lines of a wrapped paragraph
    table: str = 'tabs'  # tabs | cells | cells-repeat
    names_broken: bool = False


def layout(rng: random.Random, blocks: list[Block], lay: Layout) -> list[str]:
    """Physical lines of the blocks."""
    lines: list[str] = []
    for b in blocks:
        if b.kind == 'table':
            lines += _table_lines(rng, b.table, lay.table)
        elif b.wrap:
            lines += _wrap(rng, b.text, lay)
        else:
            lines.append(b.text)
        lines.append('')
    return lines


def _wrap(rng: random.Random, text: str, lay: Layout) -> list[str]:
    cuts: list[int] = []
    if lay.width:
        pos = lay.width
        while pos < len(text):
            cuts.append(pos)
            pos += lay.width
    if lay.names_broken and rng.random() < 0.5:
        names = list(NAME.finditer(text))
        if names:
            m = rng.choice(names)
            cut = rng.randrange(m.start() + 1, m.end())
            cuts = sorted({c for c in cuts if abs(c - cut) > 4} | {cut})
    if not cuts:
        return [text]
    pieces = [text[a:b] for a, b in zip([0] + cuts, cuts + [len(text)])]
    sep = [''] if lay.blank_between else []
    out: list[str] = []
    for n, piece in enumerate(pieces):
        out += ([*sep, piece] if n else [piece])
    return out


def _table_lines(rng: random.Random, table: Element, style: str) -> list[str]:
    """A table as tab-separated rows (`tabs`, `tabs-repeat`: the header row again at a page break) or one cell per
    line with blank lines between (`cells`, `cells-repeat`: long cells split over two lines, the header again at a
    page break, sometimes between the two halves of a cell)."""
    lines = [table.text]
    header, rows = table.rows[0], table.rows[1:]
    if header[0] in ('类别', '分类') and rng.random() < 0.7:  # the category only on the first row of its group
        rows = [r if n == 0 or r[0] != rows[n - 1][0] else [''] + r[1:] for n, r in enumerate(rows)]
        if style.startswith('cells'):  # an empty cell leaves no line at all
            rows = [[c for c in r if c] for r in rows]
    page_break = rng.randrange(1, len(rows)) if style.endswith('-repeat') else None
    if style.startswith('tabs'):
        for n, row in enumerate(rows):
            if n == page_break:
                lines.append('\t'.join(header))
            lines.append('\t'.join(row))
        lines = [lines[0], '\t'.join(header)] + lines[1:]
    else:
        cells = list(header)
        for n, row in enumerate(rows):
            repeat = n == page_break
            for cell in row:
                if style == 'cells-repeat' and len(cell) > 12 and rng.random() < 0.5:
                    cut = rng.randrange(6, len(cell) - 3)
                    cells += [cell[:cut]] + (header if repeat else []) + [cell[cut:]]
                    repeat = False
                else:
                    if repeat:
                        cells += header
                        repeat = False
                    cells.append(cell)
        for cell in cells:
            lines += [cell, '']
    if table.note:
        lines.append(table.note)
    return lines


# --- page furniture -----------------------------------------------------------------------------------------------

def _date_iso(source: Source) -> str:
    m = re.match(r'(\d{4})年(\d{1,2})月(\d{1,2})日', source.date)
    return f'{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}' if m else '2025-01-01'


def _other_titles(source: Source) -> list[str]:
    return [s.title for s in load_sources() if s.name != source.name]


def page_header(rng: random.Random, d: Damager, source: Source) -> list[str]:
    """Lines a web page puts above the text."""
    lines: list[str] = []
    iso = _date_iso(source)
    if d.plan.has('script'):
        lines.append(d.choose('script', ((
            "$(function(){ $('*',$('form.comment')).attr('disabled', 'disabled",
            'var _hmt = _hmt || []; (function() { var hm = document.createElement("script");',
            'document.write(\'<div class="share">\');'))))
    if d.plan.has('page-nav'):
        lines.append(d.choose('navigation', ((
            '首页 > 政务公开 > 规划计划', '当前位置：首页 >> 信息公开 >> 政策文件', '您的位置：首页 > 新闻中心 > 区县动态',
            '首页 | 政府信息公开 | 发展规划'))))
    if d.plan.has('page-meta'):
        views = rng.randrange(30, 9000)
        hm = f'{rng.randrange(8, 18):02d}:{rng.randrange(0, 60):02d}:{rng.randrange(0, 60):02d}'
        lines.append(d.choose('metadata', ((
            f'发布时间：{iso} {hm}\u3000浏览次数：{views}\u3000字号：[大 中 小]',
            f'发布日期: {iso} {hm} 点击率: {views}',
            f'来源：{source.issuer}\u3000发布时间：{iso}\u3000浏览量：{views}次',
            f'日期:{iso} 作者:admin{views} 移动:http://m.example-news.cn/view/{views}.html'))))
        if rng.random() < 0.5:
            lines.append(d.inject('metadata', f'来源：{source.issuer}\u3000\u3000【字体：大 中 小】\u3000【打印】'))
        if rng.random() < 0.5:
            number = f'{rng.randrange(10**7, 10**8)}-{rng.randrange(0, 9)}/{iso[:4]}-{rng.randrange(10000, 99999)}'
            block = ['索引号', number, '文号', source.number or '', '公布日期', iso, '公开方式', '主动公开', '发布单位',
                     source.issuer]
            # the document number and the issuer are the document's own front matter, not strings foreign to it
            lines += [d.inject('metadata', x) if x not in ('', source.number, source.issuer) else x for x in block]
    return lines


def page_footer(rng: random.Random, d: Damager, source: Source) -> list[str]:
    """Lines a web page puts below the text."""
    lines: list[str] = []
    if d.plan.has('page-nav'):
        others = _other_titles(source)
        lines.append(d.choose('navigation', (('【打印本页】【关闭窗口】', '打印本页 关闭窗口', '【我要纠错】【打印】【关闭】'))))
        lines.append(d.inject('navigation', f'上一篇：{rng.choice(others)}'))
        lines.append(d.inject('navigation', f'下一篇：{rng.choice(others)}'))
        icp = f'浙ICP备{rng.randrange(10**7, 10**8)}号-{rng.randrange(1, 5)}'
        lines.append(d.choose('navigation', ((
            f'网站地图 | 联系我们 | 网站声明\u3000主办单位：{source.issuer}\u3000{icp}',
            f'版权所有：{source.issuer} {icp} 浙公网安备 33010{rng.randrange(10**9, 10**10)}号',
            f'网站首页\u00a0|\u00a0关于我们\u00a0|\u00a0联系方式\u00a0|\u00a0{icp}'))))
    if d.plan.has('script'):
        lines.append(d.inject('script', '特别提示：本信息由相关用户自行提供，真实性未证实，仅供参考。请谨慎采用，风险自负。'))
        lines.append(d.choose('script', (('举报收藏 0评论 0', '0相关评论', '扫一扫在手机打开当前页'))))
    return lines


def toc_lines(rng: random.Random, d: Damager, source: Source) -> list[str]:
    """A table of contents of the top two heading levels, with page numbers."""
    heads = [e.text.rstrip('。') for e in source.elements if e.kind == 'heading' and e.level <= 2]
    if len(heads) < 3:
        return []
    lines = [d.inject('toc', rng.choice(('目 录', '目录')))]
    page = rng.randrange(1, 4)
    dots = rng.choice(('\t', '……………', ' ', '\t\t'))
    for h in heads:
        page += rng.randrange(0, 3)
        lines.append(d.inject('toc', f'{h}{dots}{page}'))
    return lines + ['']


def end_matter(rng: random.Random, d: Damager, source: Source) -> list[str]:
    issuer = source.issuer or '区人民政府办公室'
    return ['', d.inject('end-matter', '抄送：区委各部门，区人大常委会办公室，区政协办公室，区法院，区检察院。'),
            d.inject('end-matter', f'{issuer}{rng.choice(("", " "))}{source.date}印发')]


# --- documents ----------------------------------------------------------------------------------------------------

def render(source: Source, plan: DamagePlan = DamagePlan(), rng: random.Random | None = None,
           name: str | None = None) -> Generated:
    """One source as a document, with the plan's damages (none: the clean layout)."""
    rng = rng or random.Random(0)
    d = Damager(rng, plan, source.text())
    if plan.has('web-articles'):
        return _web_page(rng, d, source, name or source.name)
    table = 'cells' if plan.has('table-cells') else 'tabs'
    if plan.has('table-header-repeat'):
        table = rng.choice(('cells-repeat', 'tabs-repeat'))
    lay = Layout(width=rng.randrange(26, 44) if plan.has('pdf-wrap') else 0, blank_between=rng.random() < 0.7,
                 table=table, names_broken=plan.has('names-broken'))
    title = source.title
    if plan.has('letter-spaced-title') and len(title) <= 16:
        title = ' '.join(title)
    elif plan.has('letter-spaced-title'):
        title = re.sub(r'(工作报告|规划纲要|实施办法|若干意见)$', lambda m: ' '.join(m.group(1)), title)
    front = [x for x in (title, source.number, source.issuer, source.date) if x]
    lines = page_header(rng, d, source) + front + ['']
    if plan.has('toc'):
        lines += toc_lines(rng, d, source)
    body = d.blocks(source)
    if plan.has('duplicate-block'):
        body = _duplicate_block(rng, body)
    if plan.has('spam-line'):
        body = _junk_lines(rng, d, body)
    if plan.has('markdown'):
        at = rng.randrange(1, len(body))
        body.insert(at, Block('junk', d.inject('markup', '----\t------'), wrap=False))
    body_lines = layout(rng, body, lay)
    lines += body_lines
    if plan.has('repeat-body') or plan.has('rewrapped-copy'):
        lines += _furniture_between(rng, d, source)
        if plan.has('rewrapped-copy'):
            lay2 = replace(lay, width=0 if lay.width else rng.randrange(24, 40), blank_between=not lay.blank_between)
            # the copy: spaced differently (spurious spaces where the first has none, and the reverse), NBSPs, and
            # junk strings the first copy does not carry
            copy_damages = (set(plan.damages) ^ {'cjk-spaces'}) | {'nbsp', 'spam-between', 'spam-mid'}
            d2 = Damager(rng, DamagePlan(frozenset(copy_damages)), source.text())
            lines += layout(rng, d2.blocks(source, copy=2), lay2)
            d.injected += d2.injected
        else:
            lines += body_lines
    if plan.has('end-matter'):
        lines += end_matter(rng, d, source)
    lines += page_footer(rng, d, source)
    return _finish(rng, plan, lines, [source], d, name or source.name)


def _duplicate_block(rng: random.Random, body: list[Block]) -> list[Block]:
    paras = [i for i, b in enumerate(body) if b.kind == 'paragraph']
    if len(paras) < 4:
        return body
    start = rng.choice(paras[:-2])
    run = [b for b in body[start:start + rng.randrange(2, 5)] if b.kind != 'table']
    at = start + len(run) if rng.random() < 0.6 else rng.randrange(start + len(run), len(body) + 1)
    return body[:at] + [replace(b) for b in run] + body[at:]


def _junk_lines(rng: random.Random, d: Damager, body: list[Block]) -> list[Block]:
    out = list(body)
    for _ in range(rng.randrange(1, 3)):
        out.insert(rng.randrange(1, len(out)), Block('junk', d.junk(), wrap=False))
    return out


def _furniture_between(rng: random.Random, d: Damager, source: Source) -> list[str]:
    lines = ['']
    if d.plan.has('page-nav') or rng.random() < 0.5:
        lines.append(d.choose('navigation', (('规划计划', '政务公开', '信息公开目录', '计划总结'))))
    half = len(source.title) // 2
    lines += [source.title[:half], source.title[half:], '']
    return lines


def _web_page(rng: random.Random, d: Damager, source: Source, name: str) -> Generated:
    """A page of web articles: `-` separator, title, the whole body on one line, post date. The source is one
    article; one or two others join it, and one article appears twice (the second copy with stray asterisks)."""
    others = [s for s in load_sources() if s.name != source.name]
    items = [source] + rng.sample(others, rng.randrange(1, 3))
    rng.shuffle(items)
    twice = rng.choice(items)
    order = items + [twice]
    lines: list[str] = []
    if d.plan.has('page-nav'):
        lines.append(d.inject('navigation', '首页 > 投资动态 > 招商信息'))
    for n, item in enumerate(order):
        sep = rng.choice((' ', '\u3000\u3000', '\u00a0\u00a0'))
        blocks = d.blocks(item, copy=2 if n == len(order) - 1 else 1)
        parts = []
        for b in blocks:
            if b.kind == 'table':
                parts.append(b.text + ' ' + ' '.join(c for r in b.table.rows for c in r) + (' ' + b.table.note
                                                                                          if b.table.note else ''))
            else:
                parts.append(b.text)
        body = sep.join(parts)
        if n == len(order) - 1:  # the article's second copy carries stray asterisks
            spots = _positions_between(body)
            for at in sorted(rng.sample(spots, min(3, len(spots))), reverse=True):
                body = body[:at] + '*' + body[at:]
                d.injected.append(Injection('symbol', '*'))
        tag = rng.choice(('', '【投资动态】', '【招商信息】'))
        if tag:
            d.injected.append(Injection('navigation', tag))
        lines += ['-', tag + item.title, body, _date_iso(item)]
    lines += [d.inject('navigation', '有想补充的信息?点我投稿'), '', d.inject('navigation', '- 联系我们'),
              d.inject('navigation', '- 企业入驻')]
    return _finish(rng, d.plan, lines, items, d, name)


def _finish(rng: random.Random, plan: DamagePlan, lines: list[str], sources: list[Source], d: Damager,
            name: str) -> Generated:
    if plan.has('double-spaced'):
        lines = [x for line in lines for x in (line, '')]
    if plan.has('nbsp'):
        lines = [('\u00a0' if not line and rng.random() < 0.05 else line) for line in lines]
    text = '\n'.join(lines) + '\n'
    if plan.has('half-width'):
        text = text.translate(HALF)
    if plan.has('ascii-quotes'):
        text = text.replace('“', '"').replace('”', '"')
    newline = '\r\n' if plan.has('crlf') else '\n'
    text = text.replace('\n', newline)
    if plan.has('gb18030'):
        encoding, data = 'gb18030', text.encode('gb18030')
    else:
        encoding = 'utf-8-sig' if plan.has('crlf') else 'utf-8'
        data = text.encode(encoding)
    return Generated(name, data, encoding, sources, sorted(plan.damages), d.injected)


def plan_for(rng: random.Random, forced: str | None = None) -> DamagePlan:
    """A random set of damages (each with probability PROBABILITY), plus `forced`."""
    chosen = {name for name in DAMAGES if rng.random() < PROBABILITY}
    if forced:
        chosen.add(forced)
    if 'web-articles' in chosen and forced != 'web-articles' and rng.random() < 0.7:
        chosen.discard('web-articles')  # a web page of articles replaces every layout damage: keep it rarer
    if 'repeat-body' in chosen and 'rewrapped-copy' in chosen:
        chosen.discard(rng.choice(('repeat-body', 'rewrapped-copy')))
    return DamagePlan(frozenset(chosen))


def generate(seed: int = 19, count: int = 50) -> list[Generated]:
    """`count` damaged documents, reproducible from `seed`: the sources in turn, each with a random damage plan."""
    sources = load_sources()
    names = list(DAMAGES)
    out = []
    for i in range(count):
        rng = random.Random(seed * 100_003 + i)
        source = sources[i % len(sources)]
        plan = plan_for(rng, names[i % len(names)])
        out.append(render(source, plan, rng, f'g{seed}-{i:03d}-{source.name}'))
    return out
