"""Sorting the lead, firm and vacancy lists by a column: `?sort=<key>&dir=asc|desc` through the page, its links, its
pages (no row twice, none missed) and its export."""
import csv
import io
import re
from decimal import Decimal
from html import unescape

import pytest

from crm.leads.models import Lead


def _csv_names(response, column: int = 0) -> list[str]:
    return [row[column] for row in csv.reader(io.StringIO(response.data.decode('utf-8-sig')))][1:]


def _links(html: str, title: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'<a class="sort" href="([^"]+)"[^>]*>' + re.escape(title), html)]


def _pages(client, url: str, pattern: str, per_page: int) -> list[list[str]]:
    """Every page of a list, in order: the names `pattern` finds on each, following the pager's own next link."""
    pages = []
    while url:
        html = client.get(url).get_data(as_text=True)
        pages.append(re.findall(pattern, html))
        found = re.search(r'<a href="([^"]+)" rel="next">', html)
        url = unescape(found.group(1)) if found else None
        assert len(pages) < 20
    assert all(len(names) == per_page for names in pages[:-1])
    return pages


@pytest.fixture
def sortable_leads(factories, in_app, db_session):
    """Seven leads titled 排序项目N with investments including a tie and an empty one."""
    investments = {1: '300', 2: '50', 3: '300', 4: None, 5: '1200', 6: '80', 7: '300'}
    made = {n: factories.lead(title=f'排序项目{n}') for n in investments}
    with in_app():
        for n, amount in investments.items():
            db_session.get(Lead, made[n].id).investment = Decimal(amount) if amount else None
        db_session.commit()
    return {n: lead.id for n, lead in made.items()}


LEAD = r'>(排序项目\d)</a>'


def test_lead_list_sorts_by_a_column_and_pages_continue(client, logged_in, sortable_leads):
    logged_in('leader')
    ascending = ['排序项目2', '排序项目6', '排序项目1', '排序项目3', '排序项目7', '排序项目5', '排序项目4']
    pages = _pages(client, '/leads/?q=排序项目&sort=investment&dir=asc&per_page=3', LEAD, 3)
    assert sum(pages, []) == ascending  # ties in id order, the empty one last, no lead twice or missed
    pages = _pages(client, '/leads/?q=排序项目&sort=investment&dir=desc&per_page=3', LEAD, 3)
    assert sum(pages, []) == ['排序项目5', '排序项目7', '排序项目3', '排序项目1', '排序项目6', '排序项目2', '排序项目4']

    html = client.get('/leads/?q=排序项目&sort=investment&dir=asc&per_page=3&page=2').get_data(as_text=True)
    assert 'aria-sort="ascending"' in html and '▲' in html and '▼' not in html
    header = _links(html, '投资（万元）')[0]
    assert 'dir=desc' in header and 'q=' in header and 'per_page=3' in header  # filters kept
    assert not re.search(r'[?&]page=', header)  # back to page 1
    assert 'sort=investment' in unescape(re.search(r'<a href="([^"]+)" rel="next">', html).group(1))
    assert 'dir=asc' in _links(html, '负责人')[0]
    assert 'name="sort" value="investment"' in html  # the filter form keeps the sort too


def test_unknown_sort_keys_give_the_default_order(client, logged_in, sortable_leads):
    logged_in('leader')
    default = re.findall(LEAD, client.get('/leads/?q=排序项目').get_data(as_text=True))
    assert len(default) == 7
    for query in ('sort=password_hash', 'sort=id;drop', 'sort=title&dir=sideways', 'sort=&dir=desc'):
        response = client.get(f'/leads/?q=排序项目&{query}')
        assert response.status_code == 200
        assert re.findall(LEAD, response.get_data(as_text=True)) == default, query
    assert 'aria-sort' not in client.get('/leads/?q=排序项目&sort=nope').get_data(as_text=True)


