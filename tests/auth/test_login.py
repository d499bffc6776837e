"""Login, throttling, sessions and password changes through the real HTTP stack."""
import re
import time

from sqlalchemy import select

from crm.auth.models import User, UserSession
from crm.core.audit import AuditEvent
from tests.conftest import csrf_from, login, post_form


def _strip_token(html: str) -> str:
    return re.sub(r'(value="|"X-CSRFToken": ")[^"]+', r'\1TOKEN', html)


def test_unknown_user_and_wrong_password_get_identical_answers(client, factories):
    user = factories.user('officer')
    wrong = login(client, user.email, 'not the password')
    unknown = login(client, 'nobody@test-crm.cn', 'not the password')
    assert wrong.status_code == unknown.status_code == 200
    wrong_html = _strip_token(wrong.get_data(as_text=True)).replace(user.email, 'EMAIL')
    unknown_html = _strip_token(unknown.get_data(as_text=True)).replace('nobody@test-crm.cn', 'EMAIL')
    assert wrong_html == unknown_html
    assert '邮箱或密码不正确' in wrong_html


def test_sixth_attempt_within_a_minute_is_throttled_even_with_the_right_password(client, factories):
    user = factories.user('officer')
    for _ in range(5):
        assert login(client, user.email, 'wrong password!').status_code == 200
    sixth = login(client, user.email, factories.PASSWORD)
    assert sixth.status_code == 429
    assert '登录失败次数过多' in sixth.get_data(as_text=True)
    assert client.get('/').status_code == 302  # still signed out


def test_throttle_follows_the_account_across_twenty_addresses_and_lifts_after_the_window(client, factories,
                                                                                         db_session, in_app):
    """RELIABILITY T15: 20 wrong passwords for one account, each from another address, are throttled from the
    sixth; once the minute has passed the right password signs in."""
    from datetime import timedelta

    from crm.auth.models import LoginThrottle

    user = factories.user('officer')
    statuses = [post_form(client, '/login', {'email': user.email, 'password': 'wrong password!'},
                          environ_base={'REMOTE_ADDR': f'10.0.0.{n}'}).status_code for n in range(1, 21)]
    assert statuses == [200] * 5 + [429] * 15
    with in_app():
        for row in db_session.scalars(select(LoginThrottle)):
            row.window_started_at -= timedelta(seconds=61)
        db_session.commit()
    assert post_form(client, '/login', {'email': user.email, 'password': factories.PASSWORD},
                     environ_base={'REMOTE_ADDR': '10.0.1.1'}).status_code == 302


def test_throttle_applies_to_unknown_names_too(client):
    for _ in range(5):
        login(client, 'ghost@test-crm.cn', 'whatever-123')
    assert login(client, 'ghost@test-crm.cn', 'whatever-123').status_code == 429


def test_successful_login_resets_the_counter_and_is_audited(client, factories, db_session):
    user = factories.user('leader')
    for _ in range(3):
        login(client, user.email, 'wrong password!')
    assert login(client, user.email, factories.PASSWORD).status_code == 302
    actions = db_session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(user.id))).all()
    assert actions.count('login_failed') == 3 and 'login' in actions


def test_login_rejects_offsite_next(client, factories):
    user = factories.user('officer')
    page = client.get('/login?next=https://evil.example/x')
    response = client.post('/login?next=https://evil.example/x',
                           data={'csrf_token': csrf_from(page.data), 'email': user.email,
                                 'password': factories.PASSWORD})
    assert response.headers['Location'] == '/'
    client.post('/logout', data={'csrf_token': csrf_from(client.get('/').data)})
    page = client.get('/login?next=/platforms/')
    response = client.post('/login?next=/platforms/', data={'csrf_token': csrf_from(page.data), 'email': user.email,
                                                             'password': factories.PASSWORD})
    assert response.headers['Location'] == '/platforms/'


