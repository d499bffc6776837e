"""Tests for the PDF rendering core: fonts, asset-only fetching, environment check and rendering."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from crm.packs import fonts as pack_fonts
from crm.packs import pdf as pack_pdf
from tests.packs.pdfcheck import embedded_fonts

REPO_ROOT = Path(__file__).resolve().parents[2]
PROBES = ('跨贸小镇', '电竞数娱', '一企一策', '楼宇经济', '人才公寓', '𠮷')
LONG_TOKEN = 'HZGS2024ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'
PAGE_WIDTH_PT = 595.28
SIDE_MARGIN_PT = 18 / 25.4 * 72
# 1x1 transparent PNG.
PNG_BYTES = bytes.fromhex(
    '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000001'
    'e221bc330000000049454e44ae426082')

pytestmark = pytest.mark.skipif(shutil.which('pdffonts') is None, reason='poppler-utils (pdffonts) not installed')


# ---------------------------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope='session')
def font_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Fonts extracted once per session from the Debian TTCs."""
    dest = tmp_path_factory.mktemp('pack-fonts')
    pack_fonts.ensure_fonts(dest)
    return dest


@pytest.fixture(scope='session')
def asset_root(tmp_path_factory: pytest.TempPathFactory, font_dir: Path) -> Path:
    """An asset root with the extracted fonts, an image and a stylesheet, plus a secret file next to it."""
    base = tmp_path_factory.mktemp('assets-base')
    root = base / 'assets'
    (root / 'img').mkdir(parents=True)
    (root / 'img' / 'logo.png').write_bytes(PNG_BYTES)
    (root / 'css').mkdir()
    (root / 'css' / 'extra.css').write_text('h1 { color: #123456; }', encoding='utf-8')
    (base / 'secret.txt').write_text('TOPSECRET', encoding='utf-8')
    (base / 'assets-evil').mkdir()
    (base / 'assets-evil' / 'x.css').write_text('h1 { color: red; }', encoding='utf-8')
    (root / 'link-out.txt').symlink_to(base / 'secret.txt')
    pack_fonts.ensure_fonts(root / 'fonts')  # the same extraction, into the asset root's own font folder
    return root


@pytest.fixture()
def fetcher(asset_root: Path):
    """An AssetOnlyFetcher bound to the test asset root."""
    return pack_pdf.AssetOnlyFetcher(asset_root)


