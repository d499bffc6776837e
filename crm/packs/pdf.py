"""PDF rendering core for the promotion packs; the only module that imports WeasyPrint.

WeasyPrint is imported lazily inside functions, so importing this module stays cheap for the web processes
that never render a PDF.

Fontconfig subtlety: ``render_pdf`` and ``check_pdf_environment`` point the process-wide ``FONTCONFIG_FILE``
at ``<asset_root>/fonts/fonts.conf`` (written by ``crm.packs.fonts``) *before* they first import WeasyPrint.
Importing WeasyPrint already loads a fontconfig configuration (its font sanity check), and the first render of
each thread loads one again for its ``FontConfiguration`` (kept for the thread's later renders); both read
``FONTCONFIG_FILE`` from the environment at that moment.
Setting it before the first import keeps the import-time check and every render on the same, isolated
configuration, so no system font (for instance the Japanese face of a Noto TTC) can slip in as a fallback.
The variable is process-wide: run PDF rendering in its own worker process and do not change it concurrently.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import gc
import logging
import mimetypes
import os
import re
import shutil
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from fontTools.ttLib import TTFont
from markupsafe import Markup

from crm.packs.fonts import DEBIAN_PACKAGE, FONT_FILES, FONTCONFIG_NAME

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

LOGGER = logging.getLogger('crm.packs.pdf')

DEFAULT_ASSET_ROOT = Path(__file__).resolve().parents[2] / 'static'  # the app's static folder (git-ignored fonts/)
FONT_DIR_NAME = 'fonts'
BASE_CSS_PATH = Path(__file__).with_name('pdf_base.css')
MAX_DATA_URI_CHARS = 2_000_000
FETCH_TIMEOUT_SECONDS = 5
MIN_HARFBUZZ = (4, 1, 0)
HARFBUZZ_PACKAGE = 'libharfbuzz-subset0'
SUBSET_FAILURE_PATTERNS = (
    re.compile(r'Unable to subset'),
    re.compile(r'Using fontTools instead of HarfBuzz'),
)


class PdfEnvironmentError(RuntimeError):
    """The machine cannot render packs correctly (missing HarfBuzz-subset or fonts)."""


class PdfRenderError(RuntimeError):
    """WeasyPrint produced a PDF that must not be shipped (for example, fonts not subset)."""


class FetchRefused(ValueError):
    """A resource URL was refused by the asset-only fetcher."""


def font_dir(asset_root: Path) -> Path:
    """Return the font folder inside an asset root."""
    return Path(asset_root) / FONT_DIR_NAME


def base_css() -> str:
    """Return the base pack stylesheet (fonts, page footer, tables) for inlining in a pack template: our own file,
    marked safe, since an escaped `"` inside <style> would void the @font-face rules and the page footer."""
    return Markup(BASE_CSS_PATH.read_text(encoding='utf-8'))


def use_app_fontconfig(asset_root: Path) -> Path | None:
    """Point FONTCONFIG_FILE at the asset root's fonts.conf when it exists; return that path."""
    conf = font_dir(Path(os.path.realpath(asset_root))) / FONTCONFIG_NAME
    if not conf.is_file():
        return None
    if os.environ.get('FONTCONFIG_FILE') != str(conf):
        os.environ['FONTCONFIG_FILE'] = str(conf)
        LOGGER.debug('FONTCONFIG_FILE set to %s', conf)
    return conf


class _TruncateLongArguments(logging.Filter):
    """Shorten huge log arguments (WeasyPrint logs a refused multi-megabyte data: URI in full)."""

    limit = 300

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self._shorten(arg) for arg in record.args)
        return True

    def _shorten(self, value: object) -> object:
        if isinstance(value, str) and len(value) > self.limit:
            return f'{value[:self.limit]}...({len(value)} characters)'
        return value


@cache
def _weasyprint() -> Any:
    import weasyprint  # loaded by the first PDF: app start-up stays quick

    logging.getLogger('weasyprint').addFilter(_TruncateLongArguments())
    return weasyprint


