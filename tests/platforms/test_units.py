"""Buildings and units: scope on every path, officers read only, edit conflicts, status history, safe exports."""
import csv
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from crm.core.exports import csv_bytes, xlsx_bytes
from crm.db import db
from crm.platforms.models import Unit, UnitStatusChange
from crm.platforms.services import ensure_platform
from tests.conftest import login, post_form


def _setup(factories):
    own, other = factories.platform('甲园'), factories.platform('乙园')
    own_building, other_building = factories.building(own, name='甲园一号楼'), factories.building(other, name='乙园一号楼')
    return own, other, factories.unit(own_building, number='301'), factories.unit(other_building, number='901')


def test_park_manager_gets_404_for_another_platforms_building_unit_and_search_results(client, factories, logged_in):
    own, other, own_unit, other_unit = _setup(factories)
    logged_in('park_manager', platforms=[own])
    assert client.get(f'/platforms/buildings/{own_unit.building_id}').status_code == 200
    assert client.get(f'/platforms/buildings/{other_unit.building_id}').status_code == 404
    assert client.get(f'/platforms/units/{other_unit.id}').status_code == 404
    assert client.get(f'/platforms/{other.id}/buildings/new').status_code == 404
    listing = client.get('/platforms/vacancies').get_data(as_text=True)
    assert '甲园一号楼' in listing and '乙园一号楼' not in listing
    exported = client.get(f'/platforms/vacancies.csv?platform_id={other.id}').get_data(as_text=True)
    assert '乙园一号楼' not in exported and '901' not in exported


def test_officer_sees_all_units_but_cannot_edit(client, factories, logged_in):
    own, other, own_unit, other_unit = _setup(factories)
    logged_in('officer')
    assert '乙园一号楼' in client.get('/platforms/vacancies').get_data(as_text=True)
    assert client.get(f'/platforms/units/{own_unit.id}').status_code == 403
    response = post_form(client, f'/platforms/units/{own_unit.id}/status', {'status': '已租', 'version': 1},
                         token_from='/platforms/vacancies')
    assert response.status_code == 403


def test_park_manager_marks_a_unit_let_with_history_and_audit(client, factories, logged_in, db_session):
    own, _, unit, _ = _setup(factories)
    logged_in('park_manager', platforms=[own])
    response = post_form(client, f'/platforms/units/{unit.id}/status', {'status': '已租', 'version': 1,
                                                                        'status_note': '签约入驻'},
                         token_from=f'/platforms/buildings/{unit.building_id}')
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Unit, unit.id).status == '已租'
    change = db_session.scalars(select(UnitStatusChange).where(UnitStatusChange.unit_id == unit.id)).one()
    assert (change.from_status, change.to_status, change.note) == ('空置', '已租', '签约入驻')
    grid = client.get(f'/platforms/buildings/{unit.building_id}').get_data(as_text=True)
    assert 'data-unit="301" data-status="已租"' in grid


def test_two_concurrent_edits_give_one_conflict_and_lose_nothing(client, factories, logged_in, db_session):
    own, _, unit, _ = _setup(factories)
    logged_in('park_manager', platforms=[own])
    form = {'floor': 3, 'number': '301', 'area_gross': '200', 'use': '办公', 'fitout': '简装', 'status': '空置',
            'version': 1}
    first = post_form(client, f'/platforms/units/{unit.id}', {**form, 'rent': '3.8'})
    second = post_form(client, f'/platforms/units/{unit.id}', {**form, 'rent': '4.2', 'note': '第二位的修改'})
    assert first.status_code == 302 and second.status_code == 409
    html = second.get_data(as_text=True)
    assert '3.80' in html and '4.2' in html and '第二位的修改' in html  # both versions shown, input kept
    assert 'name="version" type="hidden" value="2"' in html  # saving again applies it knowingly
    db_session.expire_all()
    saved = db_session.get(Unit, unit.id)
    assert str(saved.rent) == '3.80' and saved.note is None and saved.version == 2


