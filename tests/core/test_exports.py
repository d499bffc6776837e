"""Exports are whole: every row in the viewer's scope and filters, past any old cap, or a clear refusal; XLSX is
written in one pass (time and memory linear in the rows), CSV is streamed."""
from __future__ import annotations

import csv
import io
import time
import tracemalloc
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert

from crm.core.exports import xlsx_bytes
from crm.db import db

OLD_LEAD_CAP, OLD_FIRM_CAP, OLD_UNIT_CAP = 20_000, 50_000, 20_000


def _bulk(in_app, model, rows: list[dict]) -> None:
    with in_app():
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(model), rows[start:start + 5000])
        db.session.commit()


def _through_job(client, url: str) -> bytes:
    """An export above the background threshold: the request queues a job (run at once in tests) and leads to its
    page, which offers the file; the file is then downloaded from there."""
    import re

    queued = client.get(url)
    assert queued.status_code == 302 and '/exports/' in queued.headers['Location'], queued.status_code
    page = client.get(queued.headers['Location']).get_data(as_text=True)
    assert '文件已生成' in page, page
    link = re.search(r'href="(/exports/\d+/download)"', page).group(1)
    download = client.get(link)
    assert download.status_code == 200
    return download.data


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith('\ufeff'.encode())
    return list(csv.reader(io.StringIO(data.decode('utf-8-sig'))))


@pytest.mark.parametrize('fmt', ['csv', 'xlsx'])
def test_lead_export_carries_every_lead_past_the_old_cap(client, factories, logged_in, in_app, fmt):
    """A leader exporting more leads than the old 20,000 cap gets every one of them (and only the filtered ones)."""
    from crm.leads.models import Lead

    firm = factories.firm('整表导出企业有限公司')
    total = OLD_LEAD_CAP + 7
    _bulk(in_app, Lead, [{'title': f'整表项目{n:05d}', 'firm_id': firm.id, 'source': '上门拜访', 'stage': '线索'}
                         for n in range(total)])
    factories.lead(title='不在筛选内的项目', stage='洽谈')
    logged_in('leader')
    data = _through_job(client, f'/leads/export.{fmt}?stage=线索&q=整表项目')  # past 20,000 rows: in the background
    if fmt == 'csv':
        rows = _csv_rows(data)
    else:
        rows = [list(r) for r in load_workbook(io.BytesIO(data), read_only=True).active.values]
    assert len(rows) == total + 1  # header included
    titles = {row[0] for row in rows[1:]}
    assert len(titles) == total and '整表项目00000' in titles and f'整表项目{total - 1:05d}' in titles
    assert '不在筛选内的项目' not in titles


def test_firm_export_carries_every_firm_past_the_old_cap(client, logged_in, in_app):
    from crm.firms.models import Firm

    total = OLD_FIRM_CAP + 3
    _bulk(in_app, Firm, [{'name': f'整表企业{n:05d}有限公司', 'name_key': f'整表企业{n:05d}', 'former_names': [],
                          'tags': [], 'sources': []} for n in range(total)])
    logged_in('officer')
    rows = _csv_rows(_through_job(client, '/firms/export.csv?q=整表企业'))
    assert len(rows) == total + 1 and rows[-1][0] == f'整表企业{total - 1:05d}有限公司'


def test_vacancy_export_carries_every_unit_past_the_old_cap(client, factories, logged_in, in_app):
    from crm.platforms.models import Unit

    platform = factories.platform('整表园')
    building = factories.building(platform, name='整表园一号楼')
    total = OLD_UNIT_CAP + 5
    _bulk(in_app, Unit, [{'building_id': building.id, 'platform_id': platform.id, 'floor': 1 + n // 1000,
                          'number': f'R{n:05d}', 'area_gross': 100, 'status': '空置'} for n in range(total)])
    logged_in('officer')
    rows = _csv_rows(_through_job(client, f'/platforms/vacancies.csv?platform_id={platform.id}'))
    assert len(rows) == total + 1 and {row[3] for row in rows[1:]} == {f'R{n:05d}' for n in range(total)}


