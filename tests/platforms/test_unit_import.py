"""Unit import: preview then confirm, per-row Chinese errors, scope, idempotence, round trip, hostile files."""
import csv
import io
import time
import zipfile

import pytest
from sqlalchemy import func, select

from crm.core.spreadsheets import SpreadsheetError, read_table
from crm.platforms.models import Unit
from tests.conftest import csrf_from

HEADER = ['平台', '楼宇', '楼层', '房号', '建筑面积(㎡)', '使用面积(㎡)', '用途', '装修', '租金(元/㎡·天)', '物业费(元/㎡·月)',
          '可租日期', '状态', '备注']


def _csv(rows, encoding='utf-8-sig') -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, *rows])
    return buffer.getvalue().encode(encoding)


def _upload(client, data: bytes, name='units.csv', action='preview', token=None):
    page = client.get('/platforms/units/import')
    form = {'csrf_token': csrf_from(page.data), 'action': action}
    if token:
        form['token'] = token
    else:
        form['file'] = (io.BytesIO(data), name)
    return client.post('/platforms/units/import', data=form, content_type='multipart/form-data')


def test_preview_reports_bad_rows_then_confirm_imports_the_good_ones(client, factories, logged_in, db_session):
    own, other = factories.platform('导入园'), factories.platform('别人的园')
    logged_in('park_manager', platforms=[own])
    data = _csv([
        ['导入园', '一号楼', '3', '301', '２００', '160', '办公', '精装', '3.6', '15', '2026年12月1日', '空置', '=1+1'],
        ['导入园', '一号楼', '3', '302', '一百', '', '', '', '', '', '', '', ''],
        ['导入园', '一号楼', '3', '301', '120', '', '', '', '', '', '', '', ''],
        ['别人的园', '楼', '1', '101', '100', '', '', '', '', '', '', '', ''],
        ['导入园', '一号楼', '4', '401', '100', '120', '', '', '', '', '45992', '', ''],
    ], encoding='gb18030')
    preview = _upload(client, data)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and '检查结果（尚未保存）' in html
    for message in ('建筑面积不是数字', '与第 2 行重复', '无权维护该平台的房源', '使用面积不能大于建筑面积'):
        assert message in html
    assert db_session.scalar(select(func.count(Unit.id)).where(Unit.platform_id == own.id)) == 0
    token = html.split('name="token" value="')[1].split('"')[0]
    confirm = _upload(client, b'', action='confirm', token=token)
    assert confirm.status_code == 302
    unit = db_session.scalars(select(Unit).where(Unit.platform_id == own.id)).one()
    assert (unit.number, str(unit.area_gross), unit.note) == ('301', '200.00', '=1+1')
    assert db_session.scalar(select(func.count(Unit.id)).where(Unit.platform_id == other.id)) == 0
    again = _upload(client, data).get_data(as_text=True)
    assert '套未变化' in again and '<strong>0</strong><span>条新增' in again


def test_export_then_import_round_trip_changes_nothing(client, factories, logged_in, db_session):
    platform = factories.platform('往返园')
    building = factories.building(platform, name='往返楼')
    factories.unit(building, number='101', note='+86 电话')
    factories.unit(building, number='102', rent=None)
    logged_in('park_manager', platforms=[platform])
    exported = client.get(f'/platforms/vacancies.xlsx?platform_id={platform.id}').data
    html = _upload(client, exported, name='export.xlsx').get_data(as_text=True)
    assert '<strong>2</strong><span>套未变化' in html and '行有错误' in html and '<strong>0</strong><span>行有错误' in html


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize('kind', ['bomb', 'entries', 'laughs', 'renamed', 'macro'])
def test_hostile_files_are_refused_quickly(kind):
    if kind == 'bomb':
        data, name = _zip({'xl/workbook.xml': b'<x/>', 'xl/worksheets/sheet1.xml': b'\0' * 300_000_000}), 'b.xlsx'
    elif kind == 'entries':
        data, name = _zip({f'xl/f{i}.xml': b'<x/>' for i in range(300)} | {'xl/workbook.xml': b'<x/>'}), 'e.xlsx'
    elif kind == 'laughs':
        lol = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">' +
               b''.join(b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b'&' + bytes([97 + i]) + b';') * 10)
                        for i in range(8)) + b']><workbook>&i;</workbook>')
        data, name = _zip({'[Content_Types].xml': lol, 'xl/workbook.xml': lol}), 'l.xlsx'
    elif kind == 'renamed':
        data, name = b'this is not a zip file at all' * 10, 'r.xlsx'
    else:
        data, name = _zip({'xl/workbook.xml': b'<x/>', 'xl/vbaProject.bin': b'macro'}), 'm.xlsm'
    start = time.perf_counter()
    with pytest.raises(SpreadsheetError):
        read_table(name, data)
    assert time.perf_counter() - start < 2
