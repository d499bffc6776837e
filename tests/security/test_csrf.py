"""T5: every state-changing route refuses a missing or foreign CSRF token (400, no row changed); no GET writes."""
from __future__ import annotations

from tests.security.conftest import changed_tables, routes, sqlite_unless_nightly, url_for_variant, variants

# GETs that record something on purpose: every opening of a shared pack is logged.
# Opening a shared pack is logged, and its officer is told (once a day per link: a notification and its inbox record).
OPENED = {'pack_share_access', 'notification', 'notification_delivery'}
# Exporting contact people (phone numbers) is audited.
LOGGED_READS = {'packs.shared': OPENED, 'packs.shared_pdf': OPENED, 'firms.contacts_export': {'audit_event'}}


def _first_variant(rule) -> str:
    return variants(rule)[0]


def test_every_non_get_route_refuses_missing_and_foreign_tokens(app, world):
    sqlite_unless_nightly(app)
    admin, stranger = world.client('admin'), world.client('officer')
    foreign = stranger.csrf  # a valid token, but of another session
    checked, problems = 0, []
    for endpoint, method, rule in routes(app):
        if method == 'GET':
            continue
        url = url_for_variant(world, rule, _first_variant(rule), 'admin')
        for label, data in (('no token', {}), ('foreign token', {'csrf_token': foreign}),
                            ('garbage token', {'csrf_token': 'x' * 40})):
            with world.isolated():
                before = world.fingerprint()
                response = admin.open(url, method=method, data=data)
                changed = changed_tables(before, world.fingerprint())
            checked += 1
            if response.status_code != 400 or changed:
                problems.append(f'{method} {url} with {label}: {response.status_code}, changed {changed}')
    assert not problems, '\n'.join(problems)
    assert checked >= 3 * 30, checked
    print(f'CSRF: {checked} refused posts on {checked // 3} non-GET routes')


def test_anonymous_posts_need_a_token_too(app, world):
    sqlite_unless_nightly(app)
    client = world.client(None)
    for url in ('/login', '/locale'):
        with world.isolated():
            before = world.fingerprint()
            assert client.post(url, data={'email': 'a@b.cn', 'password': 'x', 'lang': 'en'}).status_code == 400
            assert world.fingerprint() == before


def test_the_htmx_header_token_is_accepted(app, world):
    sqlite_unless_nightly(app)
    client = world.client('officer')
    with world.isolated():
        before = world.fingerprint()
        response = client.post('/leads/filters', data={'name': '头部令牌', 'stage': '线索'},
                               headers={'X-CSRFToken': client.csrf})
        assert response.status_code == 302
        assert changed_tables(before, world.fingerprint()).keys() == {'saved_filter'}


def test_no_get_changes_state(app, world):
    sqlite_unless_nightly(app)
    gets, problems = 0, []
    for role in ('admin', 'officer', 'park_manager', 'firm', None):
        client = world.client(role)
        for endpoint, method, rule in routes(app):
            if method != 'GET':
                continue
            for variant in variants(rule):
                url = url_for_variant(world, rule, variant, role)
                with world.isolated():
                    before = world.fingerprint()
                    response = client.get(url)
                    changed = set(changed_tables(before, world.fingerprint()))
                gets += 1
                if response.status_code >= 500 or changed - LOGGED_READS.get(endpoint, set()):
                    problems.append(f'{role} GET {url}: {response.status_code}, changed {changed}')
    assert not problems, '\n'.join(problems)
    print(f'GET without writes: {gets} requests')
