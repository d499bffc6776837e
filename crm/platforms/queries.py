"""Platform and unit lists: the filter a list is asked for, read once (from a page's query string or the API's
checked query), and the statements built from it that the pages, their exports and the API all run. The vacancy
search reads plain rows (one joined statement per page), no ORM objects."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, bindparam, event, select
from sqlalchemy.orm import Session, aliased

from crm.core.access import scoped, visibility_clause
from crm.core.args import id_arg
from crm.core.cache import changed
from crm.core.pagination import Page, PageStatements, Sort, kept_page, page_statements, sort_arg, sort_order
from crm.platforms.listing import ROW_COLUMNS, VacancyRow
from crm.platforms.models import Building, Platform, Unit, UnitStatus

# --- the platform catalogue ---------------------------------------------------------------------


@dataclass(frozen=True)
class PlatformFilter:
    """The platform list narrowed to a district and a kind ('' for any)."""

    district: str = ''
    kind: str = ''

    @classmethod
    def from_args(cls, args) -> PlatformFilter:
        return cls(district=args.get('district') or '', kind=args.get('kind') or '')


def platform_statement(spec: PlatformFilter) -> Select:
    """The platforms in the viewer's scope that `spec` selects, by district and name."""
    stmt = scoped(select(Platform), Platform).order_by(Platform.district, Platform.name, Platform.id)
    if spec.district:
        stmt = stmt.where(Platform.district == spec.district)
    if spec.kind:
        stmt = stmt.where(Platform.kind == spec.kind)
    return stmt


def building_statement(platform_id: int | None = None) -> Select:
    """The buildings in the viewer's scope, of one platform when asked, by platform and name."""
    stmt = scoped(select(Building), Building).order_by(Building.platform_id, Building.name, Building.id)
    return stmt if platform_id is None else stmt.where(Building.platform_id == platform_id)


# --- the vacancy search -------------------------------------------------------------------------

_SORT_BUILDING, _SORT_PLATFORM = aliased(Building), aliased(Platform)
# The columns the search can be sorted by (`?sort=<key>&dir=asc|desc`, or `sort=-key`); by default by area.
SORTS = {
    'platform': (select(_SORT_PLATFORM.name).where(_SORT_PLATFORM.id == Unit.platform_id).correlate(Unit)
                 .scalar_subquery(),),
    'building': (select(_SORT_BUILDING.name).where(_SORT_BUILDING.id == Unit.building_id).correlate(Unit)
                 .scalar_subquery(), Unit.building_id, Unit.floor, Unit.number),
    'area': (Unit.area_gross,), 'use': (Unit.use,), 'rent': (Unit.rent,), 'available': (Unit.available_from,),
}
API_SORTS = ('area', '-area', 'rent', '-rent', 'available', 'building')  # the API's `sort` values
DEFAULT_ORDER = (Unit.area_gross, Unit.id)


def vacancy_sort(args) -> Sort:
    """The sort asked for on the query string (an unknown key: by area)."""
    return sort_arg(args, SORTS)


def _order(sort: Sort) -> tuple:
    return sort_order(sort, SORTS, DEFAULT_ORDER, Unit.id)


# Each filter compares a column with a parameter of its own name, bound when the statement runs: one statement
# serves every search with the same filters filled in, whatever the values.
FILTERS = {
    'area_min': Unit.area_gross >= bindparam('area_min'), 'area_max': Unit.area_gross <= bindparam('area_max'),
    'rent_min': Unit.rent >= bindparam('rent_min'), 'rent_max': Unit.rent <= bindparam('rent_max'),
    'use': Unit.use == bindparam('use'), 'platform_id': Unit.platform_id == bindparam('platform_id'),
    'building_id': Unit.building_id == bindparam('building_id'),
    'available_by': Unit.available_from.is_(None) | (Unit.available_from <= bindparam('available_by')),
}


ANY_STATUS = '*'  # `status` filter value meaning every status (the API's unit list); the default is 空置


def _number(args, name: str) -> float | None:
    value = args.get(name)
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _date(args, name: str) -> date | None:
    value = args.get(name)
    if isinstance(value, date) or value is None:
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class VacancyFilter:
    """What the vacancy search (and the API's unit list) is narrowed to, and its sort: gross area and rent
    ranges, use, platform, building, available by a date, and the status (空置 unless asked; ANY_STATUS: all)."""

    area_min: float | None = None
    area_max: float | None = None
    rent_min: float | None = None
    rent_max: float | None = None
    use: str | None = None
    platform_id: int | None = None
    building_id: int | None = None
    available_by: date | None = None
    status: str = UnitStatus.VACANT
    sort: Sort = field(default_factory=Sort)

    @classmethod
    def from_args(cls, args, *, status: str = UnitStatus.VACANT) -> VacancyFilter:
        """The filter in a query string (or a mapping of the same names with checked values); values that are not
        understood are ignored."""
        return cls(area_min=_number(args, 'area_min'), area_max=_number(args, 'area_max'),
                   rent_min=_number(args, 'rent_min'), rent_max=_number(args, 'rent_max'),
                   use=args.get('use') or None, platform_id=id_arg('platform_id', args),
                   building_id=id_arg('building_id', args), available_by=_date(args, 'available_by'),
                   status=status, sort=vacancy_sort(args))


