"""Form fields and query parameters that take an id accept only what the form offers the viewer: a deleted
firm, another park's unit or an id nobody has is a field error (422, the input kept), an id beyond what a database
stores is a 404 in a route and an ignored filter that says so in a list; never a 500."""
import pytest
from sqlalchemy import select

from crm.leads.models import Lead
from tests.conftest import filled_form, post_form

HUGE = '9' * 20


def _edit(client, lead_id: int, **changes):
    values, _selects = filled_form(client, f'/leads/{lead_id}/edit')
    return client.post(f'/leads/{lead_id}/edit', data={**values, **{k: [v] for k, v in changes.items()}})


@pytest.mark.parametrize('bad', ['deleted', 'missing', 'huge', 'word'])
def test_the_lead_form_accepts_only_a_firm_it_offers(client, factories, logged_in, db_session, bad):
    officer = logged_in('officer')
    firm = factories.firm('原企业有限公司')
    lead = factories.lead(firm, owner=officer, title='编辑中的项目')
    gone = factories.firm('已注销企业有限公司')
    factories.delete_firm(gone)
    value = {'deleted': str(gone.id), 'missing': '99999999', 'huge': HUGE, 'word': 'abc'}[bad]
    response = _edit(client, lead.id, firm_id=value, title='改过的名称')
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:300]
    assert '企业不存在，或不在您的权限范围内' in html
    assert 'value="改过的名称"' in html, 'the input is kept'
    db_session.expire_all()
    assert (db_session.get(Lead, lead.id).firm_id, db_session.get(Lead, lead.id).title) == (firm.id, '编辑中的项目')

    created = post_form(client, '/leads/new', {'title': '新项目', 'source': '以商招商', 'priority': '中',
                                               'firm_id': value})
    assert created.status_code == 422
    assert db_session.scalar(select(Lead.id).where(Lead.title == '新项目')) is None


def test_a_lead_keeps_its_own_firm_and_takes_any_live_firm_in_scope(client, factories, logged_in, db_session):
    officer = logged_in('officer')
    firm, other = factories.firm('甲方企业有限公司'), factories.firm('乙方企业有限公司')
    lead = factories.lead(firm, owner=officer)
    assert _edit(client, lead.id, notes='不改企业').status_code == 302
    assert _edit(client, lead.id, firm_id=str(other.id)).status_code == 302
    db_session.expire_all()
    assert db_session.get(Lead, lead.id).firm_id == other.id


def test_unit_ids_on_the_tenancy_and_stage_forms_are_checked_against_what_is_offered(client, factories, logged_in,
                                                                                     token_for):
    own, other = factories.platform('登记园区'), factories.platform('他人园区')
    firm = factories.firm('入驻企业有限公司')
    factories.unit(factories.building(own), number='T-1')
    let = factories.unit(factories.building(own), number='T-2', status='已租')
    logged_in('officer')
    for value in (str(let.id), '99999999', HUGE, '-3', 'x'):
        response = post_form(client, f'/firms/{firm.id}/tenancies/new',
                             {'unit_id': value, 'start_date': '2026-01-05'})
        assert response.status_code == 422, (value, response.status_code)
        assert '房源' in response.get_data(as_text=True)
    # the API's stage move takes a unit the same way (a park manager cannot name another park's unit)
    foreign = factories.unit(factories.building(other), number='X-9')
    lead = factories.lead(stage='签约', platforms=[own])
    token = token_for(factories.user('leader'))
    for value in (99999999, foreign.id + 10_000):
        moved = client.post(f'/api/v1/leads/{lead.id}/stage', json={'to_stage': '入驻', 'unit_id': value},
                            headers={'Authorization': f'Bearer {token}'})
        assert moved.status_code == 422 and 'unit_id' in moved.get_json()['error']['fields'], moved.get_json()


def test_out_of_range_ids_are_404_in_routes_and_ignored_filters_say_so(client, factories, logged_in, db_session):
    from crm.policies.models import Policy

    lead = factories.lead()
    policy_id = db_session.scalar(select(Policy.id).order_by(Policy.id).limit(1))
    logged_in('leader')
    for url in (f'/leads/{HUGE}', f'/leads/{2**63}', f'/leads/{2**31}/match', f'/firms/{HUGE}',
                f'/packs/{HUGE}', f'/platforms/{HUGE}', f'/leads/{lead.id}/promise/{HUGE}',
                f'/api/v1/leads/{HUGE}'):
        response = client.get(url) if 'promise' not in url else post_form(client, url, {}, token_from='/')
        assert response.status_code == 404, (url, response.status_code)
    # another method of the same address (the lead's GET) does not turn an unmatched id into a 405
    for method, url in (('POST', f'/api/v1/leads/{HUGE}/activities'), ('PATCH', f'/api/v1/leads/{2**31}'),
                        ('POST', f'/api/v1/units/{HUGE}/status'), ('GET', '/leads/0'), ('GET', '/leads/007x')):
        assert client.open(url, method=method, json={}).status_code == 404, (method, url)
    for url in (f'/leads/?owner_id={HUGE}', '/leads/?platform=-1', '/leads/?lost_reason=abc',
                f'/platforms/vacancies?building_id={HUGE}', f'/policies/{policy_id}?lead={HUGE}',
                f'/plans/search?q=数字&doc={HUGE}', f'/leads/new?firm={HUGE}'):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, (url, response.status_code)
        name = url.split('?')[1].split('&')[-1].split('=')[0]
        assert f'已忽略筛选条件 {name}' in html, (url, html[:200])
    assert '已忽略' not in client.get(f'/leads/?owner_id={lead.id}').get_data(as_text=True)
