"""Importing projects' yearly actuals (investment, tax, jobs, each row with its source) from CSV/XLSX through the
shared import machinery: a row names its project by number (the lead's id) or by name, and its year; a row for a
year already entered corrects it; importing the same file again changes nothing."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select

from crm.core import clock
from crm.core.access import can
from crm.core.imports import (
    ImportReport,
    ImportSpec,
    RowCheck,
    RowError,
    decimal_cell,
    folded,
    int_cell,
    plain,
    run_import,
)
from crm.core.spreadsheets import Table
from crm.db import db, utcnow
from crm.leads.aftercare import MAX_MONEY, ProjectActual
from crm.leads.models import Lead

SPEC = ImportSpec(
    object_type='project_actual',
    columns={
        'lead_id': ('项目编号', '编号', 'project number', 'project id', 'id'),
        'project': ('项目名称', '项目', 'project'),
        'year': ('年份', '年度', 'year'),
        'investment': ('实际投资(万元)', '实际投资', '当年投资(万元)', '当年投资', 'investment'),
        'tax': ('实际税收(万元)', '实际税收', '税收(万元)', '税收', 'tax'),
        'jobs': ('实际就业(人)', '实际就业', '就业人数', '就业', 'jobs'),
        'source': ('数据来源', '来源', 'source'),
    },
    required=('year', 'source'),
    labels={'lead_id': '项目编号', 'project': '项目名称', 'year': '年份', 'investment': '实际投资', 'tax': '实际税收',
            'jobs': '实际就业', 'source': '数据来源'},
)
FIELDS = ('investment', 'tax', 'jobs', 'source')


def parse_row(cells: dict[str, str], check: RowCheck | None = None) -> dict[str, Any]:
    """Validate one row's figures. Every bad cell is noted on `check`; without one, they are raised together."""
    own = check is None
    check = check or RowCheck()
    if not folded(cells.get('lead_id', '')) and not plain(cells.get('project', '')):
        check.add('project', '请填写项目编号或项目名称')
    year = folded(cells.get('year', '')).removesuffix('年')
    if not year:
        check.add('year', '缺少年份')
    values = {
        'lead_id': check(int_cell, cells.get('lead_id', ''), 'lead_id', '项目编号', 1, 2**31 - 1),
        'project': plain(cells.get('project', ''))[:200],
        'year': check(int_cell, year, 'year', '年份', 2000, clock.today().year) if year else None,
        'investment': check(decimal_cell, cells.get('investment', ''), 'investment', '实际投资', Decimal(0), MAX_MONEY),
        'tax': check(decimal_cell, cells.get('tax', ''), 'tax', '实际税收', Decimal(0), MAX_MONEY),
        'jobs': check(int_cell, cells.get('jobs', ''), 'jobs', '实际就业', 0, 10_000_000),
        'source': plain(cells.get('source', ''))[:200],
    }
    if not values['source']:
        check.add('source', '请注明数据来源（如统计报表、税务数据、企业自报）')
    if not any(folded(cells.get(k, '')) for k in ('investment', 'tax', 'jobs')):
        check.add('investment', '请至少填写一项实际数据（投资、税收或就业）')
    if own:
        check.done()
    return values


SPEC.parse = parse_row


class ActualsImporter:
    """Applies rows for one actor: projects they may not edit, or not signed yet, are errors, never writes."""

    def __init__(self, actor) -> None:
        self.actor = actor
        self.seen: dict[tuple[int, int], int] = {}

    def project(self, values: dict[str, Any]) -> Lead:
        if values['lead_id'] is not None:
            lead = db.session.get(Lead, values['lead_id'])
            if lead is None:
                raise RowError('lead_id', f'项目编号不存在：{values["lead_id"]}')
        else:
            name = values['project']
            found = db.session.scalars(select(Lead).where(or_(Lead.title == name, Lead.codename == name))
                                       .limit(2)).all()
            if not found:
                raise RowError('project', f'项目不存在：{name[:40]}')
            if len(found) > 1:
                raise RowError('project', f'有多个同名项目：{name[:40]}，请填写项目编号')
            lead = found[0]
        column = 'lead_id' if values['lead_id'] is not None else 'project'
        if not can(self.actor, 'edit', lead):
            raise RowError(column, f'无权录入该项目的实绩：{values["lead_id"] or values["project"][:40]}')
        if lead.signed_at is None:
            raise RowError(column, f'项目尚未签约，不能录入实绩：{lead.display_name[:40]}')
        return lead

    def __call__(self, number: int, cells: dict[str, str], report: ImportReport) -> None:
        check = RowCheck()
        values = parse_row(cells, check)
        lead = None if check.failed('lead_id', 'project') else check(self.project, values)
        if lead is not None and values['year'] is not None:
            key = (lead.id, values['year'])
            if key in self.seen:
                check.add('year', f'与第 {self.seen[key]} 行重复（同一项目同一年份）')
            else:
                self.seen[key] = number
        check.done()
        figures = {k: values[k] for k in FIELDS}
        row = db.session.scalar(select(ProjectActual).where(ProjectActual.lead_id == lead.id,
                                                            ProjectActual.year == values['year']))
        if row is None:
            row = ProjectActual(lead_id=lead.id, year=values['year'], entered_by_id=self.actor.id,
                                entered_at=utcnow(), **figures)
            db.session.add(row)
            db.session.flush()
            report.created(row)
            report.imported += 1
            return
        if all(getattr(row, k) == v for k, v in figures.items()):
            report.unchanged += 1
            return
        report.updating(row, (*FIELDS, 'entered_by_id', 'entered_at'))
        for name, value in figures.items():
            setattr(row, name, value)
        row.entered_by_id, row.entered_at = self.actor.id, utcnow()
        db.session.flush()
        report.updated += 1


def import_actuals(table: Table, actor, *, dry_run: bool = False, filename: str = '') -> ImportReport:
    """Import every good row in one transaction and report every bad one (row, every problem, Chinese reasons)."""
    return run_import(table, SPEC, ActualsImporter(actor), dry_run=dry_run, filename=filename)
