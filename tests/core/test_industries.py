"""The industry vocabulary (crm.core.industries): one list of words per canonical industry, the code prefixes under
each, and the GB/T 4754-2017 classification read from seeds/industries.csv, all without a database."""
from __future__ import annotations

from collections import Counter

import pytest

from crm.core import industries

pytestmark = pytest.mark.nodb


def test_a_code_falls_under_the_industry_of_its_longest_known_prefix():
    assert industries.industries_of_code('6450') == {'数字经济'}
    assert industries.industries_of_code('5292') == {'跨境电商'} and industries.industries_of_code('5211') == {'商贸'}
    assert industries.industries_of_code('8770') == {'电竞数娱'} and industries.industries_of_code('8610') == {'文创'}
    assert industries.industries_of_code('0111') == set() and industries.industries_of_code(None) == set()
    assert sorted(industries.codes_of('跨境电商')) == ['529', '5292']


def test_texts_and_labels_name_industries_by_their_words():
    assert industries.industries_of_text('杭州某电竞俱乐部与跨境电子商务园') == {'电竞数娱', '跨境电商'}
    assert industries.industry_names(['大数据', '孵化器']) == {'数字经济', '科技服务'}
    assert industries.industry_names([]) == set()
    words = industries.naming_words()
    assert [len(w) for w, _name in words] == sorted((len(w) for w, _name in words), reverse=True)
    assert ('跨境电子商务', '跨境电商') in words and ('AI', '人工智能') not in words and ('金融', '金融') in words


def test_the_plan_parser_tags_paragraphs_with_the_same_words():
    from crm.plans.parsing import DEFAULT_INDUSTRY_KEYWORDS

    assert DEFAULT_INDUSTRY_KEYWORDS is industries.KEYWORDS


def test_the_classification_is_read_whole_from_its_seed_file():
    rows = industries.classification_rows()
    assert Counter(row['level'] for row in rows) == {'section': 20, 'division': 97, 'group': 473, 'class': 1381}
    assert {'code': '5267', 'name': '机动车充电销售'}.items() <= next(r for r in rows if r['code'] == '5267').items()
