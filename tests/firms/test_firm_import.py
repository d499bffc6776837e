"""Firm import against real-world files: many defect kinds, three encodings, idempotence, round trip."""
import csv
import io
import random

from sqlalchemy import func, select

from crm.core.spreadsheets import read_table
from crm.core.validators import make_uscc
from crm.firms.imports import import_firms
from crm.firms.models import Firm

HEADER = ['企业名称', '统一社会信用代码', '法定代表人', '所属行业', '注册资本', '员工人数', '营业收入', '成立日期', '标签', '备注']


def _defective_file(n_rows: int, seed: int = 5):
    """Rows with known defects; returns (rows, expected_error_rows, expected_good)."""
    rng = random.Random(seed)
    rows, bad, good = [HEADER], set(), 0
    for i in range(n_rows):
        code = make_uscc(rng)
        row = [f'导入测试企业{i}有限公司', code, '张三', '6513', str(rng.randint(10, 9000)), str(rng.randint(1, 900)),
               '500万–2000万', '2019-03-15', '高新技术企业', '']
        kind = i % 40
        line = i + 2
        if kind == 1:
            row[1] = code[:-1] + ('0' if code[-1] != '0' else '1')            # bad check character
            bad.add(line)
        elif kind == 2:
            row.append('多出来的一列')                                        # wrong column count
            bad.add(line)
        elif kind == 3:
            row[1] = code.translate(str.maketrans('0123456789', '０１２３４５６７８９'))  # full-width digits: fine
        elif kind == 4:
            row[7] = '43555'                                                # Excel serial date: fine
        elif kind == 5 and i > 40:
            row[1] = rows[-1][1] if len(rows[-1]) > 1 and rows[-1][1] and len(rows[-1][1]) == 18 else row[1]
            bad.add(line) if row[1] == rows[-1][1] else None                  # duplicate USCC inside the file
        elif kind == 6:
            row[0], row[9] = '=HYPERLINK("http://x")', '@SUM(A1)'           # formula-like text: kept as text
        elif kind == 7:
            row[9] = '长' * 600                                              # oversized cell
            bad.add(line)
        elif kind == 8:
            row[8] = '不存在的标签'                                           # unknown tag
            bad.add(line)
        elif kind == 9:
            row[7] = '2019-02-30'                                           # impossible date
            bad.add(line)
        elif kind == 10:
            row[5] = '-3'                                                   # negative headcount
            bad.add(line)
        elif kind == 11:
            row[0] = ''                                                     # missing name
            bad.add(line)
        elif kind == 12:
            row[3] = '9999'                                                 # unknown industry
            bad.add(line)
        elif kind == 13:
            body = 'Y1330105' + ''.join(rng.choice('0123456789ABCDEFGH') for _ in range(9))
            from stdnum.cn import uscc
            row[1] = body + uscc.calc_check_digit(body)                     # letter authority: valid
        if line not in bad:
            good += 1
        rows.append(row)
        if kind == 20:
            rows.append([''] * len(HEADER))                                 # blank line: ignored
    return rows, bad, good


