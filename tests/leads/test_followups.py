"""Follow-up discipline has one answer everywhere: due today, overdue, stale and signed counts are the same on the
dashboard, the lead list's filters, 我的一天, the digest and the API, for every role; a follow-up moves the lead's
next follow-up; stale thresholds are an administrator's data. Every test runs on the real clock and at 01:30
Beijing time (17:30 UTC), when the UTC date is a day behind."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from crm.core import clock
from crm.db import utcnow
from crm.leads.digest import Digest, send_digests
from crm.leads.models import Activity, Lead
from crm.leads.services import move_stage
from tests.conftest import errors_beside, login, post_form

pytestmark = pytest.mark.usefixtures('business_clock')
FIGURES = ('overdue', 'due_today', 'stale')


def _set(in_app, db_session, lead, **values):
    with in_app():
        item = db_session.get(Lead, lead.id)
        for name, value in values.items():
            setattr(item, name, value)
        db_session.commit()


def _headline(client) -> dict[str, int]:
    page = client.get('/leads/dashboard?fresh=1').get_data(as_text=True)
    return {name: int(n) for name, n in re.findall(r'data-figure="(\w+)">(\d+)<', page)}


def _my_day(client) -> dict[str, int]:
    page = client.get('/leads/my-day').get_data(as_text=True)
    return {name: int(n) for name, n in re.findall(r'data-figure="(\w+)">(\d+)<', page)}


def _list_total(client, query: str) -> int:
    page = client.get(f'/leads/?{query}').get_data(as_text=True)
    match = re.search(r'共 (\d+) 条，第', page)
    return int(match.group(1)) if match else 0


def _api_total(client, token: str, query: str) -> int:
    response = client.get(f'/api/v1/leads?{query}', headers={'Authorization': f'Bearer {token}'})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    body = response.get_json()
    flags = {name: sum(1 for row in body['items'] if row[name]) for name in FIGURES}
    for name in FIGURES:  # each row says which figures it belongs to, by the same definitions
        if f'{name}=1' in query:
            assert flags[name] == len(body['items'])
    return body['total']


@pytest.fixture
def office(factories, in_app, db_session):
    """Two officers, the pool, a park manager's platform: leads overdue, due today, stale, closed and signed."""
    today = clock.today()
    platform = factories.platform()
    people = {role: factories.user(role) for role in ('admin', 'leader', 'officer')}
    people['other'] = factories.user('officer')
    people['park_manager'] = factories.user('park_manager', platforms=[platform])
    me, other = people['officer'], people['other']
    leads = {
        'overdue_mine': factories.lead(owner=me, platforms=[platform], stage='洽谈', title='逾期三天'),
        'overdue_yesterday': factories.lead(owner=me, title='逾期一天'),
        'today_mine': factories.lead(owner=me, title='今日跟进'),
        'stale_mine': factories.lead(owner=me, stage='洽谈', title='久未跟进'),
        'overdue_other': factories.lead(owner=other, title='别人逾期'),
        'overdue_pool': factories.lead(title='公共池逾期'),
        'lost_mine': factories.lead(owner=me, title='已流失'),
        'signed_mine': factories.lead(owner=me, stage='签约', title='已签约'),
        'signed_other': factories.lead(owner=other, stage='签约', title='别人签约'),
        'future_mine': factories.lead(owner=me, title='下周跟进'),
    }
    _set(in_app, db_session, leads['overdue_mine'], next_follow_up=today - timedelta(days=3))
    _set(in_app, db_session, leads['overdue_yesterday'], next_follow_up=today - timedelta(days=1))
    _set(in_app, db_session, leads['today_mine'], next_follow_up=today)
    _set(in_app, db_session, leads['stale_mine'], next_follow_up=today + timedelta(days=5),
         stage_since=utcnow() - timedelta(days=60), last_activity_at=utcnow() - timedelta(days=30))
    _set(in_app, db_session, leads['overdue_other'], next_follow_up=today - timedelta(days=2))
    _set(in_app, db_session, leads['overdue_pool'], next_follow_up=today - timedelta(days=20))
    _set(in_app, db_session, leads['lost_mine'], stage='流失', next_follow_up=today - timedelta(days=9))
    _set(in_app, db_session, leads['future_mine'], next_follow_up=today + timedelta(days=7))
    return people, leads


