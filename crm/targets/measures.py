"""Computing a measure (defined as data) over the CRM's records, within the viewer's scope, with the records
counted — so every figure can be drilled into. Leads count once, by the date of first signing."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Text, cast, func, or_, select

from crm.core import clock
from crm.core.access import scoped
from crm.core.industries import codes_of
from crm.db import db
from crm.firms.models import Firm, Tenancy
from crm.leads.models import Lead, Stage, StageChange, lead_platform
from crm.platforms.models import Building, Platform

ENTITIES = ('firms', 'tenancies', 'leads', 'buildings')
LEAD_SUM_FIELDS = ('investment', 'annual_tax', 'jobs')


def _dates(filters: dict) -> tuple[date | None, date | None]:
    """The measure's window as business dates: from `since` (inclusive) to `until` (exclusive)."""
    def day(text: str | None) -> date | None:
        return date.fromisoformat(text) if text else None
    return day(filters.get('since')), day(filters.get('until'))


def _window(filters: dict) -> tuple[datetime | None, datetime | None]:
    """The window as instants: each date starts at midnight on the office's clock."""
    since, until = _dates(filters)
    return (clock.start_of(since) if since else None), (clock.start_of(until) if until else None)


def within_period(measure: dict, first_year: int | None, last_year: int | None) -> dict:
    """The measure narrowed to a plan period (calendar years, inclusive): a target counts only the records of
    its own period, whatever window its definition gives."""
    filters = dict(measure.get('filters', {}))
    if first_year:
        start = f'{first_year:04d}-01-01'
        filters['since'] = max(filters.get('since') or start, start)
    if last_year:
        end = f'{last_year + 1:04d}-01-01'
        filters['until'] = min(filters.get('until') or end, end)
    return dict(measure, filters=filters)


def _codes_for(industry: str) -> list[str]:
    return codes_of(industry) or [industry]


def _industry_clause(column, industry: str):
    return or_(*[column.startswith(code) for code in _codes_for(industry)])


def _platform_id(name: str) -> int | None:
    return db.session.scalar(select(Platform.id).where(Platform.name == name))


def _firms(filters: dict):
    stmt = scoped(select(Firm.id), Firm).where(Firm.deleted_at.is_(None))
    for tag in filters.get('tags', []):
        stmt = stmt.where(cast(Firm.tags, Text).like(f'%"{tag}"%'))
    if filters.get('industry'):
        stmt = stmt.where(_industry_clause(Firm.industry_code, filters['industry']))
    if filters.get('district'):
        stmt = stmt.where(Firm.district == filters['district'])
    return stmt


def _tenancies(filters: dict):
    stmt = scoped(select(Tenancy.id), Tenancy).join(Firm, Firm.id == Tenancy.firm_id)
    if filters.get('platform'):
        stmt = stmt.where(Tenancy.platform_id == _platform_id(filters['platform']))
    if filters.get('industry'):
        stmt = stmt.where(_industry_clause(Firm.industry_code, filters['industry']))
    since, until = _dates(filters)
    if since:
        stmt = stmt.where(Tenancy.start_date >= since)
    if until:
        stmt = stmt.where(Tenancy.start_date < until)
    return stmt


def _leads(filters: dict, column=None):
    stmt = scoped(select(column if column is not None else Lead.id), Lead)
    stage = filters.get('stage_reached')
    since, until = _window(filters)
    if stage == Stage.SIGNED:
        stmt = stmt.where(Lead.signed_at.is_not(None))  # count once: the first signing, never again
        if since:
            stmt = stmt.where(Lead.signed_at >= since)
        if until:
            stmt = stmt.where(Lead.signed_at < until)
    elif stage:
        reached = select(StageChange.lead_id).where(StageChange.to_stage == stage)
        if since:
            reached = reached.where(StageChange.at >= since)
        if until:
            reached = reached.where(StageChange.at < until)
        stmt = stmt.where(Lead.id.in_(reached.correlate(None)))
    if filters.get('platform'):
        stmt = stmt.where(Lead.id.in_(select(lead_platform.c.lead_id).where(
            lead_platform.c.platform_id == _platform_id(filters['platform'])).correlate(None)))
    if filters.get('industry'):
        stmt = stmt.where(_industry_clause(Lead.industry_code, filters['industry']))
    return stmt


def _buildings(filters: dict):
    stmt = scoped(select(Building.id), Building)
    if filters.get('platform'):
        stmt = stmt.where(Building.platform_id == _platform_id(filters['platform']))
    return stmt


def record_ids(measure: dict) -> list[int]:
    """The ids of the records a measure counts (for the drill-down)."""
    filters = measure.get('filters', {})
    stmt = {'firms': _firms, 'tenancies': _tenancies, 'leads': _leads, 'buildings': _buildings}[measure['entity']](
        filters)
    return list(db.session.scalars(stmt))


def compute(measure: dict) -> Decimal:
    """The measure's current value."""
    if measure.get('agg') == 'sum':
        if measure['entity'] != 'leads' or measure.get('field') not in LEAD_SUM_FIELDS:
            raise ValueError('sum is defined for leads: investment, annual_tax or jobs')
        column = getattr(Lead, measure['field'])
        stmt = _leads(measure.get('filters', {}), func.coalesce(func.sum(column), 0))
        return Decimal(str(db.session.scalar(stmt) or 0))
    return Decimal(len(record_ids(measure)))


def by_year(measure: dict, years: range) -> list[dict[str, Any]]:
    """The measure for each calendar year in `years` (cumulative to the year's end)."""
    rows = []
    for year in years:
        rows.append({'year': year, 'value': compute(within_period(measure, None, year))})
    return rows