def test_invalid_unit_form_keeps_input_and_explains_in_chinese(client, factories, logged_in):
    own, _, unit, _ = _setup(factories)
    logged_in('park_manager', platforms=[own])
    response = post_form(client, f'/platforms/units/{unit.id}', {
        'floor': 3, 'number': '301', 'area_gross': '200', 'area_usable': '260', 'rent': '350', 'use': '办公',
        'fitout': '简装', 'status': '空置', 'version': 1, 'note': '保留我的备注'})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '使用面积不能大于建筑面积' in html and '租金按每平方米每天计' in html and '保留我的备注' in html


FORMULA_PREFIXES = ('=', '+', '-', '@', '\t', '\r', '\0')


def test_exports_write_formula_like_text_as_text(client, factories, logged_in):
    """T11 through the vacancy export: text starting like a formula gets an apostrophe in CSV and is a text cell in
    XLSX; numbers stay numbers."""
    platform = factories.platform('丙园')
    building = factories.building(platform, name='=HYPERLINK("http://x")')
    factories.unit(building, number='101', note='@SUM(A1)')
    factories.unit(building, number='102', note='\t-1+1')
    logged_in('officer')
    data = client.get(f'/platforms/vacancies.csv?platform_id={platform.id}').data
    assert data.startswith('\ufeff'.encode())
    rows = list(csv.reader(io.StringIO(data.decode('utf-8-sig'))))
    assert rows[1][1] == '\'=HYPERLINK("http://x")' and rows[1][-1] == "'@SUM(A1)" and rows[2][-1] == "'\t-1+1"
    assert not any(cell.startswith(FORMULA_PREFIXES) for row in rows[1:] for cell in row)
    book = load_workbook(io.BytesIO(client.get(f'/platforms/vacancies.xlsx?platform_id={platform.id}').data))
    cells = [cell for row in book.active.iter_rows(min_row=2) for cell in row]
    assert all(cell.data_type == 's' for cell in cells if isinstance(cell.value, str))
    assert cells[1].value.startswith("'=") and cells[4].data_type == 'n'  # numbers stay numbers


@pytest.mark.nodb
def test_spreadsheet_writers_escape_every_formula_prefix_and_keep_negative_numbers_numeric():
    """T11 for the two writers every export uses, with all seven prefixes of ASVS 1.2.10 (= + - @ tab CR NUL) and
    negative numbers: CSV prefixes the text with an apostrophe and leaves -5 and -12.50 alone; XLSX stores the text as
    text cells (NUL, which XML cannot carry, is left out; CR is written as Excel writes it) and the negatives as
    numbers."""
    rows = [[prefix + '1+1', -5, Decimal('-12.50'), -0.5] for prefix in FORMULA_PREFIXES]
    written = list(csv.reader(io.StringIO(csv_bytes(['文本', '整数', '金额', '小数'], rows).decode('utf-8-sig'))))
    assert written[1:] == [["'" + prefix + '1+1', '-5', '-12.50', '-0.5'] for prefix in FORMULA_PREFIXES]
    sheet = load_workbook(io.BytesIO(xlsx_bytes(['文本', '整数', '金额', '小数'], rows))).active
    for prefix, (text, integer, amount, fraction) in zip(FORMULA_PREFIXES, sheet.iter_rows(min_row=2)):
        stored = "'" + prefix + '1+1' if prefix != '\0' else '1+1'
        assert text.data_type == 's' and text.value == stored.replace('\r', '_x000D_')  # Excel's escape for CR
        assert [(c.data_type, c.value) for c in (integer, amount, fraction)] == [('n', -5), ('n', -12.5), ('n', -0.5)]


def test_vacancy_search_filters_and_sorts(client, factories, logged_in):
    platform = factories.platform('丁园')
    building = factories.building(platform)
    for number, area, rent in [('a', '80', '2.5'), ('b', '500', '4.0'), ('c', '900', '3.0')]:
        factories.unit(building, number=number, area=area, rent=rent)
    factories.unit(building, number='let', area='600', status='已租')
    logged_in('leader')
    html = client.get(f'/platforms/vacancies?platform_id={platform.id}&area_min=100&sort=-rent').get_data(as_text=True)
    assert html.index('3F · b') < html.index('3F · c') and '3F · a' not in html and '3F · let' not in html


