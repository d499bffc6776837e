"""Two-step sign-in (TOTP) through the real HTTP stack: enrolment with a QR code and recovery codes, the code step
after the password, single use of codes, throttling, administrators required to enrol, the administrator's reset,
and API tokens unaffected."""
import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from crm.auth.models import UserSession
from crm.auth.totp import RecoveryCode, TotpFactor, current_step
from crm.core import clock
from crm.core.audit import AuditEvent
from tests.conftest import csrf_from, login, post_form, sign_in_code


def _secret_on_page(html: str) -> str:
    return re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(' ', '')


def _enrol(client) -> tuple[str, list[str]]:
    """Enrol through the account page; returns the secret and the recovery codes shown once."""
    page = client.get('/account/two-factor')
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<svg' in html and 'otpauth' not in html.split('<svg', 1)[0][-200:]  # the QR code is drawn inline
    secret = _secret_on_page(html)
    response = client.post('/account/two-factor', data={'csrf_token': csrf_from(html),
                                                        'code': pyotp.TOTP(secret).now()})
    assert response.status_code == 200, response.status_code
    codes = re.findall(r'<li><code>([a-z2-9-]{19})</code></li>', response.get_data(as_text=True))
    return secret, codes


def _sign_out(client):
    client.post('/logout', data={'csrf_token': csrf_from(client.get('/account/password').data)})


def _password_step(client, email, password):
    return login(client, email, password, code=False)


def test_administrator_without_second_factor_is_sent_to_enrolment_and_kept_out_of_admin_pages(client, factories,
                                                                                             db_session):
    admin = factories.user('admin', totp=False)
    response = _password_step(client, admin.email, factories.PASSWORD)
    assert response.status_code == 302 and response.headers['Location'] == '/account/two-factor'
    for path in ('/admin/users', '/admin/audit', '/', '/leads/', f'/admin/users/{admin.id}'):
        blocked = client.get(path)
        assert blocked.status_code == 302 and blocked.headers['Location'] == '/account/two-factor', path
    # a form post to an admin page is refused the same way and changes nothing
    blocked = client.post('/admin/users/new', data={'csrf_token': csrf_from(client.get('/account/two-factor').data),
                                                     'email': 'x@test-crm.cn', 'name': 'x', 'role': 'officer',
                                                     'password': 'river lamp quietly hums'})
    assert blocked.status_code == 302 and blocked.headers['Location'] == '/account/two-factor'
    # the API with the browser session is refused too
    api = client.get('/api/v1/leads')
    assert api.status_code == 401 and api.get_json()['error']['code'] == 'second_factor_required'
    secret, codes = _enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get('/admin/users').status_code == 200  # enrolled in this session: the admin pages open
    stored = db_session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == admin.id)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # only hashes are kept
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == 'totp_enabled', AuditEvent.object_id == str(admin.id))) == 1


def test_sign_in_asks_for_the_code_after_the_password(client, factories, db_session):
    admin = factories.user('admin')
    response = _password_step(client, admin.email, factories.PASSWORD)
    assert response.status_code == 302 and response.headers['Location'] == '/login/code'
    assert client.get('/').status_code == 302  # not signed in by the password alone
    assert client.get('/admin/users').headers['Location'].startswith('/login')
    wrong = post_form(client, '/login/code', {'code': '000000'})
    assert wrong.status_code == 200 and '验证码不正确' in wrong.get_data(as_text=True)
    ok = post_form(client, '/login/code', {'code': sign_in_code(client.application, admin.email)})
    assert ok.status_code == 302
    assert client.get('/admin/users').status_code == 200
    audit = db_session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(admin.id))
                               .order_by(AuditEvent.id)).all()
    assert audit[-3:] == ['login_password_ok', 'login_code_failed', 'login']


def test_a_code_works_once(client, factories, db_session):
    admin = factories.user('admin')
    secret = db_session.get(TotpFactor, admin.id).secret
    code = pyotp.TOTP(secret).generate_otp(current_step())
    _password_step(client, admin.email, factories.PASSWORD)
    assert post_form(client, '/login/code', {'code': code}).status_code == 302
    _sign_out(client)
    _password_step(client, admin.email, factories.PASSWORD)
    replay = post_form(client, '/login/code', {'code': code})
    assert replay.status_code == 200 and '已被使用' in replay.get_data(as_text=True)


