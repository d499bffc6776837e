"""The officer's day from the 工作台, in Chromium against gunicorn and a real `crm worker`: the officer sends their
notifications to a group robot (a loopback stand-in), a leader assigns them a lead, the inbox and the robot both
receive it; the officer logs a follow-up on an overdue lead and the overdue figure falls by one on every page."""
import re
import sqlite3
import time

import pytest

from tests.browser.conftest import LIVE_ENV, screenshot, sign_in
from tests.notifications.robot import Robot

pytestmark = pytest.mark.browser


def _db():
    return sqlite3.connect(LIVE_ENV['DATABASE_URL'].removeprefix('sqlite:///'), timeout=10)


def _overdue_everywhere(page, base) -> dict[str, int]:
    """The overdue figure on the workbench, 我的一天, the dashboard and the lead list's own filter."""
    figures = {}
    for name, path in (('workbench', '/'), ('my_day', '/leads/my-day'), ('dashboard', '/leads/dashboard?fresh=1')):
        page.goto(base + path)
        figures[name] = int(page.inner_text('[data-figure=overdue]'))
    page.goto(base + '/leads/?owner=me&overdue=1')
    pager = page.locator('.pager span')
    figures['list'] = int(re.search(r'共 (\d+) 条', pager.inner_text()).group(1)) if pager.count() else 0
    return figures


def test_an_assigned_lead_arrives_and_a_follow_up_brings_the_overdue_count_down(live_server, browser):
    base, accounts = live_server
    officer_page = browser.new_context(viewport={'width': 1366, 'height': 768}, locale='zh-CN').new_page()
    leader_page = browser.new_context(viewport={'width': 1366, 'height': 768}, locale='zh-CN').new_page()
    with Robot() as robot:
        sign_in(officer_page, base, accounts['officer'])
        officer_page.click('#inbox-link')
        officer_page.click('text=通知发送方式')
        officer_page.check('#webhook')
        officer_page.fill('#webhook_url', robot.url)
        officer_page.click('form.card button[type=submit]')
        assert '通知设置已保存' in officer_page.inner_text('.flash-success')

        with _db() as conn:
            # a colleague's (or the pool's) open lead
            lead_id, title = conn.execute(
                "SELECT id, title FROM lead WHERE (owner_id IS NULL OR owner_id != (SELECT id FROM user "
                "WHERE email = ?)) AND confidential = 0 AND stage NOT IN ('流失', '暂缓', '投产') ORDER BY id LIMIT 1",
                (accounts['officer']['email'],)).fetchone()
        sign_in(leader_page, base, accounts['leader'])
        leader_page.goto(f'{base}/leads/{lead_id}')
        assign = leader_page.locator('form[action$="/assign"]')
        assign.locator('input[aria-controls]').fill(accounts['officer']['name'])
        assign.locator('.picker-option', has_text=accounts['officer']['name']).first.click()
        assign.locator('button[type=submit]').click()
        assert '项目已分配' in leader_page.inner_text('.flash-success').replace(' ', '') or \
            leader_page.locator('.flash-success').count() == 1

        for _ in range(100):  # the worker delivers it
            if robot.messages:
                break
            time.sleep(0.2)
        assert robot.messages, 'the group robot got nothing'
        content = robot.messages[0]['json']['text']['content']
        assert robot.messages[0]['json']['msgtype'] == 'text' and title in content and f'/leads/{lead_id}' in content

    officer_page.goto(base + '/')
    assert int(officer_page.inner_text('#inbox-link [data-figure=unread-count]')) >= 1
    officer_page.click('#inbox-link')
    item = officer_page.locator('#inbox li.unread', has_text=title).first
    assert '项目分配' in item.inner_text() and '群机器人: 已发送' in item.inner_text()
    screenshot(officer_page, 'officer-inbox')
    item.locator('button[value="1"]').click()
    officer_page.wait_for_url(f'{base}/leads/{lead_id}')

    # the assigned lead's follow-up was due yesterday (its planned ones come next week): it counts as overdue on
    # every page until the officer follows it up
    with _db() as conn:
        conn.execute("UPDATE activity SET due_on = date('now', '+8 hours', '+7 days') "
                     "WHERE lead_id = ? AND done_at IS NULL", (lead_id,))
        conn.execute("UPDATE lead SET next_follow_up = date('now', '+8 hours', '-1 day'), "
                     "updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE id = ?", (lead_id,))
    before = _overdue_everywhere(officer_page, base)
    assert before['workbench'] == before['my_day'] == before['list'] >= 1, before
    officer_page.goto(base + '/')
    screenshot(officer_page, 'officer-workbench')

    officer_page.goto(f'{base}/leads/{lead_id}')
    form = officer_page.locator('form[action$="/activities"]')
    form.locator('input[name=subject]').fill('电话回访，约下周看房')
    form.locator('input[name=done]').check()
    form.locator('button[type=submit]').click()
    assert officer_page.locator('.flash-success').count() == 1
    after = _overdue_everywhere(officer_page, base)
    assert after == {name: n - 1 for name, n in before.items()}, (before, after)
    officer_page.goto(f'{base}/leads/?owner=me&overdue=1&per_page=200')
    assert title not in officer_page.inner_text('main')
