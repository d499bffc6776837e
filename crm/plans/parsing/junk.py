"""Recognise web junk: script residue, navigation, metadata, injected spam and stray symbols."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date

from .model import Removal

# A web page's metadata labels are short nouns: a head (时间, 次数, 来源, 文号 …), most after a qualifier saying
# what it is of (发布时间, 浏览次数, 信息来源, 发文机关). Heads that read as ordinary words alone (时间, 单位, 方式 …)
# count only with their qualifiers, so a body line such as 单位：亿元 or a table column 责任单位 stays text.
_WHEN = ('发布', '更新', '发文', '成文', '生成', '公布', '印发', '生效', '失效')
_LABELS: dict[str, tuple[tuple[str, ...], bool]] = {  # head: (qualifiers, whether the head alone is a label)
    '时间': (_WHEN, False), '日期': (_WHEN, True),
    '次数': (('浏览', '阅读', '点击', '访问'), False), '人次': (('浏览', '阅读', '访问'), False),
    '数': (('浏览', '阅读', '点击', '访问'), False), '量': (('浏览', '阅读', '点击', '访问'), False),
    '率': (('点击',), False),
    '来源': (('信息', '文章', '稿件', '新闻'), True), '出处': ((), True), '作者': ((), True),
    '编辑': (('责任',), True), '审核': ((), True), '校对': ((), True), '撰稿': ((), True),
    '单位': (('发布', '发文', '所属'), False), '机构': (('发布', '发文', '所属'), False), '机关': (('发文',), False),
    '分类': (('主题', '体裁', '组配', '信息'), False), '方式': (('公开',), False), '范围': (('公开',), False),
    '时限': (('公开',), False), '索引号': (('信息',), True), '文号': (('发文', '备注/'), True),
    '字号': (('发文',), True), '字体': ((), True), '有效性': ((), True), '移动': ((), True),
}


def _alt(words) -> str:
    return '|'.join(sorted(map(re.escape, words), key=len, reverse=True))


_META_KEY_RE = '(?:' + '|'.join(
    (f'(?:{_alt(qualifiers)})' + ('?' if alone else '') if qualifiers else '') + re.escape(head)
    for head, (qualifiers, alone) in sorted(_LABELS.items(), key=lambda kv: -len(kv[0]))) + ')'
_META_LINE = re.compile(rf'^(?:(?:{_META_KEY_RE})\s*[:：]?\s*\S*\s*)+$')
_META_LABEL = re.compile(rf'^(?:{_META_KEY_RE})\s*[:：]?$')
# Page controls: print, close, share, font size (字号 大 中 小), back to top.
_CONTROL = re.compile(r'(?:(?:字号|字体)\s*[:：]?\s*)?大\s*中\s*小|打印(?:本页|此页|本文)?|关闭(?:本页|窗口|页面)?'
                      r'|(?:收藏|加入收藏)(?:本页)?|分享(?:到)?\s*[:：]?(?:\s*(?:微信|微博|朋友圈|QQ空间|QQ|钉钉))*'
                      r'|返回(?:顶部|列表|首页)?|视力保护色|扫一扫(?:在手机(?:上)?(?:打开|查看)(?:当前页)?)?|(?:我要)?纠错')
_PAIR = re.compile(rf'({_META_KEY_RE})\s*(?:[:：]\s*(.*?)|\s+(\S+)|())'
                   rf'(?=\s*(?:{_META_KEY_RE})\s*[:：]|\s+(?:{_META_KEY_RE})\s|\s*(?:{_CONTROL.pattern})|\s*$)')
_NEIGHBOURS = re.compile(r'^(?:上一篇|下一篇|上一条|下一条|上篇|下篇)\s*[:：]?')
_TRAIL = re.compile(r'^(?:当前位置|您的位置|您当前的位置|您现在的位置|当前所在位置|所在位置)\s*[:：]')
_CRUMB_NAME = re.compile(r'[\u4e00-\u9fffA-Za-z（）() ·]{1,20}')
_CRUMB_SEP = re.compile(r'\s*(?:>+|»+|›+|＞+|→)\s*')
_HOME = ('首页', '网站首页', '主页')
_HOME_SEP = re.compile(r'\s*(?:>+|»+|›+|＞+|→|[|｜/])\s*')
NAV_WORDS = ('联系我们', '点我投稿', '分享到', '上一篇', '下一篇', '版权所有', '网站首页', '关于我们', 'ICP备', '举报',
             '相关评论', '最新动态', '点击排行', '返回顶部', '打印本页', '关闭窗口', '当前位置', '企业入驻', '网站地图',
             '隐私政策', '使用协议', '扫一扫', '收藏本页', '设为首页', '加入收藏', '友情链接', '技术支持', '主办单位',
             '公网安备', '网站标识码', 'Copyright', '©')
DISCLAIMER = re.compile(r'^(特别提示|免责声明|声明)[:：]')
SCRIPT_TOKENS = re.compile(r'function\s*\(|\$\(|document\.|window\.|\.attr\(|var\s+\w+\s*=|=>|</?script|\{\s*$|^\s*[{}]\s*$'
                           r'|[a-z-]+\s*:\s*[^;]+;\s*[a-z-]+\s*:')
DATE_ONLY = re.compile(r'^\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$')
SEPARATOR = re.compile(r'^\s*[-—*=_~·]{1,}\s*$')
MARKDOWN_RULE = re.compile(r'^[-\s\t|:]{3,}$')
HTML_TAG = re.compile(r'</?[a-zA-Z][^<>]{0,200}>|&(?:nbsp|amp|lt|gt|quot|#\d+|#x[0-9a-fA-F]+);')


@dataclass
class LineVerdict:
    """Why a raw line is junk (kind, reason) or None when it is content."""
    kind: str
    reason: str


def _ascii_ratio(text: str) -> float:
    return sum(1 for c in text if ord(c) < 128) / max(len(text), 1)


def classify_line(line: str) -> LineVerdict | None:
    """Classify one raw line as junk or content."""
    text = line.strip()
    if not text:
        return None
    if SCRIPT_TOKENS.search(text) and _ascii_ratio(text) > 0.5:
        return LineVerdict('script', 'script or style residue')
    if MARKDOWN_RULE.match(text) and '-' in text:
        return LineVerdict('markup', 'markdown rule line')
    if DATE_ONLY.match(text):
        return LineVerdict('metadata', 'web post date')
    if SEPARATOR.match(text):
        return LineVerdict('navigation', 'item separator')
    if DISCLAIMER.match(text):
        return LineVerdict('navigation', 'site disclaimer')
    if 'http://' in text or 'https://' in text or 'www.' in text:
        if _META_LINE.match(re.sub(r'https?://\S+', '', text)) or len(text) < 120:
            return LineVerdict('metadata', 'page metadata with URL')
    return _classify_short(text)


def _classify_short(text: str) -> LineVerdict | None:
    compact = re.sub(r'\s+', '', text)
    page = page_furniture(text)
    if page is not None:
        return page
    hits = sum(1 for w in NAV_WORDS if w in compact)
    if '。' not in compact and (hits >= 3 or (len(compact) <= 80 and hits)):
        return LineVerdict('navigation', 'site navigation or footer')
    if _is_breadcrumb(text):
        return LineVerdict('navigation', 'breadcrumb')
    if re.match(r'^\d+\s*(相关评论|评论|条评论|赞|阅读)$', compact):
        return LineVerdict('navigation', 'comment counter')
    if re.fullmatch(r'附件\s*\d*', compact):
        return LineVerdict('navigation', 'attachment label')
    return None


def page_furniture(text: str) -> LineVerdict | None:
    """A line made only of a page's metadata pairs (发布时间：… 浏览次数：… 来源：…) and controls (字号 大 中 小,
    打印本页, 关闭窗口, 分享到), in any order and combination, or a link to the previous or next article."""
    text = text.strip()
    if not text or len(text) > 200:
        return None
    if _NEIGHBOURS.match(text) and len(text) <= 150:
        return LineVerdict('navigation', 'link to the previous or next article')
    if '。' in text:
        return None
    text = re.sub(r'[【】\[\]|｜]', ' ', text)
    pos, pairs, controls = 0, 0, 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        m = _PAIR.match(text, pos)
        if m and len((m.group(2) or m.group(3) or '').strip()) <= 60:
            pairs, pos = pairs + 1, m.end()
            continue
        m = _CONTROL.match(text, pos)
        if m and m.end() > pos:
            controls, pos = controls + 1, m.end()
            continue
        return None
    if pairs:
        return LineVerdict('metadata', 'page metadata key/value')
    return LineVerdict('navigation', 'page controls') if controls else None


def _is_breadcrumb(text: str) -> bool:
    """首页 > 政务公开 > 规划计划, 当前位置：首页>>…, 首页 | 政府信息公开: a path of short section names (one from the
    home page may be split by bars or slashes too)."""
    if '。' in text or '\t' in text or len(text) > 120:
        return False
    trail = _TRAIL.match(text)
    body = text[trail.end():] if trail else text
    parts = [p for p in _HOME_SEP.split(body.strip()) if p]  # a path from the home page: 首页 | 政府信息公开 | …
    if not parts or parts[0] not in _HOME:
        parts = [p for p in _CRUMB_SEP.split(body.strip()) if p]
    names = all(_CRUMB_NAME.fullmatch(p) for p in parts)
    return bool(parts) and names and (bool(trail) or (len(parts) >= 2 and len(text) <= 80))


def is_meta_label(text: str) -> bool:
    """True for a bare metadata label such as 索引号 (its value follows on the next line)."""
    return bool(_META_LABEL.match(text.strip()))


_VALUE_SHAPES = (('时间', '日期'), r'\d{4}\s*[-/.年]\s*\d{1,2}.*'), (('次数', '人次', '数', '量', '率'), r'\d[\d,]*\s*(?:次)?'), \
    (('索引号', '文号'), r'.*\d.*')


def is_label_value(label: str, text: str) -> bool:
    """Whether `text`, on the line after the bare label `label`, reads as its value: a date after a date label, a
    number after a counter, a short name after any other (so a table column headed 日期 does not swallow a cell)."""
    text = text.strip()
    if not text or len(text) > 40 or '。' in text or is_meta_label(text):
        return False
    for heads, shape in _VALUE_SHAPES:
        if label.endswith(heads):
            return bool(re.fullmatch(shape, text))
    return len(text) <= 20


def metadata_pairs(text: str) -> dict[str, str]:
    """Extract key/value pairs from a metadata line."""
    found: dict[str, str] = {}
    for m in _PAIR.finditer(text.strip()):
        key, value = m.group(1), (m.group(2) or m.group(3) or '').strip()
        if value and key not in found:
            found[key] = value
    return found


_DATE = re.compile(r'(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})')
_DATE_KEYS = ('成文日期', 'date', '发布日期', '发布时间', '公布日期', '印发日期', '发文日期', '日期', '生成日期',
              '更新时间', '更新日期')


def stated_date(metadata: dict[str, str]) -> date | None:
    """The document's date as its page or front matter states it: the date written, else the date published."""
    for key in _DATE_KEYS:
        m = _DATE.search(metadata.get(key, ''))
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
    return None