def test_vacancy_search_runs_the_same_few_queries_whatever_the_page_holds(client, factories, logged_in,
                                                                        count_queries):
    platform = factories.platform('戊园')
    first = factories.building(platform, name='戊园一号楼')
    factories.unit(first, number='101')
    logged_in('officer')
    url = f'/platforms/vacancies?platform_id={platform.id}&sort=-rent'
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for building in (first, factories.building(platform, name='戊园二号楼'), factories.building(platform)):
        for n in range(12):
            factories.unit(building, number=f'2{n:02d}', rent=f'{2 + n / 10:.1f}')
    with count_queries() as many:
        html = client.get(url).get_data(as_text=True)
    assert html.count('戊园二号楼') == 12 and '共 37 条' in html
    assert len(many) == len(few) <= 6, many  # user, count, ids, rows, platforms (+ BEGIN): no query per unit


def test_every_vacancy_sort_and_filter_answers_from_plain_rows(client, factories, logged_in):
    platform = factories.platform('己园')
    building = factories.building(platform, name='己园一号楼')
    for number, area, rent, use in [('a1', '120', '2.8', '办公'), ('a2', '300', '4.5', '研发'), ('a3', '60', None, '办公')]:
        factories.unit(building, number=number, area=area, rent=rent, use=use)
    logged_in('officer')
    base = f'/platforms/vacancies?platform_id={platform.id}'
    for sort in ('area', '-area', 'rent', '-rent', 'available', 'building'):
        html = client.get(f'{base}&sort={sort}').get_data(as_text=True)
        assert all(f'3F · {n}' in html for n in ('a1', 'a2', 'a3')), sort
    html = client.get(f'{base}&use=研发&rent_max=5&area_min=100&available_by=2030-01-01'
                      f'&building_id={building.id}').get_data(as_text=True)
    assert '3F · a2' in html and '3F · a1' not in html and '3F · a3' not in html
    assert '10,220' in client.get(f'{base}&area_max=150').get_data(as_text=True)  # 2.8 × 120 × 365 / 12 a month


def _platform_options(page: str) -> set[str]:
    select = re.search(r'<select name="platform_id".*?</select>', page, re.S).group(0)
    return set(re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select))


def test_the_platforms_offered_follow_the_viewers_scope_and_new_platforms(app, client, factories, logged_in, in_app,
                                                                          db_session):
    """The platform lists of the pages are kept between requests, per scope: a park manager is offered their own
    platform only, whoever asked before, and a platform added shows on the next page."""
    own = factories.platform('甲园')
    factories.platform('乙园')
    logged_in('leader')
    assert {'甲园', '乙园'} <= _platform_options(client.get('/platforms/vacancies').get_data(as_text=True))
    manager = factories.user('park_manager', platforms=[own])
    park = app.test_client()
    login(park, manager.email, factories.PASSWORD)
    for _ in range(2):
        assert _platform_options(park.get('/platforms/vacancies').get_data(as_text=True)) == {'甲园'}
    with in_app():
        ensure_platform('bingyuan', '丙园', '产业园', '拱墅区')
        db.session.commit()
    assert {'甲园', '乙园', '丙园'} <= _platform_options(client.get('/platforms/vacancies').get_data(as_text=True))
    assert _platform_options(park.get('/platforms/vacancies').get_data(as_text=True)) == {'甲园'}


def test_a_taken_unit_number_is_refused_beside_the_number_with_the_input_kept(client, factories, logged_in):
    own = factories.platform('甲园')
    building = factories.building(own, name='甲园一号楼')
    factories.unit(building, number='301')
    taken = factories.unit(building, number='302')
    factories.unit(factories.building(own, name='甲园二号楼'), number='303')  # another building's numbers are apart
    logged_in('park_manager', platforms=[own])
    form = {'floor': 3, 'number': '301', 'area_gross': '200', 'use': '办公', 'fitout': '简装', 'status': '空置',
            'version': 1, 'note': '保留我的备注'}
    edited = post_form(client, f'/platforms/units/{taken.id}', form)
    added = post_form(client, f'/platforms/buildings/{building.id}/units/new', form)
    for response in (edited, added):
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert re.search(r'<p class="error" id="number-err">同一楼宇内房号不能重复</p>', html), 'beside the number'
        assert '保留我的备注' in html and 'value="301"' in html
