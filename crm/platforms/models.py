"""Platform (产业平台): a park, town, business district or cluster that firms land in, with cited facts."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core import hooks
from crm.core.mixins import TimestampMixin, VersionedMixin
from crm.db import Base, db, one_of, utcnow
from crm.plans.models import PlanParagraph

PLATFORM_KINDS = ('特色小镇', '产业园', '商圈', '新城', '基地', '楼宇集群', '功能区', '集聚区')


class Platform(TimestampMixin, VersionedMixin, Base):
    """An industrial platform in a district."""

    __tablename__ = 'platform'
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    district: Mapped[str] = mapped_column(String(40), index=True)
    former_district: Mapped[str | None] = mapped_column(String(40))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey('platform.id'), index=True)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    focus_industries: Mapped[list[str]] = mapped_column(JSON, default=list)
    positioning: Mapped[str | None] = mapped_column(Text)
    managing_body: Mapped[str | None] = mapped_column(String(200))

    parent: Mapped[Platform | None] = relationship(remote_side=[id], back_populates='children')
    children: Mapped[list[Platform]] = relationship(back_populates='parent', order_by='Platform.name')
    facts: Mapped[list[PlatformFact]] = relationship(back_populates='platform', cascade='all, delete-orphan',
                                                     order_by='PlatformFact.seq')

    def __repr__(self) -> str:
        return f'<Platform {self.id} {self.name}>'


class PlatformFact(Base):
    """One fact about a platform as a plan document states it, with the verbatim quote and where it is."""

    __tablename__ = 'platform_fact'

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey('platform.id', ondelete='CASCADE'), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(String(40))
    year: Mapped[int | None] = mapped_column(Integer)
    doc_slug: Mapped[str] = mapped_column(String(80))
    quote: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    paragraph_id: Mapped[int | None] = mapped_column(ForeignKey('plan_paragraph.id', ondelete='SET NULL'))

    platform: Mapped[Platform] = relationship(back_populates='facts')
    paragraph: Mapped[PlanParagraph | None] = relationship(lazy='joined')


class UnitStatus(StrEnum):
    """A unit's status, stored as the office's own word (labels: crm.core.labels.UNIT_STATUSES)."""

    VACANT = '空置'
    PROMISED = '意向'
    LET = '已租'
    FITTING_OUT = '装修中'
    LOCKED = '锁定'


UNIT_STATUSES = tuple(status.value for status in UnitStatus)
UNIT_USES = ('办公', '研发', '商业', '厂房', '其他')
FITOUTS = ('毛坯', '简装', '精装')


class Building(TimestampMixin, VersionedMixin, Base):
    """A building (楼宇) or site in a platform; units are let floor by floor."""

    __tablename__ = 'building'
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey('platform.id'), index=True)
    key: Mapped[str | None] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20), default='楼宇')
    address: Mapped[str | None] = mapped_column(String(200))
    floors: Mapped[int | None] = mapped_column(Integer)
    gfa: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    operator: Mapped[str | None] = mapped_column(String(200))
    # What a prospect's property sheet prints of the building (None: not recorded, the sheet leaves it out).
    parking_spaces: Mapped[int | None] = mapped_column(Integer)
    parking_fee: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))  # 元/个·月
    facts: Mapped[list[dict]] = mapped_column(JSON, default=list)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    platform: Mapped[Platform] = relationship()
    units: Mapped[list[Unit]] = relationship(back_populates='building', order_by='(Unit.floor, Unit.number)')


class UnitRent:
    """The monthly rent of a unit, shared by the Unit model and the plain rows lists use (rent, area_gross)."""

    __slots__ = ()

    @property
    def monthly_rent(self) -> Decimal | None:
        """Rent for the whole unit per month (元), from 元/㎡·天 × area × 365/12."""
        if self.rent is None:
            return None
        return (self.rent * self.area_gross * Decimal(365) / Decimal(12)).quantize(Decimal('1'))


class Unit(UnitRent, TimestampMixin, VersionedMixin, Base):
    """A lettable unit (房源). Rent is 元/㎡·天 (the local convention); 物业费 is 元/㎡·月."""

    __tablename__ = 'unit'
    __audited__ = True
    __table_args__ = (UniqueConstraint('building_id', 'number'),
                      # Covers the vacancy search: filter, count and sort without reading the table.
                      Index('ix_unit_vacancy', 'status', 'area_gross', 'rent', 'available_from', 'use',
                            'platform_id', 'building_id'),
                      # The other sorts walk their own index and stop after one page instead of sorting every match.
                      Index('ix_unit_vacancy_rent', 'status', 'rent', 'area_gross', 'available_from', 'use',
                            'platform_id', 'building_id'),
                      Index('ix_unit_vacancy_available', 'status', 'available_from', 'area_gross', 'rent', 'use',
                            'platform_id', 'building_id'),
                      Index('ix_unit_vacancy_building', 'status', 'building_id', 'floor', 'number', 'area_gross',
                            'rent', 'available_from', 'use', 'platform_id'),
                      one_of('status', UnitStatus))

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey('building.id'), index=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey('platform.id'), index=True)
    floor: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(40))
    area_gross: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    area_usable: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    use: Mapped[str] = mapped_column(String(10), default='办公')
    fitout: Mapped[str] = mapped_column(String(10), default='简装')
    rent: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    property_fee: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    available_from: Mapped[date | None] = mapped_column()
    # Property-sheet facts (None: not recorded, left out of the pack).
    ceiling_height: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))  # m, clear height
    floor_load: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # kN/㎡
    power_kva: Mapped[int | None] = mapped_column(Integer)  # supply capacity for the unit, kVA
    deposit_months: Mapped[int | None] = mapped_column(Integer)  # deposit, in months of rent
    rent_free_months: Mapped[int | None] = mapped_column(Integer)  # 免租期
    lease_term_years: Mapped[int | None] = mapped_column(Integer)  # shortest / usual term offered
    status: Mapped[str] = mapped_column(String(10), default=UnitStatus.VACANT.value, index=True)
    note: Mapped[str | None] = mapped_column(Text)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    building: Mapped[Building] = relationship(back_populates='units')

    __import_owned__ = ('unit_status_change',)  # removed with a unit an import added, when the import is undone

    @property
    def import_label(self) -> str:
        return f'{self.building.name} {self.number}'

    def restore_imported(self, values: dict, *, actor_id: int | None) -> None:
        """Undoing an import: the earlier values come back, a status change with its history line."""
        from crm.platforms.units import set_status  # units imports this module for its tables

        status = values.pop('status', None)
        for name, value in values.items():
            setattr(self, name, value)
        if status:
            set_status(self, status, actor_id=actor_id, note='撤销导入')


class UnitStatusChange(Base):
    """History of a unit's status: from, to, when, who, why."""

    __tablename__ = 'unit_status_change'

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey('unit.id', ondelete='CASCADE'), index=True)
    from_status: Mapped[str | None] = mapped_column(String(10))
    to_status: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey('user.id'))
    note: Mapped[str | None] = mapped_column(Text)