def test_recovery_code_signs_in_once(client, factories, db_session):
    user = factories.user('officer')
    login(client, user.email, factories.PASSWORD)
    _secret, codes = _enrol(client)
    _sign_out(client)
    _password_step(client, user.email, factories.PASSWORD)
    assert post_form(client, '/login/code', {'code': codes[0].upper().replace('-', ' ')}).status_code == 302
    _sign_out(client)
    _password_step(client, user.email, factories.PASSWORD)
    assert post_form(client, '/login/code', {'code': codes[0]}).status_code == 200
    assert post_form(client, '/login/code', {'code': codes[1]}).status_code == 302
    used = db_session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_not(None)))
    assert used == 2


def test_guessing_codes_is_throttled_per_account(client, factories):
    admin = factories.user('admin')
    _password_step(client, admin.email, factories.PASSWORD)
    statuses = [post_form(client, '/login/code', {'code': f'{n:06d}'},
                          environ_base={'REMOTE_ADDR': f'10.9.0.{n}'}).status_code for n in range(1, 9)]
    assert statuses == [200] * 5 + [429] * 3
    right = post_form(client, '/login/code', {'code': sign_in_code(client.application, admin.email)},
                      environ_base={'REMOTE_ADDR': '10.9.1.1'})
    assert right.status_code == 429  # the right code too, until the minute has passed


def test_code_attempts_are_rate_limited_per_address(app, client, factories, monkeypatch):
    monkeypatch.setitem(app.config, 'TOTP_IP_LIMIT', '3 per minute')
    users = [factories.user('admin') for _ in range(2)]
    statuses = []
    for n in range(4):
        _password_step(client, users[n % 2].email, factories.PASSWORD)
        statuses.append(post_form(client, '/login/code', {'code': '123456'}).status_code)
    assert statuses[:3] == [200, 200, 200] and statuses[3] == 429


def test_the_password_step_expires(client, factories, monkeypatch):
    admin = factories.user('admin')
    _password_step(client, admin.email, factories.PASSWORD)
    token = csrf_from(client.get('/login/code').data)
    code = sign_in_code(client.application, admin.email)
    import crm.auth.sessions as sessions

    started = sessions.time.time()
    monkeypatch.setattr(sessions, 'time', type('LaterClock', (), {'time': staticmethod(lambda: started + 301)}))
    response = client.post('/login/code', data={'csrf_token': token, 'code': code})
    assert response.status_code == 302 and response.headers['Location'] == '/login'
    monkeypatch.undo()
    assert client.get('/').status_code == 302  # still signed out


def test_other_roles_may_turn_it_on_and_off(client, factories, db_session):
    user = factories.user('officer')
    assert login(client, user.email, factories.PASSWORD).status_code == 302
    assert client.get('/leads/').status_code == 200  # not required for officers
    _enrol(client)
    _sign_out(client)
    assert _password_step(client, user.email, factories.PASSWORD).headers['Location'] == '/login/code'
    assert post_form(client, '/login/code', {'code': sign_in_code(client.application, user.email)}).status_code == 302
    wrong = post_form(client, '/account/two-factor/off', {'password': 'not my password'},
                      token_from='/account/two-factor')
    assert wrong.status_code == 422 and db_session.get(TotpFactor, user.id) is not None
    off = post_form(client, '/account/two-factor/off', {'password': factories.PASSWORD},
                    token_from='/account/two-factor')
    assert off.status_code == 302
    db_session.expire_all()
    assert db_session.get(TotpFactor, user.id) is None
    _sign_out(client)
    assert _password_step(client, user.email, factories.PASSWORD).headers['Location'] == '/'


def test_administrators_cannot_turn_it_off(client, factories, db_session):
    admin = factories.user('admin')
    login(client, admin.email, factories.PASSWORD)
    response = post_form(client, '/account/two-factor/off', {'password': factories.PASSWORD},
                         token_from='/account/two-factor', follow_redirects=True)
    assert '必须使用一次性验证码' in response.get_data(as_text=True)
    assert db_session.get(TotpFactor, admin.id) is not None


