"""USCC, phone and firm-name rules (no database)."""
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from crm.core.validators import InvalidValue, display_phone, firm_name_key, make_uscc, normalise_phone, validate_uscc


def test_known_good_code_and_a_bad_check_character():
    assert validate_uscc('91110000600037341L') == '91110000600037341L'
    with pytest.raises(InvalidValue, match='校验位'):
        validate_uscc('91110000600037341M')


def test_letter_authority_codes_are_accepted_although_stdnum_rejects_them():
    body = 'N2330105ABCDEFGH1'
    code = body + stdnum_uscc.calc_check_digit(body)
    assert not stdnum_uscc.is_valid(code)
    assert validate_uscc(code) == code


def test_full_width_and_spaces_are_folded():
    assert validate_uscc('９１１１ 0000-600037341l') == '91110000600037341L'


@given(st.integers(0, 10_000))
def test_generated_demo_codes_are_valid(seed):
    assert validate_uscc(make_uscc(random.Random(seed)))


@pytest.mark.parametrize('bad', ['', '123', '91110000600037341O', '9111000060003734IL', 'X' * 18])
def test_malformed_codes_are_refused_with_a_chinese_message(bad):
    with pytest.raises(InvalidValue) as info:
        validate_uscc(bad)
    assert '统一社会信用代码' in str(info.value)


def test_phones():
    assert normalise_phone('138 1234 5678') == '+8613812345678'
    assert normalise_phone('0571-8888 8888') == '+8657188888888'
    assert display_phone('+8613812345678', masked=True) == '138****5678'
    with pytest.raises(InvalidValue):
        normalise_phone('12345')


@pytest.mark.parametrize('a,b', [('阿里巴巴（中国）有限公司', '阿里巴巴'), ('ＡＢＣ科技股份有限公司', 'abc 科技'),
                                 ('杭州云图(杭州)集团有限公司', '杭州云图')])
def test_name_keys_match_the_usual_variants(a, b):
    assert firm_name_key(a) == firm_name_key(b)


def test_demo_industry_codes_exist_in_the_classification():
    from crm.core.industries import classification_rows
    from crm.firms.services import DEMO_TRADES

    codes = {row['code'] for row in classification_rows()}
    assert {code for _trade, code in DEMO_TRADES} <= codes
