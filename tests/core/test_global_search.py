"""The header's search box: leads, firms, platforms, units, policies and plan paragraphs, each kind in the viewer's
scope; a kind with more hits than shown says so and links to its list; firm users have no such search."""
from __future__ import annotations

import re

import pytest

from tests.conftest import login


def _groups(client, q: str) -> dict[str, str]:
    page = client.get('/search', query_string={'q': q})
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    return dict(re.findall(r'<section class="card search-group" data-kind="(\w+)">(.*?)</section>', body, re.S))


@pytest.fixture
def world(factories, in_app, db_session):
    own, other = factories.platform('寻星甲平台'), factories.platform('寻星乙平台')
    officer, colleague = factories.user('officer'), factories.user('officer')
    people = {'admin': factories.user('admin'), 'officer': officer,
              'park_manager': factories.user('park_manager', platforms=[own]),
              'firm': factories.user('firm', firm=factories.firm('寻星用户企业有限公司'))}
    firm = factories.firm('寻星科技有限公司')
    factories.lead(firm, owner=officer, platforms=[own], title='寻星自有项目')
    factories.lead(firm, owner=colleague, platforms=[other], title='寻星同事项目')
    for n in range(7):
        factories.firm(f'寻星批量{n}有限公司')
    factories.unit(factories.building(own, name='寻星甲楼'), number='A-101')
    factories.unit(factories.building(other, name='寻星乙楼'), number='B-101')
    return people


def test_each_kind_is_searched_in_the_viewers_scope(client, world, factories):
    login(client, world['officer'].email, factories.PASSWORD)
    groups = _groups(client, '寻星')
    assert list(groups) == ['leads', 'firms', 'platforms', 'units', 'policies', 'plans']
    assert '寻星自有项目' in groups['leads'] and '寻星同事项目' not in groups['leads']
    assert '寻星甲平台' in groups['platforms'] and '寻星乙平台' in groups['platforms']
    assert '寻星甲楼 A-101' in groups['units']


def test_a_park_manager_finds_only_their_platform(client, world, factories):
    login(client, world['park_manager'].email, factories.PASSWORD)
    groups = _groups(client, '寻星')
    assert '寻星自有项目' in groups['leads'] and '寻星同事项目' not in groups['leads']
    assert '寻星甲平台' in groups['platforms'] and '寻星乙平台' not in groups['platforms']
    assert '寻星甲楼' in groups['units'] and '寻星乙楼' not in groups['units']


def test_a_kind_with_more_hits_says_so_and_links_to_its_list(client, world, factories):
    login(client, world['admin'].email, factories.PASSWORD)
    groups = _groups(client, '寻星')
    firms = groups['firms']
    assert firms.count('<li>') == 5
    more = re.search(r'<p class="more"><a href="([^"]+)">', firms)
    assert more and more.group(1).startswith('/firms/?q=')
    assert 'class="more"' not in groups['leads']  # two leads: all shown
    listed = client.get(more.group(1).replace('&amp;', '&')).get_data(as_text=True)
    assert listed.count('寻星批量') >= 7


def test_plan_paragraphs_come_from_the_plan_search(client, world, factories):
    login(client, world['admin'].email, factories.PASSWORD)
    plans = _groups(client, '电竞')['plans']
    assert '<mark>' in plans or 'Nothing found' in plans or '没有找到' in plans
    assert _groups(client, 'ＸＹＺ不存在的词')['leads'].count('<li>') == 0


def test_firm_users_have_no_global_search(client, world, factories):
    login(client, world['firm'].email, factories.PASSWORD)
    assert client.get('/search?q=寻星').status_code == 403
    assert 'global-search' not in client.get('/').get_data(as_text=True)
