"""Each demo account signs in through Chromium and sees only its role's navigation."""
import pytest

from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser

PLANS = ['规划文件', '规划检索', '规划承诺']
EXPECTED_NAV = {
    'admin': ['工作台', '数据看板', '我的一天', '招商项目', '项目看板', '产业平台', '空置房源', '企业', '扶持政策', '规划目标', *PLANS, '用户管理', '操作日志'],
    'leader': ['工作台', '数据看板', '我的一天', '招商项目', '项目看板', '产业平台', '空置房源', '企业', '扶持政策', '规划目标', *PLANS, '操作日志'],
    'officer': ['工作台', '数据看板', '我的一天', '招商项目', '项目看板', '产业平台', '空置房源', '企业', '扶持政策', '规划目标', *PLANS],
    'park_manager': ['工作台', '数据看板', '招商项目', '项目看板', '产业平台', '空置房源', '企业', '扶持政策', '规划目标', *PLANS],
    'firm': ['工作台', '企业'],
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


def test_officer_searches_the_plans_and_opens_the_cited_paragraph(live_server, page):
    base, accounts = live_server
    sign_in(page, base, accounts['officer'])
    page.click('nav.sidebar >> text=规划检索')
    page.fill('input[name=q]', '电竞')
    page.click('form.filters button.primary')
    first = page.locator('article.hit').first
    assert '电竞' in first.locator('mark').first.inner_text()
    screenshot(page, 'plan-search')
    first.locator('.cite-line a').click()
    anchor = page.url.split('#', 1)[1]
    assert page.locator(f'[id="{anchor}"]').is_visible()
    screenshot(page, 'plan-reader')
    assert page.problems == []


def test_park_manager_marks_a_unit_let_and_the_grid_shows_it(live_server, page):
    base, accounts = live_server
    sign_in(page, base, accounts['park_manager'])
    page.click('nav.sidebar >> text=产业平台')
    page.click('table.list >> text=跨贸小镇')
    page.locator('table.list a', has_text='（示例）').first.click()
    cell = page.locator('.cell[data-status="空置"]').first
    number = cell.get_attribute('data-unit')
    cell.locator('select[name=status]').select_option('已租')
    cell.locator('button[type=submit]').click()
    page.wait_for_load_state()
    assert '已改为' in page.inner_text('main')
    assert page.locator(f'.cell[data-unit="{number}"]').get_attribute('data-status') == '已租'
    screenshot(page, 'rent-grid')
    assert page.problems == []


def test_leader_reads_the_dashboard_without_csp_violations(live_server, page):
    base, accounts = live_server
    sign_in(page, base, accounts['leader'])
    page.click('nav.sidebar >> text=数据看板')
    page.wait_for_selector('#chart-funnel canvas')
    assert '项目漏斗' in page.inner_text('main')
    screenshot(page, 'dashboard-leader')
    assert page.problems == []


def _signed_total(page, base) -> int:
    import json

    page.goto(base + '/leads/dashboard')
    data = json.loads(page.locator('#dashboard-data').text_content())
    return sum(row['projects'] for row in data['by_month'])


def test_officer_drags_a_lead_to_signed_and_the_dashboard_counts_it(live_server, page):
    base, accounts = live_server
    sign_in(page, base, accounts['officer'])
    before = _signed_total(page, base)
    page.goto(base + '/leads/board')
    card = page.locator('.column[data-stage="洽谈"] .kcard').first
    lead_id = card.get_attribute('data-lead')
    card.drag_to(page.locator('.column[data-stage="签约"]'))
    page.wait_for_selector(f'.column[data-stage="签约"] .kcard[data-lead="{lead_id}"]')
    screenshot(page, 'kanban-officer')
    assert _signed_total(page, base) == before + 1
    assert page.problems == []
