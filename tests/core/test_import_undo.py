"""Spreadsheet imports through the HTTP stack: every mistake of a row is shown, the bad rows come back as a file (same
columns plus an explanation, CSV or XLSX as uploaded) that imports once fixed, each confirmed import has a record page,
and its runner or an administrator can undo it unless a record was changed since."""
import csv
import io
from decimal import Decimal

from sqlalchemy import func, select

from crm.core.audit import AuditEvent
from crm.core.import_batches import ImportBatch
from crm.firms.models import Firm
from crm.platforms.models import Unit, UnitStatusChange
from tests.conftest import csrf_from, login

FIRM_HEADER = ['企业名称', '统一社会信用代码', '员工人数', '成立日期', '标签', '备注']
UNIT_HEADER = ['平台', '楼宇', '楼层', '房号', '建筑面积(㎡)', '使用面积(㎡)', '状态']


def _csv(header, rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    return buffer.getvalue().encode('utf-8-sig')


def _xlsx(header, rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in [header, *rows]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _post(client, url: str, *, data: bytes = b'', name: str = 'firms.csv', action: str = 'preview', token=None):
    page = client.get(url)
    form = {'csrf_token': csrf_from(page.data), 'action': action}
    if token:
        form['token'] = token
    else:
        form['file'] = (io.BytesIO(data), name)
    return client.post(url, data=form, content_type='multipart/form-data')


def _token(html: str) -> str:
    return html.split('name="token" value="')[1].split('"')[0]


def _error_file_url(html: str) -> str:
    return html.split('href="/imports/error-rows/')[1].split('"')[0].join(('/imports/error-rows/', ''))


def _read(data: bytes, name: str) -> list[list[str]]:
    from crm.core.spreadsheets import read_table

    table = read_table(name, data)
    return [table.header, *(cells for _n, cells in table.rows)]


def _confirm(client, url: str, data: bytes, name: str):
    token = _token(_post(client, url, data=data, name=name).get_data(as_text=True))
    done = _post(client, url, action='confirm', token=token)
    assert done.status_code == 302 and done.headers['Location'].startswith('/imports/')
    return done.headers['Location']


def test_every_mistake_of_a_row_is_listed_and_the_bad_rows_come_back_as_a_csv_to_fix(client, logged_in, db_session):
    logged_in('officer')
    data = _csv(FIRM_HEADER, [
        ['全错企业有限公司', '91110000600037341X', '负五', '2019年2月30日', '外星', ''],
        ['好企业有限公司', '', '12', '2020-01-01', '', '=1+2'],
        ['', '', 'x', '', '', ''],
    ])
    html = _post(client, '/firms/import', data=data).get_data(as_text=True)
    for message in ('统一社会信用代码', '员工人数不是数字', '成立日期不存在', '未知标签', '缺少企业名称'):
        assert message in html, message
    assert html.count('<td rowspan="4">2</td>') == 1  # four problems of row 2, one row number
    download = client.get(_error_file_url(html))
    assert download.status_code == 200 and download.mimetype == 'text/csv'
    assert '%E9%94%99%E8%AF%AF%E8%A1%8C.csv' in download.headers['Content-Disposition']  # 错误行.csv
    rows = _read(download.data, 'firms-错误行.csv')
    assert rows[0] == [*FIRM_HEADER, '错误说明']
    assert [r[0] for r in rows[1:]] == ['全错企业有限公司', '']
    assert rows[1][:6] == ['全错企业有限公司', '91110000600037341X', '负五', '2019年2月30日', '外星', '']
    assert all(word in rows[1][6] for word in ('统一社会信用代码：', '员工人数：', '成立日期：', '标签：'))
    assert '员工人数' in rows[2][6] and '企业名称：缺少企业名称' in rows[2][6]
    # fixed in place and uploaded again: the explanation column is ignored, the rows import
    fixed = [['全错企业有限公司', '', '5', '2019-02-28', '', '', rows[1][6]],
             ['改好的企业有限公司', '', '7', '', '', '', rows[2][6]]]
    again = _post(client, '/firms/import', data=_csv(rows[0], fixed), name='firms-错误行.csv').get_data(as_text=True)
    assert '<strong>2</strong><span>条新增' in again and '/imports/error-rows/' not in again
    assert db_session.scalar(select(Firm.id).where(Firm.name == '全错企业有限公司')) is None  # still only checked


def test_a_confirmed_xlsx_import_keeps_its_bad_rows_as_an_xlsx_on_its_record(client, logged_in, db_session):
    user = logged_in('officer')
    data = _xlsx(FIRM_HEADER, [['表格企业有限公司', '', 3, '2021-05-01', '', ''],
                               ['坏表格企业有限公司', '', -1, '', '', '']])
    record = _confirm(client, '/firms/import', data, 'firms.xlsx')
    page = client.get(record).get_data(as_text=True)
    assert 'firms.xlsx' in page and user.name in page and '撤销这次导入' in page
    assert 'href="/firms/import">导入另一个文件' in page and 'href="/firms/">返回' in page
    download = client.get(_error_file_url(page))
    assert download.mimetype.endswith('spreadsheetml.sheet')
    rows = _read(download.data, 'x.xlsx')
    assert rows[0][-1] == '错误说明' and rows[1][0] == '坏表格企业有限公司' and '员工人数' in rows[1][-1]
    batch = db_session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
    assert (batch.filename, batch.imported, batch.error_rows, batch.started_by_id) == ('firms.xlsx', 1, 1, user.id)
    other = client.application.test_client()
    assert client.get(_error_file_url(page)).status_code == 200
    assert other.get(_error_file_url(page)).status_code in (302, 401, 404)  # not signed in


def test_undoing_a_firm_import_removes_what_it_added_and_restores_what_it_changed(client, factories, logged_in,
                                                                                  db_session):
    kept = factories.firm('原有企业有限公司', uscc='91110000600037341L', headcount=10, notes='原备注')
    user = logged_in('officer')
    record = _confirm(client, '/firms/import', _csv(FIRM_HEADER, [
        ['原有企业有限公司', '91110000600037341L', '99', '', '', '导入的备注'],
        ['新来企业有限公司', '', '5', '', '', ''],
    ]), 'firms.csv')
    db_session.expire_all()
    assert db_session.get(Firm, kept.id).headcount == 99
    added = db_session.scalar(select(Firm).where(Firm.name == '新来企业有限公司'))
    page = client.get(record)
    done = client.post(record + '/revert', data={'csrf_token': csrf_from(page.data)})
    assert done.status_code == 302
    page = client.get(record).get_data(as_text=True)
    assert '已撤销导入：删除 1 条记录，恢复 1 条记录的原值' in page and '已撤销' in page and '撤销这次导入' not in page
    db_session.expire_all()
    restored = db_session.get(Firm, kept.id)
    assert (restored.headcount, restored.notes, restored.deleted_at) == (10, '原备注', None)
    assert db_session.get(Firm, added.id).deleted_at is not None  # soft-deleted, as firms are
    batch = db_session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
    assert (batch.status, batch.reverted_by_id) == ('reverted', user.id)
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == 'revert',
                                                        AuditEvent.object_type == 'import_batch')).one()
    assert event.object_id == str(batch.id) or event.object_id == batch.id
    again = client.post(record + '/revert', data={'csrf_token': csrf_from(page)}, follow_redirects=True)
    assert '只有执行这次导入的人或管理员可以撤销' in again.get_data(as_text=True)