def test_xlsx_export_beyond_a_worksheet_is_refused_with_a_message_and_csv_still_carries_it(
        client, factories, logged_in, monkeypatch):
    """More rows than a worksheet holds: the XLSX export is refused with a Chinese message saying why (here with
    the sheet limit lowered to 3 rows), never cut; the CSV export of the same list carries every row."""
    import crm.core.exports as exports

    monkeypatch.setattr(exports, 'XLSX_MAX_ROWS', 3)
    firm = factories.firm('超限导出企业有限公司')
    for n in range(4):
        factories.lead(firm, title=f'超限项目{n}')
    logged_in('leader')
    refused = client.get('/leads/export.xlsx?q=超限项目', headers={'Referer': 'http://localhost/leads/?q=超限项目'})
    assert refused.status_code == 302 and unquote(refused.headers['Location']).endswith('/leads/?q=超限项目')
    page = client.get(refused.headers['Location']).get_data(as_text=True)
    assert '超出 Excel 单个工作表的行数上限' in page and 'CSV' in page
    assert len(_csv_rows(client.get('/leads/export.csv?q=超限项目').data)) == 5


def _rows(n: int):
    return ([f'项目{i}', f'企业{i}有限公司', '洽谈', '=1+1', '6513', '平台甲、平台乙', 1200.5, -30, None, '张三\r\n李四']
            for i in range(n))


@pytest.mark.nodb
def test_xlsx_writer_keeps_memory_flat_as_rows_grow():
    """One pass, nothing kept or read back: writing twice the rows takes about the same peak memory (the old
    workbook held every cell in memory, so its peak doubled with the rows)."""
    peaks = {}
    for n in (4000, 8000):
        tracemalloc.start()
        data = xlsx_bytes(['项目', '企业', '阶段', '备注', '行业', '平台', '投资', '税收', '就业', '负责人'], _rows(n))
        peaks[n] = tracemalloc.get_traced_memory()[1] - len(data)
        tracemalloc.stop()
    assert peaks[8000] < peaks[4000] * 1.3, peaks


@pytest.mark.nodb
def test_xlsx_writer_time_grows_linearly_with_rows():
    """Twice the rows take about twice the time (the old writer read each appended row back, which made it
    quadratic: 1,000 rows 0.5 s, 8,000 rows 21 s). CPU time, so other processes on the machine do not count."""
    def spent(n: int) -> float:
        start = time.process_time()
        xlsx_bytes(['项目', '企业', '阶段', '备注', '行业', '平台', '投资', '税收', '就业', '负责人'], _rows(n))
        return time.process_time() - start

    spent(500)  # warm up (imports)
    small, large = min(spent(3000) for _ in range(2)), min(spent(6000) for _ in range(2))
    assert large / small < 3.0, (small, large)


@pytest.mark.nodb
def test_xlsx_writer_keeps_text_that_looks_like_an_error_value_as_text():
    sheet = load_workbook(io.BytesIO(xlsx_bytes(['备注'], [['#N/A'], ['#DIV/0!'], ['-5'], [-5]]))).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [(c.data_type, c.value) for c in cells] == [('s', '#N/A'), ('s', '#DIV/0!'), ('s', "'-5"), ('n', -5)]


def test_lead_export_columns(client, factories, logged_in, in_app):
    """Each row: the name the list shows (a confidential lead's codename), firm, stage, source, industry, platforms
    sorted by name, amounts, owner (or the shared pool), next follow-up."""
    from crm.leads.models import Lead

    firm = factories.firm('列检查企业有限公司')
    lead = factories.lead(firm, title='保密的真实名称', platforms=[factories.platform('乙列园'), factories.platform('甲列园')])
    with in_app():
        row = db.session.get(Lead, lead.id)
        row.confidential, row.codename, row.industry_code, row.jobs = True, '代号列', '6450', 12
        db.session.commit()
    logged_in('leader')
    rows = _csv_rows(client.get('/leads/export.csv?q=代号列').data)
    assert rows[1] == ['代号列', '列检查企业有限公司', '线索', '上门拜访', '6450', '乙列园、甲列园', '', '', '12', '公共池', '']
    assert '保密的真实名称' not in client.get('/leads/export.csv').data.decode('utf-8-sig')


# --- small exports stream back at once; large ones go through a job and its page ----------------------------

@pytest.fixture
def small_threshold(app, monkeypatch):
    """Exports of more than 3 rows run in the background (EXPORT_BACKGROUND_ROWS)."""
    monkeypatch.setitem(app.config, 'EXPORT_BACKGROUND_ROWS', 3)


