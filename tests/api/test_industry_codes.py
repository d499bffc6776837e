"""The API takes every class of the GB/T 4754-2017 classification, by code or name."""


def test_api_accepts_any_class(factories, token_for, api):
    token = token_for(factories.user('officer'))
    firm = factories.firm()
    created = api('POST', '/leads', token, json={'title': '数据项目', 'firm_id': firm.id, 'source': '线上',
                                                 'industry_code': '6450'})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()['industry_code'] == '6450'
    made = api('POST', '/firms', token, json={'name': '接口数据企业有限公司', 'industry_code': '6450 互联网数据服务'})
    assert made.status_code == 201, made.get_json()
    assert made.get_json()['industry_code'] == '6450'
    assert api('GET', '/firms?industry=6450', token).status_code == 200
