"""The shared number field: what parses as a decimal but cannot be compared or shown again is refused."""
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from crm.core.forms import BaseForm, DecimalField


class Amount(BaseForm):
    class Meta:
        csrf = False

    amount = DecimalField(places=2)


@pytest.mark.nodb
@pytest.mark.parametrize('typed, error', [('NaN', '请输入数字'), ('sNaN', '请输入数字'), ('-Infinity', '请输入数字'),
                                          ('1e999999999', '数值过大'), ('9' * 16, '数值过大')])
def test_unusable_numbers_are_refused_and_leave_no_value(app, typed, error):
    with app.test_request_context(headers={'Accept-Language': 'zh-CN'}):
        form = Amount(formdata=MultiDict({'amount': typed}))
        assert not form.validate()
        assert form.amount.data is None and any(error in str(e) for e in form.amount.errors)


@pytest.mark.nodb
def test_ordinary_numbers_pass(app):
    with app.test_request_context():
        form = Amount(formdata=MultiDict({'amount': ' 123456789012345 '}))  # 15 digits: the most accepted
        assert form.validate(), form.errors
        assert form.amount.data == Decimal('123456789012345')
