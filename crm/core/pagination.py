"""Offset pagination: the page is found on the ids first, on an index, so deep pages stay cheap."""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from flask import request
from sqlalchemy import Integer, Select, bindparam, func, select

from crm.core.access import scope_key
from crm.core.cache import cache, generation
from crm.core.validators import record_id  # a number either database can take as an offset factor
from crm.db import db

MAX_PER_PAGE = 200


@dataclass
class Page:
    """One page of results plus what the pager needs."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_args(default_per_page: int = 50) -> tuple[int, int]:
    """Read `page` and `per_page` from the query string, clamped to sane values."""
    page = request.args.get('page', 1, type=record_id) or 1
    per_page = request.args.get('per_page', default_per_page, type=record_id) or default_per_page
    return max(1, page), max(1, min(per_page, MAX_PER_PAGE))


def _count(stmt: Select) -> int:
    counted = stmt.order_by(None).with_only_columns(func.count(), maintain_column_froms=True)
    return db.session.scalar(counted) or 0


def paginate(stmt: Select, page: int, per_page: int, *, entities: bool = True) -> Page:
    """Run `stmt` for one page and count the total; `entities=False` keeps whole rows (several columns).

    For one ORM entity the page is found on the ids first (an index walk, even deep into the list), and only
    those rows are loaded with their relationships ("deferred join"). The big lists (leads, vacant units) read
    plain rows through statements of their own (`crm.leads.queries`, `crm.platforms.units`).
    """
    offset = (page - 1) * per_page
    if not entities:
        total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
        return Page(items=db.session.execute(stmt.limit(per_page).offset(offset)).all(), page=page,
                    per_page=per_page, total=total)
    entity = stmt.column_descriptions[0]['entity'] if len(stmt.column_descriptions) == 1 else None
    if entity is None or not hasattr(entity, 'id'):
        total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
        return Page(items=list(db.session.scalars(stmt.limit(per_page).offset(offset))), page=page,
                    per_page=per_page, total=total)
    id_stmt = stmt.with_only_columns(entity.id, maintain_column_froms=True).limit(per_page).offset(offset)
    ids = list(db.session.scalars(id_stmt))
    by_id = {obj.id: obj for obj in db.session.scalars(stmt.order_by(None).where(entity.id.in_(ids)))} if ids else {}
    return Page(items=[by_id[i] for i in ids if i in by_id], page=page, per_page=per_page, total=_count(stmt))


# --- prepared pages: statements built once per combination of filters, values bound at execution ----------------

class PageStatements(NamedTuple):
    """The statements of a prepared list: a page of rows each starting with the total, the same rows alone (when
    the total is known), and the count."""

    rows_and_total: Select
    rows: Select
    count: Select


def page_statements(ids: Select, order: Sequence[Any], columns: Select, *, found_once: bool = False) -> PageStatements:
    """The statements of one page of rows over `ids` (`select(Model.id).where(...)`), and of the count.

    The page's ids are found in `order` on the indexes (`limit` and `offset` are parameters), and read with the
    `columns` of a row in the same statement. The rows can start with the total (the count, a subquery the
    database runs once), so a page is one round trip to the database; the count alone serves a page past the end.

    `found_once`: the matching ids are found in one pass (a common table expression the page and the count both
    read) and then put in order, instead of walking the order and testing each row, and counting in a pass of
    its own — for a filter no index answers (a text search), which tests every row either way.
    """
    if found_once:
        key = ids.selected_columns[0]
        found = ids.cte('found')
        count = select(func.count()).select_from(found)
        ids = select(key).where(key.in_(select(found.c[0])))
    else:
        count = ids.with_only_columns(func.count(), maintain_column_froms=True)
    page = ids.order_by(*order).limit(bindparam('limit', type_=Integer)).offset(bindparam('offset', type_=Integer))
    rows = columns.where(ids.selected_columns[0].in_(page.scalar_subquery())).order_by(*order)
    with_total = rows.with_only_columns(count.scalar_subquery(), *rows.selected_columns, maintain_column_froms=True)
    return PageStatements(with_total, rows, count)


def _page_rows(statements: PageStatements, params: dict[str, Any], page: int, per_page: int,
               total: int | None) -> tuple[list[tuple], int]:
    """The page's rows as read (plain tuples, without the total) and the total (`total` when already known)."""
    connection = db.session.connection()
    values = {**params, 'limit': per_page, 'offset': (page - 1) * per_page}
    if total is not None:
        return [tuple(row) for row in connection.execute(statements.rows, values).all()], total
    found = connection.execute(statements.rows_and_total, values).all()
    if found:
        total = found[0][0]
    else:  # no row to carry the total: none at all on the first page, else a page past the end
        total = connection.execute(statements.count, params).scalar() or 0 if page > 1 else 0
    return [tuple(row)[1:] for row in found], total


