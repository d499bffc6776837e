"""T7: hypothesis-generated posts to every form, with a valid CSRF token.

Forms are discovered from `app.url_map` (every route that takes POST); their field names are read from the
pages that render them (the GET of the same URL, or the page the form sits on). Each example posts NUL bytes,
lone surrogates, huge values, wrong types, missing and extra fields. The answer is never a 500; a post the app
rejects (4xx, or a redirect with an error message) changes no row. CRM_FUZZ_EXAMPLES raises the count per form
(default 200 per form on SQLite, as RELIABILITY T7 asks of every CI run, and 10 on PostgreSQL) for a nightly run.
"""
from __future__ import annotations

import os
import re
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.conftest import changed_tables, routes, url_for_variant, variants

EXAMPLES = int(os.environ.get('CRM_FUZZ_EXAMPLES', '200'))
PG_EXAMPLES = int(os.environ.get('CRM_FUZZ_EXAMPLES', '10'))  # PostgreSQL adds NUL and length checks, not logic
# Routes that end the session or switch the language would sign the fuzzing client out: posted once, not fuzzed.
NOT_FUZZED = {'auth.logout', 'auth.logout_all', 'auth.login', 'auth.set_locale'}
# Where POST-only forms are rendered.
FORM_PAGES = {'leads.activity_new': 'leads.detail', 'leads.stage': 'leads.detail', 'leads.assign': 'leads.detail',
              'leads.activity_done': 'leads.detail', 'leads.filter_save': 'leads.index',
              'packs.share_create': 'packs.detail', 'plans.curate': 'plans.commitments', 'plans.correct': 'plans.report',
              'targets.measure': 'targets.detail', 'targets.actual': 'targets.detail',
              'platforms.unit_status': 'platforms.building', 'platforms.media_upload': 'platforms.building',
              'notifications.read': 'notifications.index', 'notifications.read_all': 'notifications.index'}
# Each accepted post renders a PDF (about half a second): a few examples suffice, they have no text fields.
RENDERS_PDF = {'packs.build', 'packs.summary_build'}
NAME_RE = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')

nasty_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(['\x00', 'a\x00b', '\ud800', 'x\udfffy', '\u202e反转', '𠮷野家', '{{7*7}}', '<script>x</script>',
                     "' OR 1=1 --", '-1', '0', '1e309', 'NaN', '2025-02-30', '9' * 30, ' ', '%00', '../../etc/passwd']),
    st.builds(lambda c, n: c * n, st.sampled_from(['a', '字', '9']), st.integers(5_000, 100_000)),
    st.integers(-10**12, 10**12).map(str),
    st.dates().map(str),
)


def _encode(fields: dict[str, list[str]]) -> bytes:
    """A urlencoded body as a hostile client sends it: lone surrogates go out as raw (invalid) UTF-8 bytes."""
    return '&'.join(f'{quote(k)}={quote(v.encode("utf-8", "surrogatepass"))}'
                    for k, values in fields.items() for v in values).encode()


def _form_fields(app, world, client, endpoint: str, url: str) -> list[str]:
    page_endpoint = FORM_PAGES.get(endpoint)
    if page_endpoint is None:
        page = client.get(url)
    else:
        rule = next(r for e, m, r in routes(app) if e == page_endpoint and m == 'GET')
        page = client.get(url_for_variant(world, rule, variants(rule)[0], 'admin'))
    names = set(NAME_RE.findall(page.get_data(as_text=True))) - {'csrf_token', 'lang', 'next', 'q'}
    return sorted(names) or ['name']


def _has_error(client) -> bool:
    with client.session_transaction() as session:
        return any(category == 'error' for category, _ in session.get('_flashes', []))


def test_fuzzed_posts_to_every_form(app, world):
    examples = EXAMPLES if app.config['DB_KIND'] == 'sqlite' else PG_EXAMPLES
    client = world.client('admin')
    forms = []
    for endpoint, method, rule in routes(app):
        if method == 'POST' and endpoint not in NOT_FUZZED:
            url = url_for_variant(world, rule, variants(rule)[0], 'admin')
            forms.append((endpoint, url, _form_fields(app, world, client, endpoint, url)))
    stats = {'posts': 0, 'rejected': 0, 'accepted': 0}
    failures: list[str] = []

    for endpoint, url, fields in forms:
        with world.isolated():
            before = world.fingerprint()

        @settings(max_examples=min(examples, 4) if endpoint in RENDERS_PDF else examples, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(values=st.fixed_dictionaries({}, optional={name: nasty_text for name in fields}),
               extra=st.dictionaries(st.sampled_from(['role', 'is_admin', 'owner_id', 'firm_id', 'id', 'version',
                                                      'deleted_at', 'x\x00y']), nasty_text, max_size=2),
               repeat=st.booleans())
        def post(values, extra, repeat):
            body = {k: [v, v] if repeat else [v] for k, v in {**values, **extra}.items()}
            body['csrf_token'] = [client.csrf]
            with client.session_transaction() as session:
                session.pop('_flashes', None)
            with world.isolated():
                response = client.post(url, data=_encode(body), content_type='application/x-www-form-urlencoded')
                changed = changed_tables(before, world.fingerprint())
                rejected = response.status_code >= 400 or (response.status_code == 302 and _has_error(client))
            stats['posts'] += 1
            stats['rejected' if rejected else 'accepted'] += 1
            if response.status_code >= 500:
                failures.append(f'{endpoint} {url}: 500 for {body!r:.300}')
            elif rejected and changed:
                failures.append(f'{endpoint}: rejected ({response.status_code}) but changed {changed}')

        post()
    assert not failures, '\n'.join(failures[:20])
    assert len(forms) >= 35 and stats['posts'] >= len(forms) * min(examples, 10) // 2, stats
    print(f'fuzz: {len(forms)} forms, {stats}')
