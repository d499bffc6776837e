"""T22: every page renders in Chinese and English without format errors; Chinese pages show no catalog English."""
from __future__ import annotations

import json
import re
from pathlib import Path

from babel.messages.pofile import read_po

from tests.conftest import csrf_from
from tests.security.conftest import ROLES, routes, sqlite_unless_nightly, url_for_variant, variants

PO = Path(__file__).resolve().parents[2] / 'crm' / 'translations' / 'zh_Hans_CN' / 'LC_MESSAGES' / 'messages.po'
TAG = re.compile(r'<[^>]+>')
INLINE = re.compile(r'</?(a|strong|em|b|i|span|small|mark|code|abbr)\b', re.I)
BLOCK = re.compile(r'(\s*¦\s*)+')
MAIN = re.compile(r'<main[^>]*>(.*)</main>', re.S)


def _english_phrases() -> list[str]:
    """Catalog msgids of at least two English words whose Chinese differs: these must not show in zh pages."""
    with PO.open('rb') as fh:
        catalog = read_po(fh)
    phrases = []
    for message in catalog:
        msgid = message.id if isinstance(message.id, str) else (message.id or [''])[0]
        if not msgid or not message.string or message.string == msgid:
            continue
        for piece in re.split(r'%\(\w+\)s|%s|\{\w*\}', msgid):
            piece = piece.strip(' .:,;()')
            if len(re.findall(r'[A-Za-z]{2,}', piece)) >= 2 and len(piece) >= 10:
                phrases.append(piece)
    return phrases


def _pages(app, world):
    for endpoint, method, rule in routes(app):
        if method == 'GET' and endpoint not in ('auth.login', 'main.healthz', 'packs.shared_pdf', 'packs.download',
                                                  'packs.summary_download', 'platforms.media_file'):
            for variant in variants(rule):
                if variant in ('plain', 'own'):
                    yield url_for_variant(world, rule, variant, 'admin')


def test_every_page_in_chinese_and_english(app, world):
    sqlite_unless_nightly(app)
    phrases = _english_phrases()
    assert len(phrases) > 100
    pages, problems, english_seen = 0, [], set()
    for lang in ('zh', 'en'):
        client = world.client('admin')
        client.post('/locale', data={'csrf_token': csrf_from(client.get('/').data), 'lang': lang, 'next': '/'})
        for url in _pages(app, world):
            with world.isolated():
                response = client.get(url)
            pages += 1
            if response.status_code >= 500:
                problems.append(f'{lang} {url}: {response.status_code}')
                continue
            if not response.mimetype == 'text/html':
                continue
            html = response.get_data(as_text=True)
            if re.search(r'%\(\w+\)s', html):
                problems.append(f'{lang} {url}: unformatted placeholder')
            if match := MAIN.search(html):
                # block-level boundaries stay boundaries: the audit log's "formula: fixed" next to its "amount"
                # field is not the phrase "fixed amount"
                text = ' '.join(BLOCK.sub(' ¦ ', TAG.sub(lambda t: '' if INLINE.match(t.group()) else ' ¦ ',
                                                          match.group(1))).split())
                left = [p for p in phrases if p in text]
                if lang == 'en':
                    english_seen.update(left)  # proves the check reads the text the phrases would appear in
                elif left:
                    problems.append(f'zh {url}: English left: {left[:5]}')
    assert not problems, '\n'.join(problems)
    assert len(english_seen) > 20, english_seen
    print(f'i18n: {pages} page renders (zh and en), {len(phrases)} catalog phrases checked')


# --- the English interface speaks English: Chinese only in data ------------------------------------------------

IDEOGRAPHS = re.compile(r'[\u3400-\u9fff\uf900-\ufaff]+')
# A language is named in its own words in the language switch.
OWN_NAMES = {'中文'}
LONG = 6  # characters: a run of Chinese this long is a piece of a record's text, not an interface word
SCRIPT = re.compile(r'<(script|style|template)\b[^>]*>.*?</\1>', re.S | re.I)
SHOWN_ATTRIBUTE = re.compile(r'\b(?:placeholder|title|aria-label|alt)="([^"]*)"')
# Columns whose stored values are the office's coded words (stages, statuses, kinds ...): the English interface
# must show them through their labels, so they are not data to look past. (A plan target's comparator, 提升到, is
# part of the plan's own sentence and is quoted with it.)
CODED = {'stage', 'status', 'source', 'kind', 'use', 'fitout', 'level', 'kinds', 'tags', 'role_code', 'locale',
         'formula', 'base', 'space_use', 'priority', 'revenue_band', 'role', 'district'}
# Forms sent empty, so that the page comes back with its validation messages.
INVALID_FORMS = ('/firms/new', '/platforms/new', '/leads/new', '/account/password', '/admin/users/new')
# Refusals that come back on the page the input was typed on (422), the message beside it: endpoint, form sent.
REFUSED_FORMS = (('platforms.media_upload', {}), ('policies.source_upload', {}), ('leads.stage', {'to_stage': '流失'}),
                 ('leads.promise', {'override_reason': 'x' * 501}), ('leads.activity_new', {}),
                 ('plans.correct', {}), ('projects.task_new', {}),
                 ('leads.activity_done', {'next_on': '2000-01-01'}), ('admin.user_password', {}))


