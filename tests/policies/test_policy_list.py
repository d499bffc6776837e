"""The policy register's page and the API run one statement (crm.policies.queries): for the same filter they
return the same policies in the same order — examples first, then the soonest expiry, those without an end last,
then the title — and the words of `q` are looked for in the title, the issuer and the document number alike."""
import re
from datetime import timedelta

import pytest

from crm.core import clock
from crm.policies.models import Policy

pytestmark = pytest.mark.usefixtures('business_clock')


def _policy(db_session, title: str, **values) -> int:
    values = {'level': '区', 'amounts_public': True, 'kinds': ['房租补助'], 'industries': [], 'platform_names': [],
              'facts': [], **values}
    policy = Policy(key=f'list-{title}', title=title, **values)
    db_session.add(policy)
    db_session.commit()
    return policy.id


@pytest.fixture
def register(db_session):
    today = clock.today()
    return {
        'late': _policy(db_session, '甲 租金补助', expires_on=today + timedelta(days=400), issuer='列表测试局'),
        'soon': _policy(db_session, '乙 租金补助', expires_on=today + timedelta(days=30), doc_number='列测〔2026〕7号'),
        'open': _policy(db_session, '丙 落户奖励', kinds=['落户奖励'], level='市', issuer='列表测试局'),
        'example': _policy(db_session, '丁 示例政策', is_example=True, status='example',
                           expires_on=today + timedelta(days=900)),
        'expired': _policy(db_session, '戊 研发资助', kinds=['研发资助'], expires_on=today - timedelta(days=3),
                           amounts_public=False, doc_number='列测〔2025〕1号'),
    }


def _page_ids(client, query: str) -> list[int]:
    response = client.get(f'/policies/?per_page=200&{query}')
    assert response.status_code == 200
    return [int(n) for n in re.findall(r'<tr><td><a href="/policies/(\d+)">', response.get_data(as_text=True))]


def _api_ids(client, query: str) -> list[int]:
    response = client.get(f'/api/v1/policies?per_page=200&{query}')
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return [item['id'] for item in response.get_json()['items']]


@pytest.mark.parametrize('query', ['', 'q=租金', 'q=列表测试局', 'q=列测', 'level=区', 'kind=房租补助', 'kind=研发资助',
                                   'level=市&q=落户'])
def test_the_page_and_the_api_list_the_same_policies_in_the_same_order(client, logged_in, register, query):
    logged_in('officer')
    page = _page_ids(client, query)
    assert page and page == _api_ids(client, query)


def test_the_register_order_and_search_are_the_pages(client, logged_in, register):
    logged_in('officer')
    ours = set(register.values())
    everything = [i for i in _api_ids(client, '') if i in ours]
    assert everything == [register[k] for k in ('example', 'expired', 'soon', 'late', 'open')]
    assert _api_ids(client, 'q=列表测试局') == [register['late'], register['open']]  # the issuer
    assert _api_ids(client, 'q=列测') == [register['expired'], register['soon']]  # the document number
    percent = _api_ids(client, 'q=%25')  # a wildcard is a plain character: none of ours has one
    assert percent == _page_ids(client, 'q=%25') and not ours & set(percent)