def _search_params(spec: VacancyFilter) -> dict[str, Any]:
    """The values of the filters that are filled in (plus `status`, unless every status is wanted)."""
    params = {key: getattr(spec, key) for key in FILTERS if getattr(spec, key) not in (None, '')}
    status = spec.status or UnitStatus.VACANT
    if status != ANY_STATUS:
        params['status'] = status
    return params


def _conditions(keys) -> list:
    """The WHERE clauses of the filters named in `keys` (values bound later)."""
    status = [Unit.status == bindparam('status')] if 'status' in keys else []
    return status + [clause for key, clause in FILTERS.items() if key in keys]


def _search_statements(keys: frozenset[str], sort: Sort, scope=None) -> PageStatements:
    """(one page of rows, the count) for one combination of filled-in filters and a sort, within `scope`."""
    stmt = select(Unit.id).where(*_conditions(keys))
    return page_statements(stmt if scope is None else stmt.where(scope), _order(sort), ROW_COLUMNS)


# Officers, leaders and administrators see every unit: their statements are built, keyed and compiled once per
# combination of filters and sort; a page runs them with its values.
_unscoped_search = functools.lru_cache(maxsize=512)(_search_statements)


def _vacancy_ids(spec: VacancyFilter) -> Select:
    """Ids of the matching units (scoped), answerable from the covering index ix_unit_vacancy."""
    params = _search_params(spec)
    return scoped(select(Unit.id).where(*_conditions(params)), Unit).params(**params)


def vacancy_statement(spec: VacancyFilter) -> Select:
    """Rows (unit, building name, platform name) of every unit `spec` selects, in its order (used by exports)."""
    return (select(Unit, Building.name, Platform.name).join(Building, Unit.building_id == Building.id)
            .join(Platform, Unit.platform_id == Platform.id)
            .where(Unit.id.in_(_vacancy_ids(spec).scalar_subquery()))
            .order_by(*_order(spec.sort)))


def unit_statement(platform_id: int | None = None, building_id: int | None = None,
                   status: str | None = None) -> Select:
    """Rows (unit, building name, platform name) of every unit in scope, whatever its status (the 租控表 as a
    spreadsheet), by platform, building, floor and number."""
    stmt = (scoped(select(Unit, Building.name, Platform.name), Unit)
            .join(Building, Unit.building_id == Building.id).join(Platform, Unit.platform_id == Platform.id))
    if platform_id is not None:
        stmt = stmt.where(Unit.platform_id == platform_id)
    if building_id is not None:
        stmt = stmt.where(Unit.building_id == building_id)
    if status is not None:
        stmt = stmt.where(Unit.status == status)
    return stmt.order_by(Platform.name, Building.name, Unit.building_id, Unit.floor, Unit.number, Unit.id)


def vacancy_page(spec: VacancyFilter, page: int, per_page: int) -> Page:
    """One page of the vacancy search: count and order on the index, then read just that page's plain rows."""
    params, sort = _search_params(spec), spec.sort
    scope = visibility_clause(Unit)
    statements = (_unscoped_search(frozenset(params), sort) if scope is None
                  else _search_statements(frozenset(params), sort, scope))  # park managers: their platforms
    return kept_page(statements, params, page, per_page, lambda row: VacancyRow(*row), namespace=TOTALS,
                           seconds=TOTALS_SECONDS, scope=scope, order=sort)


# The search's total counts every matching unit, and a page's rows carry the building's and the platform's
# names: both are kept per filter and viewer scope until a unit, a building or a platform is written, in any
# process, and at the latest after TOTALS_SECONDS.
TOTALS = 'unit-totals'
TOTALS_SECONDS = 60
_SHOWN = (Unit, Building, Platform)


@event.listens_for(Session, 'before_flush')
def _units_changing(session: Session, _context, _instances) -> None:
    if any(isinstance(obj, _SHOWN) for obj in (*session.new, *session.dirty, *session.deleted)):
        changed(session, TOTALS)