def strip_html(text: str, line: int, removed: list[Removal]) -> str:
    """Remove HTML tags and decode entities, reporting what was removed."""
    for match in HTML_TAG.findall(text):
        removed.append(Removal('html', match, line, 'HTML tag or entity'))
    text = HTML_TAG.sub(lambda m: ' ' if m.group(0).lower() == '&nbsp;' else (
        html.unescape(m.group(0)) if m.group(0).startswith('&') else ''), text)
    return text


_END_MATTER = re.compile(r'^(?:抄送|主送|报送|分送)\s*[:：]|^.{0,20}\d{4}年\d{1,2}月\d{1,2}日\s*印发$')
_ABRIDGED = re.compile(r'^[(（](?:本文有删减|有删节|略有删减|节选)[)）]$')
END_WINDOW = 12


def end_matter_start(texts: list[str]) -> int | None:
    """Index of the first line of an official document's closing block (抄送 list, issuing office, 印发 date),
    looked for among its last non-empty lines: distribution details, not text to cite."""
    filled = [i for i, t in enumerate(texts) if t.strip()]
    for i in filled[-END_WINDOW:]:
        if _END_MATTER.match(texts[i].strip()):
            return i
    return None


def is_editorial_note(text: str) -> bool:
    """A publisher's note such as （本文有删减）: reported, not part of the text."""
    return bool(_ABRIDGED.match(text.strip()))
