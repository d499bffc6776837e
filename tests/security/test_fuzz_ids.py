"""Ids and page numbers no database can store, negative or not numbers at all, in every route's path, in the query
parameters lists and filters read, and in the id fields forms post: as each role, the answer is never a 500.

Routes come from `app.url_map` (web pages and the JSON API alike), so a new route is fuzzed without a line here.
Path ids are replaced one at a time (the other ids name real records of the world, so the request reaches the
view); query parameters and form fields are all set to the same bad value in one request. Every request runs in
its own savepoint, rolled back afterwards.
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

from tests.conftest import filled_form
from tests.security.conftest import MISSING_ID, ROLES, fill, sqlite_unless_nightly, variant_values

HUGE = '9' * 20  # beyond 64 bits
BAD_IDS = (HUGE, str(2**31), '-1', 'abc', '')  # query parameters and every id field of a form at once
FIELD_IDS = (HUGE, str(2**31), '-1', 'abc', str(MISSING_ID))  # one id field of a filled form at a time
# In a path: the largest key a database stores + 1, beyond 64 bits, negative, not a number.
BAD_PATH_IDS = (HUGE, str(2**31), '-1', 'abc')
# Query parameters the lists, filters and pickers read (and some they do not: ignored, never a 500).
QUERY_PARAMS = ('id', 'page', 'per_page', 'owner_id', 'owner', 'platform', 'platform_id', 'building_id', 'unit_id',
                'lead', 'lead_id', 'firm', 'firm_id', 'doc', 'document_id', 'lost_reason', 'object_id', 'user_id',
                'policy_id', 'target_id', 'commitment_id', 'current', 'year', 'days', 'version', 'stage', 'sort')
# Form fields that carry ids or numbers a form offers as a choice.
FORM_FIELDS = ('firm_id', 'unit_id', 'owner_id', 'item_id', 'lost_reason_id', 'platforms', 'collaborators',
               'version', 'days', 'firm_choice', 'platform_id', 'building_id', 'lead_id', 'user_id', 'policy_id',
               'to_stage', 'kind', 'choice', 'floor', 'floors', 'page')
# Where forms that only post are rendered.
FORM_PAGES = {'leads.activity_new': 'leads.detail', 'leads.stage': 'leads.detail', 'leads.assign': 'leads.detail',
              'leads.activity_done': 'leads.detail', 'leads.filter_save': 'leads.index',
              'leads.match_choice': 'leads.match', 'leads.promise': 'leads.match',
              'packs.share_create': 'packs.detail', 'plans.curate': 'plans.commitments', 'plans.correct': 'plans.report',
              'targets.measure': 'targets.detail', 'targets.actual': 'targets.detail', 'auth.token_create':
              'auth.change_password', 'platforms.unit_status': 'platforms.building',
              'platforms.media_upload': 'platforms.building'}
# Accepted posts that render a PDF (half a second each) are left to the form fuzzer; a bad path id still is tried.
RENDERS_PDF = {'packs.build', 'packs.summary_build'}
# Requests that sign the client out or switch its language.
SESSION_CHANGING = {'auth.logout', 'auth.logout_all', 'auth.login', 'auth.set_locale'}


def _all_routes(app):
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == 'static':
            continue
        for method in sorted(rule.methods - {'HEAD', 'OPTIONS'}):
            found.append((rule.endpoint, method, rule))
    return sorted(found, key=lambda r: (r[2].rule, r[1]))


def _own_values(world, rule, role: str) -> dict:
    """Real values for the rule's parameters (a parameter the world has no record for gets a missing id)."""
    values = {}
    for name in rule.arguments:
        try:
            values.update({name: variant_values(world, _only(rule, name), 'own', role)[name]})
        except KeyError:
            values[name] = MISSING_ID
    return values


class _only:
    """A view of `rule` with one argument, for `variant_values`."""

    def __init__(self, rule, name: str) -> None:
        self.arguments, self.endpoint = (name,), rule.endpoint


def _path_variants(world, rule, role: str) -> list[str]:
    """The rule's URL with one integer id at a time replaced by each bad value (the others real)."""
    ints = [name for name, converter in rule._converters.items() if isinstance(converter, IntegerConverter)]
    own = _own_values(world, rule, role)
    return [fill(rule, {**own, name: bad}) for name in ints for bad in BAD_PATH_IDS]


def test_bad_ids_in_paths_queries_and_forms_are_never_server_errors(app, world):
    sqlite_unless_nightly(app)
    tokens = world.tokens
    errors, counts = [], {'path': 0, 'query': 0, 'form': 0}
    for role in ROLES:
        client = world.client(role)
        headers_api = {'Authorization': f'Bearer {tokens[role]}'}
        for endpoint, method, rule in _all_routes(app):
            api = endpoint.startswith('api.')
            headers = headers_api if api else {}

            def send(url, **kwargs):
                nonlocal client
                with world.isolated():
                    try:
                        response = client.open(url, method=method, headers=headers, **kwargs)
                    except Exception as exc:  # noqa: BLE001 (an exception escaping the app is a server error too)
                        errors.append(f'{role} {method} {url}: {exc!r:.200}')
                        return None
                if response.status_code >= 500:
                    sent = {k: v for k, v in (kwargs.get('data') or kwargs.get('json') or {}).items() if k != 'csrf_token'}
                    errors.append(f'{role} {method} {url} {str(sent)[:100]} → {response.status_code}')
                if endpoint in SESSION_CHANGING:
                    client = world.client(role)
                return response

            form = {'csrf_token': client.csrf} if method != 'GET' and not api else None
            for url in _path_variants(world, rule, role):
                counts['path'] += 1
                send(url, data=form) if not api or method == 'GET' else send(url, json={})
            url = fill(rule, _own_values(world, rule, role))
            if method == 'GET':
                for bad in BAD_IDS:
                    counts['query'] += 1
                    send(url, query_string={name: bad for name in QUERY_PARAMS})
            elif endpoint not in RENDERS_PDF and endpoint not in SESSION_CHANGING:
                for bad in BAD_IDS:
                    counts['form'] += 1
                    if api:
                        number = int(bad) if bad.strip().lstrip('-').isdigit() else bad
                        send(url, json={name: number for name in FORM_FIELDS})
                    else:
                        send(url, data={**{name: bad for name in FORM_FIELDS}, 'csrf_token': client.csrf})
                if api:
                    continue
                # the form as its page fills it, one id field at a time replaced by each bad value
                page = FORM_PAGES.get(endpoint)
                page_url = url if page is None else fill(app.url_map._rules_by_endpoint[page][0], _own_values(
                    world, app.url_map._rules_by_endpoint[page][0], role))
                filled = filled_form(client, page_url, url)
                if filled is None:
                    continue
                values, selects = filled
                for name in sorted(values):
                    if name in ('csrf_token', 'next', 'lang') or not (
                            name in FORM_FIELDS or name.endswith('_id') or name in selects):
                        continue
                    for bad in FIELD_IDS:
                        counts['form'] += 1
                        send(url, data={**values, name: [bad], 'csrf_token': client.csrf})
    assert not errors, f'{len(errors)} server errors:\n' + '\n'.join(errors[:60])
    assert counts['path'] > 1000 and counts['query'] > 1000 and counts['form'] > 500, counts
    print(f'id fuzz: {counts}, no server error')