@cache
def _fetcher_class() -> type:
    _weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # loaded by the first PDF: app start-up stays quick

    class AssetOnlyFetcher(URLFetcher):
        """Fetch only size-capped data: URIs and files inside one asset root; refuse and log anything else."""

        def __init__(self, asset_root: Path, *, max_data_uri_chars: int = MAX_DATA_URI_CHARS, **kwargs: Any):
            kwargs.setdefault('timeout', FETCH_TIMEOUT_SECONDS)
            super().__init__(allowed_protocols={'data', 'file'}, allow_redirects=False, **kwargs)
            self.asset_root = Path(os.path.realpath(asset_root))
            self.max_data_uri_chars = max_data_uri_chars
            self.refused: list[str] = []

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            """Return the resource for an allowed URL, or raise FetchRefused."""
            scheme = url.partition(':')[0].strip().lower()
            if scheme == 'data':
                if len(url) > self.max_data_uri_chars:
                    self._refuse(url, f'data: URI longer than {self.max_data_uri_chars} characters')
                return super().fetch(url, headers)
            if scheme == 'file':
                path = self.resolve_file_url(url)
                mime_type = mimetypes.guess_type(path.name)[0] or 'application/octet-stream'
                return URLFetcherResponse(path.as_uri(), path.open('rb'), {'Content-Type': mime_type})
            self._refuse(url, f'scheme {scheme or "(none)"!r} is not allowed')

        def resolve_file_url(self, url: str) -> Path:
            """Return the real path of a file: URL inside the asset root, or raise FetchRefused."""
            parts = urllib.parse.urlsplit(url)
            if parts.netloc not in ('', 'localhost'):
                self._refuse(url, f'file URL with host {parts.netloc!r}')
            path = Path(os.path.realpath(urllib.request.url2pathname(parts.path)))
            if path != self.asset_root and self.asset_root not in path.parents:
                self._refuse(url, 'outside the asset root')
            if not path.is_file():
                self._refuse(url, 'not a regular file')
            return path

        def _refuse(self, url: str, reason: str) -> NoReturn:
            shown = url if len(url) <= 120 else f'{url[:100]}...({len(url)} characters)'
            self.refused.append(url)
            LOGGER.warning('PDF resource refused (%s): %s', reason, shown)
            raise FetchRefused(f'refused: {reason}')

    return AssetOnlyFetcher


def __getattr__(name: str) -> Any:
    """Build ``AssetOnlyFetcher`` on first access, so that importing this module does not import WeasyPrint."""
    if name == 'AssetOnlyFetcher':
        return _fetcher_class()
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


if TYPE_CHECKING:
    class AssetOnlyFetcher(URLFetcher):
        """Fetch only size-capped data: URIs and files inside one asset root; refuse and log anything else."""

        asset_root: Path
        max_data_uri_chars: int
        refused: list[str]

        def __init__(self, asset_root: Path, *, max_data_uri_chars: int = ..., **kwargs: Any) -> None: ...

        def resolve_file_url(self, url: str) -> Path: ...


def _harfbuzz_version() -> str:
    name = ctypes.util.find_library('harfbuzz') or 'libharfbuzz.so.0'
    try:
        function = ctypes.CDLL(name).hb_version_string
    except (OSError, AttributeError):
        return 'unknown'
    function.restype = ctypes.c_char_p
    return function().decode()


def _harfbuzz_problems() -> list[str]:
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset  # read when checked: a missing library shows then

    if harfbuzz_subset is None:
        return [f'HarfBuzz-subset library not found: install the Debian package {HARFBUZZ_PACKAGE} '
                '(without it WeasyPrint subsets CJK fonts with fontTools, 10-40 times slower)']
    if not harfbuzz.hb_version_atleast(*MIN_HARFBUZZ):
        wanted = '.'.join(map(str, MIN_HARFBUZZ))
        return [f'HarfBuzz {_harfbuzz_version()} is older than {wanted}, which WeasyPrint needs for subsetting; '
                f'upgrade {HARFBUZZ_PACKAGE}']
    return []


def _font_problems(fonts: Path) -> list[str]:
    missing = [name for name in (*FONT_FILES, FONTCONFIG_NAME) if not (fonts / name).is_file()]
    if missing:
        return [f'PDF fonts missing in {fonts}: {", ".join(missing)}; run `python -m crm.packs.fonts {fonts}` '
                f'(needs the Debian package {DEBIAN_PACKAGE})']
    problems = []
    for name in FONT_FILES:
        with TTFont(str(fonts / name), lazy=True) as font:
            full_name = font['name'].getDebugName(4) or ''
        if not re.search(r'\bSC( Bold)?$', full_name):
            problems.append(f'{fonts / name} is {full_name!r}, not a Simplified-Chinese (SC) face')
    return problems


