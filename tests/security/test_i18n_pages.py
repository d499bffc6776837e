"""T22: every page renders in Chinese and English without format errors; Chinese pages show no catalog English."""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from tests.conftest import csrf_from
from tests.security.conftest import routes, sqlite_unless_nightly, url_for_variant, variants

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
