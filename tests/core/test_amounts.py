"""Amounts with thousands separators: boxes accept 1,234.5, 1，234.5 and full-width digits, show the stored value
grouped (1,234.50) and marked for the page's script; lists and detail pages print amounts grouped."""
from decimal import Decimal

from sqlalchemy import select

from crm.leads.models import Lead
from crm.platforms.models import Unit
from tests.conftest import post_form


def test_lead_amounts_accept_separators_and_show_them_in_the_form_list_and_page(client, factories, logged_in,
                                                                                db_session):
    logged_in('officer')
    firm = factories.firm('千分位企业有限公司')
    created = post_form(client, '/leads/new', {
        'title': '千分位项目', 'source': '以商招商', 'priority': '中', 'firm_id': str(firm.id),
        'investment': '12,345.5', 'annual_tax': '1，234.5', 'space_need_m2': '２，５００'})
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    lead = db_session.scalar(select(Lead).where(Lead.title == '千分位项目'))
    assert (lead.investment, lead.annual_tax, lead.space_need_m2) == (Decimal('12345.50'), Decimal('1234.50'),
                                                                      Decimal('2500.00'))
    form = client.get(f'/leads/{lead.id}/edit').get_data(as_text=True)
    assert 'name="investment"' in form and 'value="12,345.50"' in form and 'value="1,234.50"' in form
    box = form.split('name="investment"')[0].rsplit('<input', 1)[1] + form.split('name="investment"')[1].split('>')[0]
    assert 'data-amount' in box and 'inputmode="decimal"' in box
    # a text box: a browser's number box cannot hold "12,345.50" and would show and send nothing
    assert 'type="text"' in box and 'type="number"' not in box
    assert '12,345.5' in client.get('/leads/?q=千分位').get_data(as_text=True)
    page = client.get(f'/leads/{lead.id}').get_data(as_text=True)
    assert '12,345.5' in page and '1,234.5' in page and '2,500' in page
    wrong = post_form(client, '/leads/new', {'title': '错误分位项目', 'source': '以商招商', 'priority': '中',
                                             'firm_id': str(firm.id), 'investment': '1,23'})
    assert wrong.status_code == 422 and db_session.scalar(select(Lead.id).where(Lead.title == '错误分位项目')) is None


def test_unit_areas_accept_separators_and_the_vacancy_list_groups_them(client, factories, logged_in, db_session):
    platform = factories.platform('千分位园')
    building = factories.building(platform, name='千分位楼')
    logged_in('park_manager', platforms=[platform])
    made = post_form(client, f'/platforms/buildings/{building.id}/units/new', {
        'floor': '3', 'number': '301', 'area_gross': '12，000', 'area_usable': '9,800.5', 'use': '办公',
        'fitout': '简装', 'status': '空置'})
    assert made.status_code == 302, made.get_data(as_text=True)[:2000]
    unit = db_session.scalar(select(Unit).where(Unit.building_id == building.id))
    assert (unit.area_gross, unit.area_usable) == (Decimal('12000.00'), Decimal('9800.50'))
    assert '12,000' in client.get(f'/platforms/vacancies?platform={platform.id}').get_data(as_text=True)
    form = client.get(f'/platforms/units/{unit.id}').get_data(as_text=True)
    assert 'value="12,000.00"' in form and 'value="9,800.50"' in form
