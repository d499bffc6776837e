"""Each demo account signs in through Chromium and sees only its role's navigation."""
import pytest

from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser

EXPECTED_NAV = {
    'admin': ['工作台', '产业平台', '用户管理', '操作日志'],
    'leader': ['工作台', '产业平台', '操作日志'],
    'officer': ['工作台', '产业平台'],
    'park_manager': ['工作台', '产业平台'],
    'firm': ['工作台'],
}


@pytest.mark.parametrize('role', list(EXPECTED_NAV))
def test_demo_account_sees_its_navigation(live_server, page, role):
    base, accounts = live_server
    sign_in(page, base, accounts[role])
    nav = page.locator('nav.sidebar li a').all_inner_texts()
    assert nav == EXPECTED_NAV[role]
    assert accounts[role]['name'] in page.inner_text('header.topbar')
    screenshot(page, f'home-{role}')
    assert page.problems == []


def test_park_manager_platform_list_is_scoped(live_server, page):
    base, accounts = live_server
    sign_in(page, base, accounts['park_manager'])
    page.click('nav.sidebar >> text=产业平台')
    rows = page.locator('table.list tbody tr').all_inner_texts()
    assert len(rows) == 1 and '跨贸小镇' in rows[0]


def test_wrong_password_shows_chinese_message_and_keeps_email(live_server, page):
    base, accounts = live_server
    page.goto(base + '/login')
    page.fill('input[name=email]', accounts['officer']['email'])
    page.fill('input[name=password]', 'not-the-password')
    page.click('button[type=submit].primary')
    assert '邮箱或密码不正确' in page.inner_text('main')
    assert page.input_value('input[name=email]') == accounts['officer']['email']
    screenshot(page, 'login-error')
