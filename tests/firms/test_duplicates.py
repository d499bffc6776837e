"""Possibly duplicate firms: names alike once legal form, brackets and place names are set aside, or alike enough
by RapidFuzz; the same credit code is certain. Offered when creating and editing a firm, and on the firm page."""
import pytest

from crm.firms.names import SIMILAR, brand, core_name, similarity
from tests.conftest import post_form

CODE = '91110000600037341L'


@pytest.mark.nodb
@pytest.mark.parametrize('variant', ['某某科技（杭州）有限公司', '杭州某某科技有限公司', '某某科技股份有限公司',
                                     '浙江省杭州市某某科技有限责任公司', '某某科技(杭州)集团有限公司', ' 某某 科技 有限公司',
                                     '拱墅区某某科技有限公司', '某某科技'])
def test_the_usual_forms_of_a_name_share_one_core(variant):
    assert core_name(variant) == '某某科技'


@pytest.mark.nodb
def test_place_names_stay_when_nothing_else_would_and_trade_words_are_not_the_brand():
    assert core_name('杭州有限公司') == '杭州'
    assert core_name('浙江大学') == '大学' and core_name('复旦大学') == '复旦大学'
    assert brand('云图网络科技') == '云图' and brand('信息技术') == '信息技术'
    assert similarity('云图网络科技', '云图信息技术') >= SIMILAR  # only the trade words differ
    assert similarity('星河远航科技', '星河远行科技') >= SIMILAR  # one character mistyped
    assert similarity('云图科技', '远航科技') < SIMILAR
    assert similarity('海纳数智极客网络科技', '数智星河极客网络科技') < SIMILAR  # the long trade words alike only


def _offered(html: str) -> list[str]:
    start = html.index('已有相似的企业') if '已有相似的企业' in html else html.index('可能重复的企业')
    return [name for name in ('杭州某某科技有限公司', '某某科技股份有限公司', '星河电子商务有限公司') if name in html[start:]]


def test_a_bracketed_city_is_offered_as_a_duplicate_of_the_city_prefix_and_the_joint_stock_forms(
        client, factories, logged_in):
    city, joint_stock = factories.firm('杭州某某科技有限公司'), factories.firm('某某科技股份有限公司')
    factories.firm('星河电子商务有限公司')
    logged_in('officer')
    refused = post_form(client, '/firms/new', {'name': '某某科技（杭州）有限公司'})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'value="某某科技（杭州）有限公司"' in html
    assert _offered(html) == ['杭州某某科技有限公司', '某某科技股份有限公司']

    created = post_form(client, '/firms/new', {'name': '某某科技（杭州）有限公司', 'confirm_similar': 'y'})
    assert created.status_code == 302
    page = client.get(created.headers['Location']).get_data(as_text=True)
    assert _offered(page) == ['杭州某某科技有限公司', '某某科技股份有限公司']
    assert f'/merge/{city.id}"' in page and f'/merge/{joint_stock.id}"' in page


def test_similar_names_are_offered_when_editing_and_unrelated_ones_are_not(client, factories, logged_in):
    factories.firm('杭州云图网络科技有限公司')
    firm = factories.firm('星河电子商务有限公司')
    logged_in('officer')
    form = client.get(f'/firms/{firm.id}/edit').get_data(as_text=True)
    assert '云图' not in form
    edited = post_form(client, f'/firms/{firm.id}/edit', {'name': '云图信息技术（浙江）有限公司', 'version': '1'})
    html = edited.get_data(as_text=True)
    assert edited.status_code == 422 and '杭州云图网络科技有限公司' in html


def test_the_same_credit_code_is_a_certain_duplicate_whatever_the_name(client, factories, logged_in):
    known = factories.firm('甲乙丙丁贸易有限公司', uscc=CODE)
    logged_in('officer')
    response = post_form(client, '/leads/new', {'title': '新项目', 'source': '上门拜访', 'priority': '中',
                                                'new_firm_name': '完全不同的名称有限公司', 'new_firm_uscc': CODE})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and f'name="firm_choice" value="{known.id}"' in html
    assert 'value="new"' not in html  # the same code cannot be confirmed away


def test_the_firm_page_offers_only_duplicates_the_viewer_may_see(client, factories, logged_in):
    platform = factories.platform()
    unit = factories.unit(factories.building(platform))
    housed, elsewhere = factories.firm('杭州某某科技有限公司'), factories.firm('某某科技股份有限公司')
    twin = factories.firm('某某科技（杭州）有限公司')
    factories.tenancy(housed, unit)
    factories.tenancy(twin, factories.unit(factories.building(platform)))
    logged_in('park_manager', platforms=[platform])
    page = client.get(f'/firms/{twin.id}').get_data(as_text=True)
    assert '可能重复的企业' in page and housed.name in page and elsewhere.name not in page
    assert '/merge' not in page  # park managers do not edit firms


def test_merged_and_deleted_firms_are_not_offered(client, factories, logged_in):
    gone = factories.firm('杭州某某科技有限公司')
    factories.delete_firm(gone)
    firm = factories.firm('某某科技股份有限公司')
    logged_in('officer')
    assert '可能重复的企业' not in client.get(f'/firms/{firm.id}').get_data(as_text=True)
