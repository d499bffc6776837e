"""Shared validators: 统一社会信用代码 (USCC), Chinese phone numbers, firm-name keys for duplicate detection."""
from __future__ import annotations

import random
import re
import unicodedata

import phonenumbers
from stdnum.cn import uscc as stdnum_uscc
from werkzeug.routing import IntegerConverter

from crm.core.i18n import gettext as _

USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY'
USCC_PATTERN = re.compile(r'^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$')
_BRACKETS = re.compile(r'[(（\[【][^)）\]】]*[)）\]】]')
_SUFFIXES = re.compile(r'(股份有限公司|有限责任公司|有限公司|集团|股份|公司)')


class InvalidValue(ValueError):
    """A value failed validation; the message is Chinese first."""


def compact_uscc(value: str) -> str:
    """Uppercase, full-width folded, spaces and hyphens removed."""
    return re.sub(r'[\s\-]', '', unicodedata.normalize('NFKC', value or '')).upper()


def validate_uscc(value: str) -> str:
    """The compact code if it is a valid USCC (GB 32100-2015), else InvalidValue.

    python-stdnum checks the MOD-31 check character but rejects codes whose registration-authority
    character is a letter (N, A, Y …), which are valid; so the format is checked here and stdnum
    only computes the check character.
    """
    code = compact_uscc(value)
    if len(code) != 18:
        raise InvalidValue(_('A unified social credit code has 18 characters (this one has %(count)s)', count=len(code)))
    if not USCC_PATTERN.match(code):
        raise InvalidValue(_('The unified social credit code has characters it may not have (I, O, S, V, Z are not used)'))
    if stdnum_uscc.calc_check_digit(code[:17]) != code[17]:
        raise InvalidValue(_('The check character of the unified social credit code is wrong; check the last character'))
    return code


def make_uscc(rng: random.Random, *, region: str = '330105') -> str:
    """A syntactically valid USCC for demo data (registration authority 9 = 工商, class 1 = 企业)."""
    body = '91' + region + ''.join(rng.choice(USCC_CHARS) for _ in range(9))
    return body + stdnum_uscc.calc_check_digit(body)


def normalise_phone(value: str) -> str:
    """A Chinese mobile or landline number in E.164 form (+8613812345678), else InvalidValue."""
    text = unicodedata.normalize('NFKC', value or '').strip()
    try:
        number = phonenumbers.parse(text, 'CN')
    except phonenumbers.NumberParseException as exc:
        raise InvalidValue(_('Phone number not understood: %(text)s', text=text[:30])) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidValue(_('Invalid phone number: %(text)s', text=text[:30]))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str | None, *, masked: bool = False) -> str:
    """National format for display; masked keeps the first three and last four digits (lists)."""
    if not e164:
        return ''
    number = phonenumbers.parse(e164, 'CN')
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    if not masked:
        return national
    digits = [c for c in national if c.isdigit()]
    if len(digits) < 8:
        return national
    return ''.join(digits[:3]) + '****' + ''.join(digits[-4:])


def firm_name_key(name: str) -> str:
    """The name with forms, brackets, legal-form words and spaces removed: 阿里巴巴（中国）有限公司 → 阿里巴巴."""
    text = unicodedata.normalize('NFKC', name or '').casefold()
    text = _BRACKETS.sub('', text)
    text = _SUFFIXES.sub('', text)
    return re.sub(r'[\s·.,，、\-]', '', text)


MAX_RECORD_ID = 2**31 - 1  # the largest key either database stores in an integer column


def record_id(text: str) -> int:
    """A record id from a query string or form (`request.args.get(name, type=record_id)`): digits naming a
    storable key, else ValueError, which Werkzeug turns into the default (no filter, not a 500)."""
    value = int(text)
    if not 0 < value <= MAX_RECORD_ID:
        raise ValueError(f'not a record id: {text!r}')
    return value


def _numbers_up_to(limit: int) -> str:
    """A regular expression for the decimal numbers 1..limit, written without leading zeros."""
    digits = str(limit)
    options = [rf'[1-9]\d{{0,{len(digits) - 2}}}'] if len(digits) > 1 else []  # fewer digits
    for i, digit in enumerate(digits):  # as many digits: equal up to i, smaller at i, anything after
        low, rest = (1 if i == 0 else 0), len(digits) - i - 1
        if int(digit) > low:
            options.append(f'{digits[:i]}[{low}-{int(digit) - 1}]' + (rf'\d{{{rest}}}' if rest else ''))
    return '(?:' + '|'.join([*options, digits]) + ')'


class RecordIdConverter(IntegerConverter):
    """The `<int:…>` of every route: only a number a record can have (1 … the largest storable key) matches, so no
    view ever hands the database an id it cannot bind, and any other number is a 404 (the rule does not match;
    a check after matching would answer 405 where another method of the same address exists)."""

    regex = _numbers_up_to(MAX_RECORD_ID)

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_RECORD_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
