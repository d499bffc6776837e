"""Chinese is the default interface language; every message has a Chinese translation."""
from pathlib import Path

from babel.messages.pofile import read_po

from tests.conftest import post_form

PO = Path(__file__).resolve().parents[2] / 'crm' / 'translations' / 'zh_Hans_CN' / 'LC_MESSAGES' / 'messages.po'


def test_catalog_folder_is_zh_hans_cn_and_complete():
    with PO.open('rb') as fh:
        catalog = read_po(fh)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated and not fuzzy


def test_every_message_in_the_code_is_in_the_catalog():
    from babel.messages.extract import extract_from_dir

    root = Path(__file__).resolve().parents[2]
    with PO.open('rb') as fh:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    method_map = [('crm/**.py', 'python'), ('templates/**.html', 'jinja2')]
    found = {msg[2] if isinstance(msg[2], str) else msg[2][0]
             for msg in extract_from_dir(str(root), method_map, keywords={'_': None, '_l': None,
                                                                          'gettext': None, 'lazy_gettext': None})}
    assert not (found - known), f'messages missing from the catalog: {sorted(found - known)}'


def test_default_is_chinese_and_english_is_available(client, logged_in):
    logged_in('officer')
    assert '工作台' in client.get('/').get_data(as_text=True)
    response = post_form(client, '/locale', {'lang': 'en', 'next': '/'}, token_from='/')
    assert response.status_code == 302
    assert 'Workbench' in client.get('/').get_data(as_text=True)


def test_translations_use_percent_only_in_placeholders():
    import re

    with PO.open('rb') as fh:
        catalog = read_po(fh)
    stray = [m.id for m in catalog if m.id and re.search(r'%(?!\(\w+\)s)', m.string or '')]
    assert not stray, f'a bare % breaks template formatting: {stray}'


def test_template_messages_use_percent_only_in_placeholders():
    """Jinja formats every gettext result, so an English source text with a bare % fails when untranslated."""
    import re

    from babel.messages.extract import extract_from_dir

    root = Path(__file__).resolve().parents[2]
    found = [msg[2] if isinstance(msg[2], str) else msg[2][0]
             for msg in extract_from_dir(str(root), [('templates/**.html', 'jinja2')])]
    stray = [m for m in found if re.search(r'%(?!%|\(\w+\)[sd])', m.replace('%%', ''))]
    assert not stray, f'write %% for a literal percent sign in a template message: {stray}'


def test_quantities_and_shares_read_as_people_write_them():
    from decimal import Decimal

    from crm.core.i18n import _quantity, _share

    assert [_quantity(v) for v in (Decimal('1.00'), Decimal('1260'), Decimal('7.50'), 0.125, None)] == \
        ['1', '1,260', '7.5', '0.12', '']
    assert [_share(v) for v in (0.002, 0.0, 0.857, 1.16, None)] == ['0.2%', '0.0%', '86%', '116%', '—']


def test_a_block_in_another_language_translates_in_it_and_the_page_goes_back(app):
    """The request keeps its catalogue (looked up once), yet a document written in English inside a Chinese request
    translates in English, and what follows is Chinese again."""
    from flask_babel import gettext

    from crm.core.i18n import in_language
    from crm.core.labels import stage_label

    with app.test_request_context('/'):
        assert gettext('Pool') == '公共池'
        with in_language('en'):
            assert gettext('Pool') == 'Pool'
            assert stage_label('流失') != '流失'
        assert gettext('Pool') == '公共池' and stage_label('流失') == '流失'


def test_layout_links_follow_the_script_root(app):
    """Links built once for the layout (fixed_url) are built per script root: an app served under a prefix links
    under that prefix, the same app at the root links at the root."""
    from flask import url_for

    from crm.core.templating import fixed_url

    with app.test_request_context('/', base_url='http://localhost/crm/'):
        assert url_for('leads.index') == '/crm/leads/'
        assert fixed_url('static', filename='css/app.css') == '/crm/static/css/app.css'
        assert fixed_url('leads.index') == '/crm/leads/'
    with app.test_request_context('/'):
        assert fixed_url('static', filename='css/app.css') == '/static/css/app.css'
        assert fixed_url('leads.index') == '/leads/'


def test_row_links_and_label_tables_are_what_url_for_and_the_filters_give(app):
    """A list's rows link as one URL prefix and the id, under a script root too, and look labels up in a table
    translated once: the same URL as url_for, the same words as the label filter, in either language."""
    from flask import render_template_string, url_for

    from crm.core.i18n import in_language
    from crm.core.templating import id_url

    for root in ('/crm/', '/'):
        with app.test_request_context('/', base_url='http://localhost' + root):
            assert id_url('leads.detail', 'lead_id') + '42' == url_for('leads.detail', lead_id=42)
            assert id_url('platforms.building', 'building_id') + '7' == url_for('platforms.building', building_id=7)
    both = ("{% set names = label_map('stage_label') %}{% for s in ['流失', '洽谈', 'unknown', none] %}"
            "{{ names[s] }}|{{ s|stage_label }};{% endfor %}{{ _('Pool') }}")
    with app.test_request_context('/'):
        for language in ('zh', 'en'):
            with in_language(language):
                text = render_template_string(both)
                pairs = text.split(';')[:-1]
                assert all(a == b for a, b in (pair.split('|') for pair in pairs)), text
            assert text.endswith('Pool' if language == 'en' else '公共池'), text
        assert '流失|流失' in render_template_string(both)