def test_undo_is_refused_naming_the_record_changed_since_and_only_for_its_runner_or_an_administrator(
        client, factories, logged_in, db_session, in_app):
    platform = factories.platform('撤销园')
    manager = logged_in('park_manager', platforms=[platform])
    record = _confirm(client, '/platforms/units/import', _csv(UNIT_HEADER, [
        ['撤销园', '一号楼', '3', '301', '200', '', '空置'],
        ['撤销园', '一号楼', '3', '302', '120', '', '空置'],
    ]), 'units.csv')
    units = {u.number: u.id for u in db_session.scalars(select(Unit).where(Unit.platform_id == platform.id))}
    assert set(units) == {'301', '302'}
    with in_app():  # someone edits a unit after the import
        from crm.db import db

        unit = db.session.get(Unit, units['302'])
        unit.rent = Decimal('4.20')
        db.session.commit()
    page = client.get(record)
    refused = client.post(record + '/revert', data={'csrf_token': csrf_from(page.data)}, follow_redirects=True)
    text = refused.get_data(as_text=True)
    assert '无法撤销这次导入' in text and '房源「一号楼 302」（导入后又被修改）' in text and '一号楼 301」' not in text
    assert db_session.scalar(select(func.count(Unit.id)).where(Unit.platform_id == platform.id)) == 2
    # a colleague cannot see or undo it; an administrator can, once the edit is taken back
    colleague, other = factories.user('park_manager', platforms=[platform]), client.application.test_client()
    login(other, colleague.email, factories.PASSWORD)
    assert other.get(record).status_code == 404
    assert other.post(record + '/revert',
                      data={'csrf_token': csrf_from(other.get('/platforms/units/import').data)}).status_code == 404
    with in_app():
        from crm.db import db

        unit = db.session.get(Unit, units['302'])
        db.session.delete(unit)  # the edited unit is gone now: still refused, named
        db.session.commit()
    admin, client = factories.user('admin'), client.application.test_client()
    login(client, admin.email, factories.PASSWORD)
    page = client.get(record)
    assert page.status_code == 200 and manager.name in page.get_data(as_text=True)
    text = client.post(record + '/revert', data={'csrf_token': csrf_from(page.data)},
                       follow_redirects=True).get_data(as_text=True)
    assert f'房源 #{units["302"]}（已被删除）' in text


