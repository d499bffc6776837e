"""The vacancy search reads plain rows (one joined statement per page), no ORM objects."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from crm.core.access import visibility_clause
from crm.db import db
from crm.platforms.models import Building, Platform, Unit, UnitRent


# Built once: a statement kept and reused is not built and keyed again on every page.
_PLATFORM_OPTIONS = select(Platform.id, Platform.name).order_by(Platform.name)


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


# The columns of a row and their joins (the search adds which units, in which order).
ROW_COLUMNS = (select(Unit.id, Unit.building_id, Unit.floor, Unit.number, Unit.area_gross, Unit.use, Unit.fitout,
                      Unit.rent, Unit.available_from, Building.name, Platform.name)
               .join(Building, Building.id == Unit.building_id).join(Platform, Platform.id == Unit.platform_id))
