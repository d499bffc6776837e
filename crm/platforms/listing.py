"""The vacancy search reads plain rows (one joined statement per page), no ORM objects."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from pypinyin import Style, lazy_pinyin
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from crm.core.access import scope_key, visibility_clause
from crm.core.cache import changed, kept
from crm.db import db
from crm.platforms.models import Building, Platform, Unit, UnitRent

# Built once: a statement kept and reused is not built and keyed again on every page.
_PLATFORM_OPTIONS = select(Platform.id, Platform.name, Platform.district, Platform.aliases)


@functools.lru_cache(maxsize=4096)
def pinyin(text: str) -> str:
    """The pinyin of a Chinese text, syllables joined by spaces (拱墅 → gong shu): the order people expect of
    Chinese names in a list, which code points are not."""
    return ' '.join(lazy_pinyin(text, errors='default'))


@functools.lru_cache(maxsize=4096)
def _initials(text: str) -> str:
    return ''.join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors='default')).lower()


class PlatformOption(NamedTuple):
    id: int
    name: str
    district: str | None
    aliases: list[str] | None


# The lists, filters and forms of most pages offer the platforms: the list of each scope is kept in the figures
# cache (crm.core.cache) until a platform is added, changed or removed, in whichever process.
NAMESPACE = 'platform-options'
CACHE_SECONDS = 600


def _visible_platforms() -> list[PlatformOption]:
    scope = visibility_clause(Platform)
    return kept(NAMESPACE, f'{NAMESPACE}:{scope_key(scope)}', CACHE_SECONDS, lambda: _read_platforms(scope))



def _read_platforms(scope) -> list[PlatformOption]:
    stmt = _PLATFORM_OPTIONS if scope is None else _PLATFORM_OPTIONS.where(scope)
    rows = db.session.connection().execute(stmt).all()  # plain rows, no ORM result processing
    return [PlatformOption(*row) for row in sorted(rows, key=lambda r: (pinyin(r.district or ''), pinyin(r.name), r.id))]


@event.listens_for(Session, 'before_flush')
def _platforms_changing(session: Session, _context, _instances) -> None:
    if any(isinstance(obj, Platform) for obj in (*session.new, *session.dirty, *session.deleted)):
        changed(session, NAMESPACE)


def platform_name_map() -> dict[int, str]:
    """Every platform's name by id, whatever the viewer may see (a lead names each platform it is linked to):
    kept with the options, so a list of leads reads its platforms' ids and names them here."""
    return kept(NAMESPACE, f'{NAMESPACE}:names', CACHE_SECONDS, _read_names)


def _read_names() -> dict[int, str]:
    return dict(db.session.connection().execute(select(Platform.id, Platform.name)).all())


def platform_groups(rows=None) -> dict[str, list[tuple[int, str]]]:
    """The platforms the viewer may see, grouped by district: {district: [(id, name), …]}, districts and names in
    pinyin order. As WTForms choices it renders <optgroup>s."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for row in _visible_platforms() if rows is None else rows:
        groups.setdefault(row.district or '—', []).append((row.id, row.name))
    return groups


def platform_options() -> list[tuple[int, str]]:
    """(id, name) of the platforms the viewer may see, by district and name in pinyin order."""
    return [(row.id, row.name) for row in _visible_platforms()]


def matches_platform(row, text: str) -> bool:
    """Whether what was typed names the platform: part of its name or an alias, its pinyin or its initials."""
    folded = ''.join(text.lower().split())
    if not folded:
        return True
    names = [row.name, *(row.aliases or [])]
    return any(folded in name.lower() or folded in pinyin(name).replace(' ', '') or _initials(name).startswith(folded)
               for name in names)


def platform_suggestions(text: str) -> list[dict]:
    """Picker entries for what was typed: {"id", "text", "group"} by district and pinyin."""
    return [{'id': row.id, 'text': row.name, 'group': row.district or '—'}
            for row in _visible_platforms() if matches_platform(row, text)]


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