def test_new_recovery_codes_need_a_current_code(client, factories, db_session):
    admin = factories.user('admin')
    login(client, admin.email, factories.PASSWORD)
    refused = post_form(client, '/account/two-factor/recovery-codes', {'code': '000000'},
                        token_from='/account/two-factor')
    assert refused.status_code == 422
    made = post_form(client, '/account/two-factor/recovery-codes', {'code': sign_in_code(client.application,
                                                                                          admin.email)},
                     token_from='/account/two-factor')
    assert made.status_code == 200
    assert len(re.findall(r'<li><code>([a-z2-9-]{19})</code></li>', made.get_data(as_text=True))) == 10


def test_administrator_resets_a_users_second_factor_and_it_is_audited(client, factories, db_session):
    other = factories.user('admin')
    second = client.application.test_client()
    assert login(second, other.email, factories.PASSWORD).status_code == 302
    assert second.get('/admin/users').status_code == 200
    admin = factories.user('admin')
    login(client, admin.email, factories.PASSWORD)
    response = post_form(client, f'/admin/users/{other.id}/two-factor/reset', {}, token_from=f'/admin/users/{other.id}')
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(TotpFactor, other.id) is None
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == 'totp_reset')).one()
    assert event.object_id == str(other.id) and event.actor_id == admin.id
    assert second.get('/admin/users').status_code == 302  # the user's sessions ended
    # at the next sign-in the administrator enrols again
    assert _password_step(second, other.email, factories.PASSWORD).headers['Location'] == '/account/two-factor'


def test_only_administrators_reset_second_factors(client, factories, logged_in):
    other = factories.user('officer')
    logged_in('leader')
    response = post_form(client, f'/admin/users/{other.id}/two-factor/reset', {}, token_from='/')
    assert response.status_code == 403


def test_api_tokens_are_unaffected(client, factories, token_for):
    admin = factories.user('admin', totp=False)
    token = token_for(admin)
    response = client.get('/api/v1/leads', headers={'Authorization': f'Bearer {token}'})
    assert response.status_code == 200


def test_an_enrolled_account_gets_no_session_from_a_forged_pending_step(client, factories):
    """The code page only knows the account whose password was right on this browser."""
    admin = factories.user('admin')
    other = factories.user('admin')
    _password_step(client, admin.email, factories.PASSWORD)
    # the code of another account does not work here
    response = post_form(client, '/login/code', {'code': sign_in_code(client.application, other.email)})
    assert response.status_code == 200


@pytest.mark.parametrize('drift', [-30, 30])
def test_a_code_from_a_phone_half_a_minute_off_is_accepted(client, factories, db_session, drift):
    admin = factories.user('admin')
    secret = db_session.get(TotpFactor, admin.id).secret
    code = pyotp.TOTP(secret).at(clock.now() + timedelta(seconds=drift))
    _password_step(client, admin.email, factories.PASSWORD)
    assert post_form(client, '/login/code', {'code': code}).status_code == 302


def test_the_session_cookie_does_not_carry_the_enrolment_key(app, client, factories):
    admin = factories.user('admin', totp=False)
    login(client, admin.email, factories.PASSWORD)
    first = _secret_on_page(client.get('/account/two-factor').get_data(as_text=True))
    assert _secret_on_page(client.get('/account/two-factor').get_data(as_text=True)) == first  # stable until used
    cookie = client.get_cookie(app.config['SESSION_COOKIE_NAME']).value
    contents = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert first not in repr(contents) and first.lower() not in repr(contents).lower()


def test_a_session_from_before_enrolment_is_ended_and_stays_ended(app, client, factories, db_session):
    """An administrator enrolled in another browser: this browser's session never gave a code, so the gate ends it
    (the session's row is revoked in the database, not only the cookie cleared) and asks for a sign-in."""
    admin = factories.user('admin', totp=False)
    _password_step(client, admin.email, factories.PASSWORD)
    other = app.test_client()
    _password_step(other, admin.email, factories.PASSWORD)
    _enrol(other)
    open_rows = select(func.count()).select_from(UserSession).where(UserSession.user_id == admin.id,
                                                                   UserSession.revoked_at.is_(None))
    assert db_session.scalar(open_rows) == 2
    response = client.get('/leads/')
    assert response.status_code == 302 and response.headers['Location'].startswith('/login')
    db_session.expire_all()
    assert db_session.scalar(open_rows) == 1  # the enrolled browser's session goes on
    assert client.get('/leads/').headers['Location'].startswith('/login')
    assert other.get('/leads/').status_code == 200
