"""The plan importer's cleaning as one call, for other documents (policy texts): decode, drop junk lines (web
navigation, page metadata, tables of contents, closing distribution lists, a body published twice), strip HTML
residue and injected strings, repair whitespace. The lines come back clean, numbered as in the source, with the
document record of what was removed and the page metadata found on the way."""
from __future__ import annotations

import inspect
import re
from collections import Counter
from dataclasses import dataclass

from . import pipeline
from .model import ParsedDocument, Removal
from .segment import Item, Line, raw_lines
from .text import decode, sha256_hex

# Page furniture of a PDF's text layer: a page number on its own line (- 3 -, 第3页, 3/12, 第 3 页 共 12 页).
_PAGE_NUMBER = re.compile(r'^[-—－–\s]*\d{1,4}[-—－–\s]*$|^第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d{1,4}\s*页)?$'
                          r'|^\d{1,4}\s*/\s*\d{1,4}$')
RUNNING_HEAD_MIN = 3   # a short line repeated on this many pages is a running head or foot
RUNNING_HEAD_MAX_LEN = 40


@dataclass
class CleanText:
    """Clean logical lines of a document and the record of what was dropped (`document.removed`, `.metadata`)."""

    lines: list[Line]
    document: ParsedDocument


def clean_document(raw: bytes | str, *, pages: bool = False) -> CleanText:
    """Decode and clean a document's text with the plan importer's steps (one pipeline for every document).

    `pages=True` for text taken from a PDF's pages: page numbers and short lines repeated on every page (running
    heads) are removed as page furniture as well."""
    text, encoding, data = decode(raw)
    document = ParsedDocument(encoding, sha256_hex(data), None)
    lines = raw_lines(text)
    if pages:
        lines = _drop_page_furniture(lines, document)
    return CleanText(_junk_and_repeats(lines, document), document)


def _junk_and_repeats(lines: list[Line], document: ParsedDocument) -> list[Line]:
    """The pipeline's own steps: junk lines, then repeats (inside the junk step, or on the cleaned text where the
    pipeline drops repeats from its items), then in-line cleaning."""
    if 'repeated' in inspect.signature(pipeline._drop_junk).parameters:
        lines = pipeline._drop_junk(lines, document, repeated=True)
        return pipeline._clean_lines(lines, document, split_long=False)
    lines = pipeline._clean_lines(pipeline._drop_junk(lines, document), document, split_long=False)
    drop_repeats = getattr(pipeline, 'drop_repeats', None)
    if drop_repeats is None:
        return lines
    return [ln for item in drop_repeats([Item(None, lines, 0)], document) for ln in item.lines]


def _drop_page_furniture(lines: list[Line], document: ParsedDocument) -> list[Line]:
    counts = Counter(ln.text.strip() for ln in lines if 0 < len(ln.text.strip()) <= RUNNING_HEAD_MAX_LEN)
    out = []
    for ln in lines:
        text = ln.text.strip()
        if text and _PAGE_NUMBER.match(text):
            document.removed.append(Removal('navigation', text, ln.line, 'page number'))
            out.append(Line('', ln.line, ''))
        elif text and counts[text] >= RUNNING_HEAD_MIN and not re.search(r'[。；;]$', text) \
                and not re.match(r'^第\s*\S{1,6}\s*[条章节]', text):
            document.removed.append(Removal('navigation', text, ln.line, 'running head or foot repeated on the pages'))
            out.append(Line('', ln.line, ''))
        else:
            out.append(ln)
    return out
