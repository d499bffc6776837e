"""Buildings and units: status changes with history, edits with conflict detection, vacancy summaries, demo data
(the vacancy search is in crm.platforms.queries)."""
from __future__ import annotations

import random
import tomllib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, text

from config import ROOT
from crm.core import audit, clock
from crm.core.access import scoped
from crm.core.cache import changed
from crm.core.concurrency import check_version
from crm.core.i18n import gettext as _
from crm.core.labels import unit_status_label
from crm.core.rules import RuleError
from crm.db import db, utcnow
from crm.platforms import queries
from crm.platforms.models import (
    FITOUTS,
    UNIT_STATUSES,
    UNIT_USES,
    Building,
    Platform,
    Unit,
    UnitReservation,
    UnitStatus,
    UnitStatusChange,
)

BUILDINGS = ROOT / 'seeds' / 'buildings.toml'
EDITABLE = ('floor', 'number', 'area_gross', 'area_usable', 'use', 'fitout', 'rent', 'property_fee',
            'available_from', 'note',
            'ceiling_height', 'floor_load', 'power_kva', 'deposit_months', 'rent_free_months', 'lease_term_years')


class UnitError(RuleError):
    """A rule about units was broken; the message is shown to the user, beside `field` when one input is at fault."""


def set_status(unit: Unit, status: str, *, actor_id: int | None, note: str | None = None) -> None:
    """Change a unit's status and record the change (from, to, when, who, why)."""
    if status not in UNIT_STATUSES:
        raise UnitError(_('Unknown status: %(status)s', status=status), field='status')
    if status == unit.status:
        return
    db.session.add(UnitStatusChange(unit_id=unit.id, from_status=unit.status, to_status=status, by_id=actor_id,
                                    note=note or None))
    unit.status = status
    db.session.flush()
    if status == UnitStatus.LET:
        release_reservations(unit)


def update_unit(unit: Unit, data: dict[str, Any], *, version: int, actor_id: int | None) -> Unit:
    """Apply a form to a unit; a stale version raises EditConflict and nothing is written."""
    check_version(unit, version)
    clash = db.session.scalar(select(Unit.id).where(Unit.building_id == unit.building_id,
                                                    Unit.number == data['number'], Unit.id != unit.id))
    if clash:
        raise UnitError(_('Unit numbers must be unique within a building'), field='number')
    for key in EDITABLE:
        if key in data:
            setattr(unit, key, data[key])
    if data.get('status') and data['status'] != unit.status:
        set_status(unit, data['status'], actor_id=actor_id, note=data.get('status_note'))
    db.session.flush()
    return unit


def create_unit(building: Building, data: dict[str, Any], *, actor_id: int | None) -> Unit:
    """Add a unit to a building."""
    if db.session.scalar(select(Unit.id).where(Unit.building_id == building.id, Unit.number == data['number'])):
        raise UnitError(_('Unit numbers must be unique within a building'), field='number')
    unit = Unit(building_id=building.id, platform_id=building.platform_id, status=data.get('status') or UnitStatus.VACANT,
                **{k: data.get(k) for k in EDITABLE})
    db.session.add(unit)
    db.session.flush()
    db.session.add(UnitStatusChange(unit_id=unit.id, from_status=None, to_status=unit.status, by_id=actor_id))
    db.session.flush()
    return unit


BUILDING_EDITABLE = ('name', 'address', 'floors', 'gfa', 'operator', 'parking_spaces', 'parking_fee')


def _building_values(data: dict[str, Any]) -> dict[str, Any]:
    values = {key: data.get(key) for key in BUILDING_EDITABLE if key in data}
    for key in ('address', 'operator'):
        if key in values:
            values[key] = values[key] or None
    return values


def create_building(platform: Platform, data: dict[str, Any]) -> Building:
    """Add a building to a platform (the audit trail records it)."""
    building = Building(platform_id=platform.id, **_building_values(data))
    db.session.add(building)
    db.session.flush()
    return building


def update_building(building: Building, data: dict[str, Any], *, version: int) -> Building:
    """Apply a form to a building; a stale version raises EditConflict and nothing is written."""
    check_version(building, version)
    for key, value in _building_values(data).items():
        setattr(building, key, value)
    db.session.flush()
    return building


@dataclass
class VacancySummary:
    """Units, area available, vacancy rate and rent range of a platform or building."""

    units: int
    vacant_units: int
    area: Decimal
    vacant_area: Decimal
    rent_min: Decimal | None
    rent_max: Decimal | None

    @property
    def vacancy_rate(self) -> float:
        return float(self.vacant_area / self.area) if self.area else 0.0


def vacancy_summary(*conditions) -> VacancySummary:
    """Summary over the units matching `conditions` (within the user's scope)."""
    vacant = Unit.status == UnitStatus.VACANT
    stmt = scoped(select(func.count(Unit.id), func.count(Unit.id).filter(vacant), func.sum(Unit.area_gross),
                         func.sum(Unit.area_gross).filter(vacant), func.min(Unit.rent).filter(vacant),
                         func.max(Unit.rent).filter(vacant)), Unit)
    units, vacant_units, area, vacant_area, low, high = db.session.execute(stmt.where(*conditions)).one()
    return VacancySummary(units or 0, vacant_units or 0, Decimal(area or 0), Decimal(vacant_area or 0), low, high)


# --- seed and demo data -------------------------------------------------------------------------

