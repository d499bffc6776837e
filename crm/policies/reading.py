"""The text of an uploaded policy document, whatever it was saved as: plain text (UTF-8 or GB18030), an HTML page
as a browser saves it, a Word .docx, or a PDF with a text layer. The kind is told from the bytes, never from the
file name; hostile or unreadable files are refused with a message in the user's language before anything is stored."""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from crm.core.i18n import gettext as _
from crm.core.rules import RuleError
from crm.plans.parsing.text import decode

MAX_BYTES = 10 * 1024 * 1024
MAX_UNZIPPED = 50 * 1024 * 1024   # a .docx whose XML unpacks beyond this is refused (zip bomb)
MAX_PDF_PAGES = 300

TEXT, HTML, DOCX, PDF = 'text/plain', 'text/html', \
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/pdf'
EXTENSIONS = {TEXT: 'txt', HTML: 'html', DOCX: 'docx', PDF: 'pdf'}


class DocumentError(RuleError):
    """The file cannot be read as a policy document; the message says why, in the user's language (`field`: the
    file input)."""


@dataclass
class DocumentText:
    """What a file holds: its kind, its text (str for HTML, Word and PDF; bytes for plain text, decoded by the
    plan importer's decoder) and whether the text comes from pages (PDF)."""

    kind: str
    text: str | bytes
    pages: bool = False


def sniff(data: bytes) -> str:
    """The document kind of these bytes, or DocumentError."""
    if len(data) > MAX_BYTES:
        raise DocumentError(_('The policy source file may not exceed 10 MB'), field='file')
    if not data.strip():
        raise DocumentError(_('The file is empty'), field='file')
    if data.startswith(b'%PDF-'):
        return PDF
    if data.startswith(b'PK\x03\x04'):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if 'word/document.xml' in archive.namelist():
                    return DOCX
        except zipfile.BadZipFile:
            pass
        raise DocumentError(_('Only Word files in .docx format are accepted (this archive is not a Word document)'),
                            field='file')
    if data.startswith(b'\xd0\xcf\x11\xe0'):
        raise DocumentError(_('Old .doc files are not supported; save as .docx or PDF and upload again'), field='file')
    if b'\x00' in data[:4096]:
        raise DocumentError(_('Only text, HTML, .docx or PDF with a text layer are accepted as policy sources (judged by the content, not the extension)'),
                            field='file')
    head = data[:4096].lower()
    if re.search(rb'<(?:!doctype\s+html|html|body|meta|div|p)[\s>]', head):
        return HTML
    return TEXT


def read_document(data: bytes) -> DocumentText:
    """The text of a policy document (see the module doc)."""
    kind = sniff(data)
    if kind == PDF:
        return DocumentText(kind, _pdf_text(data), pages=True)
    if kind == DOCX:
        return DocumentText(kind, _docx_text(data))
    if kind == HTML:
        return DocumentText(kind, html_text(_decode_html(data)))
    return DocumentText(kind, data)


# --- PDF ------------------------------------------------------------------------------------------------------

def _pdf_text(data: bytes) -> str:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DocumentError(_('The PDF is encrypted; its text cannot be read'), field='file')
        if len(reader.pages) > MAX_PDF_PAGES:
            raise DocumentError(_('The PDF has more than %(pages)s pages', pages=MAX_PDF_PAGES), field='file')
        pages = [page.extract_text() or '' for page in reader.pages]
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise DocumentError(_('The PDF file is damaged and cannot be read'), field='file') from exc
    text = '\n'.join(pages)
    if len(re.sub(r'\s+', '', text)) < 20:
        raise DocumentError(_('The PDF has no text layer (perhaps a scan); upload a text PDF or a text file'),
                            field='file')
    return text


# --- Word .docx -----------------------------------------------------------------------------------------------

_W = '{http://schemas.openxmlformats.org/wordprocessingml/2006/main}'


def _docx_text(data: bytes) -> str:
    """Paragraphs of word/document.xml (tables row by row, cells separated by tabs), read with defusedxml."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo('word/document.xml')
            if info.file_size > MAX_UNZIPPED:
                raise DocumentError(_('The Word file is too large'), field='file')
            xml = archive.read(info)
        root = ElementTree.fromstring(xml)
    except DocumentError:
        raise
    except (zipfile.BadZipFile, KeyError, DefusedXmlException, ElementTree.ParseError, OSError) as exc:
        raise DocumentError(_('The Word file is damaged or has unsafe content and cannot be read'),
                            field='file') from exc
    body = root.find(f'{_W}body')
    lines: list[str] = []
    for block in (body if body is not None else []):
        if block.tag == f'{_W}p':
            lines.append(_paragraph_text(block))
        elif block.tag == f'{_W}tbl':
            for row in block.iter(f'{_W}tr'):
                cells = ['\n'.join(_paragraph_text(p) for p in cell.iter(f'{_W}p')).replace('\n', ' ')
                         for cell in row.iter(f'{_W}tc')]
                lines.append('\t'.join(cells))
    return '\n'.join(lines)


def _paragraph_text(paragraph) -> str:
    out = []
    for node in paragraph.iter():
        if node.tag == f'{_W}t' and node.text:
            out.append(node.text)
        elif node.tag == f'{_W}tab':
            out.append('\t')
        elif node.tag in (f'{_W}br', f'{_W}cr'):
            out.append('\n')
    return ''.join(out)


# --- HTML -----------------------------------------------------------------------------------------------------

def _decode_html(data: bytes) -> str:
    declared = re.search(rb'charset\s*=\s*["\']?([a-zA-Z0-9_-]+)', data[:4096])
    if declared:
        name = declared.group(1).decode('ascii').lower()
        if name in ('gb2312', 'gbk', 'gb18030'):
            return data.decode('gb18030', errors='replace')
    return decode(data)[0]


_BLOCK = {'p', 'div', 'br', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'section', 'article', 'table', 'ul', 'ol',
          'blockquote', 'pre', 'dd', 'dt', 'header', 'footer', 'hr', 'title'}
_SKIP = {'script', 'style', 'noscript', 'template', 'svg', 'iframe', 'object', 'select', 'button', 'head'}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.title: list[str] = []
        self.in_title = False

    def handle_starttag(self, tag, attrs) -> None:
        if tag == 'title':
            self.in_title = True
        if tag in _SKIP:
            self.skip += 1
        if tag in _BLOCK:
            self.parts.append('\n')
        if tag in ('td', 'th'):
            self.parts.append('\t')

    def handle_startendtag(self, tag, attrs) -> None:
        if tag in ('br', 'hr'):
            self.parts.append('\n')

    def handle_endtag(self, tag) -> None:
        if tag == 'title':
            self.in_title = False
        if tag in _SKIP and self.skip:
            self.skip -= 1
        if tag in _BLOCK:
            self.parts.append('\n')

    def handle_data(self, data) -> None:
        if self.in_title:
            self.title.append(data)
        if not self.skip:
            self.parts.append(data.replace('\r', ' ').replace('\n', ' '))


def html_text(markup: str) -> str:
    """The visible text of an HTML page, one block per line (scripts, styles and the head left out)."""
    parser = _Text()
    try:
        parser.feed(markup)
        parser.close()
    except (AssertionError, ValueError) as exc:  # html.parser gives up on some broken markup
        raise DocumentError(_('The HTML file cannot be parsed'), field='file') from exc
    text = ''.join(parser.parts)
    return '\n'.join(line.strip() for line in text.split('\n'))