@pytest.mark.parametrize('fmt', ['csv', 'xlsx'])
def test_export_at_the_threshold_streams_back_and_above_it_runs_in_the_background_in_the_viewers_scope(
        client, factories, logged_in, small_threshold, fmt):
    """An officer's export carries exactly the leads their list shows (not another officer's); up to the threshold
    the file comes straight back, above it the export is a job whose page offers the same file."""
    officer = logged_in('officer')
    other = factories.user('officer', name='别的专员')
    firm = factories.firm('阈值导出企业有限公司')
    for n in range(3):
        factories.lead(firm, owner=officer, title=f'阈值项目{n}')
    factories.lead(firm, owner=other, title='阈值项目他人')
    direct = client.get(f'/leads/export.{fmt}?q=阈值项目')
    assert direct.status_code == 200 and direct.headers['Content-Disposition'].startswith('attachment')

    def titles(data: bytes) -> set[str]:
        if fmt == 'csv':
            return {row[0] for row in _csv_rows(data)[1:]}
        return {row[0] for row in list(load_workbook(io.BytesIO(data), read_only=True).active.values)[1:]}

    assert titles(direct.data) == {'阈值项目0', '阈值项目1', '阈值项目2'}
    factories.lead(firm, owner=officer, title='阈值项目3')
    listed = client.get('/leads/?q=阈值项目').get_data(as_text=True)
    assert '阈值项目3' in listed and '阈值项目他人' not in listed
    data = _through_job(client, f'/leads/export.{fmt}?q=阈值项目')
    assert titles(data) == {'阈值项目0', '阈值项目1', '阈值项目2', '阈值项目3'}


def test_an_export_job_is_seen_and_downloaded_only_by_the_user_who_asked(client, app, factories, logged_in,
                                                                         small_threshold):
    from tests.conftest import login

    officer = logged_in('officer')
    for n in range(5):
        factories.lead(owner=officer, title=f'私有导出{n}')
    queued = client.get('/leads/export.csv?q=私有导出')
    page_url = queued.headers['Location']
    page = client.get(page_url).get_data(as_text=True)
    assert '共 5 行' in page
    download = page_url + '/download'
    assert len(_csv_rows(client.get(download).data)) == 6
    for role in ('officer', 'leader', 'admin'):
        stranger = factories.user(role)
        other_client = app.test_client()
        login(other_client, stranger.email, factories.PASSWORD)
        assert other_client.get(page_url).status_code == 404
        assert other_client.get(download).status_code == 404
        assert other_client.get(page_url + '/status').status_code == 404


def test_export_job_page_shows_progress_while_the_file_is_written(client, factories, logged_in, in_app):
    """While the worker writes, the page (and the fragment it polls) says how many rows are written."""
    from crm.core.export_jobs import ExportJob

    officer = logged_in('officer')
    with in_app():
        job = ExportJob(user_id=officer.id, kind='leads', fmt='csv', filename='招商项目.csv', status='running',
                        rows_total=40_000)
        db.session.add(job)
        db.session.commit()
        job.progress_path.write_text('10000')
        job_id = job.id
    html = client.get(f'/exports/{job_id}/status').get_data(as_text=True)
    assert '已写入 10,000 / 40,000 行' in html and 'value="25"' in html and 'hx-trigger="every 1s"' in html
    assert client.get(f'/exports/{job_id}/download').status_code == 404  # nothing to download yet


def test_expired_export_files_are_deleted_and_the_page_says_so(client, app, factories, logged_in, in_app,
                                                               small_threshold):
    from datetime import timedelta

    from crm.core.export_jobs import ExportJob, purge_expired
    from crm.db import utcnow

    officer = logged_in('officer')
    for n in range(4):
        factories.lead(owner=officer, title=f'过期导出{n}')
    page_url = client.get('/leads/export.csv?q=过期导出').headers['Location']
    job_id = int(page_url.rsplit('/', 1)[1])
    with in_app():
        job = db.session.get(ExportJob, job_id)
        path = job.path
        assert path.exists() and job.expires_at > utcnow() + timedelta(hours=app.config['EXPORT_KEEP_HOURS'] - 1)
        assert purge_expired() == 0  # not yet
        job.expires_at = utcnow() - timedelta(minutes=1)
        assert purge_expired() == 1
        db.session.commit()
    assert not path.exists()
    assert client.get(page_url + '/download').status_code == 404
    assert '已过保留期限并被删除' in client.get(page_url).get_data(as_text=True)


@pytest.mark.parametrize('url', ['/leads/export.csv', '/firms/export.csv', '/platforms/vacancies.csv'])
def test_exports_read_related_names_without_a_query_per_row(client, factories, logged_in, count_queries, url):
    """The rows and their related names (firm, platforms, owner; building and platform) come from one statement:
    an export of many rows runs the same queries as an export of one."""
    logged_in('leader')
    officer = factories.user('officer', name='导出负责人')
    platform = factories.platform('计数园')
    building = factories.building(platform, name='计数园一号楼')

    def add(n: int) -> None:
        for i in range(n):
            firm = factories.firm(f'计数企业{n}-{i}有限公司')
            factories.lead(firm, owner=officer, platforms=[platform], title=f'计数项目{n}-{i}')
            factories.unit(building, number=f'{n}{i:02d}')

    add(1)
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    add(6)
    with count_queries() as many:
        data = client.get(url).data
    assert len(many) == len(few), many
    assert data.decode('utf-8-sig').count('\n') >= 8


