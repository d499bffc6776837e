"""Every filter of the lead list (and the API's list) returns exactly the leads it names, alone and combined."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from crm.core import clock
from crm.leads.models import Lead, LostReason
from crm.leads.services import move_stage

pytestmark = pytest.mark.usefixtures('business_clock')  # also at 01:30 Beijing time (17:30 UTC)


@pytest.fixture
def leads(factories, in_app, db_session):
    """Five leads that differ in every filtered attribute; titles start with 筛选 so a page shows only them."""
    officer, other = factories.user('officer'), factories.user('officer')
    p1, p2 = factories.platform('筛选平台一'), factories.platform('筛选平台二')
    made = {
        'a': factories.lead(owner=officer, platforms=[p1], title='筛选甲项目', stage='洽谈'),
        'b': factories.lead(platforms=[p2], title='筛选乙项目'),
        'c': factories.lead(owner=other, platforms=[p1, p2], title='筛选丙项目', stage='签约'),
        'd': factories.lead(owner=other, title='筛选丁项目', stage='初步接洽'),
        'e': factories.lead(owner=officer, title='筛选戊项目'),
    }
    with in_app():
        rows = {key: db_session.get(Lead, lead.id) for key, lead in made.items()}
        rows['a'].industry_code, rows['a'].next_follow_up = '6510', clock.today() - timedelta(days=2)
        rows['b'].source, rows['b'].industry_code = '展会/峰会', '7261'
        rows['e'].next_follow_up, rows['e'].codename = clock.today() + timedelta(days=3), '代号筛选蓝鲸'
        reason = db_session.scalars(select(LostReason.id)).first()
        move_stage(rows['d'], '流失', actor_id=None, note='对方转投他区', lost_reason_id=reason)
        db_session.commit()
        signed_month = rows['c'].signed_at.strftime('%Y-%m')
    return {'officer': officer, 'other': other, 'p1': p1, 'p2': p2, 'reason': reason, 'month': signed_month,
            'ids': {key: lead.id for key, lead in made.items()}}


TITLES = {'a': '筛选甲项目', 'b': '筛选乙项目', 'c': '筛选丙项目', 'd': '筛选丁项目', 'e': '筛选戊项目'}


def _shown(client, query: str) -> set[str]:
    page = client.get(f'/leads/?{query}' if query.startswith('q=') else f'/leads/?q=筛选&{query}')
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    return {key for key, title in TITLES.items() if title in text}


def test_each_filter_lists_exactly_its_leads(client, logged_in, leads):
    logged_in('leader')
    cases = {
        '': {'a', 'b', 'c', 'd', 'e'},
        'stage=洽谈': {'a'},
        'stage=流失': {'d'},
        'source=展会/峰会': {'b'},
        'owner=pool': {'b'},
        f'platform={leads["p1"].id}': {'a', 'c'},
        f'platform={leads["p2"].id}': {'b', 'c'},
        'industry=65': {'a'},
        'industry=7': {'b'},
        'overdue=1': {'a'},
        'reached=签约': {'c'},
        'reached=洽谈': {'a', 'c'},  # a moved there; c passed over it to 签约 (logged as skipped, so reached)
        'signed=1': {'c'},
        f'signed_month={leads["month"]}': {'c'},
        'signed_month=1999-01': set(),
        'signed_month=2025-13': {'a', 'b', 'c', 'd', 'e'},  # not a month: ignored
        f'lost_reason={leads["reason"]}': {'d'},
        f'owner_id={leads["other"].id}': {'c', 'd'},
        f'owner_id={leads["officer"].id}&overdue=1': {'a'},
        f'platform={leads["p1"].id}&stage=签约': {'c'},
        'stage=未知': {'a', 'b', 'c', 'd', 'e'},  # an unknown stage is ignored
    }
    for query, expected in cases.items():
        assert _shown(client, query) == expected, query


def test_search_matches_title_or_codename_and_treats_wildcards_as_text(client, logged_in, leads):
    logged_in('leader')
    assert _shown(client, 'q=蓝鲸') == {'e'}
    assert _shown(client, 'q=甲项') == {'a'}
    assert _shown(client, 'q=%') == {'a', 'b', 'c', 'd', 'e'}  # '%' is dropped, not a pattern


def test_mine_and_scope_follow_the_viewer(client, factories, leads):
    from tests.conftest import login

    login(client, leads['officer'].email, factories.PASSWORD)
    # an officer sees their own leads and the pool, never a colleague's private ones, whatever the filter
    assert _shown(client, '') == {'a', 'b', 'e'}
    assert _shown(client, 'owner=me') == {'a', 'e'}
    assert _shown(client, f'owner_id={leads["other"].id}') == set()
    assert _shown(client, f'platform={leads["p1"].id}') == {'a'}
