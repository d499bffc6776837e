"""Searchable pickers and 与…合并 in Chromium: the officer types part of a firm's name on the lead form and picks
it from what loads; two firms entered twice are offered as duplicates and merged from the firm page, and the
merged-away address then opens the firm that stayed."""
import re

import pytest

from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


def test_officer_types_into_the_firm_picker_and_picks_a_firm(live_server, page):
    base, accounts = live_server
    sign_in(page, base, accounts['officer'])
    page.goto(base + '/leads/new')
    assert page.locator('#firm_id option').count() == 1  # no firm list in the page: only the empty choice
    page.fill('#title', '选择器测试项目')
    page.click('#firm_id-search')
    page.keyboard.type('星河')
    options = page.locator('#firm_id-list .picker-option')
    page.wait_for_function("() => { const found = document.querySelectorAll('#firm_id-list .picker-option'); "
                           "return found.length > 1 && [...found].every(o => o.textContent.includes('星河')); }")
    names = [text.split(' ')[0] for text in options.all_inner_texts()]
    assert 0 < len(names) <= 20 and all('星河' in name for name in names)
    page.keyboard.press('ArrowDown')
    page.keyboard.press('Enter')
    firm = page.input_value('#firm_id-search')
    assert firm == names[1] and page.locator('#firm_id-list').is_hidden()
    assert page.eval_on_selector('#firm_id', 'select => select.selectedOptions[0].textContent') == firm
    screenshot(page, 'officer-firm-picker')
    page.click('form.card button[type=submit].primary')
    page.wait_for_url(re.compile(r'/leads/\d+$'))
    assert firm in page.inner_text('.facts')
    assert page.problems == []


def _new_firm(page, base: str, name: str) -> None:
    page.goto(base + '/firms/new')
    page.fill('#name', name)
    page.click('form.card button[type=submit].primary')
    if page.locator('#confirm_similar').count():  # a similar firm is on record: confirm this one differs
        page.problems.remove('Failed to load resource: the server responded with a status of 422 '
                             '(UNPROCESSABLE ENTITY)')  # the refused save, which the browser logs
        page.check('#confirm_similar')
        page.click('form.card button[type=submit].primary')
    page.wait_for_url(re.compile(r'/firms/\d+$'))


def test_officer_merges_two_firms_from_the_firm_page(live_server, page):
    base, accounts = live_server
    sign_in(page, base, accounts['officer'])
    _new_firm(page, base, '杭州合并演练科技有限公司')
    stays = page.url
    _new_firm(page, base, '合并演练科技（杭州）有限公司')
    goes = page.url
    assert '杭州合并演练科技有限公司' in page.inner_text('.duplicates')  # 可能重复的企业

    page.click('.page-head >> text=与…合并')
    page.fill('#other-search', '合并演练')
    page.locator('#other-list .picker-option', has_text='杭州合并演练科技有限公司').click()
    page.click('form.card button[type=submit].primary')
    assert page.inner_text('h1') == '合并企业'
    page.check('input[name=survivor][value=other]')  # the firm entered first stays
    page.check('tr[data-field=name] input[value=this]')  # with the name entered second
    screenshot(page, 'officer-merge-firms')
    page.evaluate('window.confirm = function () { return true; }')
    page.click('form.merge-form button[type=submit].primary')
    page.wait_for_url(stays)
    assert page.inner_text('h1').startswith('合并演练科技（杭州）有限公司')
    assert '杭州合并演练科技有限公司' in page.inner_text('.facts')  # kept as a former name
    assert '已并入本企业' in page.inner_text('.merged-from')

    page.goto(goes)  # the merged-away address opens the firm that stayed
    assert page.url == stays
    assert page.problems == []
