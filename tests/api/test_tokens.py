"""API tokens: created and revoked on the account page, shown once, stored hashed; revoked, expired tokens and
deactivated users fail at once; writes need a token, the session is good for reading only."""
import hashlib
import re
from datetime import timedelta

from sqlalchemy import select

from crm.db import db, utcnow
from tests.conftest import csrf_from, post_form

TOKEN_RE = re.compile(r'crm_[A-Za-z0-9_\-]{40,}')


def _tokens(in_app, user_id):
    from crm.auth.tokens import ApiToken

    with in_app():
        return db.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)).all()


def test_token_lifecycle_on_the_account_page(client, logged_in, in_app, api):
    user = logged_in('officer')
    page = post_form(client, '/account/tokens', {'name': '数据同步脚本', 'days': '90'}, token_from='/account/password')
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    token = TOKEN_RE.search(html).group(0)
    assert '数据同步脚本' in html and '只显示这一次' in html

    (row,) = _tokens(in_app, user.id)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in (row.hint, row.name)
    assert row.last_used_at is None and timedelta(days=89) < row.expires_at - utcnow() <= timedelta(days=90)
    again = client.get('/account/password').get_data(as_text=True)
    assert token not in again and row.hint in again  # shown once; later only its first characters

    client.post('/logout', data={'csrf_token': csrf_from(again)})
    me = api('GET', '/me', token)
    assert me.status_code == 200
    assert me.get_json()['id'] == user.id and me.get_json()['role'] == 'officer'
    assert me.get_json()['token']['name'] == '数据同步脚本'
    assert _tokens(in_app, user.id)[0].last_used_at is not None

    from tests.conftest import login
    login(client, user.email, 'correct horse battery')
    revoke = post_form(client, f'/account/tokens/{row.id}/revoke', {}, token_from='/account/password')
    assert revoke.status_code == 302
    refused = api('GET', '/me', token)
    assert refused.status_code == 401
    assert refused.get_json()['error']['code'] == 'invalid_token'
    assert refused.headers['WWW-Authenticate'].startswith('Bearer')


def test_token_form_errors_are_explained(client, logged_in):
    logged_in('officer')
    page = post_form(client, '/account/tokens', {'name': '', 'days': '7'}, token_from='/account/password')
    assert page.status_code == 422
    assert TOKEN_RE.search(page.get_data(as_text=True)) is None


def test_another_users_token_cannot_be_revoked_from_the_account_page(client, factories, logged_in, token_for, api,
                                                                     in_app):
    other = factories.user('officer')
    token = token_for(other)
    (row,) = _tokens(in_app, other.id)
    logged_in('officer')
    response = post_form(client, f'/account/tokens/{row.id}/revoke', {}, token_from='/account/password')
    assert response.status_code == 404
    assert api('GET', '/me', token).status_code == 200


def test_admin_revokes_anyones_token(client, factories, logged_in, token_for, api, in_app):
    officer = factories.user('officer')
    token = token_for(officer)
    (row,) = _tokens(in_app, officer.id)
    logged_in('admin')
    page = client.get(f'/admin/users/{officer.id}').get_data(as_text=True)
    assert row.hint in page
    response = post_form(client, f'/admin/users/{officer.id}/tokens/{row.id}/revoke', {},
                         token_from=f'/admin/users/{officer.id}')
    assert response.status_code == 302
    assert api('GET', '/me', token).status_code == 401


def test_deactivating_the_user_stops_the_token_at_once(factories, token_for, api, in_app):
    user = factories.user('officer')
    token = token_for(user)
    assert api('GET', '/leads', token).status_code == 200
    from crm.auth.models import User
    with in_app():
        db.session.get(User, user.id).is_active = False
        db.session.commit()
    response = api('GET', '/leads', token)
    assert response.status_code == 401 and response.get_json()['error']['code'] == 'invalid_token'


def test_expired_and_unknown_tokens_fail(factories, token_for, api, in_app):
    user = factories.user('leader')
    token = token_for(user, days=30)
    from crm.auth.tokens import ApiToken
    with in_app():
        row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert api('GET', '/me', token).status_code == 401
    assert api('GET', '/me', 'crm_' + 'x' * 43).status_code == 401
    assert api('GET', '/me', 'not-a-token').status_code == 401
    anonymous = api('GET', '/leads')
    assert anonymous.status_code == 401 and anonymous.get_json()['error']['code'] == 'unauthenticated'
    assert '令牌' in anonymous.get_json()['error']['message']


def test_session_reads_but_never_writes(client, factories, logged_in, token_for, api):
    firm = factories.firm('会话写入测试有限公司')
    user = logged_in('officer')
    assert api('GET', '/leads').status_code == 200  # the browser session may read
    body = {'title': '会话写入', 'firm_id': firm.id, 'source': '上门拜访'}
    refused = api('POST', '/leads', json=body)
    assert refused.status_code == 401 and refused.get_json()['error']['code'] == 'token_required'
    created = api('POST', '/leads', token_for(user), json=body)  # no CSRF token needed: cookies are not used
    assert created.status_code == 201, created.get_json()
    assert created.get_json()['owner']['id'] == user.id


def test_a_refused_token_is_not_rescued_by_the_session(client, logged_in, api):
    logged_in('officer')
    assert api('GET', '/leads', 'crm_' + 'y' * 43).status_code == 401


def test_tokens_only_open_the_api(factories, token_for, client):
    user = factories.user('officer')
    token = token_for(user)
    response = client.get('/leads/', headers={'Authorization': f'Bearer {token}'})
    assert response.status_code == 302 and '/login' in response.headers['Location']


def test_rate_limited_per_token(app, factories, token_for, api, monkeypatch):
    monkeypatch.setitem(app.config, 'API_RATE_LIMIT', '3 per minute')
    token = token_for(factories.user('officer'))
    assert [api('GET', '/me', token).status_code for _ in range(3)] == [200, 200, 200]
    limited = api('GET', '/me', token)
    assert limited.status_code == 429
    error = limited.get_json()['error']
    assert error['code'] == 'rate_limited' and error['fields'] == {} and error['message']


def test_the_account_page_shows_the_token_section_once(client, logged_in):
    logged_in('officer')
    assert client.get('/account/password').get_data(as_text=True).count('id="api-tokens"') == 1