def seed_buildings() -> dict[str, int]:
    """Key buildings named in the plans (seeds/buildings.toml), linked to their platforms; idempotent."""
    if not BUILDINGS.exists():
        return {'buildings_created': 0}
    with BUILDINGS.open('rb') as fh:
        entries = tomllib.load(fh).get('building', [])
    platforms = {p.key: p.id for p in db.session.scalars(select(Platform))}
    existing = set(db.session.scalars(select(Building.key).where(Building.key.is_not(None))))
    created = 0
    for entry in entries:
        platform_id = platforms.get(entry.get('platform', ''))
        if entry['key'] in existing or platform_id is None:
            continue
        db.session.add(Building(key=entry['key'], name=entry['name'], kind=entry.get('kind', '楼宇'),
                                platform_id=platform_id, facts=entry.get('facts', [])))
        created += 1
    db.session.flush()
    return {'buildings_created': created}


DEMO_PLATFORMS = ['跨贸小镇', '数字经济产业园', '中国(杭州)人力资源服务产业园', '电竞数娱产业园', '人工智能产业园区',
                  '创新中国产业园', '城市之星']
DEMO_TOWERS = ['A座', 'B座', 'C座', '1号楼', '2号楼', '3号楼']


def demo_units(count: int, seed: int = 7) -> dict[str, int]:
    """Deterministic demo buildings and units (labelled demo) spread over the main platforms."""
    if db.session.scalar(select(func.count(Unit.id)).where(Unit.is_demo.is_(True))):
        return {'demo_units': 0}
    rng = random.Random(seed)
    platforms = [p for p in db.session.scalars(select(Platform).where(Platform.name.in_(DEMO_PLATFORMS)))]
    buildings = []
    for platform in platforms:
        for tower in DEMO_TOWERS[:3]:
            building = Building(platform_id=platform.id, name=f'{platform.name}{tower}（示例）', kind='楼宇',
                                floors=rng.randint(8, 24), is_demo=True, operator='示例运营公司')
            db.session.add(building)
            buildings.append(building)
    db.session.flush()
    rows, today = [], clock.today()
    per_building = max(1, count // max(1, len(buildings)))
    for building in buildings:
        for n in range(per_building):
            floor = 1 + n // 6
            area = Decimal(rng.choice([80, 120, 150, 220, 300, 450, 600, 800, 1200, 1600]))
            status = rng.choices(UNIT_STATUSES, weights=[45, 8, 40, 4, 3])[0]
            rows.append({'building_id': building.id, 'platform_id': building.platform_id, 'floor': floor,
                         'number': f'{floor}{n % 6 + 1:02d}', 'area_gross': area,
                         'area_usable': (area * Decimal('0.78')).quantize(Decimal('0.01')),
                         'use': rng.choices(UNIT_USES, weights=[70, 15, 10, 3, 2])[0],
                         'fitout': rng.choice(FITOUTS), 'rent': Decimal(rng.randint(25, 60)) / 10,
                         'property_fee': Decimal(rng.randint(80, 250)) / 10,
                         'available_from': today + timedelta(days=rng.randint(-60, 180)), 'status': status,
                         'is_demo': True, 'version': 1})
    if rows:
        db.session.execute(insert(Unit), rows)
        changed(db.session(), queries.TOTALS)  # a bulk insert: the ORM's flush does not see it
    db.session.flush()
    refresh_unit_statistics()
    return {'demo_units': len(rows)}


def refresh_unit_statistics() -> None:
    """After a bulk load, let SQLite's planner know the unit table's shape (PostgreSQL's autovacuum does this).

    Without statistics SQLite sorts every matching unit for the rent and date sorts of the vacancy search
    instead of walking their indexes and stopping after one page."""
    if db.session.get_bind().dialect.name == 'sqlite':
        db.session.execute(text('ANALYZE unit'))


def promise_unit(unit: Unit, lead, *, actor_id: int | None, override_reason: str | None = None):
    """Mark a unit 意向 for a lead; promising it to a second lead needs an explicit, audited override."""
    if unit.status in (UnitStatus.LET, UnitStatus.LOCKED):
        raise UnitError(_('Unit %(number)s is “%(status)s” and cannot be promised to a lead', number=unit.number, status=unit_status_label(unit.status)))
    active = db.session.scalars(select(UnitReservation).where(UnitReservation.unit_id == unit.id,
                                                              UnitReservation.active.is_(True))).all()
    if any(r.lead_id == lead.id for r in active):
        raise UnitError(_('This unit is already promised to this lead'))
    reason = (override_reason or '').strip()
    if active and not reason:
        raise UnitError(_('Unit %(number)s is promised to another lead; to promise it to this lead as well, give a reason (it goes into the audit log)', number=unit.number),
                        field='override_reason')
    reservation = UnitReservation(unit_id=unit.id, lead_id=lead.id, override=bool(active), created_by_id=actor_id,
                                  override_reason=reason or None)
    db.session.add(reservation)
    if unit.status in (UnitStatus.VACANT, UnitStatus.FITTING_OUT):
        set_status(unit, UnitStatus.PROMISED, actor_id=actor_id, note=f'意向：{lead.display_name}')
    db.session.flush()
    audit.log(db.session, 'unit_double_promise' if active else 'unit_promised', 'unit', unit.id, lead=lead.id,
              reason=reason or None, other_leads=[r.lead_id for r in active])
    return reservation


def release_reservations(unit: Unit, *, keep_lead_id: int | None = None) -> None:
    """End the unit's promises (when it is let), except the lead that moved in."""
    for reservation in db.session.scalars(select(UnitReservation).where(UnitReservation.unit_id == unit.id,
                                                                        UnitReservation.active.is_(True))):
        if reservation.lead_id != keep_lead_id:
            reservation.active, reservation.released_at = False, utcnow()
    db.session.flush()
