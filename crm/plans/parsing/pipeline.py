"""The parsing pipeline: decode, drop junk and repeats, segment, build, extract."""
from __future__ import annotations

import re

from .build import ItemBuilder, standalone_titles
from .corpus import CorpusStats
from .extract import commitments, find_terms, is_retrospective, split_sentences
from .junk import (
    classify_line,
    end_matter_start,
    is_editorial_note,
    is_label_value,
    is_meta_label,
    metadata_pairs,
    strip_html,
)
from .keywords import DEFAULT_INDUSTRY_KEYWORDS
from .model import Corrections, ParsedDocument, ParsedHeading, Removal
from .outline import Outline
from .repeats import drop_repeated_paragraphs, drop_repeats
from .segment import Item, Line, find_toc, find_web_items, gloss_entries, raw_lines, split_inline, toc_titles
from .spam import cut_foreign_spans, drop_foreign_lines, find_suspects, merge_suspects, strip_injections
from .table_targets import table_targets
from .text import compact_key, decode, ends_sentence, normalize_for_search, sha256_hex, squeeze_spaces

TITLE_END = re.compile(r'(纲要|规划|报告|计划|草案|意见|方案|办法|决定)$')
LONG_LINE = 2000


def parse_document(raw: bytes | str, *, platform_aliases: dict[str, list[str]] | None = None,
                   industry_keywords: dict[str, list[str]] | None = None, corrections: Corrections = Corrections(),
                   background: CorpusStats | None = None, language: bool = True) -> ParsedDocument:
    """Parse a downloaded plan text into clean, citable paragraphs, headings and tables.

    `corrections` are an administrator's decisions on this document's junk; `background` counts the character
    statistics of the other documents (`CorpusStats.of` their paragraphs): strings foreign to them are reported as
    suspects, and with the document's own they tell where run-in titles fused with their text end."""
    text, encoding, data = decode(raw)
    doc = ParsedDocument(encoding, sha256_hex(data), None, corrections=corrections)
    lines = raw_lines(text)
    triples = find_web_items(lines)
    contents = toc_titles(lines)
    lines = _drop_junk(lines, doc)
    items = drop_repeats(_items(lines, triples, doc), doc)
    # (the text without its repeats, read as the titles are judged: a copy adds nothing to how words are written)
    own = CorpusStats.of(ln.text for item in items for ln in item.lines).joined(background)
    alone = standalone_titles([squeeze_spaces(ln.text) for ln in lines], own)
    titles = tuple(h.title for h in alone)
    contents += tuple(compact_key(h.marker + h.title) for h in alone)
    _detect_title(items, doc)
    platforms, industries = platform_aliases or {}, industry_keywords or DEFAULT_INDUSTRY_KEYWORDS
    if language:
        drop_foreign_lines((ln for item in items for ln in item.lines), doc.removed, corrections, own)
    item_of = _build(items, doc, background, _names(platforms, industries), contents, language, corrections.keep,
                    titles)
    listed = []
    if language:
        doc.paragraphs, listed = cut_foreign_spans(doc.paragraphs, doc.removed, corrections, doc.warnings,
                                                   background)
    doc.paragraphs = drop_repeated_paragraphs(doc.paragraphs, doc, item_of)
    _annotate(doc, platforms, industries)
    doc.suspects = merge_suspects(listed, find_suspects(doc.paragraphs, background, keep=corrections.keep))
    return doc


