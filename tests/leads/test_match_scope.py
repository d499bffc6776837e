"""The match of a lead shows each viewer only what their scope holds: a park manager sees the platforms, units and
vacancies of their own platforms, never another platform's, on the match page and in the API alike."""
from decimal import Decimal

from crm.db import db
from crm.leads.models import Lead
from crm.platforms.models import Platform
from tests.conftest import login


def login_client(app, user, password):
    """A second browser signed in as `user`."""
    other = app.test_client()
    assert login(other, user.email, password).status_code == 302
    return other


def _two_platforms(factories, in_app):
    """A lead for the park manager's platform whose industry another platform states (and has room for)."""
    own = factories.platform('自家园区')
    elsewhere = factories.platform('邻近数字经济园')
    with in_app():
        db.session.get(Platform, elsewhere.id).focus_industries = ['数字经济']
        db.session.commit()
    factories.unit(factories.building(own, name='自家一号楼'), number='A-101', area='300', rent='2.8')
    factories.unit(factories.building(elsewhere, name='邻园创新楼'), number='B-808', area='300', rent='4.6')
    lead = factories.lead(platforms=[own], title='软件研发中心')
    with in_app():
        item = db.session.get(Lead, lead.id)
        item.industry_code, item.space_need_m2 = '6510', Decimal(300)
        db.session.commit()
    return own, elsewhere, lead


def test_park_manager_matches_only_their_platforms_units_and_vacancies(app, client, factories, logged_in, in_app,
                                                                      token_for):
    own, elsewhere, lead = _two_platforms(factories, in_app)
    manager = logged_in('park_manager', platforms=[own])
    page = client.get(f'/leads/{lead.id}/match')
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '自家园区' in html and 'A-101' in html and '自家一号楼' in html
    for hidden in ('邻近数字经济园', '邻园创新楼', 'B-808', '4.6'):
        assert hidden not in html, hidden

    headers = {'Authorization': f'Bearer {token_for(manager)}'}
    match = app.test_client().get(f'/api/v1/leads/{lead.id}/match', headers=headers).get_json()
    assert [p['name'] for p in match['platforms']] == ['自家园区']
    assert [u['number'] for u in match['units']] == ['A-101']
    assert {u['building'] for u in match['units']} == {'自家一号楼'}
    assert match['cost_unit'] == match['units'][0]['id']
    assert 'B-808' not in str(match) and '邻园' not in str(match)

    # an officer, who may see every platform, is offered the better-suited neighbour as well
    officer = login_client(app, factories.user('officer'), factories.PASSWORD)
    html = officer.get(f'/leads/{lead.id}/match').get_data(as_text=True)
    assert '邻近数字经济园' in html and 'B-808' in html


def test_pinned_units_of_other_platforms_stay_out_of_a_park_managers_match(client, factories, logged_in, in_app):
    from sqlalchemy import select

    from crm.matching.services import set_choice
    from crm.platforms.models import Unit

    own, elsewhere, lead = _two_platforms(factories, in_app)
    with in_app():
        other_unit = db.session.scalar(select(Unit).where(Unit.number == 'B-808'))
        item = db.session.get(Lead, lead.id)
        set_choice(item, 'platform', elsewhere.id, 'pin', user_id=None)
        set_choice(item, 'unit', other_unit.id, 'pin', user_id=None)
        db.session.commit()
    logged_in('park_manager', platforms=[own])
    html = client.get(f'/leads/{lead.id}/match').get_data(as_text=True)
    assert 'B-808' not in html and '邻近数字经济园' not in html and '邻园创新楼' not in html
    assert 'A-101' in html, "their own platform's unit is still offered (the lead targets it)"
