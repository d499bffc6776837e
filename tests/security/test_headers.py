"""T17: security headers on every route and answer (pages, redirects, errors, files), and the cookie flags."""
from __future__ import annotations

from tests.conftest import login
from tests.factories import Factories
from tests.security.conftest import routes, sqlite_unless_nightly, url_for_variant, variants


def _header_problems(response, *, signed_in: bool) -> list[str]:
    h = response.headers
    csp = h.get('Content-Security-Policy', '')
    problems = []
    for needed in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
                   "script-src 'self'"):
        if needed not in csp:
            problems.append(f'CSP lacks {needed}')
    if "'unsafe-inline'" in csp or "'unsafe-eval'" in csp:
        problems.append('CSP allows inline or eval')
    expected = {'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'same-origin',
                'Cross-Origin-Opener-Policy': 'same-origin', 'X-Frame-Options': 'DENY'}
    problems += [f'{name}: {h.get(name)!r}' for name, value in expected.items() if h.get(name) != value]
    if signed_in and 'no-store' not in h.get('Cache-Control', ''):
        problems.append(f'Cache-Control: {h.get("Cache-Control")!r}')
    return problems


def test_headers_on_every_route_for_every_kind_of_answer(app, world):
    sqlite_unless_nightly(app)
    checked, problems = 0, []
    for role in ('admin', 'firm', None):
        client = world.client(role)
        for endpoint, method, rule in routes(app):
            if endpoint in ('auth.logout', 'auth.logout_all', 'auth.set_locale', 'auth.login'):
                continue  # they end or change the session; checked below
            for variant in variants(rule):
                url = url_for_variant(world, rule, variant, role)
                with world.isolated():
                    response = client.open(url, method=method, data={'csrf_token': client.csrf})
                checked += 1
                for problem in _header_problems(response, signed_in=role is not None):
                    problems.append(f'{role} {method} {url} ({response.status_code}): {problem}')
    for url in ('/static/css/app.css', '/no/such/page'):
        checked += 1
        problems += [f'{url}: {p}' for p in _header_problems(world.client(None).get(url), signed_in=False)]
    assert not problems, '\n'.join(problems[:40])
    print(f'headers: {checked} answers checked')


def test_session_and_language_cookies_are_locked_down(app, world, monkeypatch):
    sqlite_unless_nightly(app)
    monkeypatch.setitem(app.config, 'SESSION_COOKIE_SECURE', True)
    monkeypatch.setitem(app.config, 'SESSION_COOKIE_NAME', '__Host-session')
    client = app.test_client()
    with world.isolated():
        response = login(client, world.users['officer'].email, Factories.PASSWORD)
        assert response.status_code == 302
        cookie = response.headers['Set-Cookie']
        assert cookie.startswith('__Host-session=')
        for flag in ('Secure', 'HttpOnly', 'Path=/', 'SameSite=Lax'):
            assert flag in cookie, (flag, cookie)
        assert 'Domain=' not in cookie
        page = client.get('/account/password')
        assert 'no-store' in page.headers['Cache-Control']
        from tests.conftest import csrf_from

        switched = client.post('/locale', data={'csrf_token': csrf_from(page.data), 'lang': 'en', 'next': '/'})
        lang_cookie = [c for c in switched.headers.getlist('Set-Cookie') if not c.startswith('__Host-session')][0]
        for flag in ('Secure', 'HttpOnly', 'SameSite=Lax'):
            assert flag in lang_cookie, (flag, lang_cookie)
