"""Importing units from CSV/XLSX: per-row Chinese errors, one transaction, re-importing changes nothing.

The columns are those of the vacancy export, so an export can be edited and imported back.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from crm.core import audit
from crm.core.access import can
from crm.core.spreadsheets import Table, map_columns
from crm.db import db
from crm.platforms.models import FITOUTS, UNIT_STATUSES, UNIT_USES, Building, Platform, Unit
from crm.platforms.units import set_status

COLUMNS: dict[str, tuple[str, ...]] = {
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
}
DERIVED = {'月租金(元)', 'monthly rent (yuan)'}
REQUIRED = ('platform', 'building', 'floor', 'number', 'area_gross')
LABELS = {'platform': '平台', 'building': '楼宇', 'floor': '楼层', 'number': '房号', 'area_gross': '建筑面积',
          'area_usable': '使用面积', 'use': '用途', 'fitout': '装修', 'rent': '租金', 'property_fee': '物业费',
          'available_from': '可租日期', 'status': '状态', 'note': '备注'}
FIELDS = ('floor', 'area_gross', 'area_usable', 'use', 'fitout', 'rent', 'property_fee', 'available_from', 'note')


class RowError(ValueError):
    """One bad cell: the column and a Chinese explanation."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


@dataclass
class ImportReport:
    """What an import did (or would do, on a dry run)."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    buildings_created: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {'imported': self.imported, 'updated': self.updated, 'unchanged': self.unchanged,
                'buildings_created': self.buildings_created, 'errors': self.errors, 'dry_run': self.dry_run}


def _plain(text: str) -> str:
    text = unicodedata.normalize('NFKC', text or '').strip()
    return text[1:] if text.startswith("'") and text[1:2] in ('=', '+', '-', '@') else text


def _decimal(text: str, column: str, low: Decimal, high: Decimal) -> Decimal | None:
    text = _plain(text).replace(',', '')
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise RowError(column, f'{LABELS[column]}不是数字：{text[:30]}') from exc
    if not low <= value <= high:
        raise RowError(column, f'{LABELS[column]}应在 {low} 到 {high} 之间：{text}')
    return value.quantize(Decimal('0.01'))


def _date(text: str) -> date | None:
    text = _plain(text)
    if not text:
        return None
    if re.fullmatch(r'\d{5}(\.0+)?', text):  # Excel serial day number
        return date(1899, 12, 30) + timedelta(days=int(float(text)))
    match = re.fullmatch(r'(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?', text)
    if not match:
        raise RowError('available_from', f'可租日期格式不对：{text[:30]}（请用 2026-01-31）')
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError as exc:
        raise RowError('available_from', f'可租日期不存在：{text[:30]}') from exc


def _choice(text: str, column: str, allowed: tuple[str, ...], default: str) -> str:
    value = _plain(text) or default
    if value not in allowed:
        raise RowError(column, f'{LABELS[column]}只能是 {"/".join(allowed)}：{value[:20]}')
    return value


def parse_row(cells: dict[str, str]) -> dict[str, Any]:
    """Validate one row's cells into unit values; raises RowError for the first bad cell."""
    for name in REQUIRED:
        if not _plain(cells.get(name, '')):
            raise RowError(name, f'缺少{LABELS[name]}')
    for name, value in cells.items():
        if len(value) > 500:
            raise RowError(name, f'{LABELS[name]}过长（{len(value)} 个字符）')
    floor = _decimal(cells['floor'], 'floor', Decimal(-5), Decimal(200))
    if floor != floor.to_integral_value():
        raise RowError('floor', '楼层应为整数')
    values = {
        'platform': _plain(cells['platform']), 'building': _plain(cells['building'])[:120],
        'number': _plain(cells['number'])[:40], 'floor': int(floor),
        'area_gross': _decimal(cells['area_gross'], 'area_gross', Decimal(1), Decimal(100000)),
        'area_usable': _decimal(cells.get('area_usable', ''), 'area_usable', Decimal(0), Decimal(100000)),
        'use': _choice(cells.get('use', ''), 'use', UNIT_USES, '办公'),
        'fitout': _choice(cells.get('fitout', ''), 'fitout', FITOUTS, '简装'),
        'rent': _decimal(cells.get('rent', ''), 'rent', Decimal(0), Decimal(100)),
        'property_fee': _decimal(cells.get('property_fee', ''), 'property_fee', Decimal(0), Decimal(500)),
        'available_from': _date(cells.get('available_from', '')),
        'status': _choice(cells.get('status', ''), 'status', UNIT_STATUSES, '空置'),
        'note': _plain(cells.get('note', '')) or None,
    }
    if values['area_usable'] is not None and values['area_usable'] > values['area_gross']:
        raise RowError('area_usable', '使用面积不能大于建筑面积')
    return values


