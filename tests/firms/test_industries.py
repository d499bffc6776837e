"""The full GB/T 4754-2017 classification: every class is valid on forms, list filters, imports and the API, picked by
typing part of a code or name (a small suggestion endpoint); `crm seed` adds missing rows to an existing database."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from crm.firms.models import Firm, Industry
from crm.leads.models import Lead
from tests.conftest import post_form

SAMPLE = {'0111': '稻谷种植', '2522': '煤制合成气生产', '3973': '集成电路制造', '3969': '其他智能消费设备制造',
          '5267': '机动车充电销售', '6450': '互联网数据服务', '7123': '文化用品设备出租', '7517': '三维（3D）打印技术推广服务',
          '8492': '临床检验服务', '9700': '国际组织'}


def test_the_whole_classification_is_seeded(db_session):
    counts = dict(db_session.execute(select(Industry.level, func.count()).group_by(Industry.level)).all())
    assert counts == {'section': 20, 'division': 97, 'group': 473, 'class': 1381}
    names = dict(db_session.execute(select(Industry.code, Industry.name).where(Industry.code.in_(SAMPLE))).all())
    assert names == SAMPLE
    levels = dict(db_session.execute(select(Industry.code, Industry.level)).all())
    classes = db_session.execute(select(Industry.code, Industry.parent).where(Industry.level == 'class')).all()
    assert all(levels[parent] == 'group' and code[:3] == parent for code, parent in classes)
    assert {parent for _code, parent in classes} == {c for c, level in levels.items() if level == 'group'}


def test_seed_adds_missing_classes_to_an_existing_database_and_stays_idempotent(in_app, db_session):
    from crm.firms.services import seed_industries

    with in_app():
        from crm.db import db

        db.session.execute(delete(Industry).where(Industry.code.in_(['6450', '3973', '0111'])))
        db.session.execute(Industry.__table__.update().where(Industry.code == '6513').values(name='旧名称'))
        assert seed_industries() == {'industries_created': 3, 'industries_updated': 1}
        assert seed_industries() == {'industries_created': 0, 'industries_updated': 0}
        assert db.session.get(Industry, '6450').name == '互联网数据服务'
        db.session.commit()


@pytest.mark.parametrize('typed', ['6450', '6450 互联网数据服务', '互联网数据服务'])
def test_a_firm_of_class_6450_is_saved(client, logged_in, db_session, typed):
    logged_in('officer')
    response = post_form(client, '/firms/new', {'name': f'数据服务企业{len(typed)}有限公司', 'industry_code': typed})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert db_session.scalar(select(Firm.industry_code).where(Firm.name == f'数据服务企业{len(typed)}有限公司')) == '6450'


def test_an_unknown_code_is_refused_and_the_form_keeps_what_was_typed(client, logged_in, db_session):
    logged_in('officer')
    response = post_form(client, '/firms/new', {'name': '未知行业企业有限公司', 'industry_code': '6459 不存在',
                                               'legal_rep': '张三'})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and '行业代码不存在' in html
    assert 'value="6459 不存在"' in html and 'value="张三"' in html and 'value="未知行业企业有限公司"' in html


def test_lead_and_inline_new_firm_take_any_class(client, logged_in, db_session):
    logged_in('officer')
    response = post_form(client, '/leads/new', {'title': '充电站项目', 'source': '以商招商', 'priority': '中',
                                               'industry_code': '5267 机动车充电销售', 'firm_id': '',
                                               'new_firm_name': '杭州充电网络科技有限公司',
                                               'new_firm_industry': '集成电路制造'})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    lead = db_session.scalars(select(Lead).where(Lead.title == '充电站项目')).one()
    assert (lead.industry_code, lead.firm.industry_code) == ('5267', '3973')


def test_forms_offer_the_picker_instead_of_the_whole_list(client, logged_in):
    logged_in('officer')
    for url, name in (('/firms/new', 'industry_code'), ('/leads/new', 'industry_code'),
                      ('/leads/new', 'new_firm_industry')):
        html = client.get(url).get_data(as_text=True)
        assert f'name="{name}"' in html and 'hx-get="/firms/industries"' in html, url
        assert '稻谷种植' not in html and len(html) < 60_000, url  # no 1,900-option list inline
        assert '<script>' not in html


def test_suggestions_by_code_prefix_or_name_part(client, logged_in):
    logged_in('firm')  # every signed-in role may look the classification up
    by_code = client.get('/firms/industries?q=645').get_data(as_text=True)
    assert '<option value="6450 互联网数据服务">' in by_code and '<option value="645 互联网数据服务">' in by_code
    assert '6513' not in by_code
    by_name = client.get('/firms/industries?q=集成电路').get_data(as_text=True)
    assert '3973 集成电路制造' in by_name and '6520 集成电路设计' in by_name
    many = client.get('/firms/industries?q=制造').get_data(as_text=True)
    assert 0 < many.count('<option') <= 12
    # htmx sends the input under its own name
    assert '6450 互联网数据服务' in client.get('/firms/industries?new_firm_industry=6450').get_data(as_text=True)
    assert client.get('/firms/industries?q=%25').get_data(as_text=True).count('<option') == 0
    assert client.get('/firms/industries').status_code == 200


def test_suggestions_need_a_signed_in_user(client):
    response = client.get('/firms/industries?q=645')
    assert response.status_code == 302 and '/login' in response.headers['Location']


def test_list_filters_take_a_picked_class(client, factories, logged_in):
    factories.firm('数据筛选企业有限公司', industry_code='6450')
    factories.firm('软件筛选企业有限公司', industry_code='6513')
    logged_in('officer')
    for value in ('6450', '6450 互联网数据服务', '互联网数据服务', '64'):
        html = client.get('/firms/', query_string={'industry': value, 'q': '筛选企业'}).get_data(as_text=True)
        assert '数据筛选企业有限公司' in html and '软件筛选企业有限公司' not in html, value
    html = client.get('/firms/', query_string={'industry': '6513 应用软件开发', 'q': '筛选企业'}).get_data(as_text=True)
    assert '软件筛选企业有限公司' in html and '数据筛选企业有限公司' not in html
    assert 'hx-get="/firms/industries"' in html


def test_lead_list_filter_takes_a_picked_class(client, factories, logged_in, in_app):
    from crm.db import db

    firm = factories.firm('筛选项目企业有限公司')
    lead = factories.lead(firm, title='数据中心筛选项目')
    factories.lead(firm, title='软件筛选项目')
    with in_app():
        db.session.get(Lead, lead.id).industry_code = '6450'
        db.session.commit()
    logged_in('leader')
    html = client.get('/leads/', query_string={'industry': '6450 互联网数据服务', 'view': 'list'}).get_data(as_text=True)
    assert '数据中心筛选项目' in html and '软件筛选项目' not in html


def test_import_accepts_any_class(in_app):
    from crm.core.spreadsheets import read_table
    from crm.firms.imports import import_firms

    data = '企业名称,所属行业\n导入集成电路企业有限公司,3973\n导入充电企业有限公司,机动车充电销售\n'.encode('utf-8-sig')
    with in_app():
        report = import_firms(read_table('firms.csv', data))
    assert (report.imported, report.errors) == (2, [])