def test_lead_export_follows_the_list_order(client, logged_in, sortable_leads):
    logged_in('leader')
    html = client.get('/leads/?q=排序项目&sort=project&dir=desc').get_data(as_text=True)
    shown = re.findall(LEAD, html)
    assert shown == [f'排序项目{n}' for n in range(7, 0, -1)]
    assert _csv_names(client.get('/leads/export.csv?q=排序项目&sort=project&dir=desc')) == shown
    assert _csv_names(client.get('/leads/export.csv?q=排序项目&sort=investment&dir=asc'))[-1] == '排序项目4'


def test_a_confidential_leads_firm_does_not_place_it_among_the_firms(client, logged_in, factories, in_app,
                                                                        db_session):
    first, hidden = factories.lead(factories.firm('排序甲公司'), title='排序公开'), \
        factories.lead(factories.firm('排序乙公司'), title='排序保密')
    factories.lead(factories.firm('排序丙公司'), title='排序另一')
    with in_app():
        lead = db_session.get(Lead, hidden.id)
        lead.confidential, lead.codename = True, '排序代号'
        db_session.commit()
    logged_in('leader')
    for direction in ('asc', 'desc'):
        names = re.findall(r'>(排序(?:公开|代号|另一))</a>',
                           client.get(f'/leads/?q=排序&sort=firm&dir={direction}').get_data(as_text=True))
        assert names[-1] == '排序代号', direction  # the hidden firm sorts as no firm: last either way
    assert first


def test_firm_list_sorts_pages_and_exports_in_one_order(client, logged_in, factories):
    for n, headcount in enumerate([40, 5, None, 40, 900, 12], start=1):
        factories.firm(f'排序企业{n}', headcount=headcount)
    logged_in('leader')
    pattern = r'>(排序企业\d)</a>'
    pages = _pages(client, '/firms/?q=排序企业&sort=headcount&dir=desc&per_page=4', pattern, 4)
    order = ['排序企业5', '排序企业4', '排序企业1', '排序企业6', '排序企业2', '排序企业3']
    assert sum(pages, []) == order
    assert _csv_names(client.get('/firms/export.csv?q=排序企业&sort=headcount&dir=desc')) == order
    html = client.get('/firms/?q=排序企业&sort=headcount&dir=desc').get_data(as_text=True)
    assert 'aria-sort="descending"' in html and '▼' in html
    assert 'dir=asc' in _links(html, '员工人数')[0] and 'dir=asc' in _links(html, '企业名称')[0]
    assert re.findall(pattern, client.get('/firms/?q=排序企业&sort=bogus').get_data(as_text=True)) == \
        re.findall(pattern, client.get('/firms/?q=排序企业').get_data(as_text=True))


def test_vacancy_list_sorts_by_header_pages_and_exports(client, logged_in, factories):
    platform = factories.platform('排序园')
    building = factories.building(platform, name='排序楼')
    for number, rent in [('r1', '3.0'), ('r2', None), ('r3', '5.5'), ('r4', '3.0'), ('r5', '1.2')]:
        factories.unit(building, number=number, rent=rent)
    logged_in('officer')
    base = f'/platforms/vacancies?platform_id={platform.id}'
    pattern = r'3F · (r\d)'
    pages = _pages(client, f'{base}&sort=rent&dir=desc&per_page=2', pattern, 2)
    assert sum(pages, []) == ['r3', 'r4', 'r1', 'r5', 'r2']  # the unit without a rent last
    assert sum(_pages(client, f'{base}&sort=rent&dir=asc&per_page=2', pattern, 2), []) == ['r5', 'r1', 'r4', 'r3',
                                                                                            'r2']
    assert _csv_names(client.get(f'/platforms/vacancies.csv?platform_id={platform.id}&sort=rent&dir=desc'),
                      column=3) == ['r3', 'r4', 'r1', 'r5', 'r2']
    html = client.get(f'{base}&sort=rent&dir=desc').get_data(as_text=True)
    assert 'dir=asc' in _links(html, '租金')[0] and f'platform_id={platform.id}' in _links(html, '租金')[0]