def test_login_rotates_the_session_and_logout_revokes_a_replayed_cookie(app, client, factories):
    user = factories.user('officer')
    client.get('/login')
    before = client.get_cookie(app.config['SESSION_COOKIE_NAME'])
    login(client, user.email, factories.PASSWORD)
    cookie = client.get_cookie(app.config['SESSION_COOKIE_NAME']).value
    assert before is None or before.value != cookie
    assert client.get('/').status_code == 200
    post_form(client, '/logout', {}, token_from='/')
    assert client.get('/').status_code == 302
    thief = app.test_client()
    thief.set_cookie(app.config['SESSION_COOKIE_NAME'], cookie)
    assert thief.get('/').status_code == 302


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client, factories):
    user = factories.user('officer')
    other = app.test_client()
    login(other, user.email, factories.PASSWORD)
    login(client, user.email, factories.PASSWORD)
    response = post_form(client, '/account/password', {'current': factories.PASSWORD,
                                                          'new': 'a brand new passphrase', 'confirm':
                                                          'a brand new passphrase'})
    assert response.status_code == 302
    assert client.get('/').status_code == 200
    assert other.get('/').status_code == 302
    assert login(other, user.email, 'a brand new passphrase').status_code == 302


def test_weak_new_password_re_renders_with_a_chinese_message(client, logged_in):
    logged_in('officer')
    response = post_form(client, '/account/password', {'current': 'correct horse battery', 'new': 'short',
                                                          'confirm': 'short'})
    assert response.status_code == 200
    assert '至少 10 个字符' in response.get_data(as_text=True)


def test_logout_everywhere_and_deactivation_end_sessions(app, client, factories, db_session):
    user = factories.user('officer')
    other = app.test_client()
    login(other, user.email, factories.PASSWORD)
    login(client, user.email, factories.PASSWORD)
    post_form(client, '/logout-all', {}, token_from='/account/password')
    assert other.get('/').status_code == 302
    login(other, user.email, factories.PASSWORD)
    assert other.get('/').status_code == 200
    db_user = db_session.get(User, user.id)
    from crm.auth.sessions import revoke_all_sessions
    db_user.is_active = False
    revoke_all_sessions(db_user)
    db_session.commit()
    assert other.get('/').status_code == 302
    assert login(other, user.email, factories.PASSWORD).status_code == 200  # inactive: refused


def test_idle_session_expires(app, client, factories):
    user = factories.user('officer')
    login(client, user.email, factories.PASSWORD)
    with client.session_transaction() as sess:
        sess['seen'] = sess['seen'] - 31 * 60
    assert client.get('/').status_code == 302


def test_activity_keeps_the_session_alive(app, client, factories):
    user = factories.user('officer')
    login(client, user.email, factories.PASSWORD)
    with client.session_transaction() as sess:
        sess['seen'] = sess['seen'] - 29 * 60
    assert client.get('/').status_code == 200
    with client.session_transaction() as sess:
        assert sess['seen'] >= int(time.time()) - 5  # the request counted as activity
        sess['seen'] = sess['seen'] - 10
    assert client.get('/').status_code == 200
    with client.session_transaction() as sess:  # within the resolution the cookie is not re-signed
        assert int(time.time()) - 20 <= sess['seen'] <= int(time.time()) - 5


def test_session_row_recorded(client, factories, db_session):
    user = factories.user('officer')
    login(client, user.email, factories.PASSWORD)
    rows = db_session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()
    assert len(rows) == 1 and rows[0].revoked_at is None


def test_per_ip_limit_engages_across_different_accounts(app, client):
    limit = int(app.config['LOGIN_IP_LIMIT'].split()[0])
    statuses = [login(client, f'probe{i}@test-crm.cn', 'whatever-123').status_code for i in range(limit + 1)]
    assert statuses[:limit] == [200] * limit
    assert statuses[limit] == 429


def test_logging_in_is_not_an_edit_of_the_account(app, factories, db_session):
    """Two devices signing in at once must not collide on the account's edit version (a lost race was a 500)."""
    user = factories.user('leader')
    before = db_session.get(User, user.id).version
    for device in (app.test_client(), app.test_client()):
        assert login(device, user.email, factories.PASSWORD).status_code == 302
    db_session.expire_all()
    stored = db_session.get(User, user.id)
    assert stored.version == before and stored.last_login_at is not None
