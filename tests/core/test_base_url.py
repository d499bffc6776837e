"""Absolute links come from the configured address (CRM_BASE_URL), never from the request's Host header; requests
naming another host are refused (Flask's TRUSTED_HOSTS); production refuses to start without the address."""
import re

import pytest

from config import ConfigError, load_config
from crm import create_app
from crm.packs.models import PackShare
from tests.conftest import csrf_from, post_form


def _share_link(response) -> str:
    match = re.search(r'(https?://[^\s<"]+/s/[A-Za-z0-9_\-]+)', response.get_data(as_text=True))
    assert match, 'no share link on the page'
    return match.group(1)


def test_a_forged_host_header_is_refused(client, logged_in):
    assert client.get('/login', headers={'Host': 'evil.example'}).status_code == 400
    logged_in('officer')
    assert client.get('/', headers={'Host': 'evil.example'}).status_code == 400
    assert client.get('/', headers={'Host': 'localhost:8443'}).status_code == 200  # the port does not matter


def test_a_share_link_is_built_from_the_configured_address(app, client, logged_in, factories, db_session,
                                                          monkeypatch):
    officer = logged_in('officer')
    pack = factories.pack(factories.lead(owner=officer))
    # the app is reached under one of its trusted names, but links name the public address
    monkeypatch.setitem(app.config, 'BASE_URL', 'https://crm.example.cn')
    response = post_form(client, f'/packs/{pack.id}/shares', {'days': '14'}, token_from=f'/packs/{pack.id}',
                         follow_redirects=True)
    link = _share_link(response)
    assert link.startswith('https://crm.example.cn/s/')
    # the link works (as a path on this server)
    assert client.get(link.removeprefix('https://crm.example.cn')).status_code == 200


def test_a_share_cannot_be_made_through_a_forged_host(app, client, logged_in, factories, db_session):
    from sqlalchemy import func, select

    officer = logged_in('officer')
    pack = factories.pack(factories.lead(owner=officer))
    shares = select(func.count()).select_from(PackShare).where(PackShare.pack_id == pack.id)
    before = db_session.scalar(shares)  # a pack may carry the link its printed QR code names
    token = csrf_from(client.get(f'/packs/{pack.id}').data)
    response = client.post(f'/packs/{pack.id}/shares', data={'csrf_token': token, 'days': '14'},
                           headers={'Host': 'evil.example'})
    assert response.status_code == 400
    assert db_session.scalar(shares) == before


def test_production_refuses_to_start_without_the_address(monkeypatch):
    monkeypatch.setenv('SECRET_KEY', 'x' * 40)
    monkeypatch.delenv('CRM_BASE_URL', raising=False)
    with pytest.raises(ConfigError, match='CRM_BASE_URL'):
        load_config('production')
    monkeypatch.setenv('CRM_BASE_URL', 'crm.example.cn')  # not an address
    with pytest.raises(ConfigError, match='CRM_BASE_URL'):
        load_config('production')


def test_production_trusts_only_the_public_host_and_the_configured_extras(monkeypatch, tmp_path):
    monkeypatch.setenv('SECRET_KEY', 'x' * 40)
    monkeypatch.setenv('CRM_BASE_URL', 'https://crm.gongshu.example.cn')
    monkeypatch.setenv('CRM_TRUSTED_HOSTS', 'crm-internal, 10.1.2.3')
    monkeypatch.setenv('DATABASE_URL', f'sqlite:///{tmp_path / "p.db"}')
    monkeypatch.setenv('RATELIMIT_STORAGE_URI', 'memory://')
    application = create_app(load_config('production'))
    assert sorted(application.config['TRUSTED_HOSTS']) == ['10.1.2.3', 'crm-internal', 'crm.gongshu.example.cn']
    test_client = application.test_client()
    assert test_client.get('/healthz', headers={'Host': 'crm.gongshu.example.cn'}).status_code == 200
    assert test_client.get('/healthz', headers={'Host': 'crm-internal:8000'}).status_code == 200
    assert test_client.get('/healthz', headers={'Host': 'localhost'}).status_code == 400
    assert test_client.get('/healthz', headers={'Host': 'evil.example'}).status_code == 400


def test_development_and_tests_keep_working_on_localhost(monkeypatch):
    monkeypatch.delenv('CRM_BASE_URL', raising=False)
    config = load_config('development')
    assert config.BASE_URL == 'http://127.0.0.1:5000'
    assert {'localhost', '127.0.0.1'} <= set(config.LOCAL_HOSTS)
