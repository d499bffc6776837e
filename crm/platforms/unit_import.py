"""Importing units from CSV/XLSX with the columns of the vacancy export (so an export can be edited and
imported back). Rows match on platform + building + unit number; re-importing changes nothing."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from crm.core.access import can
from crm.core.imports import (
    ImportReport,
    ImportSpec,
    RowCheck,
    RowError,
    choice_cell,
    date_cell,
    decimal_cell,
    folded,
    int_cell,
    plain,
    run_import,
)
from crm.core.spreadsheets import Table
from crm.db import db
from crm.platforms.models import FITOUTS, UNIT_STATUSES, UNIT_USES, Building, Platform, Unit, UnitStatus
from crm.platforms.units import refresh_unit_statistics, set_status

SPEC = ImportSpec(
    object_type='unit',
    columns={
        'platform': ('平台', '产业平台', '所属平台'),
        'building': ('楼宇', '楼宇名称', '楼栋'),
        'floor': ('楼层', '所在楼层'),
        'number': ('房号', '单元号', '房间号', 'unit', 'unit number'),
        'area_gross': ('建筑面积(㎡)', '建筑面积', '面积', 'area', 'gross area'),
        'area_usable': ('使用面积(㎡)', '使用面积', '套内面积', 'usable area'),
        'use': ('用途', '房源用途'),
        'fitout': ('装修', '装修情况', 'fit-out'),
        'rent': ('租金(元/㎡·天)', '租金', '日租金', 'rent (yuan/㎡/day)'),
        'property_fee': ('物业费(元/㎡·月)', '物业费', 'property fee'),
        'available_from': ('可租日期', '可入驻日期', 'available from'),
        'status': ('状态', '房源状态'),
        'note': ('备注', 'notes'),
    },
    required=('platform', 'building', 'floor', 'number', 'area_gross'),
    labels={'platform': '平台', 'building': '楼宇', 'floor': '楼层', 'number': '房号', 'area_gross': '建筑面积',
            'area_usable': '使用面积', 'use': '用途', 'fitout': '装修', 'rent': '租金', 'property_fee': '物业费',
            'available_from': '可租日期', 'status': '状态', 'note': '备注'},
    ignored=frozenset({'月租金(元)', 'monthly rent (yuan)'}),
)
FIELDS = ('floor', 'area_gross', 'area_usable', 'use', 'fitout', 'rent', 'property_fee', 'available_from', 'note')


def parse_row(cells: dict[str, str], check: RowCheck | None = None) -> dict[str, Any]:
    """Validate one row's cells into unit values. Every bad cell is noted on `check`; without one, they are raised
    together (RowErrors) at the end."""
    own = check is None
    check = check or RowCheck()
    labels = SPEC.labels
    for name in SPEC.required:
        if not plain(cells.get(name, '')):
            check.add(name, f'缺少{labels[name]}')
    values = {
        'platform': plain(cells.get('platform', '')), 'building': plain(cells.get('building', ''))[:120],
        'number': folded(cells.get('number', ''))[:40],
        'floor': check(int_cell, cells.get('floor', ''), 'floor', '楼层', -5, 200),
        'area_gross': check(decimal_cell, cells.get('area_gross', ''), 'area_gross', '建筑面积', Decimal(1),
                            Decimal(100000)),
        'area_usable': check(decimal_cell, cells.get('area_usable', ''), 'area_usable', '使用面积', Decimal(0),
                             Decimal(100000)),
        'use': check(choice_cell, cells.get('use', ''), 'use', '用途', UNIT_USES, '办公'),
        'fitout': check(choice_cell, cells.get('fitout', ''), 'fitout', '装修', FITOUTS, '简装'),
        'rent': check(decimal_cell, cells.get('rent', ''), 'rent', '租金', Decimal(0), Decimal(100)),
        'property_fee': check(decimal_cell, cells.get('property_fee', ''), 'property_fee', '物业费', Decimal(0),
                              Decimal(500)),
        'available_from': check(date_cell, cells.get('available_from', ''), 'available_from', '可租日期'),
        'status': check(choice_cell, cells.get('status', ''), 'status', '状态', UNIT_STATUSES, UnitStatus.VACANT),
        'note': plain(cells.get('note', '')) or None,
    }
    if (values['area_usable'] is not None and values['area_gross'] is not None
            and values['area_usable'] > values['area_gross']):
        check.add('area_usable', '使用面积不能大于建筑面积')
    if own:
        check.done()
    return values


SPEC.parse = parse_row


class UnitImporter:
    """Applies rows for one actor: platforms outside the actor's scope are errors, never writes."""

    def __init__(self, actor) -> None:
        self.actor = actor
        self.platforms: dict[str, Platform] = {}
        for platform in db.session.scalars(select(Platform)):
            for name in (platform.name, platform.key, *platform.aliases):
                self.platforms.setdefault(name, platform)
        self.buildings: dict[tuple[int, str], Building] = {}
        self.seen: dict[tuple, int] = {}

    def platform(self, name: str) -> Platform:
        platform = self.platforms.get(name)
        if platform is None:
            raise RowError('platform', f'平台不存在：{name[:40]}')
        if not can(self.actor, 'edit', platform):
            raise RowError('platform', f'无权维护该平台的房源：{name[:40]}')
        return platform

    def building(self, platform: Platform, name: str, report: ImportReport) -> Building:
        key = (platform.id, name)
        if key not in self.buildings:
            building = db.session.scalar(select(Building).where(Building.platform_id == platform.id,
                                                                Building.name == name))
            if building is None:
                building = Building(platform_id=platform.id, name=name)
                db.session.add(building)
                db.session.flush()
                report.created(building)
                report.extra['buildings_created'] = report.extra.get('buildings_created', 0) + 1
            self.buildings[key] = building
        return self.buildings[key]

    def __call__(self, number: int, cells: dict[str, str], report: ImportReport) -> None:
        check = RowCheck()
        values = parse_row(cells, check)
        key = (values['platform'], values['building'], values['number'])
        if not check.failed('platform', 'building', 'number'):
            if key in self.seen:
                check.add('number', f'与第 {self.seen[key]} 行重复（同一楼宇同一房号）')
            else:
                self.seen[key] = number
        platform = check(self.platform, values['platform']) if values['platform'] else None
        check.done()
        building = self.building(platform, values['building'], report)
        unit = db.session.scalar(select(Unit).where(Unit.building_id == building.id, Unit.number == values['number']))
        if unit is None:
            unit = Unit(building_id=building.id, platform_id=platform.id, number=values['number'], status=UnitStatus.VACANT,
                        **{k: values[k] for k in FIELDS})
            db.session.add(unit)
            db.session.flush()
            set_status(unit, values['status'], actor_id=self.actor.id, note='导入')
            report.created(unit)
            report.imported += 1
            return
        changed = [k for k in FIELDS if getattr(unit, k) != values[k]]
        if not changed and unit.status == values['status']:
            report.unchanged += 1
            return
        report.updating(unit, (*changed, 'status'))
        for name in changed:
            setattr(unit, name, values[name])
        set_status(unit, values['status'], actor_id=self.actor.id, note='导入')
        db.session.flush()
        report.updated += 1


def import_units(table: Table, actor, *, dry_run: bool = False, filename: str = '') -> ImportReport:
    """Import every good row in one transaction and report every bad one (row, column, reason)."""
    report = run_import(table, SPEC, UnitImporter(actor), dry_run=dry_run, filename=filename)
    report.extra.setdefault('buildings_created', 0)
    if not dry_run and report.imported:
        refresh_unit_statistics()
    return report