def _drop_junk(lines: list[Line], doc: ParsedDocument) -> list[Line]:
    toc = find_toc(lines)
    end = end_matter_start([ln.text for ln in lines])
    keep: list[Line] = []
    label: str | None = None  # a metadata label whose value is on the next line
    for i, ln in enumerate(lines):
        text = ln.text.strip()
        if end is not None and i >= end:
            if text:
                doc.removed.append(Removal('metadata', text, ln.line, 'distribution list or issuing note at the end'))
            keep.append(Line('', ln.line, ''))
            continue
        if is_editorial_note(text):
            doc.removed.append(Removal('metadata', text, ln.line, 'editorial note'))
            doc.warnings.append(f'the published text says it is abridged: {text} (line {ln.line})')
            keep.append(Line('', ln.line, ''))
            continue
        if i in toc:
            doc.removed.append(Removal('toc', text, ln.line, 'table of contents line'))
            keep.append(Line('', ln.line, ''))
            continue
        if label and text:
            if is_label_value(label, text):
                doc.removed.append(Removal('metadata', text, ln.line, 'value of a metadata label'))
                _store_meta(doc, f'{label}：{text}')
                keep.append(Line('', ln.line, ''))
                label = None
                continue
            label = None
        verdict = classify_line(text)
        if verdict:
            doc.removed.append(Removal(verdict.kind, text, ln.line, verdict.reason))
            if verdict.kind == 'metadata':
                _store_meta(doc, text)
                label = text.rstrip(':： ') if is_meta_label(text) else None
            keep.append(Line('', ln.line, ''))
            continue
        keep.append(ln)
    return keep


def _store_meta(doc: ParsedDocument, text: str) -> None:
    for key, value in metadata_pairs(text).items():
        doc.metadata.setdefault(key, value)


def _items(lines: list[Line], triples: list[tuple[int, int, int]] | None, doc: ParsedDocument) -> list[Item]:
    if not triples:
        return [Item(None, _clean_lines(lines, doc, split_long=False), 0)]
    items = []
    for n, (t, b, _d) in enumerate(triples, start=1):
        title = lines[t].text.strip()
        m = re.match(r'^【[^】]{1,20}】', title)
        if m:
            doc.removed.append(Removal('metadata', m.group(0), lines[t].line, 'site tag prefix of an article title'))
            title = title[m.end():]
        item = Item(squeeze_spaces(title), _clean_lines([lines[b]], doc, split_long=True), n, lines[t].line)
        items.append(item)
    used = {i for tr in triples for i in tr}
    for i, ln in enumerate(lines):
        if i not in used and ln.text.strip():
            doc.removed.append(Removal('navigation', ln.text.strip(), ln.line, 'text outside the articles of a web page'))
    return items


def _clean_lines(lines: list[Line], doc: ParsedDocument, split_long: bool) -> list[Line]:
    out: list[Line] = []
    before = ''  # the last line of text, which a wrapped sentence runs on from
    for ln in lines:
        if not ln.text.strip():
            out.append(Line('', ln.line, ''))
            continue
        raw = strip_html(ln.text, ln.line, doc.removed)
        pieces = split_inline(raw, ln.line) if split_long or len(raw) > LONG_LINE else [
            Line(squeeze_spaces(raw), ln.line, raw)]
        for piece in pieces:
            text = strip_injections(piece.text, ln.line, doc.removed, doc.corrections, before)
            text = squeeze_spaces(text)
            before = text or before
            if '名词解释' in text[:12] or re.match(r'^\d{1,3}、.{2,30}[:：]', text) and len(text) > 200:
                out.extend(gloss_entries(text, ln.line))
            else:
                out.append(Line(text, ln.line, piece.raw))
    return out


def _detect_title(items: list[Item], doc: ParsedDocument) -> None:
    if items[0].title is not None:
        return
    lines = items[0].lines
    front = _front_matter(lines)
    cands = _title_candidates(front) or _dated_title(front, doc)
    if not cands:
        return
    best = max(cands, key=lambda c: len(c[0]) + (50 if TITLE_END.search(c[0]) else 0))
    doc.detected_title = best[0]
    for _text, parts in cands:
        for ln in parts:
            doc.removed.append(Removal('title', ln.text, ln.line, 'document title line (see detected_title)'))
            ln.text = ''
    _front_meta(front, doc)


