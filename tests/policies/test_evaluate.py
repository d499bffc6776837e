"""The evaluator (no database): every operator, formula, cap, schedule and unknown-data rule. Its texts are in the
current language: Chinese by default (these tests read them inside a request of the app), English when forced."""
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.policies.evaluate import (
    CONDITIONAL,
    ELIGIBLE,
    MET,
    NOT_ELIGIBLE,
    UNKNOWN,
    UNMET,
    evaluate_condition,
    evaluate_policy,
)


@pytest.fixture(scope='module', autouse=True)
def _chinese_by_default():
    """A bare Flask app with the product's catalog and default language (no database needed)."""
    from pathlib import Path

    from flask import Flask
    from flask_babel import Babel

    import crm

    bare = Flask(__name__)
    Babel(bare, default_locale='zh_Hans_CN',
          default_translation_directories=str(Path(crm.__file__).parent / 'translations'))
    with bare.app_context():
        yield


@dataclass
class Clause:
    kind: str = '房租补助'
    formula: str = 'fixed'
    amount: Decimal | None = None
    percent: Decimal | None = None
    base: str | None = None
    rate: Decimal | None = None
    schedule: list = field(default_factory=list)
    cap_year: Decimal | None = None
    cap_total: Decimal | None = None
    conditions: list = field(default_factory=list)
    note: str | None = None


@dataclass
class Policy:
    clauses: list
    title: str = '测试政策'
    amounts_public: bool = True
    id: int = 1
    industries: list = field(default_factory=list)
    platform_names: list = field(default_factory=list)


@pytest.mark.parametrize('op,value,actual,expected', [
    ('eq', '拱墅区', '拱墅区', MET), ('eq', '拱墅区', '滨江区', UNMET), ('neq', '滨江区', '拱墅区', MET),
    ('in', ['A', 'B'], 'B', MET), ('in', ['A', 'B'], 'C', UNMET), ('prefix', ['65', '64'], '6513', MET),
    ('prefix', '72', '6513', UNMET), ('gte', 5000, Decimal('5000'), MET), ('gte', 5000, 4999, UNMET),
    ('lte', 100, 80, MET), ('lte', 100, 120, UNMET), ('between', [10, 20], 15, MET), ('between', [10, 20], 25, UNMET),
    ('has', ['总部', '上市'], ['总部', '上市', '规上'], MET), ('has', ['总部', '上市'], ['总部'], UNMET),
    ('has_any', ['总部', '上市'], ['上市'], MET), ('has_any', ['总部'], ['规上'], UNMET),
    ('gte', 5000, None, UNKNOWN), ('has', ['总部'], [], UNKNOWN),
])
def test_each_operator(op, value, actual, expected):
    result = evaluate_condition({'field': 'x', 'op': op, 'value': value}, {'x': actual})
    assert result.status == expected
    assert result.used == (None if expected == UNKNOWN else actual)


def test_fixed_amount_with_met_unknown_and_unmet_conditions():
    clause = Clause(formula='fixed', amount=Decimal(100), conditions=[{'field': 'investment', 'op': 'gte',
                                                                      'value': 5000}])
    met = evaluate_policy(Policy([clause]), {'investment': 6000})
    assert (met.level, met.low, met.high, met.amount_text) == (ELIGIBLE, 100, 100, '约 100.00 万元（一次性）')
    unknown = evaluate_policy(Policy([clause]), {})
    assert (unknown.level, unknown.low, unknown.high) == (CONDITIONAL, 0, 100)
    unmet = evaluate_policy(Policy([clause]), {'investment': 10})
    assert (unmet.level, unmet.low, unmet.high) == (NOT_ELIGIBLE, None, None)


def test_percent_of_base_with_caps_and_an_unknown_base_gives_a_range():
    clause = Clause(formula='percent', percent=Decimal(10), base='rd_spend', cap_year=Decimal(50), cap_total=Decimal(50))
    assert evaluate_policy(Policy([clause]), {'rd_spend': 300}).high == Decimal(30)
    assert evaluate_policy(Policy([clause]), {'rd_spend': 9000}).high == Decimal(50)
    unknown = evaluate_policy(Policy([clause]), {})
    assert (unknown.low, unknown.high) == (0, 50)


def test_multi_year_schedule_with_yearly_and_total_caps():
    clause = Clause(formula='schedule', base='rent', schedule=[100, 50, 50], cap_year=Decimal(60),
                    cap_total=Decimal(120))
    result = evaluate_policy(Policy([clause]), {'rent': 80})
    assert [y[0] for y in result.clauses[0].yearly] == [60, 40, 20], 'the total cap binds in the year it is reached'
    assert result.high == 120  # 60 + 40 + 40 = 140, capped at 120
    assert (result.years, result.basis, result.amount_text) == (3, '3 年合计', '约 120.00 万元（3 年合计）')
    short = evaluate_policy(Policy([clause]), {'rent': 80}, term_years=2)
    assert (short.high, short.basis) == (100, '2 年合计'), 'only the years of the term count'


