"""Unit import: preview then confirm, per-row Chinese errors, scope, idempotence, round trip, hostile files."""
import csv
import io
import json
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crm.core.spreadsheets import read_table
from crm.platforms.models import Unit
from tests.conftest import csrf_from

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).with_name('fixtures')
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
    assert '条未变化' in again and '<strong>0</strong><span>条新增' in again


def test_export_then_import_round_trip_changes_nothing(client, factories, logged_in, db_session):
    platform = factories.platform('往返园')
    building = factories.building(platform, name='往返楼')
    factories.unit(building, number='101', note='+86 电话')
    factories.unit(building, number='102', rent=None)
    logged_in('park_manager', platforms=[platform])
    exported = client.get(f'/platforms/vacancies.xlsx?platform_id={platform.id}').data
    html = _upload(client, exported, name='export.xlsx').get_data(as_text=True)
    assert '<strong>2</strong><span>条未变化' in html and '行有错误' in html and '<strong>0</strong><span>行有错误' in html


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _overlapping_zip_bomb(entries: int = 25, size: int = 50_000_000) -> bytes:
    """About 50 KB that expands to entries × size bytes: one deflated run of zeros that every central-directory entry
    points at (the overlapping-entries zip bomb)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = compressor.compress(bytes(size)) + compressor.flush()
    crc, name = zlib.crc32(bytes(size)), b'xl/worksheets/sheet1.xml'
    local = struct.pack('<4s5H3L2H', b'PK\x03\x04', 20, 0, 8, 0, 0, crc, len(body), size, len(name), 0) + name
    directory = b''.join(
        struct.pack('<4s6H3L5H2L', b'PK\x01\x02', 20, 20, 0, 8, 0, 0, crc, len(body), size, len(alias), 0, 0, 0, 0, 0,
                    0) + alias
        for alias in (f'xl/worksheets/sheet{i:02d}.xml'.encode() for i in range(entries)))
    end = struct.pack('<4s4H2LH', b'PK\x05\x06', 0, 0, entries, entries, len(directory), len(local) + len(body), 0)
    return local + body + directory + end


def _billion_laughs() -> bytes:
    lol = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">' +
           b''.join(b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b'&' + bytes([97 + i]) + b';') * 10) for i in range(8)) +
           b']><workbook>&i;</workbook>')
    return _zip({'[Content_Types].xml': lol, 'xl/workbook.xml': lol})


# Runs in a fresh interpreter so that its peak memory is the reading of these files alone. The peak is the kernel's
# high-water mark of this process's own memory (VmHWM): getrusage's ru_maxrss would also count the test process's
# memory, which Linux carries over into a child started from it.
MEASURE = """
import json, resource, sys, time
from crm.core.spreadsheets import SpreadsheetError, read_table

def peak_mb():
    try:
        with open('/proc/self/status') as status:
            return next(int(line.split()[1]) for line in status if line.startswith('VmHWM:')) / 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

results = {}
for path in sys.argv[1:]:
    data = open(path, 'rb').read()
    start = time.perf_counter()
    try:
        read_table(path, data)
        refusal = None
    except SpreadsheetError as exc:
        refusal = str(exc)
    results[path.rsplit('/', 1)[1]] = {'seconds': time.perf_counter() - start, 'refusal': refusal,
                                       'peak_rss_mb': peak_mb()}
print(json.dumps(results, ensure_ascii=False))
"""

HOSTILE = {  # file → part of the Chinese refusal
    'bomb.xlsx': '压缩炸弹',
    'entries.xlsx': '条目过多',
    'laughs.xlsx': 'XML 实体',
    'renamed.xlsx': '内容不是 Excel 文件',
    'password-protected.xlsx': '设有打开密码',
    'macros.xlsm': '包含宏',
}


@pytest.mark.nodb
def test_hostile_spreadsheets_are_refused_quickly_in_little_memory(tmp_path):
    """T10: a zip bomb (≈50 KB → >1 GB), 300 zip entries, billion laughs, a text file named .xlsx, a
    password-protected workbook (Excel's encrypted package in an OLE container; the fixture was made by encrypting
    a two-row workbook with msoffcrypto-tool) and an .xlsm with macros: each is refused with a Chinese reason, in
    under 2 s, and reading all six in a fresh interpreter peaks below 300 MB."""
    bomb = _overlapping_zip_bomb()
    assert len(bomb) < 60_000 and sum(e.file_size for e in zipfile.ZipFile(io.BytesIO(bomb)).infolist()) > 10 ** 9
    files = {
        'bomb.xlsx': bomb,
        'entries.xlsx': _zip({f'xl/f{i}.xml': b'<x/>' for i in range(300)} | {'xl/workbook.xml': b'<x/>'}),
        'laughs.xlsx': _billion_laughs(),
        'renamed.xlsx': '平台,楼宇,楼层\n导入园,一号楼,3\n'.encode() * 10,
        'password-protected.xlsx': (FIXTURES / 'password-protected.xlsx').read_bytes(),
        'macros.xlsm': _zip({'[Content_Types].xml': b'<Types/>', 'xl/workbook.xml': b'<workbook/>',
                             'xl/vbaProject.bin': b'\xd0\xcf\x11\xe0 macro'}),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    run = subprocess.run([sys.executable, '-c', MEASURE, *(str(tmp_path / name) for name in files)],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    results = json.loads(run.stdout)
    for name, reason in HOSTILE.items():
        outcome = results[name]
        assert outcome['refusal'] and reason in outcome['refusal'], (name, outcome)
        assert outcome['seconds'] < 2, (name, outcome)
    assert max(r['peak_rss_mb'] for r in results.values()) < 300, results


@pytest.mark.nodb
def test_formula_cells_are_read_as_their_saved_value_or_literal_text():
    """T10: a formula is never calculated: its saved result is read, and a formula saved without a result (as
    programs write them) is read as its text, which the import then stores literally."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(['企业名称', '员工人数', '备注'])
    book.active.append(['=CONCATENATE("公式","企业")', '=20*3', '=HYPERLINK("http://127.0.0.1:9/","点我")'])
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts['xl/worksheets/sheet1.xml']
    sheet = sheet.replace(b'<c r="A2"><f>', b'<c r="A2" t="str"><f>', 1)
    sheet = sheet.replace('企业")</f><v /></c>'.encode(), '企业")</f><v>公式企业</v></c>'.encode(), 1)
    sheet = sheet.replace(b'20*3</f><v /></c>', b'20*3</f><v>60</v></c>', 1)
    parts['xl/worksheets/sheet1.xml'] = sheet
    table = read_table('formulas.xlsx', _zip(parts))
    assert table.rows == [(2, ['公式企业', '60', '=HYPERLINK("http://127.0.0.1:9/","点我")'])]