def _title_candidates(front: list[Line]) -> list[tuple[str, list[Line]]]:
    """Title lines of the front matter, and titles wrapped over two lines (a first piece that is no title alone,
    no date, issuer or note, joined with the next line)."""
    filled = [ln for ln in front if ln.text]
    cands: list[tuple[str, list[Line]]] = []
    used: set[int] = set()
    for n, ln in enumerate(filled):
        if id(ln) in used:
            continue
        if _title_like(ln.text):
            cands.append((ln.text, [ln]))
            continue
        nxt = filled[n + 1] if n + 1 < len(filled) else None
        if nxt is not None and _title_piece(ln.text) and _title_like(ln.text + nxt.text):
            cands.append((ln.text + nxt.text, [ln, nxt]))
            used.add(id(nxt))
    return cands


DOC_NUMBER = re.compile(r'[〔\[［(（]\d{4}[〕\]］)）]\s*\d+\s*号$')
DATE_LINE = re.compile(r'\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日')


def _dated_title(front: list[Line], doc: ParsedDocument) -> list[tuple[str, list[Line]]]:
    """A title that names no kind of document (a news release's headline) is known by where it stands: the
    lines above a date line at the head of the text, none of them a sentence, are the title and, right above the
    date, the issuer (明湖区融媒体中心)."""
    filled = [ln for ln in front if ln.text]
    at = next((n for n, ln in enumerate(filled[:5]) if DATE_LINE.fullmatch(ln.text)), None)
    if not at or any(ends_sentence(ln.text) or re.search(r'[，,;；:：]', ln.text) or len(ln.text) > 60
                     for ln in filled[:at]):
        return []
    title = filled[:at]
    for ln in [ln for ln in title[1:] if DOC_NUMBER.search(ln.text) and len(ln.text) <= 30]:
        doc.metadata.setdefault('number', ln.text)
        doc.removed.append(Removal('metadata', ln.text, ln.line, 'number of the document'))
        ln.text = ''
    title = [ln for ln in title if ln.text]
    if len(title) >= 2 and len(title[-1].text) <= 20 and not re.search(r'\d', title[-1].text):
        issuer = title.pop()
        doc.metadata.setdefault('issuer', issuer.text)
        doc.removed.append(Removal('metadata', issuer.text, issuer.line, 'issuer or date of the document'))
        issuer.text = ''
    return [(' '.join(ln.text for ln in title), title)]


def _title_piece(text: str) -> bool:
    return (len(text) >= 6 and not ends_sentence(text) and not re.search(r'[，,:：]', text) and text[0] not in '(（'
            and not re.search(r'\d{4}年\d{1,2}月|(人民政府|委员会|办公室|办公厅|局|文件)$|〔\d{4}〕|\d+号$', text))


def _front_matter(lines: list[Line]) -> list[Line]:
    """The lines before the body: the body starts at a long line, a numbered heading, or a line that ends a
    sentence, opens with a salutation (各位代表：) or holds a clause of one (受…委托，现将…, a paragraph wrapped at the
    margin: no title, issuer, date or number has a comma or a colon): a title-like line after that is a heading or a
    wrapped sentence, not the document's title."""
    out = []
    for ln in lines:
        if len(ln.text) >= 60 or re.match(r'^第[一二三四五六七八九十\d]+[篇章节]|^[一二三四五六七八九十]+、', ln.text):
            break
        if ln.text and (ends_sentence(ln.text) or re.search(r'[，,：:；;]', ln.text)):
            out.append(ln)
            break
        out.append(ln)
    return out


def _front_meta(front: list[Line], doc: ParsedDocument) -> None:
    for ln in front:
        t = ln.text
        if re.fullmatch(r'\d{4}年\d{1,2}月\d{1,2}日', t):
            doc.metadata.setdefault('date', t)
        elif re.search(r'(人民政府|委员会|办公室|办公厅|局)$', t) and len(t) <= 20:
            doc.metadata.setdefault('issuer', t)
        else:
            continue
        doc.removed.append(Removal('metadata', t, ln.line, 'issuer or date of the document'))
        ln.text = ''


SECTION_MARKER = re.compile(r'^(第[一二三四五六七八九十百\d]+(部分|篇|章|节)|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）])')