class UnitImporter:
    """Applies validated rows for one actor: platforms outside the actor's scope are errors, never writes."""

    def __init__(self, actor) -> None:
        self.actor = actor
        self.platforms: dict[str, Platform] = {}
        for platform in db.session.scalars(select(Platform)):
            for name in (platform.name, platform.key, *platform.aliases):
                self.platforms.setdefault(name, platform)
        self.buildings: dict[tuple[int, str], Building] = {}

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
                report.buildings_created += 1
            self.buildings[key] = building
        return self.buildings[key]

    def apply(self, values: dict[str, Any], report: ImportReport) -> None:
        platform = self.platform(values['platform'])
        building = self.building(platform, values['building'], report)
        unit = db.session.scalar(select(Unit).where(Unit.building_id == building.id,
                                                    Unit.number == values['number']))
        if unit is None:
            unit = Unit(building_id=building.id, platform_id=platform.id, number=values['number'], status='空置',
                        **{k: values[k] for k in FIELDS})
            db.session.add(unit)
            db.session.flush()
            set_status(unit, values['status'], actor_id=self.actor.id, note='导入')
            report.imported += 1
            return
        changed = [k for k in FIELDS if getattr(unit, k) != values[k]]
        if not changed and unit.status == values['status']:
            report.unchanged += 1
            return
        for key in changed:
            setattr(unit, key, values[key])
        set_status(unit, values['status'], actor_id=self.actor.id, note='导入')
        db.session.flush()
        report.updated += 1


def import_units(table: Table, actor, *, dry_run: bool = False, filename: str = '') -> ImportReport:
    """Import every good row in one transaction and report every bad one (row, column, reason)."""
    report = ImportReport(dry_run=dry_run)
    mapping, unknown = map_columns(table.header, COLUMNS)
    missing = [LABELS[name] for name in REQUIRED if name not in mapping]
    if missing:
        report.errors.append({'row': 1, 'column': '、'.join(missing), 'message': f'缺少必需的列：{"、".join(missing)}'})
        return report
    savepoint = db.session.begin_nested()
    importer, seen = UnitImporter(actor), {}
    for number, cells in table.rows:
        if len(cells) > len(table.header) and any(cells[len(table.header):]):
            report.errors.append({'row': number, 'column': '', 'message': '该行的列数多于表头'})
            continue
        record = {name: cells[index] if index < len(cells) else '' for name, index in mapping.items()}
        try:
            values = parse_row(record)
            key = (values['platform'], values['building'], values['number'])
            if key in seen:
                raise RowError('number', f'与第 {seen[key]} 行重复（同一楼宇同一房号）')
            seen[key] = number
            importer.apply(values, report)
        except RowError as exc:
            report.errors.append({'row': number, 'column': LABELS.get(exc.column, exc.column), 'message': str(exc)})
    if dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
        audit.log(db.session, 'import', 'unit', None, file=filename, **{k: v for k, v in report.as_dict().items()
                                                                         if k != 'errors'},
                  error_rows=len(report.errors), ignored_columns=[c for c in unknown if c not in DERIVED])
    return report
