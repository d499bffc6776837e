"""The audit trail records field-level changes in the same transaction and cannot be rewritten."""
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from crm.core.audit import AuditEvent
from tests.conftest import post_form


def test_user_edit_is_audited_with_before_and_after(client, factories, logged_in, db_session):
    admin = logged_in('admin')
    target = factories.user('officer', name='旧名字')
    page = client.get(f'/admin/users/{target.id}')
    assert page.status_code == 200
    response = post_form(client, f'/admin/users/{target.id}', {
        'email': target.email, 'name': '新名字', 'role': 'officer', 'version': '1', 'is_active': 'y'})
    assert response.status_code == 302
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.object_type == 'user',
                                                        AuditEvent.object_id == str(target.id),
                                                        AuditEvent.action == 'update')).one()
    assert event.changes['name'] == ['旧名字', '新名字']
    assert event.actor_id == admin.id and event.request_id


def test_password_hashes_never_reach_the_audit_log(factories, db_session):
    user = factories.user('officer')
    created = db_session.scalars(select(AuditEvent).where(AuditEvent.object_type == 'user', AuditEvent.object_id == str(user.id),
                                                          AuditEvent.action == 'create')).one()
    assert created.changes['password_hash'][1] == '***'
    assert created.changes['email'][1] == user.email


def test_stale_form_gets_a_conflict_and_nothing_is_overwritten(client, factories, logged_in, db_session):
    logged_in('admin')
    target = factories.user('officer', name='原名')
    first = post_form(client, f'/admin/users/{target.id}', {'email': target.email, 'name': '甲的修改',
                                                            'role': 'officer', 'version': '1', 'is_active': 'y'})
    assert first.status_code == 302
    second = post_form(client, f'/admin/users/{target.id}', {'email': target.email, 'name': '乙的修改',
                                                             'role': 'officer', 'version': '1', 'is_active': 'y'})
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert '甲的修改' in html and '乙的修改' in html and '没有被覆盖' in html
    from crm.auth.models import User
    db_session.expire_all()
    assert db_session.get(User, target.id).name == '甲的修改'


def test_audit_rows_cannot_be_changed_or_deleted(factories, db_session):
    factories.user('officer')
    with pytest.raises(DBAPIError):
        with db_session.begin_nested():
            db_session.execute(text("UPDATE audit_event SET action = 'forged'"))
    with pytest.raises(DBAPIError):
        with db_session.begin_nested():
            db_session.execute(text('DELETE FROM audit_event'))
