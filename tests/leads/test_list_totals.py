"""The lead list's total ("共 N 条") is kept between pages, yet always counts what the viewer may see, as it is
now: a lead added or moved by anyone shows in it on the next page."""
from __future__ import annotations

import re

from tests.conftest import login, post_form


def _total(client, url: str) -> int:
    page = client.get(url).get_data(as_text=True)
    found = re.search(r'共 (\d+) 条', page)
    return int(found.group(1)) if found else 0


def test_the_total_follows_new_leads_and_stage_moves_made_by_others(app, client, factories, logged_in, db_session):
    officer = factories.user('officer')
    factories.lead(owner=officer, title='合计甲', stage='洽谈')
    logged_in('leader')
    everything, talking = _total(client, '/leads/'), _total(client, '/leads/?stage=洽谈')
    assert everything >= 1 and talking >= 1
    assert (_total(client, '/leads/'), _total(client, '/leads/?stage=洽谈')) == (everything, talking)  # kept

    colleague = app.test_client()
    login(colleague, officer.email, factories.PASSWORD)
    created = post_form(colleague, '/leads/new', {'title': '合计乙', 'firm_id': factories.firm().id,
                                                  'source': '上门拜访'}, token_from='/leads/new')
    assert created.status_code == 302
    lead_id = int(re.search(r'/leads/(\d+)', created.headers['Location']).group(1))
    assert _total(client, '/leads/') == everything + 1
    moved = post_form(colleague, f'/leads/{lead_id}/stage', {'to_stage': '洽谈', 'confirm_skip': 'y'},
                      token_from=f'/leads/{lead_id}')
    assert moved.status_code == 302
    assert _total(client, '/leads/?stage=洽谈') == talking + 1


def test_a_park_managers_total_counts_only_their_platforms_leads(app, client, factories, logged_in, db_session):
    own, other = factories.platform('合计园一'), factories.platform('合计园二')
    factories.lead(platforms=[own], title='合计园一项目')
    factories.lead(platforms=[other], title='合计园二项目')
    factories.lead(platforms=[other], title='合计园二又一项目')
    logged_in('leader')
    assert _total(client, '/leads/?q=合计园') == 3
    manager = factories.user('park_manager', platforms=[own])
    park = app.test_client()
    login(park, manager.email, factories.PASSWORD)
    for _ in range(2):
        assert _total(park, '/leads/?q=合计园') == 1
