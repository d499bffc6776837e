"""The officer's main journey in Chromium against gunicorn and a real `crm worker`: create a lead on the form, open
its match, pin a unit, request the pack, watch the progress page turn into the download and read the PDF."""
import re

import pytest
from pypdf import PdfReader

from tests.browser.conftest import follow, screenshot, sign_in

pytestmark = pytest.mark.browser


def _pdf_text(path) -> str:
    return re.sub(r'\s+', '', ''.join(page.extract_text() for page in PdfReader(path).pages))


def test_officer_creates_a_lead_matches_it_and_downloads_its_pack(live_server, page):
    base, accounts = live_server
    sign_in(page, base, accounts['officer'])
    follow(page, 'nav.sidebar >> text=招商项目')
    page.click('.page-head >> text=新建项目')
    page.fill('#title', '跨境电商区域运营中心')
    page.fill('#firm_id-search', '跨境')  # the firm picker loads matching firms as one types
    page.locator('#firm_id-list .picker-option').first.click()  # a demo cross-border firm
    firm = page.input_value('#firm_id-search')
    page.fill('#industry_code', '529')
    page.fill('#platforms-search', 'kmxz')  # the platform picker knows pinyin initials
    page.locator('#platforms-list .picker-option', has_text='跨贸小镇').click()
    page.fill('#space_need_m2', '300')
    page.select_option('#space_use', '办公')
    page.fill('#investment', '3000')
    screenshot(page, 'officer-new-lead')
    page.click('form.card button[type=submit].primary')
    page.wait_for_url(re.compile(r'/leads/\d+$'))
    assert f'已为{firm}创建项目' in page.inner_text('.flash-success').replace(' ', '')
    facts = page.inner_text('.facts')
    assert firm in facts and '跨贸小镇' in facts and '300' in facts
    screenshot(page, 'officer-lead')

    follow(page, '.page-head >> text=匹配')
    assert page.inner_text('h1') == '匹配: 跨境电商区域运营中心'
    rows = page.locator('table.list').first.locator('tbody tr')
    assert rows.count() >= 2 and all('跨贸小镇' in row for row in rows.all_inner_texts())
    top_building, top_number = (rows.first.locator('td').nth(i).inner_text() for i in (0, 1))
    pick = rows.last  # not the top match: the pack must follow the officer's choice
    building, number = (pick.locator('td').nth(i).inner_text() for i in (0, 1))
    follow(page, pick.locator('button[value=pin]'))
    pinned = page.locator('table.list').first.locator('tbody tr', has=page.locator('.badge.ok'))
    assert pinned.count() == 1 and pinned.locator('td').nth(1).inner_text() == number
    assert '已选入推介包' in pinned.inner_text()
    screenshot(page, 'officer-match')

    page.click('.crumbs >> a >> nth=1')
    page.locator('form[action$="/packs"] button[type=submit]').first.click()
    assert '/packs/builds/' in page.url and '正在生成推介包' in page.inner_text('h1')
    page.wait_for_selector('text=下载 PDF', timeout=60_000)  # htmx polls until the worker has finished
    screenshot(page, 'officer-pack-build')
    with page.expect_download() as download:
        page.click('text=下载 PDF')
    path = download.value.path()
    assert open(path, 'rb').read(4) == b'%PDF'
    text = _pdf_text(path)
    assert f'致{firm}' in text, 'the cover names the firm'
    units = text[text.index('推荐房源'):text.index('下一步')]  # the summary page's offer
    assert f'{building}{number}' in units, 'the pinned unit is offered'
    assert f'{top_building}{top_number}' not in units, 'only the pinned unit is offered'
    assert re.search(r'第2页/共\d+页', text), 'pages are numbered after the cover'

    page.click('text=推介包详情与分享链接')
    assert page.inner_text('h1').startswith('招商推介包')
    assert page.inner_text('.crumbs') == '招商项目 / 跨境电商区域运营中心 /'
    screenshot(page, 'officer-pack')
    assert page.problems == []