def test_undoing_a_unit_import_removes_the_units_their_history_and_the_building_it_added(
        client, factories, logged_in, db_session):
    platform = factories.platform('回退园')
    building = factories.building(platform, name='老楼')
    old = factories.unit(building, number='101', area='100')
    logged_in('park_manager', platforms=[platform])
    record = _confirm(client, '/platforms/units/import', _csv(UNIT_HEADER, [
        ['回退园', '老楼', '1', '101', '150', '', '意向'],
        ['回退园', '新楼', '2', '201', '80', '', '空置'],
    ]), 'units.csv')
    db_session.expire_all()
    assert (db_session.get(Unit, old.id).area_gross, db_session.get(Unit, old.id).status) == (Decimal('150'), '意向')
    page = client.get(record)
    assert client.post(record + '/revert', data={'csrf_token': csrf_from(page.data)}).status_code == 302
    db_session.expire_all()
    back = db_session.get(Unit, old.id)
    assert (back.area_gross, back.status) == (Decimal('100.00'), '空置')
    assert db_session.scalar(select(func.count(Unit.id)).where(Unit.platform_id == platform.id)) == 1
    from crm.platforms.models import Building

    assert db_session.scalar(select(Building.id).where(Building.name == '新楼')) is None
    notes = list(db_session.scalars(select(UnitStatusChange.note).where(UnitStatusChange.unit_id == old.id)))
    assert '撤销导入' in notes
    assert '您上次的导入' in client.get('/platforms/units/import').get_data(as_text=True)


def test_the_command_line_undoes_an_import_and_refuses_a_second_time(app, client, logged_in, db_session):
    import json

    from crm.core.cli import import_revert_command

    logged_in('officer')
    record = _confirm(client, '/firms/import', _csv(FIRM_HEADER, [['命令行撤销企业有限公司', '', '3', '', '', '']]),
                      'firms.csv')
    batch_id = record.rsplit('/', 1)[1]
    runner = app.test_cli_runner()
    result = runner.invoke(import_revert_command, [batch_id, '--json'])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {'removed': 1, 'restored': 0}
    db_session.expire_all()
    assert db_session.scalar(select(Firm.deleted_at).where(Firm.name == '命令行撤销企业有限公司')) is not None
    again = runner.invoke(import_revert_command, [batch_id, '--json'])
    assert again.exit_code != 0 and '该批导入已撤销过' in again.output
