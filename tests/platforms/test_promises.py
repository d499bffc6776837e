"""A unit cannot be promised (意向) to two leads without an explicit, audited override."""
from sqlalchemy import select

from crm.core.audit import AuditEvent
from crm.platforms.models import Unit, UnitReservation
from tests.conftest import post_form


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