def test_a_background_xlsx_export_beyond_a_worksheet_fails_with_the_reason_on_its_page(
        client, factories, logged_in, small_threshold, monkeypatch):
    import crm.core.exports as exports

    monkeypatch.setattr(exports, 'XLSX_MAX_ROWS', 4)
    officer = logged_in('officer')
    for n in range(5):
        factories.lead(owner=officer, title=f'超表项目{n}')
    page_url = client.get('/leads/export.xlsx?q=超表项目').headers['Location']
    page = client.get(page_url).get_data(as_text=True)
    assert '导出失败' in page and '超出 Excel 单个工作表的行数上限' in page and 'CSV' in page
    assert client.get(page_url + '/download').status_code == 404
    assert len(_csv_rows(_through_job(client, '/leads/export.csv?q=超表项目'))) == 6


def test_a_large_export_whose_queue_cannot_be_reached_says_so_on_its_page(client, factories, logged_in,
                                                                          small_threshold, monkeypatch):
    """The job queue's server is down: the export's page says the export was not queued (no error page)."""
    import sqlite3

    from crm import jobs

    def unreachable(*_args, **_kwargs):
        raise sqlite3.OperationalError('unable to open database file')

    monkeypatch.setattr(jobs.huey, 'enqueue', unreachable)
    officer = logged_in('officer')
    for n in range(4):
        factories.lead(owner=officer, title=f'队列故障项目{n}')
    queued = client.get('/leads/export.csv?q=队列故障项目')
    assert queued.status_code == 302
    page = client.get(queued.headers['Location']).get_data(as_text=True)
    assert '导出失败' in page and '任务队列暂时无法连接' in page


def test_unit_export_carries_every_status_of_the_building_and_goes_back_in_unchanged(client, factories, logged_in):
    """The 租控表 as a spreadsheet: every unit whatever its status (the vacancy export carries only vacant ones), only
    the building asked for and only platforms in the viewer's scope; the file is re-imported with nothing changed."""
    own, other = factories.platform('租控导出园'), factories.platform('别家导出园')
    building, elsewhere = factories.building(own, name='租控一号楼'), factories.building(other, name='别家楼')
    for number, status in (('101', '空置'), ('102', '已租'), ('103', '意向'), ('201', '锁定')):
        factories.unit(building, number=number, status=status)
    factories.unit(factories.building(own, name='租控二号楼'), number='901')
    factories.unit(elsewhere, number='555')
    logged_in('park_manager', platforms=[own])
    page = client.get(f'/platforms/buildings/{building.id}').get_data(as_text=True)
    assert f'/platforms/units.xlsx?building_id={building.id}' in page
    response = client.get(f'/platforms/units.csv?building_id={building.id}')
    assert response.headers['Content-Type'] == 'text/csv; charset=utf-8'
    rows = _csv_rows(response.data)
    assert rows[0][:4] == ['平台', '楼宇', '楼层', '房号']
    assert [(r[3], r[12]) for r in rows[1:]] == [('101', '空置'), ('102', '已租'), ('103', '意向'), ('201', '锁定')]
    assert [r[3] for r in _csv_rows(client.get(f'/platforms/units.csv?platform_id={own.id}&status=空置').data)[1:]] \
        == ['101', '901']
    everything = [r[3] for r in _csv_rows(client.get('/platforms/units.csv').data)[1:]]
    assert sorted(everything) == ['101', '102', '103', '201', '901']  # 555 is another park's
    assert _csv_rows(client.get(f'/platforms/units.csv?building_id={elsewhere.id}').data)[1:] == []
    exported = client.get(f'/platforms/units.xlsx?building_id={building.id}').data
    upload = client.get('/platforms/units/import')
    from tests.conftest import csrf_from
    html = client.post('/platforms/units/import', data={
        'csrf_token': csrf_from(upload.data), 'action': 'preview', 'file': (io.BytesIO(exported), 'units.xlsx')},
        content_type='multipart/form-data').get_data(as_text=True)
    assert '<strong>4</strong><span>条未变化' in html and '<strong>0</strong><span>行有错误' in html