def prepared_page(statements: PageStatements, params: dict[str, Any], page: int, per_page: int,
                  make: Callable[[Any], Any], *, total: int | None = None) -> Page:
    """Run `page_statements` for one page with the filters' `params`; `make(row)` builds each item (from the row's
    own columns). `total`: already known (kept from an earlier page), not counted again."""
    rows, total = _page_rows(statements, params, page, per_page, total)
    return Page(items=[make(row) for row in rows], page=page, per_page=per_page, total=total)


def kept_page(statements: PageStatements, params: dict[str, Any], page: int, per_page: int,
              make: Callable[[Any], Any], *, namespace: str, seconds: float, scope, order: Any,
              variant: Any = ()) -> Page:
    """`prepared_page` with the list's total and the page's rows kept in the figures cache (crm.core.cache): the
    total per filters (`params` and the `variant` of the statements) and viewer `scope` (the WHERE clause of the
    viewer's scope, None for everything), the rows per `order` (the list's sort, by its repr), page and size too,
    while `namespace` stays unchanged, at most `seconds`. A list opened again and again (the first page of the
    leads, a vacancy search) is not read and counted again while nothing it shows was written: the list's own
    listener moves `namespace` when anything a row shows is written (its records, and the names read with them),
    in whichever process. The rows are kept as read; `make` builds the items on every request, so what it looks
    up elsewhere (a kept map of names) is as current as that is."""
    store = cache()
    if not store.one_process:  # other processes' writes would not reach this process's kept values
        return prepared_page(statements, params, page, per_page, make)
    filters = repr((variant, sorted((name, repr(value)) for name, value in params.items())))
    key = f'{namespace}:{scope_key(scope, per_user=True)}:{hashlib.sha256(filters.encode()).hexdigest()[:32]}'
    rows_key = f'{key}:{hashlib.sha256(repr(order).encode()).hexdigest()[:16]}:{page}:{per_page}'
    current, kept_total, kept_rows = store.get_many([generation(namespace), key, rows_key])
    if kept_rows is not None and kept_rows[0] == current:
        rows, total = kept_rows[1]
    else:
        known = kept_total[1] if kept_total is not None and kept_total[0] == current else None
        rows, total = _page_rows(statements, params, page, per_page, known)
        if known is None:
            store.set(key, (current, total), seconds)
        store.set(rows_key, (current, (rows, total)), seconds)
    return Page(items=[make(row) for row in rows], page=page, per_page=per_page, total=total)


# --- sorting by a column: `?sort=<key>&dir=asc|desc`, keys from each list's whitelist -----------------------------

@dataclass(frozen=True)
class Sort:
    """The column a list is sorted by (`key`, None for the list's own order) and its direction."""

    key: str | None = None
    descending: bool = False

    @property
    def direction(self) -> str:
        return 'desc' if self.descending else 'asc'


def sort_arg(args, keys) -> Sort:
    """The sort asked for on the query string, if its key is one of `keys` (anything else: the default order).
    `sort=-key` (the older form) means descending too."""
    key, descending = str(args.get('sort') or ''), args.get('dir') == 'desc'
    if key.startswith('-'):
        key, descending = key[1:], True
    return Sort(key, descending) if key in keys else Sort()


def _nullable(column) -> bool:
    """Whether the sort term may be empty: anything but a column declared NOT NULL (a subquery, a CASE) may."""
    return bool(getattr(getattr(column, 'expression', column), 'nullable', True))


def sort_order(sort: Sort, columns: dict[str, Sequence[Any]], default: Sequence[Any], tiebreak) -> tuple:
    """ORDER BY for `sort`: the key's columns in its direction (empty values last on either engine), then
    `tiebreak` (the id) in the same direction, so that every row has one place and pages neither overlap nor skip."""
    if sort.key is None:
        return tuple(default)
    order = []
    for column in columns[sort.key]:
        term = column.desc() if sort.descending else column.asc()
        order.append(term.nulls_last() if _nullable(column) else term)
    return (*order, tiebreak.desc() if sort.descending else tiebreak.asc())
