"""The shared pool (公海): a lead left without a follow-up is warned, then returns to the pool on the next daily run;
leads at 洽谈 or later stay; claims are limited per officer per day; assignment rules give new unowned leads to a
team in turn; every move is in the audit log and the lead's timeline. Runs on the real clock and at 01:30 Beijing."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from crm.core import clock
from crm.core.audit import AuditEvent
from crm.db import utcnow
from crm.leads.models import Lead
from tests.conftest import login, post_form
from tests.factories import Factories

pytestmark = pytest.mark.usefixtures('business_clock')


def _set(in_app, db_session, lead, **values):
    with in_app():
        item = db_session.get(Lead, lead.id)
        for name, value in values.items():
            setattr(item, name, value)
        db_session.commit()


def _daily_run(app, day_offset: int = 0) -> dict:
    """The job's run on the office's day `today + day_offset`, at 07:00 Beijing (through the CLI)."""
    day = clock.today() + timedelta(days=day_offset)
    instant = datetime.combine(day, time(7, 0), tzinfo=clock.zone())
    with clock.frozen(instant):
        result = app.test_cli_runner().invoke(args=['pool-recall', '--json'])
    assert result.exit_code == 0, result.output
    import json
    return json.loads(result.output)


def _owner(in_app, db_session, lead):
    with in_app():
        db_session.expire_all()
        return db_session.get(Lead, lead.id).owner_id


def _events(in_app, db_session, lead, action):
    with in_app():
        return db_session.scalars(select(AuditEvent).where(AuditEvent.object_type == 'lead',
                                                           AuditEvent.object_id == str(lead.id),
                                                           AuditEvent.action == action)).all()


@pytest.fixture
def untouched(factories, in_app, db_session):
    """An officer's 线索 left 40 days without a follow-up, a 洽谈 lead left as long, and a fresh 线索."""
    officer = factories.user('officer')
    old = utcnow() - timedelta(days=40)
    leads = {'stale': factories.lead(owner=officer, title='久未跟进线索'),
             'talks': factories.lead(owner=officer, stage='洽谈', title='洽谈中项目'),
             'fresh': factories.lead(owner=officer, title='新线索')}
    for key in ('stale', 'talks'):
        _set(in_app, db_session, leads[key], stage_since=old, owned_since=old, last_activity_at=None)
    return officer, leads


def test_a_lead_without_follow_up_is_warned_then_returns_to_the_pool_on_the_next_run(app, client, in_app,
                                                                                     db_session, untouched):
    officer, leads = untouched
    first = _daily_run(app)
    assert first['warned'] == 1 and first['returned'] == 0
    assert _owner(in_app, db_session, leads['stale']) == officer.id  # warned, not yet returned
    assert _owner(in_app, db_session, leads['talks']) == officer.id  # 洽谈 is exempt
    assert len(_events(in_app, db_session, leads['stale'], 'pool_warning')) == 1
    login(client, officer.email, Factories.PASSWORD)
    page = client.get(f"/leads/{leads['stale'].id}").get_data(as_text=True)
    assert '除非及时跟进' in page or 'returns to the pool' in page
    assert '收回公海提醒' in page or 'Pool warning' in page
    inbox = client.get('/notifications/').get_data(as_text=True)
    assert '项目即将退回公海：久未跟进线索' in inbox, 'the owner is told in the inbox'

    again = _daily_run(app)  # the same day again: a warning is not a return
    assert again['returned'] == 0 and again['warned'] == 0
    second = _daily_run(app, 1)
    assert second['returned'] == 1
    assert _owner(in_app, db_session, leads['stale']) is None
    assert _owner(in_app, db_session, leads['talks']) == officer.id
    assert _owner(in_app, db_session, leads['fresh']) == officer.id
    returned = _events(in_app, db_session, leads['stale'], 'pool_return')
    assert len(returned) == 1 and returned[0].changes['owner'] == [officer.id, None]
    pool_page = client.get('/leads/pool').get_data(as_text=True)
    assert '久未跟进线索' in pool_page and '洽谈中项目' not in pool_page


def test_a_follow_up_after_the_warning_keeps_the_lead(app, client, in_app, db_session, untouched, factories):
    officer, leads = untouched
    _daily_run(app)
    login(client, officer.email, factories.PASSWORD)
    response = post_form(client, f"/leads/{leads['stale'].id}/activities",
                         {'kind': '电话', 'subject': '回访', 'done': 'y'}, token_from=f"/leads/{leads['stale'].id}")
    assert response.status_code == 302
    with in_app():
        assert db_session.get(Lead, leads['stale'].id).pool_warned_on is None
    assert _daily_run(app, 1)['returned'] == 0
    assert _owner(in_app, db_session, leads['stale']) == officer.id