def test_per_square_metre_rate():
    clause = Clause(formula='per_m2', rate=Decimal(300), cap_year=Decimal(60))
    assert evaluate_policy(Policy([clause]), {'leased_area': 1000}).high == Decimal(30)
    assert evaluate_policy(Policy([clause]), {'leased_area': 5000}).high == Decimal(60)


def test_policy_without_public_amounts_never_gets_one():
    clause = Clause(formula='fixed', amount=Decimal(100))
    result = evaluate_policy(Policy([clause], amounts_public=False), {})
    assert result.amount_text == '金额未公开' and result.low is None and result.high is None


CONDITIONS = [{'field': 'investment', 'op': 'gte', 'value': 1000}, {'field': 'headcount', 'op': 'lte', 'value': 50},
              {'field': 'tags', 'op': 'has_any', 'value': ['总部']}, {'field': 'industry_code', 'op': 'prefix',
                                                                     'value': '65'}]
VALUES = {'investment': st.integers(0, 3000), 'headcount': st.integers(0, 100),
          'tags': st.sampled_from([['总部'], ['规上']]), 'industry_code': st.sampled_from(['6513', '7261'])}


@given(st.fixed_dictionaries({k: st.one_of(st.none(), v) for k, v in VALUES.items()}),
       st.fixed_dictionaries({k: v for k, v in VALUES.items()}))
def test_adding_missing_data_never_turns_an_unmet_policy_eligible(partial, complete):
    policy = Policy([Clause(formula='fixed', amount=Decimal(10), conditions=CONDITIONS)])
    before = evaluate_policy(policy, partial)
    filled = {k: (v if v is not None else complete[k]) for k, v in partial.items()}
    after = evaluate_policy(policy, filled)
    if before.level == NOT_ELIGIBLE:
        assert after.level == NOT_ELIGIBLE
    assert after.level in (ELIGIBLE, NOT_ELIGIBLE)


def test_a_policy_whose_own_platforms_or_industries_exclude_the_subject_is_not_eligible_and_says_why():
    policy = Policy([Clause(formula='fixed', amount=Decimal(10))], industries=['人力资源服务'],
                    platform_names=['中国(杭州)人力资源服务产业园'])
    out = evaluate_policy(policy, {'industry': ['电竞数娱'], 'platform': ['电竞数娱产业园']})
    assert out.level == NOT_ELIGIBLE and out.low is None and out.amount_text == '—'
    assert out.reasons == ['适用平台：中国(杭州)人力资源服务产业园（本项目：电竞数娱产业园）',
                           '适用产业：人力资源服务（本项目：电竞数娱）']
    from crm.core.i18n import in_language
    with in_language('en'):
        assert out.reasons == ['Platforms covered: 中国(杭州)人力资源服务产业园 (this project: 电竞数娱产业园)',
                               'Industries covered: Human resources services (this project: E-sports and digital '
                               'entertainment)'], 'platform names stay as they are; industries are translated'
    fits = evaluate_policy(policy, {'industry': ['人力资源服务'], 'platform': ['中国(杭州)人力资源服务产业园']})
    assert (fits.level, fits.low, fits.high) == (ELIGIBLE, 10, 10)
    unknown = evaluate_policy(policy, {'industry': ['人力资源服务']})
    assert (unknown.level, unknown.low, unknown.high) == (CONDITIONAL, 0, 10), 'unknown platform: a range'
    assert evaluate_policy(Policy([Clause(formula='fixed', amount=Decimal(10))], industries=['大数据']),
                           {'industry': ['数字经济']}).level != NOT_ELIGIBLE, 'industry words are read as the plans do'


def test_an_unknown_condition_gives_a_range_low_end_fails_high_end_holds():
    clause = Clause(formula='schedule', base='rent', schedule=[100, 50], cap_year=Decimal(100),
                    conditions=[{'field': 'headcount', 'op': 'gte', 'value': 20}])
    out = evaluate_policy(Policy([clause]), {'rent': Decimal('65.70')})
    assert out.level == CONDITIONAL and out.clauses[0].yearly == [(0, Decimal('65.70')), (0, Decimal('32.85'))]
    assert out.amount_text == '0.00 – 98.55 万元（2 年合计）'
    from crm.core.i18n import in_language
    with in_language('en'):
        assert out.amount_text == '0.00 – 98.55 × 10k yuan (2 years in total)'
        assert out.clauses[0].conditions[0].text == 'Headcount at least 20'
    assert evaluate_policy(Policy([clause]), {'rent': Decimal('65.70'), 'headcount': 30}).low == Decimal('98.55')
