"""The vacancy search reads plain rows (one joined query for a page of ids), no ORM objects."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import bindparam, select

from crm.core.access import visibility_clause
from crm.db import db
from crm.platforms.models import Building, Platform, Unit, UnitRent


_PLATFORM_OPTIONS = select(Platform.id, Platform.name).order_by(Platform.name)  # built once (see _ROWS)


def platform_options() -> list[tuple[int, str]]:
    """(id, name) of the platforms the viewer may see, by name: the platform filter of list pages."""
    scope = visibility_clause(Platform)
    stmt = _PLATFORM_OPTIONS if scope is None else _PLATFORM_OPTIONS.where(scope)
    return db.session.connection().execute(stmt).all()  # plain rows, no ORM result processing


@dataclass(slots=True)  # not frozen: a frozen dataclass pays a setattr call per field on every row
class VacancyRow(UnitRent):
    """What the vacancy search shows of one unit."""

    id: int
    building_id: int
    floor: int
    number: str
    area_gross: Decimal
    use: str
    fitout: str
    rent: Decimal | None
    available_from: date | None
    building_name: str
    platform_name: str


# Built once: executing a prepared Core statement skips building, keying and ORM processing on every page.
_ROWS = (select(Unit.id, Unit.building_id, Unit.floor, Unit.number, Unit.area_gross, Unit.use, Unit.fitout, Unit.rent,
                Unit.available_from, Building.name, Platform.name)
         .join(Building, Building.id == Unit.building_id).join(Platform, Platform.id == Unit.platform_id)
         .where(Unit.id.in_(bindparam('ids', expanding=True))))


def vacancy_rows(ids: Sequence[int]) -> list[VacancyRow]:
    """The rows for `ids`, in that order (ids already passed the viewer's scope)."""
    rows = db.session.connection().execute(_ROWS, {'ids': list(ids)})
    by_id = {row[0]: VacancyRow(*row) for row in rows}
    return [by_id[i] for i in ids if i in by_id]