def check_pdf_environment(asset_root: Path | None = None) -> None:
    """Raise PdfEnvironmentError (a RuntimeError) unless HarfBuzz-subset >= 4.1.0 and the pack fonts are usable."""
    root = Path(asset_root) if asset_root is not None else DEFAULT_ASSET_ROOT
    use_app_fontconfig(root)
    problems = _font_problems(font_dir(root)) + _harfbuzz_problems()
    if problems:
        raise PdfEnvironmentError('PDF rendering is not ready: ' + '; '.join(problems))


class _SubsetFailureHandler(logging.Handler):
    """Collect WeasyPrint font-subsetting warnings emitted by the current thread."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        message = record.getMessage()
        if any(pattern.search(message) for pattern in SUBSET_FAILURE_PATTERNS):
            self.messages.append(message)


@contextmanager
def _subset_failures() -> Iterator[list[str]]:
    handler = _SubsetFailureHandler()
    logger = logging.getLogger('weasyprint')
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def _drop_attachments(document: Any) -> None:
    """Remove <link rel=attachment> files and <a rel=attachment> annotations from a rendered document."""
    document.metadata.attachments = []
    for page in document.pages:
        page.links = [link for link in page.links if link[0] != 'attachment']


_GC_LOCK = threading.Lock()
_gc_paused = {'renders': 0, 'was_enabled': False}


@contextmanager
def _render_garbage() -> Iterator[None]:
    """Free a render's garbage (WeasyPrint's boxes and layouts, held in reference cycles) when the render ends,
    without a full collection.

    The cyclic collector is paused while a render runs, so everything the render allocates stays in the youngest
    generation; a collection of that generation alone at the end frees the render's cycles. A full collection
    would also walk every long-lived object of the process (0.07 s for the 130,000 a worker holds, more in a web
    process) and the ones the collector runs on its own during a render (100 young and one full) are spared.
    Peak memory stays as with a full collection after each render (about 200 MiB). Renders in other threads
    share the pause; the collector runs again when the last one ends (if it ran before the first)."""
    with _GC_LOCK:
        if _gc_paused['renders'] == 0:
            _gc_paused['was_enabled'] = gc.isenabled()
            gc.disable()
        _gc_paused['renders'] += 1
    try:
        yield
    finally:
        gc.collect(0)
        with _GC_LOCK:
            _gc_paused['renders'] -= 1
            if _gc_paused['renders'] == 0 and _gc_paused['was_enabled']:
                gc.enable()


_FONT_CONFIGS: dict[tuple[int, Path], Any] = {}


def _font_config(root: Path) -> Any:
    """This thread's WeasyPrint font configuration for an asset root, made on its first render and kept.

    A new configuration per render loads fontconfig's configuration again and, for the pack's two @font-face
    faces, reads 33 MB of font files, writes them to a temporary folder and has fontconfig scan them; a kept one
    has them registered already (its folder is removed when the process exits). Pango's font maps are not shared
    between threads, so each thread has its own."""
    key = (threading.get_ident(), root)
    config = _FONT_CONFIGS.get(key)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration  # loaded by the first PDF: app start-up stays quick

        config = _FONT_CONFIGS[key] = FontConfiguration()
    return config


@atexit.register
def _drop_font_configs() -> None:
    """Remove the kept configurations' folders of font copies (WeasyPrint removes one when its configuration is
    freed, which at exit may not happen)."""

    for config in _FONT_CONFIGS.values():
        if getattr(config, '_folder', None):
            shutil.rmtree(config._folder, ignore_errors=True)
    _FONT_CONFIGS.clear()


def render_pdf(html: str, *, asset_root: Path, base_url: str | None = None) -> bytes:
    """Render pack HTML to PDF bytes, fetching nothing outside `asset_root` and embedding no attachments."""
    return render_pdf_pages(html, asset_root=asset_root, base_url=base_url)[0]


def render_pdf_pages(html: str, *, asset_root: Path, base_url: str | None = None) -> tuple[bytes, int]:
    """`render_pdf`, with the number of pages WeasyPrint laid out (the PDF is not parsed again to count them)."""
    root = Path(os.path.realpath(asset_root))
    use_app_fontconfig(root)
    weasyprint = _weasyprint()
    fetcher = _fetcher_class()(root)
    with _render_garbage(), _subset_failures() as failures:
        document = weasyprint.HTML(string=html, base_url=base_url or f'{root.as_uri()}/',
                                   url_fetcher=fetcher).render(font_config=_font_config(root))
        _drop_attachments(document)
        pdf = document.write_pdf()
        pages = len(document.pages)
        del document
    if failures:
        raise PdfRenderError('font subsetting failed, the PDF would embed whole fonts: ' + '; '.join(failures))
    return pdf, pages