class _Listener:
    """A loopback HTTP server that records every request path."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                listener.requests.append(self.path)
                body = b'h1 { color: red; }'
                self.send_response(200)
                self.send_header('Content-Type', 'text/css')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f'http://127.0.0.1:{self.port}/{path}'


@pytest.fixture()
def listener() -> Iterator[_Listener]:
    """A running loopback listener on a random port."""
    server = _Listener()
    server.thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()


# ---------------------------------------------------------------------------------------------------------------
# Documents


def _page(body: str, head: str = '') -> str:
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>招商推介包</title>'
            f'<style>{pack_pdf.base_css()}</style>{head}</head><body>{body}</body></html>')


def _units_table() -> str:
    rows = []
    for number in range(1, 19):
        code = LONG_TOKEN if number == 7 else f'91330105MA2{number:07d}'
        rows.append(f'<tr><td>跨贸小镇{number % 3 + 1}号楼</td><td>{number:02d}0{number % 4 + 1}室</td>'
                    f'<td>{120 + number * 15}</td><td>{2.1 + number / 10:.1f}</td><td>{code}</td></tr>')
    return ('<table><thead><tr><th>楼宇</th><th>空置单元</th><th>面积㎡</th><th>租金(元/㎡·天)</th>'
            '<th>备案编码</th></tr></thead><tbody>' + ''.join(rows) + '</tbody></table>')


def _plan_paragraphs(count: int) -> str:
    sentence = ('围绕数字贸易、<b>电竞数娱</b>和楼宇经济三大方向,坚持<strong>一企一策</strong>精准服务,'
                '完善人才公寓、产业基金和公共服务平台配套,推动重点项目早落地、早投产、早见效。')
    return ''.join(f'<p>({index})规划要求:{sentence * 3}</p>' for index in range(1, count + 1))


def three_page_html() -> str:
    """The 3-page Chinese test pack: headings, a unit table with a 40-character token, plan paragraphs."""
    body = (
        '<h1>拱墅区招商推介包</h1>'
        '<p>本推介包面向意向企业,介绍<i>跨贸小镇</i>的空间资源与产业政策。罕见字测试:𠮷。</p>'
        '<h2>一、可招商空间</h2>' + _units_table()
        + '<h2>二、规划承诺与产业政策</h2>' + _plan_paragraphs(11)
        + '<h3>三、联系方式</h3><p>区投资促进局 楼宇经济专班 (Investment Promotion Office, Gongshu District)</p>'
    )
    return _page(body)


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r'\s+', '', ''.join(page.extract_text() for page in reader.pages))


def _pdffonts(pdf_path: Path) -> list[list[str]]:
    output = subprocess.run(['pdffonts', str(pdf_path)], check=True, capture_output=True, text=True).stdout
    return [line.split() for line in output.splitlines()[2:] if line.strip()]


@pytest.fixture(scope='session')
def three_page_pdf(asset_root: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, Path]:
    """The 3-page pack rendered once, as bytes and as a file for poppler."""
    pdf, pages = pack_pdf.render_pdf_pages(three_page_html(), asset_root=asset_root)
    assert pages == 3, 'the pages are counted from the laid-out document'
    path = tmp_path_factory.mktemp('pdf') / 'pack.pdf'
    path.write_bytes(pdf)
    return pdf, path


# ---------------------------------------------------------------------------------------------------------------
# Fonts


def test_ensure_fonts_extracts_sc_faces(font_dir: Path) -> None:
    for name, expected in (('NotoSansCJKsc-Regular.otf', 'Noto Sans CJK SC'),
                           ('NotoSansCJKsc-Bold.otf', 'Noto Sans CJK SC Bold')):
        with TTFont(str(font_dir / name), lazy=True) as font:
            assert font['name'].getDebugName(4) == expected
            assert 0x20BB7 in font.getBestCmap()  # 𠮷 (CJK Ext-B)


def test_ensure_fonts_is_idempotent(font_dir: Path) -> None:
    before = {path.name: path.stat().st_mtime_ns for path in font_dir.glob('*.otf')}
    paths = pack_fonts.ensure_fonts(font_dir)
    assert [path.name for path in paths] == list(pack_fonts.FONT_FILES)
    assert {path.name: path.stat().st_mtime_ns for path in font_dir.glob('*.otf')} == before


def test_fonts_conf_lists_only_the_font_folder(font_dir: Path) -> None:
    tree = ET.parse(font_dir / 'fonts.conf')
    assert [element.text for element in tree.getroot().iter('dir')] == [str(font_dir)]
    caches = [element.text for element in tree.getroot().iter('cachedir')]
    assert len(caches) == 1 and Path(caches[0]).parent == font_dir
    assert not list(tree.getroot().iter('include'))
    env = {**os.environ, 'FONTCONFIG_FILE': str(font_dir / 'fonts.conf')}
    listed = subprocess.run(['fc-list', ':', 'file'], env=env, capture_output=True, text=True).stdout.split()
    assert sorted(Path(item.rstrip(':')).name for item in listed) == sorted(pack_fonts.FONT_FILES)


def test_missing_ttc_names_the_debian_package(tmp_path: Path) -> None:
    with pytest.raises(pack_fonts.FontSourceMissing, match='fonts-noto-cjk'):
        pack_fonts.ensure_fonts(tmp_path / 'fonts', search_dirs=(tmp_path / 'no-fonts-here',))


def test_fonts_cli_prints_sha256(font_dir: Path) -> None:
    result = subprocess.run([sys.executable, '-m', 'crm.packs.fonts', str(font_dir)], cwd=REPO_ROOT,
                            check=True, capture_output=True, text=True)
    report = json.loads(result.stdout)
    assert [Path(item['path']).name for item in report['fonts']] == list(pack_fonts.FONT_FILES)
    for item in report['fonts']:
        assert item['sha256'] == hashlib.sha256(Path(item['path']).read_bytes()).hexdigest()
        assert item['written'] is False


# ---------------------------------------------------------------------------------------------------------------
# Rendering


def test_importing_pdf_module_does_not_import_weasyprint() -> None:
    code = 'import sys, crm.packs.pdf; assert "weasyprint" not in sys.modules'
    subprocess.run([sys.executable, '-c', code], cwd=REPO_ROOT, check=True)


def test_three_page_pack_text(three_page_pdf: tuple[bytes, Path]) -> None:
    pdf, _ = three_page_pdf
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    text = _text(pdf)
    for probe in (*PROBES, LONG_TOKEN, '拱墅区招商推介包', '第1页/共3页', '第3页/共3页'):
        assert probe in text, probe
    assert reader.attachments == {}
    assert len(pdf) < 1_000_000


def test_three_page_pack_fonts_embedded_subset_unicode(three_page_pdf: tuple[bytes, Path]) -> None:
    _, path = three_page_pdf
    rows = _pdffonts(path)
    assert len(rows) == 2, rows  # PackSans regular + bold only: no fallback face for the footer or anything else
    for row in rows:
        assert row[-5:-2] == ['yes', 'yes', 'yes'], row  # emb, sub, uni
        assert re.match(r'^[A-Z]{6}\+PackSans', row[0]), row


def test_three_page_pack_embeds_sc_faces_not_jp(three_page_pdf: tuple[bytes, Path]) -> None:
    pdf, _ = three_page_pdf
    embedded = embedded_fonts(pdf)
    assert sorted(name for name, _ in embedded.values()) == ['Noto Sans CJK SC', 'Noto Sans CJK SC Bold']
    for name, size in embedded.values():
        assert re.search(r'\bSC( Bold)?$', name) and 'JP' not in name
        assert size < 800_000, (name, size)  # subset, not the 16 MB face (pdffonts' "sub yes" alone proves nothing)


def test_long_token_wraps_inside_the_page(three_page_pdf: tuple[bytes, Path]) -> None:
    _, path = three_page_pdf
    html = subprocess.run(['pdftotext', '-bbox', str(path), '-'], check=True, capture_output=True, text=True).stdout
    right_edges = [float(value) for value in re.findall(r'xMax="([\d.]+)"', html)]
    assert right_edges and max(right_edges) <= PAGE_WIDTH_PT - SIDE_MARGIN_PT + 1


def test_render_time_is_reported(asset_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    html = three_page_html()
    pack_pdf.render_pdf(html, asset_root=asset_root)  # warm-up
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        pdf = pack_pdf.render_pdf(html, asset_root=asset_root)
        timings.append(time.perf_counter() - start)
    with capsys.disabled():
        print(f'\n[pdf-core] 3-page pack warm render: median {statistics.median(timings):.3f} s '
              f'(runs {", ".join(f"{value:.3f}" for value in timings)}), {len(pdf):,} bytes')


def test_three_page_pack_logs_no_warnings(asset_root: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        pack_pdf.render_pdf(three_page_html(), asset_root=asset_root)
    assert [record.getMessage() for record in caplog.records] == []


def test_render_frees_its_documents_and_restores_the_collector(asset_root: Path) -> None:
    import gc

    from weasyprint.document import Document

    pack_pdf.render_pdf(three_page_html(), asset_root=asset_root)
    gc.collect()
    assert gc.isenabled()
    pack_pdf.render_pdf(three_page_html(), asset_root=asset_root)
    assert gc.isenabled(), 'the collector runs again after a render'
    assert not [o for o in gc.get_objects() if isinstance(o, Document)], "the render's cycles are freed at its end"
    gc.disable()
    try:
        pack_pdf.render_pdf(three_page_html(), asset_root=asset_root)
        assert not gc.isenabled(), 'a collector paused by the caller stays paused'
    finally:
        gc.enable()


def test_render_pauses_the_collector_only_while_it_runs(asset_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    weasyprint = pack_pdf._weasyprint()
    seen = []
    original = weasyprint.HTML.render

    def render(self, *args: object, **kwargs: object):
        seen.append(gc.isenabled())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, 'render', render)
    pack_pdf.render_pdf(three_page_html(), asset_root=asset_root)
    assert seen == [False] and gc.isenabled()


def test_fonts_are_read_once_per_thread_not_per_render(asset_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fetcher = pack_pdf._fetcher_class()
    fetched: list[str] = []
    original = fetcher.fetch

    def fetch(self, url: str, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(fetcher, 'fetch', fetch)
    html = three_page_html()

    def render_in_a_new_thread() -> None:
        thread = threading.Thread(target=pack_pdf.render_pdf, args=(html,), kwargs={'asset_root': asset_root})
        thread.start()
        thread.join()

    render_in_a_new_thread()
    fonts_read = [url for url in fetched if url.endswith('.otf')]
    assert len(fonts_read) == 2, 'a thread\'s first render reads the regular and the bold face'
    fetched.clear()
    pack_pdf.render_pdf(html, asset_root=asset_root)
    fetched.clear()
    pdf = pack_pdf.render_pdf(html, asset_root=asset_root)
    assert not [url for url in fetched if url.endswith('.otf')], 'later renders use the faces already registered'
    names = sorted(row[0].split('+', 1)[1] for row in _pdffonts_of(pdf, asset_root))
    assert names == ['PackSans', 'PackSans-Bold'], 'the kept faces are embedded (subset)'


def _pdffonts_of(pdf: bytes, folder: Path) -> list[list[str]]:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix='.pdf') as file:
        file.write(pdf)
        file.flush()
        return _pdffonts(Path(file.name))


def test_render_sets_isolated_fontconfig(three_page_pdf: tuple[bytes, Path], asset_root: Path) -> None:
    assert os.environ['FONTCONFIG_FILE'] == str(asset_root / 'fonts' / 'fonts.conf')


def test_subset_warning_is_an_error(asset_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint.logger import LOGGER
    from weasyprint.pdf.fonts import Font

    original = Font.subset

    def subset_with_warning(self: Font, *args: object, **kwargs: object) -> None:
        LOGGER.warning('Unable to subset "%s" with HarfBuzz', self.family)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Font, 'subset', subset_with_warning)
    with pytest.raises(pack_pdf.PdfRenderError, match='Unable to subset'):
        pack_pdf.render_pdf(_page('<p>一企一策</p>'), asset_root=asset_root)


# ---------------------------------------------------------------------------------------------------------------
# SSRF / local-file disclosure


def test_listener_sanity(listener: _Listener) -> None:
    with urllib.request.urlopen(listener.url('probe'), timeout=5) as response:
        assert response.status == 200
    assert listener.requests == ['/probe']


def _hostile_html(listener: _Listener) -> str:
    head = (f'<style>@import url(file:///etc/passwd);</style>'
            f'<link rel="stylesheet" href="{listener.url("a.css")}">'
            '<link rel="attachment" href="file:///etc/hostname">'
            '<link rel="attachment" href="fonts/fonts.conf">'
            f'<style>@font-face {{ font-family: "Evil"; src: url({listener.url("f.otf")}); }}'
            '.evil { font-family: "Evil", "PackSans"; }</style>')
    body = (f'<h1 class="evil">跨贸小镇</h1><img src="{listener.url("x.png")}"><img src="file:///etc/hostname">'
            '<p><a rel="attachment" href="img/logo.png">附件</a> <a href="file:///etc/passwd">链接</a></p>'
            '<p>一企一策</p>')
    return _page(body, head)


def test_default_fetcher_would_leak(asset_root: Path, listener: _Listener) -> None:
    """Control: plain WeasyPrint fetches from the listener and embeds files, so the next test is meaningful."""
    import weasyprint

    pdf = weasyprint.HTML(string=_hostile_html(listener), base_url=f'{asset_root.as_uri()}/').write_pdf()
    assert {'/a.css', '/x.png', '/f.otf'} <= set(listener.requests)
    assert PdfReader(io.BytesIO(pdf)).attachments != {}


def test_hostile_html_fetches_nothing(asset_root: Path, listener: _Listener, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger='crm.packs.pdf'):
        pdf = pack_pdf.render_pdf(_hostile_html(listener), asset_root=asset_root)
    assert listener.requests == []
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.attachments == {}
    assert len(reader.pages) == 1 and '一企一策' in _text(pdf)
    assert b'/EmbeddedFile' not in pdf and b'/FileAttachment' not in pdf
    refused = [record.getMessage() for record in caplog.records
               if record.name == 'crm.packs.pdf' and 'refused' in record.getMessage()]
    for needle in ('/etc/passwd', '/etc/hostname', f'127.0.0.1:{listener.port}/a.css',
                   f'127.0.0.1:{listener.port}/x.png', f'127.0.0.1:{listener.port}/f.otf'):
        assert any(needle in message for message in refused), (needle, refused)


def test_oversized_data_uri_is_refused(fetcher, asset_root: Path, caplog: pytest.LogCaptureFixture) -> None:
    big = 'data:text/plain;base64,' + 'A' * (pack_pdf.MAX_DATA_URI_CHARS + 1)
    with caplog.at_level(logging.WARNING, logger='crm.packs.pdf'):
        with pytest.raises(pack_pdf.FetchRefused):
            fetcher.fetch(big)
        pdf = pack_pdf.render_pdf(_page(f'<p>一企一策</p><img src="{big}">'), asset_root=asset_root)
    assert '一企一策' in _text(pdf)
    ours = [record for record in caplog.records if record.name == 'crm.packs.pdf']
    assert sum('data: URI longer' in record.getMessage() for record in ours) == 2
    assert all(len(record.getMessage()) < 2000 for record in caplog.records)  # no multi-megabyte log lines


def test_small_data_uri_is_allowed(fetcher) -> None:
    response = fetcher.fetch('data:text/plain;base64,5LiA5LyB5LiA562W')
    assert response.read().decode() == '一企一策'


def test_file_inside_asset_root_is_allowed(fetcher, asset_root: Path) -> None:
    response = fetcher.fetch((asset_root / 'img' / 'logo.png').as_uri())
    try:
        assert response.read() == PNG_BYTES
        assert response.content_type == 'image/png'
    finally:
        response.close()
    assert fetcher.refused == []


def test_image_inside_asset_root_renders_without_refusals(asset_root: Path, caplog: pytest.LogCaptureFixture) -> None:
    html = _page('<p>一企一策</p><img src="img/logo.png" style="width: 10mm">',
                 '<link rel="stylesheet" href="css/extra.css">')
    with caplog.at_level(logging.WARNING, logger='crm.packs.pdf'):
        pdf = pack_pdf.render_pdf(html, asset_root=asset_root)
    assert b'/Subtype /Image' in pdf
    assert [record for record in caplog.records if record.name == 'crm.packs.pdf'] == []


@pytest.mark.parametrize('relative', [
    'img/../../secret.txt',
    '../secret.txt',
    '../../../../../../../../etc/hostname',
    '../assets-evil/x.css',
    'link-out.txt',
])
def test_escaping_the_asset_root_is_refused(fetcher, asset_root: Path, relative: str) -> None:
    url = f'{asset_root.as_uri()}/{relative}'
    with pytest.raises(pack_pdf.FetchRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


@pytest.mark.parametrize('url', [
    'http://127.0.0.1:9/x.png',
    'https://example.com/a.css',
    'ftp://127.0.0.1/x',
    'file://evil.example/etc/passwd',
    'file:///etc/passwd',
    'gopher://127.0.0.1/',
])
def test_other_urls_are_refused_before_any_connection(fetcher, url: str) -> None:
    with pytest.raises(pack_pdf.FetchRefused):
        fetcher.fetch(url)


def test_relative_escape_in_html_is_refused(asset_root: Path, caplog: pytest.LogCaptureFixture) -> None:
    html = _page('<p>一企一策</p>', '<link rel="stylesheet" href="../secret.txt">')
    with caplog.at_level(logging.WARNING, logger='crm.packs.pdf'):
        pdf = pack_pdf.render_pdf(html, asset_root=asset_root)
    assert b'TOPSECRET' not in pdf
    assert any('outside the asset root' in record.getMessage() for record in caplog.records)


# ---------------------------------------------------------------------------------------------------------------
# Environment check


def test_check_pdf_environment_passes(asset_root: Path) -> None:
    pack_pdf.check_pdf_environment(asset_root)


def test_check_pdf_environment_reports_missing_fonts(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError) as info:
        pack_pdf.check_pdf_environment(tmp_path)
    message = str(info.value)
    assert 'NotoSansCJKsc-Regular.otf' in message
    assert f'python -m crm.packs.fonts {tmp_path / "fonts"}' in message
    assert 'fonts-noto-cjk' in message


def test_check_pdf_environment_rejects_a_non_sc_face(tmp_path: Path, font_dir: Path) -> None:
    fonts = tmp_path / 'fonts'
    fonts.mkdir()
    (fonts / 'fonts.conf').write_text(pack_fonts.fontconfig_xml(fonts), encoding='utf-8')
    pack_fonts.extract_face(pack_fonts.find_ttc('NotoSansCJK-Regular.ttc'), 'Noto Sans CJK JP',
                            fonts / 'NotoSansCJKsc-Regular.otf')
    (fonts / 'NotoSansCJKsc-Bold.otf').symlink_to(font_dir / 'NotoSansCJKsc-Bold.otf')
    with pytest.raises(RuntimeError, match="'Noto Sans CJK JP', not a Simplified-Chinese"):
        pack_pdf.check_pdf_environment(tmp_path)


def test_check_pdf_environment_reports_missing_harfbuzz_subset(asset_root: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import weasyprint.text.ffi

    monkeypatch.setattr(weasyprint.text.ffi, 'harfbuzz_subset', None)
    with pytest.raises(RuntimeError, match='libharfbuzz-subset0'):
        pack_pdf.check_pdf_environment(asset_root)


def test_check_pdf_environment_defaults_to_the_app_static_folder(asset_root: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    assert pack_pdf.DEFAULT_ASSET_ROOT == REPO_ROOT / 'static'
    monkeypatch.setattr(pack_pdf, 'DEFAULT_ASSET_ROOT', asset_root)
    pack_pdf.check_pdf_environment()
