"""Editing buildings: only within one's own platforms, concurrent saves detected, invalid input kept."""
from sqlalchemy import select

from crm.core.audit import AuditEvent
from crm.platforms.models import Building
from tests.conftest import post_form

FORM = {'name': '甲园一号楼', 'address': '拱墅区莫干山路 1 号', 'floors': '12', 'gfa': '24000', 'operator': '甲园运营'}


def _buildings(factories):
    own, other = factories.platform('甲园'), factories.platform('乙园')
    return own, factories.building(own, name='甲园一号楼'), factories.building(other, name='乙园一号楼')


def test_park_manager_edits_own_building_with_audit_and_a_link_from_its_page(client, factories, logged_in,
                                                                              db_session):
    own, building, _ = _buildings(factories)
    logged_in('park_manager', platforms=[own])
    page = client.get(f'/platforms/buildings/{building.id}').get_data(as_text=True)
    assert f'/platforms/buildings/{building.id}/edit' in page
    form = client.get(f'/platforms/buildings/{building.id}/edit')
    assert form.status_code == 200 and 'value="甲园一号楼"' in form.get_data(as_text=True)
    response = post_form(client, f'/platforms/buildings/{building.id}/edit', {**FORM, 'name': '甲园壹号楼',
                                                                             'version': 1})
    assert response.status_code == 302
    db_session.expire_all()
    saved = db_session.get(Building, building.id)
    assert (saved.name, saved.floors, saved.operator, saved.version) == ('甲园壹号楼', 12, '甲园运营', 2)
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.object_type == 'building',
                                                        AuditEvent.object_id == str(building.id),
                                                        AuditEvent.action == 'update')).one()
    assert event.changes['name'] == ['甲园一号楼', '甲园壹号楼'] and event.actor_id is not None
    assert '24000' in client.get(f'/platforms/buildings/{building.id}').get_data(as_text=True)


def test_another_platforms_park_manager_gets_404_and_changes_nothing(client, factories, logged_in, db_session):
    own, building, other_building = _buildings(factories)
    logged_in('park_manager', platforms=[own])
    assert client.get(f'/platforms/buildings/{other_building.id}/edit').status_code == 404
    response = post_form(client, f'/platforms/buildings/{other_building.id}/edit',
                         {**FORM, 'name': '被改名', 'version': 1}, token_from=f'/platforms/buildings/{building.id}/edit')
    assert response.status_code == 404
    db_session.expire_all()
    untouched = db_session.get(Building, other_building.id)
    assert (untouched.name, untouched.version) == ('乙园一号楼', 1)


def test_officers_cannot_edit_buildings_and_admins_edit_any(client, factories, logged_in, db_session):
    _, building, other_building = _buildings(factories)
    logged_in('officer')
    assert client.get(f'/platforms/buildings/{building.id}/edit').status_code == 403
    assert f'/platforms/buildings/{building.id}/edit' not in \
        client.get(f'/platforms/buildings/{building.id}').get_data(as_text=True)
    post_form(client, '/logout', {}, token_from='/')
    logged_in('admin')
    response = post_form(client, f'/platforms/buildings/{other_building.id}/edit',
                         {**FORM, 'name': '乙园总部楼', 'version': 1})
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Building, other_building.id).name == '乙园总部楼'


def test_stale_second_save_is_a_409_showing_both_values_and_overwrites_nothing(client, factories, logged_in,
                                                                              db_session):
    own, building, _ = _buildings(factories)
    logged_in('park_manager', platforms=[own])
    url = f'/platforms/buildings/{building.id}/edit'
    first = post_form(client, url, {**FORM, 'operator': '先保存的运营方', 'version': 1})
    second = post_form(client, url, {**FORM, 'operator': '后保存的运营方', 'floors': '30', 'version': 1})
    assert first.status_code == 302 and second.status_code == 409
    html = second.get_data(as_text=True)
    assert '先保存的运营方' in html and '后保存的运营方' in html and 'value="30"' in html
    assert 'name="version" type="hidden" value="2"' in html  # saving again applies the user's version knowingly
    db_session.expire_all()
    saved = db_session.get(Building, building.id)
    assert (saved.operator, saved.floors, saved.version) == ('先保存的运营方', 12, 2)
    again = post_form(client, url, {**FORM, 'operator': '后保存的运营方', 'version': 2})
    assert again.status_code == 302


def test_invalid_building_form_keeps_input_and_explains_in_chinese(client, factories, logged_in, db_session):
    own, building, _ = _buildings(factories)
    logged_in('park_manager', platforms=[own])
    response = post_form(client, f'/platforms/buildings/{building.id}/edit',
                         {**FORM, 'name': '', 'floors': '500', 'gfa': '-3', 'address': '保留我的地址', 'version': 1})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '请输入楼宇名称' in html and '层数应在 1 到 200 之间' in html and '总建筑面积应在' in html
    assert '保留我的地址' in html
    db_session.expire_all()
    assert db_session.get(Building, building.id).name == '甲园一号楼'


def test_new_forms_show_no_conflict_notice(client, factories, logged_in):
    own, building, _ = _buildings(factories)
    logged_in('park_manager', platforms=[own])
    for url in (f'/platforms/{own.id}/buildings/new', f'/platforms/buildings/{building.id}/units/new',
                f'/platforms/buildings/{building.id}/edit'):
        assert '已有他人保存' not in client.get(url).get_data(as_text=True), url