def _encode(rows, encoding: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def test_ten_thousand_rows_import_exactly_the_good_ones(in_app, db_session):
    rows, bad, good = _defective_file(10_000)
    table = read_table('firms.csv', _encode(rows, 'gb18030'))
    before = db_session.scalar(select(func.count(Firm.id)))
    with in_app():
        report = import_firms(table)
        db_session.commit()
    assert len(report.errors) == len(bad) and report.imported == good
    assert all(e['message'] and e['row'] > 1 for e in report.errors)
    assert db_session.scalar(select(func.count(Firm.id))) == before + good
    formula = db_session.scalar(select(Firm.notes).where(Firm.name == '=HYPERLINK("http://x")'))
    assert formula == '@SUM(A1)'
    with in_app():
        again = import_firms(table)
    assert (again.imported, again.updated, again.unchanged) == (0, 0, good)


def _snapshot(db_session, after_id: int):
    return sorted(db_session.execute(select(Firm.name, Firm.uscc, Firm.industry_code, Firm.registered_capital,
                                            Firm.headcount, Firm.registered_on, Firm.tags, Firm.notes)
                                     .where(Firm.id > after_id)).all(), key=repr)


def test_utf8_bom_and_gb18030_give_identical_state(in_app, db_session):
    rows, bad, good = _defective_file(800, seed=9)
    states, after_id = [], db_session.scalar(select(func.max(Firm.id))) or 0
    for encoding in ('utf-8', 'utf-8-sig', 'gb18030'):
        with in_app():
            savepoint = db_session.begin_nested()
            report = import_firms(read_table('f.csv', _encode(rows, encoding)))
            assert report.imported == good and len(report.errors) == len(bad)
            states.append(_snapshot(db_session, after_id))
            savepoint.rollback()
    assert states[0] == states[1] == states[2] and len(states[0]) == good


def test_export_then_import_round_trip_is_lossless(client, factories, logged_in, in_app, db_session):
    factories.firm('往返企业甲', uscc='91110000600037341L', headcount=12, tags=['总部'], notes='=1+2')
    factories.firm('往返企业乙', legal_rep='李四')
    logged_in('officer')
    data = client.get('/firms/export.xlsx?q=往返企业').data
    with in_app():
        report = import_firms(read_table('export.xlsx', data))
    assert (report.imported, report.updated, report.errors) == (0, 0, [])
    assert report.unchanged == 2


def test_officer_imports_firms_through_the_check_and_confirm_page(client, logged_in, db_session):
    from tests.conftest import csrf_from

    logged_in('officer')
    data = _encode([HEADER, ['页面导入企业有限公司', '91110000600037341L', '王五', '6513', '100', '20', '', '', '', ''],
                    ['', '', '', '', '', '', '', '', '', '']], 'utf-8-sig')
    page = client.get('/firms/import')
    check = client.post('/firms/import', data={'csrf_token': csrf_from(page.data), 'action': 'preview',
                                               'file': (io.BytesIO(data), 'firms.csv')},
                        content_type='multipart/form-data')
    html = check.get_data(as_text=True)
    assert '检查结果（尚未保存）' in html and db_session.scalar(select(Firm.id).where(Firm.legal_rep == '王五')) is None
    token = html.split('name="token" value="')[1].split('"')[0]
    done = client.post('/firms/import', data={'csrf_token': csrf_from(page.data), 'action': 'confirm', 'token': token})
    assert done.status_code == 302
    assert db_session.scalar(select(Firm.name).where(Firm.uscc == '91110000600037341L')) == '页面导入企业有限公司'


def test_contact_import_reports_bad_rows_and_is_idempotent(factories, in_app, db_session):
    from crm.firms.contact_import import import_contacts
    from crm.firms.models import Contact

    firm = factories.firm('联系人导入企业有限公司', uscc='91110000600037341L')
    rows = [['统一社会信用代码', '企业名称', '联系人', '职务', '手机', '邮箱'],
            ['91110000600037341L', '', '赵六', '总经理', '138 1234 5678', 'zhao@example.com'],
            ['', '联系人导入企业（杭州）有限公司', '钱七', '财务', '0571-88888888', ''],
            ['', '不存在的企业', '孙八', '', '', ''],
            ['91110000600037341L', '', '周九', '', '12345', '']]
    table = read_table('contacts.csv', _encode(rows, 'gb18030'))
    with in_app():
        report = import_contacts(table)
        db_session.commit()
    assert report.imported == 2 and [e['row'] for e in report.errors] == [4, 5]
    phones = set(db_session.scalars(select(Contact.phone).where(Contact.firm_id == firm.id)))
    assert phones == {'+8613812345678', '+8657188888888'}
    with in_app():
        again = import_contacts(table)
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 2)