EXPECTED = {  # what each role sees in its scope: officers their own and the pool, park managers their platform
    'admin': {'overdue': 4, 'due_today': 1, 'stale': 1, 'signed': 2},
    'leader': {'overdue': 4, 'due_today': 1, 'stale': 1, 'signed': 2},
    'officer': {'overdue': 3, 'due_today': 1, 'stale': 1, 'signed': 1},
    'park_manager': {'overdue': 1, 'due_today': 0, 'stale': 0, 'signed': 0},
}


@pytest.mark.parametrize('role', list(EXPECTED))
def test_each_figure_has_one_answer_on_every_page_for_every_role(app, office, factories, token_for, in_app,
                                                                   db_session, role):
    people, _leads = office
    user = people[role]
    client = app.test_client()
    assert login(client, user.email, factories.PASSWORD).status_code == 302
    token = token_for(user)
    headline = _headline(client)
    for name in (*FIGURES, 'signed'):
        expected = EXPECTED[role][name]
        assert headline[name] == expected, (name, headline)
        assert _list_total(client, f'{name}=1') == expected, name
        assert _api_total(client, token, f'{name}=1') == expected, name
    dashboard = client.get('/leads/dashboard?fresh=1').get_data(as_text=True)
    rows = re.search(r'id="overdue-by-owner">(.*?)</table>', dashboard, re.S).group(1)
    per_owner = [int(n) for n in re.findall(r'overdue=1[^"]*">(\d+)</a>', rows)]
    assert sum(per_owner) == headline['overdue']  # the officers' rows and the pool add up to the headline
    if role == 'park_manager':
        assert client.get('/leads/my-day').status_code == 403
        return
    mine = _my_day(client)
    for name in FIGURES:
        assert mine[name] == _list_total(client, f'owner=me&{name}=1') == _api_total(client, token,
                                                                                       f'owner=me&{name}=1'), name
    if role in ('officer', 'leader'):
        with in_app():
            send_digests(clock.today())
            db_session.commit()
        digest = db_session.scalars(select(Digest).where(Digest.user_id == user.id,
                                                         Digest.day == clock.today())).one()
        assert {name: len(digest.content[name]) for name in FIGURES} == mine
    if role == 'officer':
        assert mine == {'overdue': 2, 'due_today': 1, 'stale': 1}
        assert f'{clock.today()}' in client.get('/leads/my-day').get_data(as_text=True)