def _title_like(text: str) -> bool:
    """A line that reads as the document's title: not a sentence, names a kind of document, and is no numbered
    section heading (第一部分 2023年计划执行情况 names a plan but opens a part of the body), and holds no sentence's
    end (a wrapped line of the body across a full stop, whose 计划 may be an injected string's)."""
    return 6 <= len(text) <= 80 and not ends_sentence(text) and not re.search(r'[，,。！？；;!?]', text) and bool(
        re.search(r'(纲要|规划|报告|计划|草案)', text)) and not SECTION_MARKER.match(text)


def _names(*dictionaries: dict[str, list[str]]) -> tuple[str, ...]:
    """Every spelling of the known names (platforms, industries), for telling a line break inside one."""
    return tuple({normalize_for_search(alias) for dictionary in dictionaries for name, aliases in dictionary.items()
                  for alias in (name, *aliases)})


def _build(items: list[Item], doc: ParsedDocument, background: CorpusStats | None, names: tuple[str, ...],
           contents: tuple[str, ...] = (), language: bool = False, keep: tuple[str, ...] = (),
           titles: tuple[str, ...] = ()) -> dict[int, int]:
    """Build every item into the document; return the item each paragraph belongs to (by id). `titles` are the
    titles of the numbered headings standing on lines of their own anywhere in the text (a copy dropped as a repeat
    included): they are counted as clause ends, telling how this document's titles end."""
    used: set[str] = set()
    item_of: dict[int, int] = {}
    stats = CorpusStats.of([ln.text for item in items for ln in item.lines] + [f'{t}。' for t in titles])
    stats = stats.joined(background)
    for item in items:
        prefix = f'a{item.ordinal}.' if item.title is not None else ''
        root = f'《{item.title}》' if item.title is not None else None
        outline = Outline(prefix=prefix, root=root, used=used)
        if root:
            heading = _item_heading(item, outline)
            heading.position = len(doc.headings) + len(doc.paragraphs)
            doc.headings.append(heading)
        allow_parts = not any(re.match(r'^第[一二三四五六七八九十百\d]+[篇章]', ln.text) for ln in item.lines)
        built = ItemBuilder(item.lines, outline, allow_parts, stats, names, contents, language, keep).run()
        for n, part in enumerate(built.flow, start=len(doc.headings) + len(doc.paragraphs)):
            part.position = n
        doc.headings.extend(built.headings)
        doc.paragraphs.extend(built.paragraphs)
        item_of.update((id(p), item.ordinal) for p in built.paragraphs)
        doc.tables.extend(built.tables)
        doc.removed.extend(built.removed)
        doc.duplicate_blocks.extend(built.duplicates)
        doc.warnings.extend(built.warnings)
    for n, p in enumerate(doc.paragraphs, start=1):
        p.seq = n
    return item_of


def _item_heading(item: Item, outline: Outline):
    anchor = outline.unique(f'a{item.ordinal}')
    return ParsedHeading(1, '', item.title or '', anchor, [outline.root or ''], item.title_line)


def _annotate(doc: ParsedDocument, platforms: dict[str, list[str]], industries: dict[str, list[str]]) -> None:
    tables = {t.paragraph or t.anchor: t for t in doc.tables}
    for p in doc.paragraphs:
        p.sentences = split_sentences(p.text)
        table = tables.get(p.anchor)
        rows = table_targets(table, p.text) if table is not None else []
        if rows:  # an indicator table: its rows are targets, not sentences to read commitments from
            p.commitments, p.targets = [], rows
        elif p.kind == 'glossary':  # a glossary defines terms: it commits to nothing
            p.commitments, p.targets = [], []
        else:
            p.commitments, p.targets = commitments(p.sentences, platforms, industries, is_retrospective(p.heading_path),
                                                   heading_path=p.heading_path)
        p.platforms = find_terms(p.text, platforms)
        p.industries = find_terms(p.text, industries)
