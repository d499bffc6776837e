"""Failed authorization is logged and counted: every 403 and every 404 that hides an existing object outside the
user's scope writes a JSON line on the `crm.security` logger and a row in access_denial; administrators see the
counts per user (越权访问记录, and a column on the user list)."""
import json
import logging

from sqlalchemy import func, select

from crm.core.denials import AccessDenial
from tests.conftest import csrf_from, login, post_form


def _records(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == 'crm.security']


def _rows(db_session, user_id):
    return db_session.scalars(select(AccessDenial).where(AccessDenial.user_id == user_id)
                              .order_by(AccessDenial.id)).all()


def test_a_403_is_logged_with_user_route_time_and_request_id(client, logged_in, db_session, caplog):
    caplog.set_level(logging.WARNING, logger='crm.security')
    officer = logged_in('officer')
    response = client.get('/admin/users')
    assert response.status_code == 403
    [entry] = _records(caplog)
    assert entry['event'] == 'access_denied' and entry['status'] == 403
    assert entry['user_id'] == officer.id and entry['role'] == 'officer'
    assert entry['endpoint'] == 'admin.users' and entry['path'] == '/admin/users' and entry['method'] == 'GET'
    assert entry['request_id'] == response.headers['X-Request-ID'] and entry['at'].endswith('+00:00')
    [row] = _rows(db_session, officer.id)
    assert (row.status, row.endpoint, row.request_id) == (403, 'admin.users', response.headers['X-Request-ID'])


def test_a_scope_404_on_an_existing_object_is_logged_with_the_object(client, logged_in, factories, db_session,
                                                                     caplog):
    caplog.set_level(logging.WARNING, logger='crm.security')
    other = factories.platform('越权测试平台乙')
    building = factories.building(other)
    unit = factories.unit(building)
    manager = logged_in('park_manager')
    assert client.get(f'/platforms/units/{unit.id}').status_code == 404
    assert client.get(f'/api/v1/units/{unit.id}').status_code == 404
    entries = _records(caplog)
    assert [(e['status'], e['object_type'], e['object_id']) for e in entries] == [(404, 'unit', str(unit.id))] * 2
    assert entries[1]['endpoint'].startswith('api.')
    assert [(r.status, r.object_type, r.object_id) for r in _rows(db_session, manager.id)] == \
        [(404, 'unit', str(unit.id))] * 2


def test_a_missing_id_is_not_a_denial(client, logged_in, db_session, caplog):
    caplog.set_level(logging.WARNING, logger='crm.security')
    manager = logged_in('park_manager')
    assert client.get('/platforms/units/99999999').status_code == 404
    assert client.get('/no/such/page').status_code == 404
    assert _records(caplog) == [] and _rows(db_session, manager.id) == []


def test_another_users_saved_filter_and_token_are_denials(client, logged_in, factories, db_session, token_for):
    other = factories.user('officer')
    saved = factories.saved_filter(other)
    token_for(other)
    from crm.auth.tokens import ApiToken
    token_id = db_session.scalar(select(ApiToken.id).where(ApiToken.user_id == other.id))
    me = logged_in('officer')
    assert post_form(client, f'/leads/filters/{saved.id}/delete', {}, token_from='/').status_code == 404
    assert post_form(client, f'/account/tokens/{token_id}/revoke', {}, token_from='/').status_code == 404
    assert [(r.object_type, r.status) for r in _rows(db_session, me.id)] == [('saved_filter', 404),
                                                                            ('api_token', 404)]


def test_a_denied_post_changes_nothing_but_the_denial_log(client, logged_in, factories, db_session):
    officer = factories.user('officer')
    logged_in('firm')
    before = db_session.scalar(select(func.count()).select_from(AccessDenial))
    response = post_form(client, f'/admin/users/{officer.id}/password', {'password': 'river lamp quietly hums'},
                         token_from='/')
    assert response.status_code == 403
    assert db_session.scalar(select(func.count()).select_from(AccessDenial)) == before + 1


def test_administrators_see_who_is_probing(client, factories, logged_in, db_session):
    prober = factories.user('officer', name='试探者')
    quiet = factories.user('officer', name='安分者')
    login(client, prober.email, factories.PASSWORD)
    for path in ('/admin/users', '/admin/audit', '/admin/follow-up-rules', '/admin/users/new', '/plans/import'):
        assert client.get(path).status_code == 403
    client.post('/logout', data={'csrf_token': csrf_from(client.get('/').data)})
    logged_in('admin')
    page = client.get('/admin/denials').get_data(as_text=True)
    assert '越权访问记录' in page and '试探者' in page and '安分者' not in page
    row = page.split('试探者', 1)[1].split('</tr>', 1)[0]
    assert '>5<' in row.replace('<td class="num">', '>').replace('</td>', '<')
    users = client.get('/admin/users').get_data(as_text=True)
    assert f'/admin/denials?user_id={prober.id}">5</a>' in users
    assert f'/admin/denials?user_id={quiet.id}"' not in users
    detail = client.get(f'/admin/denials?user_id={prober.id}').get_data(as_text=True)
    assert detail.count('/admin/users</code>') >= 1 and '/plans/import' in detail


def test_the_denials_page_is_for_administrators_only(client, logged_in):
    logged_in('leader')
    assert client.get('/admin/denials').status_code == 403


def test_a_log_line_cannot_be_forged_through_the_path(client, logged_in, caplog):
    caplog.set_level(logging.WARNING, logger='crm.security')
    logged_in('firm')
    client.get('/admin/users%0a{"event":"forged"}')
    client.get('/admin/audit?x=%0a')
    for record in caplog.records:
        if record.name == 'crm.security':
            assert '\n' not in record.getMessage()
            json.loads(record.getMessage())