def test_contact_export_lists_the_listed_firms_contacts_with_full_phones_and_is_audited(client, factories, logged_in,
                                                                                      db_session):
    from sqlalchemy import select

    from crm.core.audit import AuditEvent

    kept, filtered_out = factories.firm('联系人导出科技有限公司'), factories.firm('别的贸易有限公司')
    factories.contact(kept, name='王经理', title='总经理', phone='+8613812345678', email='wang@example.cn')
    factories.contact(kept, name='李主管', phone='+8657187654321')
    factories.contact(filtered_out, name='赵先生', phone='+8613900001111')
    user = logged_in('officer')
    page = client.get('/firms/?q=联系人导出').get_data(as_text=True)
    assert '/firms/contacts.xlsx?q=' in page
    rows = _csv_rows(client.get('/firms/contacts.csv?q=联系人导出').data)
    assert rows[0] == ['企业名称', '统一社会信用代码', '联系人', '职务', '角色', '电话', '邮箱', '微信', '备注']
    assert [(r[0], r[2], r[3]) for r in rows[1:]] == [('联系人导出科技有限公司', '李主管', ''),
                                                      ('联系人导出科技有限公司', '王经理', '总经理')]
    phones = {r[2]: r[5] for r in rows[1:]}
    assert phones['王经理'].replace(' ', '') == '13812345678' and '*' not in phones['李主管']
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action == 'export',
                                                         AuditEvent.object_type == 'contact')).all()
    assert [e.actor_id for e in events] == [user.id]
    workbook = load_workbook(io.BytesIO(client.get('/firms/contacts.xlsx?q=联系人导出').data), read_only=True)
    assert [row[2] for row in workbook.active.iter_rows(min_row=2, values_only=True)] == ['李主管', '王经理']


def test_contact_export_is_refused_to_roles_without_contact_access_and_keeps_to_scope(client, factories, logged_in):
    housed, elsewhere = factories.firm('园内联系人有限公司'), factories.firm('园外联系人有限公司')
    factories.contact(housed, name='园内人')
    factories.contact(elsewhere, name='园外人')
    from tests.conftest import post_form

    for role in ('leader', 'park_manager'):  # they see firms, not the people's numbers
        logged_in(role)
        assert client.get('/firms/contacts.csv').status_code == 403
        post_form(client, '/logout', {}, token_from='/')
    logged_in('firm', firm=housed)
    rows = _csv_rows(client.get('/firms/contacts.csv').data)
    assert [r[2] for r in rows[1:]] == ['园内人']


def _mapping_spans(statements: list[str]) -> list[tuple[bool, str]]:
    """Each statement that reads leads (counting or exporting them), with whether SQLite had the file mapped then."""
    mapped, reads = True, []
    for statement in statements:
        text = ' '.join(statement.split())
        if text.startswith('PRAGMA mmap_size='):
            mapped = text != 'PRAGMA mmap_size=0'
        elif 'FROM lead' in text and ('count(' in text or 'lead.next_follow_up' in text):
            reads.append((mapped, text[:80]))
    return reads + [(mapped, 'after the export')]


@pytest.mark.parametrize('fmt', ['csv', 'xlsx'])
def test_exports_read_sqlite_without_mapping_the_file_and_map_it_again_afterwards(
        client, app, factories, logged_in, small_threshold, count_queries, db_session, fmt):
    """Reading every row of a list would leave each page of its tables mapped into the process (its resident memory
    growing by their size), so an export counts and reads its rows through SQLite's own page cache, directly and in
    the background job alike; the connection maps the file again once the file is written. PostgreSQL is left as
    it is."""
    from crm.db import SQLITE_MMAP_BYTES

    officer = logged_in('officer')
    firm = factories.firm('映射导出企业有限公司')
    for n in range(3):
        factories.lead(firm, owner=officer, title=f'映射项目{n}')
    with count_queries() as direct:
        assert client.get(f'/leads/export.{fmt}?q=映射项目').status_code == 200
    factories.lead(firm, owner=officer, title='映射项目3')
    with count_queries() as queued:
        data = _through_job(client, f'/leads/export.{fmt}?q=映射项目')
    assert data
    if app.config['DB_KIND'] == 'postgresql':
        assert not [s for s in direct + queued if 'PRAGMA' in s]
        return
    for seen in (direct, queued):
        spans = _mapping_spans(seen)
        assert len(spans) >= 3 and spans[-1][0], spans  # counted, read, and mapped again afterwards
        assert not [text for mapped, text in spans[:-1] if mapped], spans
    assert db_session.connection().exec_driver_sql('PRAGMA mmap_size').scalar() == SQLITE_MMAP_BYTES
