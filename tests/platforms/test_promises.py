"""A unit cannot be promised (意向) to two leads without an explicit, audited override."""
from sqlalchemy import select

from crm.core.audit import AuditEvent
from crm.platforms.models import Unit, UnitReservation
from tests.conftest import errors_beside, post_form


def test_officer_promises_a_unit_and_a_second_promise_needs_a_reason(client, factories, logged_in, db_session):
    officer = logged_in('officer')
    unit = factories.unit(factories.building(factories.platform()), number='A01')
    first, second = factories.lead(owner=officer, title='甲项目'), factories.lead(owner=officer, title='乙项目')
    assert post_form(client, f'/leads/{first.id}/promise/{unit.id}', {}, token_from=f'/leads/{first.id}')\
        .status_code == 302
    db_session.expire_all()
    assert db_session.get(Unit, unit.id).status == '意向'
    refused = post_form(client, f'/leads/{second.id}/promise/{unit.id}', {}, token_from=f'/leads/{second.id}',
                        follow_redirects=True)
    assert '已有意向项目' in refused.get_data(as_text=True)
    assert len(db_session.scalars(select(UnitReservation).where(UnitReservation.unit_id == unit.id)).all()) == 1
    allowed = post_form(client, f'/leads/{second.id}/promise/{unit.id}', {'override_reason': '业主同意两家同时洽谈'},
                        token_from=f'/leads/{second.id}')
    assert allowed.status_code == 302
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == 'unit_double_promise')).one()
    assert event.changes['reason'] == '业主同意两家同时洽谈' and event.changes['other_leads'] == [first.id]


def test_letting_the_unit_ends_its_promises(client, factories, logged_in, in_app, db_session):
    officer = logged_in('officer')
    unit = factories.unit(factories.building(factories.platform()), number='B01')
    lead = factories.lead(owner=officer)
    post_form(client, f'/leads/{lead.id}/promise/{unit.id}', {}, token_from=f'/leads/{lead.id}')
    with in_app():
        from crm.platforms.units import set_status
        set_status(db_session.get(Unit, unit.id), '已租', actor_id=None)
        db_session.commit()
    assert db_session.scalars(select(UnitReservation.active).where(UnitReservation.unit_id == unit.id)).all() == [False]


def test_one_ordinary_promise_per_unit_is_enforced_by_the_database(factories, db_session):
    import pytest
    from sqlalchemy.exc import IntegrityError
    unit = factories.unit(factories.building(factories.platform()))
    a, b = factories.lead(), factories.lead()
    db_session.add(UnitReservation(unit_id=unit.id, lead_id=a.id))
    db_session.flush()
    with pytest.raises(IntegrityError):
        with db_session.begin_nested():
            db_session.add(UnitReservation(unit_id=unit.id, lead_id=b.id))
            db_session.flush()


def test_a_refused_promise_comes_back_on_the_match_page_beside_the_reason(client, factories, logged_in, db_session):
    officer = logged_in('officer')
    building = factories.building(factories.platform())
    unit, let = factories.unit(building, number='C01'), factories.unit(building, number='C02', status='已租')
    first, second = factories.lead(owner=officer, title='丙项目'), factories.lead(owner=officer, title='丁项目')
    post_form(client, f'/leads/{first.id}/promise/{unit.id}', {}, token_from=f'/leads/{first.id}')
    action = f'/leads/{second.id}/promise/{unit.id}'
    refused = post_form(client, action, {'override_reason': ''}, token_from=f'/leads/{second.id}')
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="units-offered"' in html, 'the match page again'
    assert errors_beside(html, 'override_reason', action) == [
        '房源 C01 已有意向项目；如确需同时承诺给本项目，请填写理由（将记入操作日志）']
    # a refusal not about the reason is shown in the unit's own form, the reason as typed
    action = f'/leads/{second.id}/promise/{let.id}'
    let_refused = post_form(client, action, {'override_reason': '业主同意'}, token_from=f'/leads/{second.id}')
    form = let_refused.get_data(as_text=True).split(f'action="{action}"')[1].split('</form>')[0]
    assert let_refused.status_code == 422 and 'C02' in form and '不能承诺给项目' in form, form
    assert 'value="业主同意"' in form
    too_long = post_form(client, f'/leads/{second.id}/promise/{unit.id}', {'override_reason': '理' * 501},
                         token_from=f'/leads/{second.id}')
    assert too_long.status_code == 422 and errors_beside(too_long.data, 'override_reason',
                                                         f'/leads/{second.id}/promise/{unit.id}')
    assert db_session.scalars(select(UnitReservation.lead_id).where(UnitReservation.active.is_(True))).all() == [
        first.id]
