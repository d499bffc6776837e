"""The 工作台 of each role: the user's own work, the same follow-up figures as every other page, lists that say
when they are cut short and link to the whole list."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from crm.core import clock
from crm.db import db
from crm.leads.models import Lead
from tests.conftest import login

pytestmark = pytest.mark.usefixtures('business_clock')


def _figure(html: str, name: str) -> int:
    return int(re.search(rf'data-figure="{name}">(\d+)<', html).group(1))


def _overdue(in_app, lead_ids, days=2):
    with in_app():
        for lead_id in lead_ids:
            db.session.get(Lead, lead_id).next_follow_up = clock.today() - timedelta(days=days)
        db.session.commit()


def test_officer_sees_their_overdue_and_todays_follow_ups_with_the_figures_of_every_page(client, factories, in_app):
    officer = factories.user('officer')
    other = factories.user('officer')
    mine = [factories.lead(owner=officer, title=f'我的逾期{n}') for n in range(12)]
    today_lead = factories.lead(owner=officer, title='今日跟进项目')
    theirs = factories.lead(owner=other, title='别人的逾期项目')
    _overdue(in_app, [lead.id for lead in mine] + [theirs.id])
    with in_app():
        db.session.get(Lead, today_lead.id).next_follow_up = clock.today()
        db.session.commit()
    login(client, officer.email, factories.PASSWORD)
    home = client.get('/').get_data(as_text=True)
    my_day = client.get('/leads/my-day').get_data(as_text=True)
    assert _figure(home, 'overdue') == _figure(my_day, 'overdue') == 12
    assert _figure(home, 'due_today') == _figure(my_day, 'due_today') == 1
    listed = client.get('/leads/?owner=me&overdue=1').get_data(as_text=True)
    assert '12' in re.search(r'class="pager".*?</span>', listed, re.S).group(0)
    assert '别人的逾期项目' not in home and '今日跟进项目' in home
    section = home[home.index('id="wb-overdue"'):home.index('id="wb-due-today"')]
    assert section.count('我的逾期') == 10
    assert '仅显示 12 条中的 10 条。' in section and '/leads/?owner=me&amp;overdue=1' in section
    assert '测试平台' not in home  # officers see their work, not a wall of platform names


def test_officer_sees_stage_moves_since_yesterday_packs_opened_and_expiring_policies(client, factories, in_app):
    from crm.leads.services import move_stage
    from crm.matching.models import MatchChoice
    from crm.policies.models import Policy

    officer = factories.user('officer')
    moved = factories.lead(owner=officer, title='推进项目')
    shared = factories.lead(owner=officer, title='分享项目')
    with in_app():
        move_stage(db.session.get(Lead, moved.id), '初步接洽', actor_id=officer.id)
        policy = Policy(key='wb-expiring', title='年底到期的扶持政策', level='区', amounts_public=True, kinds=[],
                        industries=[], platform_names=[], facts=[], clauses=[],
                        expires_on=clock.today() + timedelta(days=30))
        db.session.add(policy)
        db.session.flush()
        db.session.add(MatchChoice(lead_id=moved.id, kind='policy', item_id=policy.id, choice='pin'))
        db.session.commit()
    pack = factories.pack(shared)
    _share, token = factories.share(pack)
    client.get(f'/s/{token}')
    login(client, officer.email, factories.PASSWORD)
    home = client.get('/').get_data(as_text=True)
    stages = home[home.index('id="wb-stages"'):home.index('id="wb-packs"')]
    row = re.search(r'data-stage="初步接洽">(.*?)</tr>', stages, re.S).group(1)
    assert '<td>1</td>' in row and '+1' in row
    assert '推进项目' in stages  # the change log names the lead
    changes = re.sub(r'<[^>]+>', ' ', stages[stages.index('推进项目'):])
    assert '修改' in changes and '阶段' in changes, 'actions and fields in the interface language'
    assert not re.search(r'\b(update|create|stage_since|owner_id)\b', changes), changes[:300]
    packs = home[home.index('id="wb-packs"'):home.index('id="wb-expiring"')]
    assert pack.number in packs and '已打开 1 次' in packs
    expiring = home[home.index('id="wb-expiring"'):]
    assert '年底到期的扶持政策' in expiring and '推进项目' in expiring


def test_leader_sees_the_pipeline_decisions_and_officers_running_late(client, factories, in_app):
    leader = factories.user('leader')
    late = factories.user('officer', name='迟到专员')
    lead = factories.lead(owner=late, title='洽谈中的项目', stage='洽谈')
    factories.lead(title='公海里的项目')
    _overdue(in_app, [lead.id])
    login(client, leader.email, factories.PASSWORD)
    home = client.get('/').get_data(as_text=True)
    decide = home[home.index('id="wb-decide"'):home.index('id="wb-overdue-officers"')]
    assert '洽谈中的项目' in decide and '公海里的项目' in decide
    officers = home[home.index('id="wb-overdue-officers"'):]
    assert '迟到专员' in officers and f'owner_id={late.id}' in officers
    dashboard = client.get('/leads/dashboard').get_data(as_text=True)
    assert _figure(home, 'overdue') >= 1
    assert str(_figure(home, 'overdue')) in dashboard


def test_park_manager_sees_vacancies_leases_ending_and_units_without_tenant(client, factories, in_app):
    from crm.firms.models import Tenancy

    platform = factories.platform('园区甲')
    elsewhere = factories.platform('园区乙')
    building = factories.building(platform, name='一号楼')
    factories.unit(building, number='101')
    let = factories.unit(building, number='102', status='已租')
    factories.unit(building, number='103', status='已租')  # let, but nobody's tenancy
    other_building = factories.building(elsewhere, name='外楼')
    factories.unit(other_building, number='901')
    firm = factories.firm('租约到期科技有限公司')
    tenancy = factories.tenancy(firm, let)
    with in_app():
        db.session.get(Tenancy, tenancy.id).end_date = clock.today() + timedelta(days=45)
        db.session.commit()
    factories.lead(platforms=[platform], title='看中园区甲的项目')
    manager = factories.user('park_manager', platforms=[platform])
    login(client, manager.email, factories.PASSWORD)
    home = client.get('/').get_data(as_text=True)
    assert _figure(home, 'vacant') == 1 and _figure(home, 'ending') == 1 and _figure(home, 'untenanted') == 1
    ending = home[home.index('id="wb-ending"'):home.index('id="wb-vacant"')]
    assert '租约到期科技有限公司' in ending and (clock.today() + timedelta(days=45)).isoformat() in ending
    assert '103' in home[home.index('id="wb-untenanted"'):]
    assert '看中园区甲的项目' in home and '901' not in home and '外楼' not in home


def test_firm_user_sees_their_documents_and_payments(client, factories, in_app):
    firm = factories.firm('兑现查看科技有限公司')
    summary = factories.summary(firm)
    user = factories.user('firm', firm=firm)
    login(client, user.email, factories.PASSWORD)
    home = client.get('/').get_data(as_text=True)
    assert summary.number in home and 'id="payments"' in home and 'id="wb-firm-packs"' in home