def test_a_follow_up_moves_the_next_follow_up_and_the_last_one_clears_it(client, logged_in, factories, db_session):
    officer = logged_in('officer')
    lead = factories.lead(owner=officer, title='跟进顺延')
    today = clock.today()
    detail = f'/leads/{lead.id}'

    def next_follow_up():
        db_session.expire_all()
        return db_session.get(Lead, lead.id).next_follow_up

    post_form(client, f'{detail}/activities', {'kind': '电话', 'subject': '约拜访时间',
                                               'due_on': (today + timedelta(days=2)).isoformat()}, token_from=detail)
    assert next_follow_up() == today + timedelta(days=2)
    post_form(client, f'{detail}/activities', {'kind': '拜访', 'subject': '上门介绍政策', 'done': 'y', 'outcome': '有意向',
                                               'next_on': (today + timedelta(days=7)).isoformat()}, token_from=detail)
    assert next_follow_up() == today + timedelta(days=2)  # the earlier planned call is still the next contact
    planned = db_session.scalars(select(Activity).where(Activity.lead_id == lead.id, Activity.done_at.is_(None))
                                 .order_by(Activity.due_on)).all()
    assert [a.due_on for a in planned] == [today + timedelta(days=2), today + timedelta(days=7)]
    post_form(client, f'/leads/activities/{planned[0].id}/done', {}, token_from=detail)
    assert next_follow_up() == today + timedelta(days=7)  # done: the next open follow-up takes over
    action, yesterday = f'/leads/activities/{planned[1].id}/done', (today - timedelta(days=1)).isoformat()
    refused = post_form(client, action, {'next_on': yesterday}, token_from=detail)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and '跟进顺延' in html, 'the lead page again'
    assert errors_beside(html, 'next_on', action) == ['下次跟进日期须为今天或之后的日期（格式：年-月-日）。']
    assert f'value="{yesterday}"' in html.split(f'action="{action}"')[1].split('</form>')[0], 'the date as typed'
    assert next_follow_up() == today + timedelta(days=7)  # nothing changed
    post_form(client, f'/leads/activities/{planned[1].id}/done', {'outcome': '已签意向书'}, token_from=detail)
    assert next_follow_up() is None  # the last open follow-up done without a next date: cleared
    lead_row = db_session.get(Lead, lead.id)
    assert lead_row.last_activity_at is not None


def test_a_follow_up_refused_on_my_day_comes_back_there(client, logged_in, factories, db_session):
    officer = logged_in('officer')
    lead = factories.lead(owner=officer, title='今日回访项目')
    today = clock.today()
    post_form(client, f'/leads/{lead.id}/activities', {'kind': '电话', 'subject': '今日回访',
                                                       'due_on': today.isoformat()}, token_from=f'/leads/{lead.id}')
    activity = db_session.scalars(select(Activity).where(Activity.lead_id == lead.id)).one()
    action = f'/leads/activities/{activity.id}/done'
    refused = post_form(client, action, {'next_on': 'tomorrow', 'next': '/leads/my-day'}, token_from='/leads/my-day')
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="my-day-figures"' in html, 'My day again'
    assert errors_beside(html, 'next_on', action) and 'value="tomorrow"' in html
    assert 'value="/leads/my-day"' in html.split(f'action="{action}"')[1].split('</form>')[0]
    db_session.expire_all()
    assert db_session.get(Activity, activity.id).done_at is None


def test_a_follow_up_logged_through_the_api_plans_the_next_one(client, factories, token_for, db_session):
    officer = factories.user('officer')
    lead = factories.lead(owner=officer)
    token = token_for(officer)
    next_on = clock.today() + timedelta(days=3)
    response = client.post(f'/api/v1/leads/{lead.id}/activities', headers={'Authorization': f'Bearer {token}'},
                           json={'kind': '电话', 'subject': '电话回访', 'done': True, 'next_on': next_on.isoformat()})
    assert response.status_code == 201, response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Lead, lead.id).next_follow_up == next_on


def test_stale_thresholds_are_an_administrators_data(client, logged_in, factories, in_app, db_session):
    officer = factories.user('officer')
    lead = factories.lead(owner=officer, stage='洽谈', title='七天未联系')
    _set(in_app, db_session, lead, stage_since=utcnow() - timedelta(days=30), last_activity_at=utcnow() - timedelta(days=7))
    logged_in('admin')
    assert _headline(client)['stale'] == 0  # 洽谈 is chased within 14 days by default
    bad = post_form(client, '/admin/follow-up-rules', {'days_3': '五天'})
    assert bad.status_code == 422 and '请输入 1 至 3650 之间的整数天数' in bad.get_data(as_text=True)
    assert 'value="五天"' in bad.get_data(as_text=True)  # what was typed is kept
    assert _headline(client)['stale'] == 0  # nothing saved
    form = {f'days_{n}': '30' for n in range(7)} | {'days_3': '5'}
    assert post_form(client, '/admin/follow-up-rules', form).status_code == 302
    assert _headline(client)['stale'] == 1
    assert _list_total(client, 'stale=1') == 1
    assert post_form(client, '/admin/follow-up-rules', form | {'days_3': ''}).status_code == 302
    assert _headline(client)['stale'] == 0  # an empty stage is never flagged


