"""The officer's pack journey in Chromium against gunicorn and a real `crm worker`: pin a unit on the match
page, request the pack, watch the progress page turn into the download, and download the PDF."""
import pytest

from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


def test_officer_pins_a_unit_builds_the_pack_through_the_worker_and_downloads_it(live_server, page):
    base, accounts = live_server
    sign_in(page, base, accounts['officer'])
    page.goto(base + '/leads/1/match')
    row = page.locator('table.list tbody tr').first
    unit_number = row.locator('td').nth(1).inner_text()
    row.locator('button[value=pin]').click()
    assert '已选入推介包' in page.locator('table.list tbody tr').first.inner_text()
    screenshot(page, 'match-officer')
    page.goto(base + '/leads/1')
    page.locator('form[action$="/packs"] button[type=submit]').first.click()
    assert '/packs/builds/' in page.url and '正在生成推介包' in page.inner_text('h1')
    page.wait_for_selector('text=下载 PDF', timeout=60_000)  # htmx polls until the worker has finished
    screenshot(page, 'pack-build-done')
    with page.expect_download() as download:
        page.click('text=下载 PDF')
    pdf = open(download.value.path(), 'rb').read()
    assert pdf[:4] == b'%PDF' and len(pdf) > 50_000
    from pypdf import PdfReader
    text = ''.join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert unit_number in text, 'the pinned unit is offered in the pack'
    page.click('text=推介包详情与分享链接')
    assert '推介包' in page.inner_text('h1')
    assert page.problems == []
