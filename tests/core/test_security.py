"""CSRF, headers, template injection and configuration safety."""
import pytest

from config import ConfigError, load_config
from tests.conftest import post_form


def test_post_without_csrf_token_is_rejected_with_400(client, logged_in):
    logged_in('admin')
    response = client.post('/admin/users/new', data={'email': 'x@test-crm.cn', 'name': 'x', 'role': 'officer',
                                                      'password': 'long enough password'})
    assert response.status_code == 400
    assert '安全令牌' in response.get_data(as_text=True)


def test_login_without_csrf_token_is_rejected(client):
    assert client.post('/login', data={'email': 'a@b.cn', 'password': 'x'}).status_code == 400


def test_template_syntax_in_a_name_renders_literally(client, logged_in):
    logged_in('admin')
    response = post_form(client, '/admin/users/new', {'email': 'ssti@test-crm.cn', 'name': '{{7*7}}<script>x</script>',
                                                      'role': 'officer', 'password': 'long enough password',
                                                      'is_active': 'y'})
    assert response.status_code == 302
    page = client.get('/admin/users').get_data(as_text=True)
    assert '{{7*7}}' in page and '>49<' not in page
    assert '<script>x</script>' not in page and '&lt;script&gt;' in page


def test_security_headers_on_pages(client, logged_in):
    anonymous = client.get('/login')
    for header in ('Content-Security-Policy', 'X-Content-Type-Options', 'Referrer-Policy', 'X-Request-ID'):
        assert header in anonymous.headers
    assert "frame-ancestors 'none'" in anonymous.headers['Content-Security-Policy']
    assert "'unsafe-inline'" not in anonymous.headers['Content-Security-Policy']
    logged_in('officer')
    page = client.get('/')
    assert page.headers['Cache-Control'] == 'no-store'
    assert page.headers['X-Content-Type-Options'] == 'nosniff'


def test_session_cookie_flags(app, client, logged_in):
    logged_in('officer')
    response = client.get('/')
    cookie = response.headers.get('Set-Cookie', '')
    assert 'HttpOnly' in cookie and 'SameSite=Lax' in cookie


def test_error_page_shows_request_id_not_internals(client, logged_in):
    logged_in('officer')
    response = client.get('/no/such/page')
    assert response.status_code == 404
    assert response.headers['X-Request-ID'] in response.get_data(as_text=True)


def test_no_inline_scripts_in_pages(client, logged_in):
    logged_in('admin')
    for path in ('/', '/admin/users', '/admin/audit', '/platforms/', '/account/password'):
        html = client.get(path).get_data(as_text=True)
        assert '<script>' not in html and 'onclick=' not in html and 'style="' not in html, path


def test_production_refuses_missing_secret(monkeypatch):
    monkeypatch.delenv('SECRET_KEY', raising=False)
    with pytest.raises(ConfigError, match='SECRET_KEY'):
        load_config('production')


def test_production_refuses_debug_with_postgresql(monkeypatch):
    monkeypatch.setenv('SECRET_KEY', 'x' * 40)
    monkeypatch.setenv('CRM_BASE_URL', 'https://crm.example.cn')
    monkeypatch.setenv('DATABASE_URL', 'postgresql://db/crm')
    monkeypatch.setenv('DEBUG', '1')
    with pytest.raises(ConfigError, match='DEBUG'):
        load_config('production')
    monkeypatch.delenv('DEBUG')
    config = load_config('production')
    assert config.SESSION_COOKIE_SECURE and config.SESSION_COOKIE_NAME.startswith('__Host-')


def _sets_cookie(app, response) -> bool:
    return any(value.startswith(app.config['SESSION_COOKIE_NAME'] + '=')
               for value in response.headers.getlist('Set-Cookie'))


def test_a_session_cookie_read_before_is_refused_once_older_than_the_session_lifetime(app, client, monkeypatch):
    import time

    assert _sets_cookie(app, client.get('/login'))  # the form's CSRF token starts a session
    client.get('/login')  # (Flask-Login notes the session is not fresh)
    assert not _sets_cookie(app, client.get('/login'))  # the same session: read from the cookie, not set again
    later = time.time() + app.permanent_session_lifetime.total_seconds() + 5
    monkeypatch.setattr(time, 'time', lambda: later)
    assert _sets_cookie(app, client.get('/login'))  # too old: refused, a new session and token


def test_a_session_read_twice_from_one_cookie_starts_from_the_cookie_each_time(app, client):
    client.get('/login')
    with client.session_transaction() as session:
        session['_flashes'] = [('info', 'first')]
    cookie = client.get_cookie(app.config['SESSION_COOKIE_NAME']).value
    headers = {'Cookie': f"{app.config['SESSION_COOKIE_NAME']}={cookie}"}
    for _ in range(2):
        with app.test_request_context('/login', headers=headers):
            from flask import session

            assert session['_flashes'] == [('info', 'first')]  # not the message the request before added
            session['_flashes'].append(('info', 'second'))


def test_a_tampered_session_cookie_is_refused(app, client):
    client.get('/login')
    cookie = client.get_cookie(app.config['SESSION_COOKIE_NAME']).value
    client.set_cookie(app.config['SESSION_COOKIE_NAME'], cookie[:-2] + ('A' if cookie[-2] != 'A' else 'B') + cookie[-1])
    assert _sets_cookie(app, client.get('/login'))  # refused: a new session