def test_a_signing_at_seven_in_the_morning_beijing_counts_in_its_beijing_month(client, logged_in, factories, in_app,
                                                                               db_session):
    lead = factories.lead(stage='洽谈', title='凌晨签约')
    signed_at = datetime(2025, 11, 30, 23, 0, tzinfo=timezone.utc)  # 07:00 on 1 December in Beijing
    with in_app():
        move_stage(db_session.get(Lead, lead.id), '签约', actor_id=None, at=signed_at)
        db_session.commit()
    logged_in('leader')
    page = client.get('/leads/dashboard?fresh=1').get_data(as_text=True)
    assert 'signed_month=2025-12">1</a>' in page and 'signed_month=2025-11' not in page
    assert _list_total(client, 'signed_month=2025-12') == 1 and _list_total(client, 'signed_month=2025-11') == 0


def test_the_dashboard_says_which_clock_it_uses(client, logged_in):
    logged_in('leader')
    page = client.get('/leads/dashboard').get_data(as_text=True)
    assert '(UTC)' not in page and '北京时间' in page


def test_demo_leads_flag_what_a_real_office_would_chase(app, factories, in_app, db_session):
    from flask_login import login_user

    from crm.auth.models import user_by_email
    from crm.firms.services import demo_firms
    from crm.leads import followups
    from crm.leads.demo import demo_leads

    leader = factories.user('leader')
    with in_app():
        login_user(user_by_email(leader.email))
        demo_firms(60, 11)
        demo_leads(400, 11)
        open_leads = db_session.scalar(select(func.count(Lead.id)).where(
            Lead.is_demo.is_(True), Lead.stage.not_in(followups.CLOSED_STAGES)))
        counts = followups.counts(Lead.is_demo.is_(True))
    assert open_leads > 100
    assert 0.03 * open_leads < counts['stale'] < 0.25 * open_leads
    assert 0.03 * open_leads < counts['overdue'] < 0.25 * open_leads
    assert counts['due_today'] > 0


def test_a_refused_follow_up_comes_back_on_the_lead_page_beside_its_inputs(client, factories, logged_in, db_session):
    officer = logged_in('officer')
    lead = factories.lead(owner=officer)
    past = (clock.today() - timedelta(days=1)).isoformat()
    refused = post_form(client, f'/leads/{lead.id}/activities',
                        {'kind': '拜访', 'subject': '', 'outcome': '对方改期', 'next_on': past},
                        token_from=f'/leads/{lead.id}')
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert errors_beside(html, 'subject') == ['请填写事项。']
    assert errors_beside(html, 'next_on') == ['下次跟进日期不能早于今天。'] and f'value="{past}"' in html
    assert '<option selected value="拜访">' in html and '对方改期</textarea>' in html
    assert db_session.scalar(select(func.count(Activity.id)).where(Activity.lead_id == lead.id)) == 0


@pytest.mark.parametrize('role', ['park_manager', 'officer', 'leader'])
def test_the_dashboards_follow_up_figures_are_the_counts(app, office, role):
    """The dashboard's follow-up figures, read in one pass for a park manager's list of leads, are the counts and
    the overdue leads per owner that every other page shows."""
    from flask_login import login_user

    from crm.auth.models import user_by_email
    from crm.leads import followups

    people, _leads = office
    with app.test_request_context():
        login_user(user_by_email(people[role].email))
        counts, overdue = followups.summary()
        assert counts == followups.counts() and counts['overdue'] == EXPECTED[role]['overdue']
        assert overdue == followups.overdue_by_owner()
