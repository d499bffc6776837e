"""Each demo account signs in through Chromium and sees only its role's navigation; the park manager's, the leader's
and the firm user's main journeys (the officer's is in test_officer_journey.py)."""
import re

import pytest
from pypdf import PdfReader

from tests.browser.conftest import follow, screenshot, sign_in

pytestmark = pytest.mark.browser

PLANS = ['规划文件', '规划检索', '规划承诺']
EXPECTED_NAV = {
    'admin': ['工作台', '数据看板', '我的一天', '招商项目', '项目看板', '公海', '签约后跟踪', '督办', '产业平台', '空置房源', '企业', '扶持政策', '规划目标', *PLANS, '用户管理', '操作日志', '越权访问记录', '跟进规则', '公海规则'],
    'leader': ['工作台', '数据看板', '我的一天', '招商项目', '项目看板', '公海', '签约后跟踪', '督办', '产业平台', '空置房源', '企业', '扶持政策', '规划目标', *PLANS, '操作日志'],
    'officer': ['工作台', '数据看板', '我的一天', '招商项目', '项目看板', '公海', '签约后跟踪', '督办', '产业平台', '空置房源', '企业', '扶持政策', '规划目标', *PLANS],
    'park_manager': ['工作台', '数据看板', '招商项目', '项目看板', '公海', '签约后跟踪', '督办', '产业平台', '空置房源', '企业', '扶持政策', '规划目标', *PLANS],
    'firm': ['工作台', '企业', '扶持政策'],  # firm users read the policy register
}


@pytest.mark.parametrize('role', list(EXPECTED_NAV))
def test_demo_account_sees_its_navigation(live_server, page, role):
    base, accounts = live_server
    sign_in(page, base, accounts[role])
    nav = page.locator('nav.sidebar li a').all_inner_texts()
    assert nav == EXPECTED_NAV[role]
    assert accounts[role]['name'] in page.inner_text('header.topbar')
    screenshot(page, f'{role}-workbench')
    assert page.problems == []


def test_park_manager_platform_list_is_scoped(live_server, page):
    base, accounts = live_server
    sign_in(page, base, accounts['park_manager'])
    follow(page, 'nav.sidebar >> text=产业平台')
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
    follow(page, 'nav.sidebar >> text=规划检索')
    page.fill('form.filters input[name=q]', '电竞')
    page.click('form.filters button.primary')
    first = page.locator('article.hit').first
    assert '电竞' in first.locator('mark').first.inner_text()
    screenshot(page, 'officer-plan-search')
    first.locator('.cite-line a').click()
    anchor = page.url.split('#', 1)[1]
    assert page.locator(f'[id="{anchor}"]').is_visible()
    screenshot(page, 'officer-plan-reader')
    assert page.problems == []


def test_park_manager_marks_a_unit_let_and_edits_a_rent_on_the_grid(live_server, page):
    base, accounts = live_server
    sign_in(page, base, accounts['park_manager'])
    follow(page, 'nav.sidebar >> text=产业平台')
    page.click('table.list >> text=跨贸小镇')
    page.locator('table.list a', has_text='（示例）').first.click()
    cell = page.locator('.cell[data-status="空置"]').first
    number = cell.get_attribute('data-unit')
    cell.locator('select[name=status]').select_option('已租')
    cell.locator('button[type=submit]').click()
    page.wait_for_load_state()
    assert '已改为' in page.inner_text('main')
    assert page.locator(f'.cell[data-unit="{number}"]').get_attribute('data-status') == '已租'

    other = page.locator('.cell[data-status="空置"]').first
    other_number = other.get_attribute('data-unit')
    other.locator('a', has_text='编辑').click()
    assert page.inner_text('h1') == f'房源 {other_number}'
    page.fill('#rent', '4.35')
    screenshot(page, 'park_manager-unit-edit')
    page.click('form.card button[type=submit].primary')
    page.wait_for_selector('#rent-grid')
    assert f'房源 {other_number} 已保存' in page.inner_text('.flash-success')
    assert '4.35元' in page.inner_text(f'.cell[data-unit="{other_number}"] .meta')
    screenshot(page, 'park_manager-rent-grid')
    assert page.problems == []


CHARTS = ['chart-funnel', 'chart-months', 'chart-platforms', 'chart-vacancy']
PAINTED = """ids => ids.every(id => {
  const canvas = document.querySelector('#' + id + ' canvas');
  if (!canvas || !canvas.width || !canvas.height) return false;
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  for (let alpha = 3; alpha < pixels.length; alpha += 4) { if (pixels[alpha]) return true; }
  return false;
})"""


