"""Recognise web junk: script residue, navigation, metadata, injected spam and stray symbols."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .model import Removal

META_KEYS = ('信息索引号', '索引号', '发布机构', '发布单位', '公开方式', '公开范围', '公开时限', '备注/文号', '文号',
             '生成日期', '发布日期', '公布日期', '点击率', '浏览次数', '访问量', '来源', '作者', '日期', '移动', '责任编辑',
             '字号', '主题分类', '成文日期', '发文机关', '有效性')
_META_KEY_RE = '|'.join(sorted(map(re.escape, META_KEYS), key=len, reverse=True))
_META_LINE = re.compile(rf'^(?:(?:{_META_KEY_RE})\s*[:：]?\s*\S*\s*)+$')
_META_LABEL = re.compile(rf'^(?:{_META_KEY_RE})\s*[:：]?$')
NAV_WORDS = ('联系我们', '点我投稿', '分享到', '上一篇', '下一篇', '版权所有', '网站首页', '关于我们', 'ICP备', '举报',
             '相关评论', '最新动态', '点击排行', '返回顶部', '打印本页', '关闭窗口', '当前位置', '企业入驻', '网站地图',
             '隐私政策', '使用协议', '扫一扫', '收藏本页', '设为首页', '加入收藏', '友情链接', '技术支持', '主办单位')
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
    hits = sum(1 for w in NAV_WORDS if w in compact)
    if '。' not in compact and (hits >= 3 or (len(compact) <= 80 and hits)):
        return LineVerdict('navigation', 'site navigation or footer')
    if len(compact) <= 40 and len(re.findall(r'[\u4e00-\u9fff]\s*[|｜>»]\s*[\u4e00-\u9fff]', text)) >= 1 \
            and '。' not in compact:
        return LineVerdict('navigation', 'breadcrumb')
    if re.match(r'^\d+\s*(相关评论|评论|条评论|赞|阅读)$', compact):
        return LineVerdict('navigation', 'comment counter')
    if len(text) <= 120 and '。' not in text and re.match(rf'^(?:{_META_KEY_RE})', text.strip()):
        pairs = len(re.findall(rf'(?:{_META_KEY_RE})\s*[:：]?', text))
        if _META_LABEL.match(text) or pairs >= 2 or re.search(r'[:：]\s*\S*\d', text):
            return LineVerdict('metadata', 'page metadata key/value')
    if re.fullmatch(r'附件\s*\d*', compact):
        return LineVerdict('navigation', 'attachment label')
    return None


def is_meta_label(text: str) -> bool:
    """True for a bare metadata label such as 索引号 (its value follows on the next line)."""
    return bool(_META_LABEL.match(text.strip()))


def metadata_pairs(text: str) -> dict[str, str]:
    """Extract key/value pairs from a metadata line."""
    found: dict[str, str] = {}
    pattern = rf'({_META_KEY_RE})\s*[:：]?\s*(.*?)(?=\s+(?:{_META_KEY_RE})\s*[:：]?|$)'
    for key, value in re.findall(pattern, text.strip()):
        value = value.strip()
        if value and key not in found:
            found[key] = value
    return found


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
