"""Importing projects' yearly actuals through the shared import page: every problem of a row in Chinese, amounts with
thousands separators (half- and full-width), scope and signing checked, shortfalls on the project's page, idempotence,
and undoing the import (refused, naming the year, once the figures were corrected by hand)."""
import csv
import io
from decimal import Decimal

from sqlalchemy import select

from crm.core import clock
from crm.leads.aftercare import ProjectActual
from crm.leads.models import Lead
from tests.conftest import csrf_from

HEADER = ['项目编号', '项目名称', '年份', '实际投资(万元)', '实际税收(万元)', '实际就业(人)', '数据来源']
URL = '/projects/actuals/import'


def _csv(rows, encoding='utf-8-sig') -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, *rows])
    return buffer.getvalue().encode(encoding)


def _post(client, *, data=b'', action='preview', token=None):
    page = client.get(URL)
    form = {'csrf_token': csrf_from(page.data), 'action': action}
    if token:
        form['token'] = token
    else:
        form['file'] = (io.BytesIO(data), 'actuals.csv')
    return client.post(URL, data=form, content_type='multipart/form-data')


def test_officer_imports_yearly_actuals_and_can_undo_them(client, factories, logged_in, db_session, in_app):
    officer = logged_in('officer')
    mine = factories.lead(owner=officer, stage='签约', title='实绩导入项目')
    other = factories.lead(owner=factories.user('officer'), stage='签约', title='别人的签约项目')
    talking = factories.lead(owner=officer, stage='洽谈', title='还在洽谈的项目')
    with in_app():
        lead = db_session.get(Lead, mine.id)
        lead.investment, lead.annual_tax, lead.jobs = Decimal(5000), Decimal(300), 120
        db_session.add(ProjectActual(lead_id=mine.id, year=2023, investment=Decimal(800), tax=None, jobs=50,
                                     source='企业自报'))
        db_session.commit()
    last = clock.today().year - 1
    data = _csv([
        [str(mine.id), '', str(last), '1,234.5', '２８０', '100', '税务数据'],
        ['', '实绩导入项目', '2023', '900', '', '60', '统计报表'],
        ['', '别人的签约项目', str(last), '1', '', '', '企业自报'],
        [str(talking.id), '', str(last), '1', '', '', '企业自报'],
        [str(mine.id), '', '1999', '-5', '很多', '', ''],
        ['', '', str(last), '', '', '', '企业自报'],
        [str(mine.id), '', str(last), '1', '', '', '重复'],
    ], encoding='gb18030')
    html = _post(client, data=data).get_data(as_text=True)
    for message in ('无权录入该项目的实绩', '项目尚未签约', '年份应在 2000 到', '实际投资应在 0 到', '实际税收不是数字',
                    '请注明数据来源', '请填写项目编号或项目名称', '请至少填写一项实际数据', '与第 2 行重复'):
        assert message in html, message
    assert '<td rowspan="4">6</td>' in html  # year, investment, tax and source of one row
    assert '<strong>1</strong><span>条新增' in html and '<strong>1</strong><span>条更新' in html
    token = html.split('name="token" value="')[1].split('"')[0]
    done = _post(client, action='confirm', token=token)
    assert done.status_code == 302
    record = done.headers['Location']
    stored = {a.year: a for a in db_session.scalars(select(ProjectActual).where(ProjectActual.lead_id == mine.id))}
    assert (stored[last].investment, stored[last].tax, stored[last].jobs, stored[last].source) == \
        (Decimal('1234.50'), Decimal('280.00'), 100, '税务数据')
    assert (stored[2023].investment, stored[2023].jobs, stored[2023].source) == (Decimal('900.00'), 60, '统计报表')
    assert not db_session.scalars(select(ProjectActual).where(ProjectActual.lead_id.in_([other.id, talking.id]))).all()
    page = client.get(f'/projects/{mine.id}/performance').get_data(as_text=True)
    assert '1,234.5<' in page and '税务数据' in page and 'data-shortfall="tax"' in page
    again = _post(client, data=data).get_data(as_text=True)
    assert '<strong>2</strong><span>条未变化' in again
    # corrected by hand after the import: the undo is refused and names the year
    with in_app():
        db_session.get(ProjectActual, stored[2023].id).jobs = 61
        db_session.commit()
    refused = client.post(record + '/revert', data={'csrf_token': csrf_from(client.get(record).data)},
                          follow_redirects=True).get_data(as_text=True)
    assert '无法撤销这次导入' in refused and '实绩「实绩导入项目 2023 年」（导入后又被修改）' in refused
    with in_app():
        db_session.get(ProjectActual, stored[2023].id).jobs = 60
        db_session.commit()
    undone = client.post(record + '/revert', data={'csrf_token': csrf_from(client.get(record).data)},
                         follow_redirects=True).get_data(as_text=True)
    assert '已撤销导入：删除 1 条记录，恢复 1 条记录的原值' in undone
    db_session.expire_all()
    left = {a.year: a for a in db_session.scalars(select(ProjectActual).where(ProjectActual.lead_id == mine.id))}
    assert set(left) == {2023} and (left[2023].investment, left[2023].jobs, left[2023].source) == \
        (Decimal('800.00'), 50, '企业自报')


def test_only_staff_who_edit_leads_reach_the_actuals_import(client, logged_in):
    logged_in('park_manager')
    assert client.get(URL).status_code == 403