def test_leader_reads_the_dashboard_drills_into_the_signed_projects_and_opens_the_plan_targets(live_server, page):
    base, accounts = live_server
    sign_in(page, base, accounts['leader'])
    follow(page, 'nav.sidebar >> text=数据看板')
    page.wait_for_function(PAINTED, arg=CHARTS)  # ECharts has drawn into every chart's canvas
    assert '项目漏斗' in page.inner_text('main')
    headline = page.inner_text('#headline')
    assert '累计签约项目（不重复计）' in headline and '空置房源（套）' in headline
    signed = page.inner_text('[data-figure=signed]')
    assert re.fullmatch(r'\d+', signed) and int(signed) > 0, signed
    screenshot(page, 'leader-dashboard')

    page.click('[data-figure=signed]')
    page.wait_for_url(re.compile(r'/leads/\?signed=1$'))
    total = re.search(r'共 (\d+) 条', page.inner_text('.pager'))
    assert total and int(total.group(1)) == int(signed), 'the list holds exactly the signed projects'
    if int(signed) <= 50:  # one page
        assert page.locator('table.list tbody tr').count() == int(signed)

    follow(page, 'nav.sidebar >> text=规划目标')
    assert page.inner_text('h1') == '规划目标'
    assert page.locator('.progress .bar').count() >= 1
    assert re.search(r'实际 [\d.]+', page.inner_text('main')), 'targets show their actual value'
    screenshot(page, 'leader-targets')
    assert page.problems == []


def test_firm_user_downloads_the_policy_summary_of_their_firm(live_server, page):
    base, accounts = live_server
    sign_in(page, base, accounts['firm'])
    follow(page, 'nav.sidebar >> text=企业')
    firms = page.locator('table.list tbody tr td:first-child a').all_inner_texts()
    assert len(firms) == 1, 'a firm user sees only their own firm'
    firm = firms[0]
    follow(page, 'nav.sidebar >> text=工作台')
    summaries = page.locator('section.card', has=page.locator('h2', has_text='政策摘要'))
    assert re.search(r'ZC-\d{4}-[0-9A-Z]{6}-\d+', summaries.inner_text()), 'the demo firm has a summary to download'
    with page.expect_download() as download:
        summaries.locator('a', has_text='下载 PDF').first.click()
    assert download.value.suggested_filename.startswith('ZC-')
    path = download.value.path()
    assert open(path, 'rb').read(4) == b'%PDF'
    text = re.sub(r'\s+', '', ''.join(p.extract_text() for p in PdfReader(path).pages))
    assert '政策摘要' in text and f'致：{firm}' in text
    assert page.problems == []


# Drop on the column's head: its middle may lie below the screen, and scrolling there during the drag moves the
# page under the pressed mouse, so the browser would pick up another card.
COLUMN_HEAD = {'x': 60, 'y': 20}


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
    card.drag_to(page.locator('.column[data-stage="签约"]'), target_position=COLUMN_HEAD)
    page.wait_for_selector(f'.column[data-stage="签约"] .kcard[data-lead="{lead_id}"]')
    screenshot(page, 'officer-kanban')
    assert _signed_total(page, base) == before + 1
    assert page.problems == []


def test_officer_drags_a_lead_past_stages_after_confirming_the_skip(live_server, page):
    """The board goes through the stage rules: a drop that skips stages asks first, then logs them as skipped."""
    base, accounts = live_server
    sign_in(page, base, accounts['officer'])
    page.goto(base + '/leads/board')
    page.evaluate('window.confirm = function (question) { window.asked = question; return true; }')
    card = page.locator('.column[data-stage="初步接洽"] .kcard').first
    lead_id = card.get_attribute('data-lead')
    card.drag_to(page.locator('.column[data-stage="签约"]'), target_position=COLUMN_HEAD)
    page.wait_for_selector(f'.column[data-stage="签约"] .kcard[data-lead="{lead_id}"]')
    assert '考察看房、洽谈' in page.evaluate('window.asked')
    page.goto(f'{base}/leads/{lead_id}')
    history = page.locator('.timeline').text_content()
    assert '跳过「考察看房」' in history and '跳过「洽谈」' in history
    assert page.locator('select[name=to_stage]').input_value() == '注册'  # the next stage, never an earlier one
    screenshot(page, 'officer-lead-stages')
    # the first drop is refused (422: the skip is not confirmed yet), which the browser logs; nothing else is
    assert [p for p in page.problems if '422' not in p] == [] and len(page.problems) == 1


def test_officer_resolves_an_edit_conflict_field_by_field(live_server, page):
    """Two tabs edit one lead: the later save shows the fields compared (fitting a phone screen), and saving again
    with the stored value chosen for the field both changed keeps the other change and applies this one."""
    base, accounts = live_server
    sign_in(page, base, accounts['officer'])
    page.goto(base + '/leads/board')
    lead_id = page.locator('.column[data-stage="线索"] .kcard').first.get_attribute('data-lead')
    other = page.context.new_page()
    for tab in (page, other):
        tab.goto(f'{base}/leads/{lead_id}/edit')
    other.fill('#investment', '9500')
    other.fill('#notes', '另一标签页的备注')
    other.click('button[type=submit].primary')
    other.wait_for_url(f'{base}/leads/{lead_id}')
    page.fill('#investment', '8000')
    page.fill('#title', '浏览器合并测试项目')
    page.click('button[type=submit].primary')
    page.wait_for_selector('.conflict table')
    screenshot(page, 'officer-edit-conflict')
    assert page.input_value('#notes') == '另一标签页的备注' and page.input_value('#title') == '浏览器合并测试项目'
    page.check('input[name="merge-investment"][value="stored"]')
    page.click('button[type=submit].primary')
    page.wait_for_url(f'{base}/leads/{lead_id}')
    facts = page.locator('dl').first.text_content()
    assert '9,500' in facts and '浏览器合并测试项目' in page.locator('h1').text_content()
    assert [p for p in page.problems if '409' not in p] == []  # the refused save's status is logged, nothing else