class MediaFile(Base):
    """A photo or floor plan of a building or unit, stored under a random name outside static/."""

    __tablename__ = 'media_file'
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey('platform.id'), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey('building.id', ondelete='CASCADE'), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey('unit.id', ondelete='CASCADE'), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # photo | floor_plan
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str] = mapped_column(String(200))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey('user.id'))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UnitReservation(Base):
    """A unit promised (意向) to a lead. At most one ordinary promise per unit is active at a time (a partial
    unique index); a second one needs an explicit override, recorded with its reason."""

    __tablename__ = 'unit_reservation'
    __table_args__ = (Index('uq_unit_reservation_active', 'unit_id', unique=True,
                            sqlite_where=text('active AND NOT override'),
                            postgresql_where=text('active AND NOT override')),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey('unit.id', ondelete='CASCADE'), index=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey('lead.id', ondelete='CASCADE'), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    override: Mapped[bool] = mapped_column(Boolean, default=False)
    override_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey('user.id'))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column()


MAP_POI_KINDS = ('metro', 'rail', 'airport', 'university')
MAP_PLACE_KINDS = ('platform', 'building', *MAP_POI_KINDS)


class MapPlace(Base):
    """A point on the offline platform map: a platform, a building, or a point of interest (metro or rail station,
    airport, university) shown on every platform's map. Longitude and latitude are WGS-84 degrees."""

    __tablename__ = 'map_place'

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(String(120))
    lon: Mapped[float] = mapped_column(Numeric(9, 6, asdecimal=False))
    lat: Mapped[float] = mapped_column(Numeric(9, 6, asdecimal=False))
    approximate: Mapped[bool] = mapped_column(Boolean, default=True)
    platform_id: Mapped[int | None] = mapped_column(ForeignKey('platform.id', ondelete='CASCADE'), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey('building.id', ondelete='CASCADE'), index=True)


class UnitOutline(Base):
    """A unit's outline on a building's floor plan, drawn once by the park manager: a polygon in the image's
    pixels (x right, y down), so the 租控表 can be shown as the plan coloured by status."""

    __tablename__ = 'unit_outline'
    __audited__ = True
    __table_args__ = (UniqueConstraint('media_id', 'unit_id'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey('media_file.id', ondelete='CASCADE'), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey('unit.id', ondelete='CASCADE'), index=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey('platform.id'), index=True)
    points: Mapped[list[list[float]]] = mapped_column(JSON)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey('user.id'))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship()


def platform_names() -> list[tuple[str, str | None]]:
    """(name, key) of every platform."""
    return [(name, key) for name, key in db.session.execute(select(Platform.name, Platform.key))]


hooks.answer('platform_names', platform_names)  # auth's password rule refuses the platforms' names