def test_recall_days_are_set_per_stage_by_an_administrator(app, client, in_app, db_session, untouched, factories):
    officer, leads = untouched
    admin = factories.user('admin')
    login(client, admin.email, factories.PASSWORD)
    bad = post_form(client, '/admin/pool-rules', {'days_0': '0', 'days_1': '30', 'days_2': '21', 'claim_limit': '5'})
    assert bad.status_code == 422 and '3650' in bad.get_data(as_text=True)
    assert 'value="0"' in bad.get_data(as_text=True)  # the user's input comes back
    ok = post_form(client, '/admin/pool-rules', {'days_0': '', 'days_1': '30', 'days_2': '21', 'claim_limit': '5'})
    assert ok.status_code == 302
    assert _daily_run(app)['warned'] == 0  # 线索 is never recalled now
    with in_app():
        saved = db_session.scalars(select(AuditEvent).where(AuditEvent.object_type == 'pool_rules')).all()
    assert saved and saved[-1].changes['线索'] == [30, None]


def test_claims_from_the_pool_are_limited_per_officer_per_day(app, client, in_app, db_session, factories):
    from crm.leads.pool import set_rules

    officer = factories.user('officer')
    pool = [factories.lead(title=f'公海项目{n}') for n in range(3)]
    with in_app():
        set_rules({}, 2, actor_id=None)
        db_session.commit()
    other = client
    login(other, officer.email, factories.PASSWORD)
    for lead in pool[:2]:
        response = post_form(other, f'/leads/{lead.id}/claim', {}, token_from='/leads/pool')
        assert response.status_code == 302 and f'/leads/{lead.id}' in response.headers['Location']
    refused = post_form(other, f'/leads/{pool[2].id}/claim', {}, token_from='/leads/pool', follow_redirects=True)
    assert '达到每人每天领取上限' in refused.get_data(as_text=True)
    assert _owner(in_app, db_session, pool[2]) is None
    assert [_owner(in_app, db_session, lead) for lead in pool[:2]] == [officer.id] * 2
    assert len(_events(in_app, db_session, pool[0], 'pool_claim')) == 1
    post_form(other, '/logout', {}, token_from='/')  # the session may still be alive at 02:00 tomorrow
    with clock.frozen(clock.start_of(clock.today() + timedelta(days=1)) + timedelta(hours=2)):
        login(other, officer.email, factories.PASSWORD)  # a new day, a new session
        assert post_form(other, f'/leads/{pool[2].id}/claim', {}, token_from='/leads/pool').status_code == 302
    assert _owner(in_app, db_session, pool[2]) == officer.id


def test_leaders_do_not_claim_and_park_managers_cannot(client, factories):
    leader = factories.user('leader')
    lead = factories.lead(title='公海项目')
    login(client, leader.email, factories.PASSWORD)
    assert post_form(client, f'/leads/{lead.id}/claim', {}, token_from='/leads/pool').status_code == 403


def test_an_owner_puts_a_lead_back_and_it_is_audited(client, in_app, db_session, factories):
    officer = factories.user('officer')
    lead = factories.lead(owner=officer, title='放回公海的项目')
    login(client, officer.email, factories.PASSWORD)
    response = post_form(client, f'/leads/{lead.id}/release', {}, token_from=f'/leads/{lead.id}')
    assert response.status_code == 302
    assert _owner(in_app, db_session, lead) is None
    assert _events(in_app, db_session, lead, 'pool_release')[0].changes['owner'] == [officer.id, None]


def test_assignment_rules_give_new_unowned_leads_to_a_team_in_turn(client, in_app, db_session, factories):
    admin = factories.user('admin')
    first, second, outsider = factories.user('officer'), factories.user('officer'), factories.user('officer')
    platform = factories.platform()
    login(client, admin.email, factories.PASSWORD)
    refused = post_form(client, '/admin/pool-rules/assignment', {'platform_id': str(platform.id)},
                        token_from='/admin/pool-rules')
    assert refused.status_code == 422 and '请至少选择一名' in refused.get_data(as_text=True) or \
        'at least one officer' in refused.get_data(as_text=True)
    added = client.post('/admin/pool-rules/assignment', data={
        'csrf_token': _csrf(client), 'platform_id': str(platform.id), 'source': '上门拜访',
        'team': [str(first.id), str(second.id)]})
    assert added.status_code == 302
    on_platform = [factories.lead(platforms=[platform], title=f'平台项目{n}') for n in range(3)]
    elsewhere = factories.lead(title='其他平台项目')
    assert [_owner(in_app, db_session, lead) for lead in on_platform] == [first.id, second.id, first.id]
    assert _owner(in_app, db_session, elsewhere) is None
    assert outsider.id not in [_owner(in_app, db_session, lead) for lead in on_platform]
    assert _events(in_app, db_session, on_platform[0], 'pool_auto_assign')


def _csrf(client):
    from tests.conftest import csrf_from

    return csrf_from(client.get('/admin/pool-rules').data)
