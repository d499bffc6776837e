"""The lead list's and the vacancy search's pages are kept in the figures cache while nothing they show changes
(crm.core.pagination.kept_page): opened again they are not read again, and every write of what a row shows —
the record, the firm's, owner's, building's or platform's name, a merge — shows on the next request."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from crm.core import cache
from crm.db import db


@pytest.fixture
def kept(app, monkeypatch):
    """Kept values live in memory when the app is one process (the suite's other tests compute them every time)."""
    monkeypatch.setitem(app.extensions, cache.EXTENSION, cache.MemoryCache(one_process=True))


@pytest.fixture
def reads(app):
    """The statements that read a page of `table` rows (joined to `joined`), counted."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        seen.append(' '.join(statement.split()))
    with app.app_context():
        engine = db.engine
    event.listen(engine, 'before_cursor_execute', note)
    yield seen
    event.remove(engine, 'before_cursor_execute', note)


def _row(client, url: str, marker: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(rf'<tr\b(?:(?!</tr>).)*?{marker}.*?</tr>', page, re.S).group(0)


def _commit(app, change) -> None:
    with app.app_context():  # as the edit pages do
        change()
        db.session.commit()


def test_a_kept_lead_page_is_not_read_again_until_a_lead_changes(app, client, logged_in, factories, kept, reads):
    factories.lead(title='保留页甲项目')
    logged_in('leader')
    url = '/leads/?q=保留页'
    assert '保留页甲项目' in client.get(url).get_data(as_text=True)
    reads.clear()
    assert '保留页甲项目' in client.get(url).get_data(as_text=True)
    assert not [s for s in reads if 'FROM lead' in s], reads  # the page and its total were kept
    factories.lead(title='保留页乙项目')
    page = client.get(url).get_data(as_text=True)
    assert '保留页乙项目' in page and '共 2 条' in page


def test_kept_lead_rows_follow_the_firm_owner_lead_and_platforms(app, client, logged_in, factories, kept):
    from crm.auth.models import User
    from crm.firms.models import Firm
    from crm.leads.models import Lead
    from crm.platforms.models import Platform

    owner = factories.user('officer', name='保留页专员')
    firm = factories.firm('保留页甲公司')
    lead = factories.lead(firm, owner=owner, title='保留页行项目')
    logged_in('leader')
    url = '/leads/?q=保留页行'
    row = _row(client, url, '保留页行项目')
    assert '保留页甲公司' in row and '保留页专员' in row
    _commit(app, lambda: setattr(db.session.get(Firm, firm.id), 'name', '保留页乙公司'))
    assert '保留页乙公司' in _row(client, url, '保留页行项目')
    _commit(app, lambda: setattr(db.session.get(User, owner.id), 'name', '保留页新专员'))
    assert '保留页新专员' in _row(client, url, '保留页行项目')
    _commit(app, lambda: setattr(db.session.get(Lead, lead.id), 'investment', 4321))
    assert '4,321' in _row(client, url, '保留页行项目')
    platform = factories.platform('保留页测试园')

    def link() -> None:
        found = db.session.get(Lead, lead.id)
        found.platforms.append(db.session.get(Platform, platform.id))
    _commit(app, link)
    assert '保留页测试园' in _row(client, url, '保留页行项目')


def test_a_kept_lead_row_shows_the_surviving_firm_after_a_merge(app, client, logged_in, factories, kept):
    from crm.firms.models import Firm
    from crm.firms.services import merge

    survivor, duplicate = factories.firm('保留页存续公司'), factories.firm('保留页重复公司')
    factories.lead(duplicate, title='保留页合并项目')
    logged_in('leader')
    url = '/leads/?q=保留页合并'
    assert '保留页重复公司' in _row(client, url, '保留页合并项目')
    _commit(app, lambda: merge(db.session.get(Firm, survivor.id), db.session.get(Firm, duplicate.id), chosen={},
                               actor_id=None))
    row = _row(client, url, '保留页合并项目')
    assert '保留页存续公司' in row and '保留页重复公司' not in row


def test_kept_vacancy_rows_follow_the_unit_building_and_platform(app, client, logged_in, factories, kept, reads):
    from crm.platforms.models import Building, Platform, Unit

    platform = factories.platform('保留页空置园')
    building = factories.building(platform, name='保留页一号楼')
    unit = factories.unit(building, number='保留页808', area='321')
    logged_in('officer')
    url = '/platforms/vacancies?area_min=320&area_max=322'
    row = _row(client, url, '保留页808')
    assert '保留页一号楼' in row and '保留页空置园' in row
    reads.clear()
    _row(client, url, '保留页808')
    assert not [s for s in reads if 'FROM unit' in s], reads  # kept
    _commit(app, lambda: setattr(db.session.get(Building, building.id), 'name', '保留页二号楼'))
    assert '保留页二号楼' in _row(client, url, '保留页808')
    _commit(app, lambda: setattr(db.session.get(Platform, platform.id), 'name', '保留页改名园'))
    assert '保留页改名园' in _row(client, url, '保留页808')
    _commit(app, lambda: setattr(db.session.get(Unit, unit.id), 'number', '保留页909'))
    page = client.get(url).get_data(as_text=True)
    assert '保留页909' in page and '保留页808' not in page


def test_a_kept_page_is_kept_per_order(app, client, logged_in, factories, kept):
    from crm.leads.models import Lead

    for title, amount in (('保留页排序甲', 100), ('保留页排序乙', 900)):
        lead = factories.lead(title=title)
        _commit(app, lambda lead=lead, amount=amount: setattr(db.session.get(Lead, lead.id), 'investment', amount))
    logged_in('leader')
    orders = {}
    for direction in ('asc', 'desc', 'asc'):
        page = client.get(f'/leads/?q=保留页排序&sort=investment&dir={direction}').get_data(as_text=True)
        orders.setdefault(direction, []).append(list(dict.fromkeys(re.findall(r'保留页排序[甲乙]', page))))
    assert orders['asc'][0] == orders['asc'][1] == ['保留页排序甲', '保留页排序乙']
    assert orders['desc'][0] == ['保留页排序乙', '保留页排序甲']
    units = {}
    building = factories.building(factories.platform('保留页排序园'))
    for number, rent in (('保留页R1', '2.0'), ('保留页R2', '6.0')):
        factories.unit(building, number=number, rent=rent, area='777')
    for direction in ('asc', 'desc'):
        page = client.get(f'/platforms/vacancies?area_min=776&area_max=778&sort=rent&dir={direction}')
        units[direction] = list(dict.fromkeys(re.findall(r'保留页R\d', page.get_data(as_text=True))))
    assert units == {'asc': ['保留页R1', '保留页R2'], 'desc': ['保留页R2', '保留页R1']}


def test_kept_rows_go_through_redis_and_follow_a_write(app, client, logged_in, factories, redis_prefix,
                                                      monkeypatch):
    """As deployed with several processes: the rows are pickled into Redis, and a write clears them for all."""
    from crm.firms.models import Firm
    from tests.conftest import REDIS_URL

    # put back afterwards: the harness gives each test a fresh memory cache only when it finds one
    monkeypatch.setitem(app.extensions, cache.EXTENSION, cache.RedisCache(REDIS_URL, redis_prefix + ':'))
    firm = factories.firm('保留页红甲公司')
    factories.lead(firm, title='保留页红项目')
    logged_in('leader')
    url = '/leads/?q=保留页红'
    assert '保留页红甲公司' in _row(client, url, '保留页红项目')
    assert '保留页红甲公司' in _row(client, url, '保留页红项目')  # read back from Redis
    _commit(app, lambda: setattr(db.session.get(Firm, firm.id), 'name', '保留页红乙公司'))
    assert '保留页红乙公司' in _row(client, url, '保留页红项目')
