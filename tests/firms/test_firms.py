"""Firms on both databases: duplicate guard, scope, soft delete with USCC reuse, merge without losing history."""
from decimal import Decimal

from sqlalchemy import func, select, update

from crm.core.audit import AuditEvent
from crm.firms.models import Contact, Firm, Tenancy
from tests.conftest import csrf_from, login, post_form

CODE = '91110000600037341L'


def test_same_uscc_is_refused_and_similar_names_need_confirmation(client, factories, logged_in):
    factories.firm('杭州云图科技有限公司', uscc=CODE)
    logged_in('officer')
    same_code = post_form(client, '/firms/new', {'name': '另一家', 'uscc': CODE})
    assert same_code.status_code == 422 and '已属于另一家企业' in same_code.get_data(as_text=True)
    similar = post_form(client, '/firms/new', {'name': '杭州云图科技（杭州）有限公司'})
    html = similar.get_data(as_text=True)
    assert similar.status_code == 422 and '已有相似的企业' in html and '杭州云图科技（杭州）有限公司' in html
    confirmed = post_form(client, '/firms/new', {'name': '杭州云图科技（杭州）有限公司', 'confirm_similar': 'y'})
    assert confirmed.status_code == 302


def test_bad_uscc_re_renders_with_the_input_kept(client, logged_in):
    logged_in('officer')
    response = post_form(client, '/firms/new', {'name': '保留名称测试', 'uscc': '91110000600037341M'})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and '校验位不正确' in html and 'value="保留名称测试"' in html


def test_park_manager_sees_housed_firms_only_and_firm_user_only_their_own(client, factories, logged_in):
    platform, _elsewhere = factories.platform('驻园'), factories.platform('外园')
    unit = factories.unit(factories.building(platform))
    housed, outside = factories.firm('驻园企业'), factories.firm('外园企业')
    factories.tenancy(housed, unit)
    logged_in('park_manager', platforms=[platform])
    listing = client.get('/firms/').get_data(as_text=True)
    assert '驻园企业' in listing and '外园企业' not in listing
    assert client.get(f'/firms/{outside.id}').status_code == 404
    client.post('/logout', data={'csrf_token': csrf_from(client.get('/').data)})
    logged_in('firm', firm=housed)
    assert client.get(f'/firms/{housed.id}').status_code == 200
    assert client.get(f'/firms/{outside.id}').status_code == 404
    assert client.get(f'/firms/{housed.id}/edit').status_code == 403
    assert client.get(f'/firms/{housed.id}/contacts/new').status_code == 200


def test_park_manager_sees_only_the_tenancies_on_their_own_platforms(app, client, factories, logged_in,
                                                                     token_for, db_session):
    """A firm housed on the park manager's platform and on another one: its page and its API record show the park
    manager the tenancy at home, not the unit and rent elsewhere; staff and the firm itself see both."""
    home, away = factories.platform('驻地园区'), factories.platform('异地园区')
    firm = factories.firm('两地经营科技有限公司')
    factories.tenancy(firm, factories.unit(factories.building(home, name='驻地一号楼'), number='H-201', status='已租'))
    elsewhere = factories.tenancy(firm, factories.unit(factories.building(away, name='异地大厦'), number='W-909',
                                                       status='已租'))
    db_session.execute(update(Tenancy).where(Tenancy.id == elsewhere.id).values(rent=Decimal('6.75')))
    db_session.commit()
    manager = logged_in('park_manager', platforms=[home])
    html = client.get(f'/firms/{firm.id}').get_data(as_text=True)
    assert '驻地一号楼 · H-201' in html
    assert '异地大厦' not in html and 'W-909' not in html and '6.75' not in html
    detail = app.test_client().get(f'/api/v1/firms/{firm.id}',
                                   headers={'Authorization': f'Bearer {token_for(manager)}'}).get_json()
    assert [t['platform_id'] for t in detail['tenancies']] == [home.id] and '6.75' not in str(detail)
    officer_token = token_for(factories.user('officer'))
    everything = app.test_client().get(f'/api/v1/firms/{firm.id}',
                                       headers={'Authorization': f'Bearer {officer_token}'}).get_json()
    assert sorted(t['platform_id'] for t in everything['tenancies']) == sorted([home.id, away.id])
    firm_user = app.test_client()
    login(firm_user, factories.user('firm', firm=firm).email, factories.PASSWORD)
    assert '异地大厦 · W-909' in firm_user.get(f'/firms/{firm.id}').get_data(as_text=True)


def test_soft_delete_hides_the_firm_and_frees_its_code(client, factories, logged_in, db_session):
    firm = factories.firm('将删除企业', uscc=CODE)
    logged_in('officer')
    assert post_form(client, f'/firms/{firm.id}/delete', {}, token_from=f'/firms/{firm.id}').status_code == 302
    client.get('/firms/')  # shows the flash message once
    assert '将删除企业' not in client.get('/firms/').get_data(as_text=True)
    assert '将删除企业' not in client.get('/firms/export.csv').data.decode('utf-8-sig')
    assert client.get(f'/firms/{firm.id}').status_code == 404
    assert post_form(client, '/firms/new', {'name': '新主体', 'uscc': CODE}).status_code == 302
    assert db_session.scalar(select(func.count(Firm.id)).where(Firm.uscc == CODE)) == 2


def test_merge_moves_contacts_and_tenancies_and_keeps_names(client, factories, logged_in, db_session):
    survivor = factories.firm('杭州星河网络科技有限公司')
    duplicate = factories.firm('星河网络科技（杭州）有限公司', uscc=CODE, headcount=120)
    unit = factories.unit(factories.building(factories.platform()))
    factories.tenancy(duplicate, unit)
    logged_in('officer')
    post_form(client, f'/firms/{duplicate.id}/contacts/new', {'name': '王经理', 'phone': '13812345678'})
    response = post_form(client, f'/firms/{survivor.id}/merge/{duplicate.id}',
                         {'uscc': 'other', 'headcount': 'other', 'name': 'this'})
    assert response.status_code == 302
    db_session.expire_all()
    merged = db_session.get(Firm, survivor.id)
    assert merged.uscc == CODE and merged.headcount == 120 and '星河网络科技（杭州）有限公司' in merged.former_names
    assert db_session.scalar(select(Contact.firm_id).where(Contact.name == '王经理')) == survivor.id
    assert db_session.scalar(select(Tenancy.firm_id).where(Tenancy.unit_id == unit.id)) == survivor.id
    gone = db_session.get(Firm, duplicate.id)
    assert gone.deleted_at is not None and gone.merged_into_id == survivor.id
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == 'merge')).one()
    assert event.changes['merged'] == duplicate.id and event.changes['moved']['contact'] == 1


def test_contact_phone_is_validated_stored_in_e164_and_masked_in_lists(client, factories, logged_in, db_session):
    firm = factories.firm()
    logged_in('officer')
    bad = post_form(client, f'/firms/{firm.id}/contacts/new', {'name': '李四', 'phone': '12345'})
    assert bad.status_code == 422 and '电话号码' in bad.get_data(as_text=True)
    post_form(client, f'/firms/{firm.id}/contacts/new', {'name': '李四', 'phone': '138 1234 5678'})
    assert db_session.scalar(select(Contact.phone).where(Contact.firm_id == firm.id)) == '+8613812345678'
    page = client.get(f'/firms/{firm.id}').get_data(as_text=True)
    assert '138****5678' in page and '13812345678' not in page
