"""Journeys in Chromium against gunicorn: a lead left without a follow-up is warned by the pool's daily run and
returns to the shared pool on the next day's run; the leader opens 签约未注册 and assigns a 督办 task."""
from __future__ import annotations

import json
import re
import subprocess
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import create_engine, select, update

from crm.core import clock
from tests.browser.conftest import BIN, LIVE_ENV, ROOT, follow, screenshot, sign_in

pytestmark = pytest.mark.browser


def _daily_run(at: datetime | None = None) -> dict:
    """`crm pool-recall` as the worker runs it, on the live server's database (on a shifted clock when `at`)."""
    env = dict(LIVE_ENV)
    command = [str(BIN / 'crm'), 'pool-recall', '--json']
    if at is not None:
        env['CRM_TEST_CLOCK_START'] = at.isoformat()
        command = [str(BIN / 'python'), '-m', 'tests.browser.nightclock', 'pool-recall', '--json']
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _leave_untouched(email: str) -> tuple[int, str]:
    """One of the officer's demo leads at 线索, renamed, left 45 days without a follow-up."""
    from crm.auth.models import User
    from crm.leads.models import Lead

    engine = create_engine(LIVE_ENV['DATABASE_URL'])
    old = (clock.now() - timedelta(days=45)).replace(tzinfo=None)
    with engine.begin() as conn:
        officer = conn.scalar(select(User.id).where(User.email == email))
        lead_id = conn.scalar(select(Lead.id).where(Lead.owner_id == officer, Lead.stage.in_(('线索', '初步接洽')))
                              .order_by(Lead.id).limit(1))
        assert lead_id, 'the demo gives the officer early-stage leads'
        conn.execute(update(Lead).where(Lead.id == lead_id).values(
            title='久未跟进的园区项目', confidential=False, stage_since=old, owned_since=old, last_activity_at=None,
            pool_warned_on=None))
    engine.dispose()
    return lead_id, '久未跟进的园区项目'


def test_a_lead_without_follow_up_returns_to_the_pool_after_the_warning(live_server, page):
    base, accounts = live_server
    lead_id, title = _leave_untouched(accounts['officer']['email'])
    first = _daily_run()
    assert first['warned'] >= 1
    sign_in(page, base, accounts['officer'])
    page.goto(f'{base}/leads/{lead_id}')
    assert '除非及时跟进，否则将收回公海' in page.inner_text('.facts')
    assert '收回公海提醒' in page.inner_text('.timeline')
    screenshot(page, 'pool-warning')

    tomorrow = datetime.combine(clock.today() + timedelta(days=1), time(7, 0), tzinfo=clock.zone())
    second = _daily_run(tomorrow)
    assert second['returned'] >= 1
    page.reload()
    assert re.search(r'负责人\s*公共池', page.inner_text('.facts'))
    assert '已收回公海' in page.inner_text('.timeline')
    follow(page, 'nav.sidebar >> text=公海')
    assert title in page.inner_text('table.list')
    screenshot(page, 'pool-list')
    page.locator('tr', has_text=title).locator('button', has_text='领取').click()
    page.wait_for_url(re.compile(rf'/leads/{lead_id}$'))
    assert '已从公海领取' in page.inner_text('.flash-success')


def test_the_leader_opens_signed_not_registered_and_assigns_a_supervision_task(live_server, page):
    base, accounts = live_server
    from crm.leads.models import Lead

    engine = create_engine(LIVE_ENV['DATABASE_URL'])
    with engine.begin() as conn:
        lead_id = conn.scalar(select(Lead.id).where(Lead.stage == '签约').order_by(Lead.id).limit(1))
        assert lead_id, 'the demo has signed projects'
        conn.execute(update(Lead).where(Lead.id == lead_id).values(title='签约待注册示例项目', confidential=False,
                                                                    stage_since=clock.now() - timedelta(days=3000)))
    engine.dispose()
    sign_in(page, base, accounts['leader'])
    follow(page, 'nav.sidebar >> text=签约后跟踪')
    assert '签约未注册' in page.inner_text('nav.tabs')
    row = page.locator('#unfinished tbody tr').first  # longest waiting first
    assert '签约待注册示例项目' in row.inner_text()
    assert int(row.locator('td.num strong').inner_text()) >= 3000
    row.locator('summary').click()
    row.locator('input[name=title]').fill('督促完成工商注册')
    due = (clock.today() + timedelta(days=10)).isoformat()
    row.locator('input[name=due_on]').fill(due)
    officer = row.locator('select[name=assignee_id]')  # the project's owner is preselected when it has one
    assert officer.locator('option').count() >= 2
    if not officer.input_value():
        officer.select_option(index=1)
    row.locator('button[type=submit]').click()
    page.wait_for_url(re.compile(r'/projects/unfinished'))
    assert '督办事项已交办' in page.inner_text('.flash-success')
    assert '督促完成工商注册' in page.locator('#unfinished tbody tr').first.inner_text()
    screenshot(page, 'leader-signed-not-registered')
    follow(page, 'nav.sidebar >> text=督办')
    assert '督促完成工商注册' in page.inner_text('#tasks') and due in page.inner_text('#tasks')