def _data_strings(connection) -> tuple[str, set[str]]:
    """Every Chinese text a record holds (names, titles, notes, quotes, JSON facts), one a line, and the runs of
    Chinese in them."""
    from sqlalchemy import JSON, String, Text, inspect, text

    found: set[str] = set()

    def collect(value) -> None:
        if isinstance(value, str):
            if IDEOGRAPHS.search(value):
                found.update(piece.strip() for piece in [value, *value.splitlines()] if piece.strip())
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                collect(item)

    inspector = inspect(connection)
    for table in inspector.get_table_names():
        if table.startswith(('alembic', 'sqlite_')) or '_fts' in table:
            continue
        columns = [c['name'] for c in inspector.get_columns(table)
                   if isinstance(c['type'], (String, Text, JSON)) and c['name'] not in CODED]
        if columns:
            quoted = ', '.join(f'"{c}"' for c in columns)
            for row in connection.execute(text(f'SELECT {quoted} FROM "{table}"')):
                for value in row:
                    if isinstance(value, str) and value[:1] in '[{':
                        try:
                            value = json.loads(value)
                        except ValueError:
                            pass
                    collect(value)
    return '\n'.join(sorted(found)), {run for value in found for run in IDEOGRAPHS.findall(value)}


def _shown(html: str) -> str:
    """The words a reader sees: text, placeholders, titles and labels of controls; not scripts or option values."""
    html = SCRIPT.sub(' ', html)
    attributes = ' ¦ '.join(SHOWN_ATTRIBUTE.findall(html))
    return f'{TAG.sub(" ¦ ", html)} ¦ {attributes}'.replace('&amp;', '&').replace('&#34;', '"').replace('&#39;', "'")


def _quoted_words() -> set[str]:
    """Chinese words English messages quote on purpose (the headers a Chinese spreadsheet has, a term of art)."""
    with PO.open('rb') as fh:
        catalog = read_po(fh)
    return {word for m in catalog if m.id
            for word in IDEOGRAPHS.findall(m.id if isinstance(m.id, str) else ' '.join(m.id))}


def _chinese_left(html: str, data: tuple[str, set[str]], quoted: set[str]) -> list[str]:
    """Chinese words that no record holds and no English message quotes: words of the interface left
    untranslated. A short word must be a whole word of a record (a label is not excused by occurring inside some
    plan's text); a long one may be a piece of one (an excerpt)."""
    text, runs = data
    return sorted({word for word in IDEOGRAPHS.findall(_shown(html))
                   if word not in OWN_NAMES and word not in quoted and word not in runs
                   and not (len(word) > LONG and word in text)})


def test_the_english_interface_shows_chinese_only_in_data(app, world):
    sqlite_unless_nightly(app)
    data, quoted = _data_strings(world.connection), _quoted_words()
    problems: dict[str, set[str]] = {}
    pages, refusals_shown = 0, set()
    for role in ROLES:
        client = world.client(role)
        client.post('/locale', data={'csrf_token': client.csrf, 'lang': 'en', 'next': '/'})
        for endpoint, url in _role_pages(app, world, role):
            with world.isolated():
                response = client.get(url)
            if response.status_code != 200 or response.mimetype != 'text/html':
                continue
            pages += 1
            for word in _chinese_left(response.get_data(as_text=True), data, quoted):
                problems.setdefault(word, set()).add(endpoint)
        refused = [(url_for_variant(world, app.url_map._rules_by_endpoint[endpoint][0], 'own', role), form, endpoint)
                   for endpoint, form in REFUSED_FORMS]
        for url, form, endpoint in [(url, {}, None) for url in INVALID_FORMS] + refused:
            with world.isolated():
                response = client.post(url, data={'csrf_token': client.csrf, **form})
            if response.status_code == 422 and endpoint:
                refusals_shown.add(endpoint)
            if response.status_code in (200, 400, 422) and response.mimetype == 'text/html':
                pages += 1
                for word in _chinese_left(response.get_data(as_text=True), data, quoted):
                    problems.setdefault(word, set()).add(f'POST {url}')
    report = '\n'.join(f'{word}: {sorted(where)[:4]}' for word, where in sorted(problems.items()))
    assert not problems, f'Chinese in the English interface outside data:\n{report}'
    assert pages > 200, pages
    assert refusals_shown == {endpoint for endpoint, _form in REFUSED_FORMS}, refusals_shown
    print(f'English pages: {pages} renders by five roles, {len(data[1])} words of records looked past')


def _role_pages(app, world, role):
    for endpoint, method, rule in routes(app):
        if method == 'GET' and endpoint not in ('auth.login', 'main.healthz', 'packs.shared_pdf', 'packs.download',
                                                  'packs.summary_download', 'platforms.media_file'):
            for variant in variants(rule):
                if variant in ('plain', 'own'):
                    yield endpoint, url_for_variant(world, rule, variant, role)
