"""The target register: adding plan targets, measuring them, manual actuals, progress against time."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from crm.core import clock
from crm.core.concurrency import check_version
from crm.core.i18n import gettext as _
from crm.core.rules import RuleError
from crm.db import db
from crm.leads import dashboard
from crm.plans.models import PlanDocument, Target
from crm.targets import measures
from crm.targets.models import TrackedTarget


class TargetError(RuleError):
    """A rule about targets was broken; the message is shown to the user, beside `field` when one input is at
    fault."""


def track(target: Target) -> TrackedTarget:
    """Copy an extracted plan target into the register (idempotent per document and sentence)."""
    document = db.session.get(PlanDocument, target.document_id)
    existing = db.session.scalar(select(TrackedTarget).where(TrackedTarget.document_slug == document.slug,
                                                             TrackedTarget.quote == target.text,
                                                             TrackedTarget.metric == target.metric))
    if existing is not None:
        return existing
    tracked = TrackedTarget(document_slug=document.slug, quote=target.text, metric=target.metric,
                            value=target.value, unit=target.unit, comparator=target.comparator, year=target.year,
                            citation=target.paragraph.citation if target.paragraph else document.citation(''),
                            anchor=target.paragraph.anchor if target.paragraph else None,
                            period_start=document.period_start, period_end=document.period_end, actuals=[])
    db.session.add(tracked)
    db.session.flush()
    return tracked


def validate_measure(measure: dict[str, Any]) -> dict[str, Any]:
    """Check a measure definition; raises TargetError naming the input at fault."""
    if measure.get('entity') not in measures.ENTITIES:
        raise TargetError(_('Only firms, tenancies, leads or buildings can be counted'), field='entity')
    if measure.get('agg', 'count') not in ('count', 'sum'):
        raise TargetError(_('A measure either counts or sums'), field='agg')
    if measure.get('agg') == 'sum' and (measure['entity'] != 'leads' or
                                        measure.get('field') not in measures.LEAD_SUM_FIELDS):
        raise TargetError(_('Only a lead\'s planned investment, expected tax or jobs can be summed'),
                          field='field')
    for key in ('since', 'until'):
        value = measure.get('filters', {}).get(key)
        if value:
            try:
                date.fromisoformat(value)
            except ValueError as exc:
                raise TargetError(_('Date not understood: %(value)s', value=value), field=key) from exc
    return measure


def set_measure(tracked: TrackedTarget, measure: dict | None, *, version: int, note: str | None = None) -> None:
    """Link the target to a CRM measure (or unlink it)."""
    check_version(tracked, version)
    tracked.measure = validate_measure(measure) if measure else None
    tracked.note = note
    db.session.flush()


def add_actual(tracked: TrackedTarget, *, value: str, on: date, source: str) -> None:
    """A manually entered actual (for what the CRM cannot compute) with its source."""
    try:
        Decimal(value)
    except InvalidOperation as exc:
        raise TargetError(_('The actual value must be a number'), field='value') from exc
    if not source.strip():
        raise TargetError(_('An actual value entered by hand needs its source'), field='source')
    tracked.actuals = [*tracked.actuals, {'value': value, 'date': on.isoformat(), 'source': source.strip()}]
    db.session.flush()


def last_year(tracked: TrackedTarget) -> int | None:
    """The last calendar year the target covers: its own year, else its plan's last year."""
    return tracked.year or tracked.period_end


def is_past(tracked: TrackedTarget, today: date | None = None) -> bool:
    """Whether the target's period is over (its result is final)."""
    end = last_year(tracked)
    return end is not None and end < (today or clock.today()).year


def period_measure(tracked: TrackedTarget) -> dict | None:
    """The target's measure, counting only records inside its plan period."""
    if not tracked.measure:
        return None
    return measures.within_period(tracked.measure, tracked.period_start, last_year(tracked))


@dataclass
class Progress:
    """A target's state for the targets page."""

    target: TrackedTarget
    actual: Decimal | None
    source: str
    share: float | None       # actual / plan value
    elapsed: float | None     # share of the plan period elapsed
    trend: list[dict]
    past: bool = False        # the period is over: the actual is the final result


def _elapsed(tracked: TrackedTarget, today: date) -> float | None:
    start = tracked.period_start
    end = tracked.year or tracked.period_end
    if not start or not end or end < start:
        return None
    total = (date(end, 12, 31) - date(start, 1, 1)).days
    return max(0.0, min(1.0, (today - date(start, 1, 1)).days / total))


def plan_value(value: str) -> Decimal | None:
    """The number a target's value promises: the value, or the lower bound of a range (`6-7`: 6 reached is met)."""
    low = (value or '').split('-', 1)[0] if re.fullmatch(r'\d+(?:\.\d+)?-\d+(?:\.\d+)?', value or '') else value
    try:
        return Decimal(low)
    except (InvalidOperation, TypeError):
        return None


def progress(tracked: TrackedTarget, *, today: date | None = None, trend: bool = False) -> Progress:
    """Actual (computed, else the latest manual entry), share of the plan value and of the time elapsed; with
    `trend`, the measure for each year of the plan period too (one computation per year, for the detail page)."""
    today = today or clock.today()
    by_year: list[dict] = []
    if tracked.measure:
        measure = period_measure(tracked)
        actual, source = measures.compute(measure), 'CRM'
        if trend and tracked.period_start:
            last = min(today.year, last_year(tracked) or today.year)
            by_year = measures.by_year(measure, range(tracked.period_start, last + 1))
    elif tracked.actuals:
        latest = max(tracked.actuals, key=lambda a: a['date'])
        actual, source = Decimal(latest['value']), f'{latest["source"]}（{latest["date"]}）'
    else:
        actual, source = None, ''
    plan = plan_value(tracked.value)
    share = float(actual / plan) if actual is not None and plan else None
    return Progress(tracked, actual, source, share, _elapsed(tracked, today), by_year, is_past(tracked, today))


DEMO = [
    ('xc-13th-fyp', '新增跨境电商企业、服务配套企业', {'entity': 'tenancies', 'agg': 'count', 'filters': {
        'platform': '跨贸小镇', 'industry': '跨境电商', 'since': '2016-01-01'}}, None),
    ('gs-14th-fyp', '全区总部企业', {'entity': 'firms', 'agg': 'count', 'filters': {'tags': ['总部']}}, None),
    ('xc-13th-fyp', '争取新引进科技型企业', {'entity': 'leads', 'agg': 'count', 'filters': {
        'stage_reached': '签约', 'industry': '数字经济', 'since': '2016-01-01'}}, '以数字经济类签约项目计（示例口径）'),
    ('xc-13th-fyp', '全口径税收超亿元楼宇', None, ('48', '2019-12-31', '示例：手工录入，供演示')),
    ('gs-14th-fyp', '总部企业营收增加', None, ('1260', '2024-12-31', '示例：手工录入，供演示')),
]


def demo_targets() -> dict[str, int]:
    """Five plan targets from the seed documents with computed or (labelled 示例) manual actuals."""
    if db.session.scalar(select(TrackedTarget.id).limit(1)):
        return {'demo_targets': 0}
    created = 0
    for slug, metric, measure, extra in DEMO:
        manual, note = (extra, None) if isinstance(extra, tuple) else (None, extra)
        target = db.session.scalar(select(Target).join(PlanDocument).where(
            PlanDocument.slug == slug, PlanDocument.is_current.is_(True), Target.metric == metric))
        if target is None:
            continue
        tracked = track(target)
        tracked.measure = measure
        tracked.note = manual[2] if manual else note
        if manual:
            tracked.actuals = [{'value': manual[0], 'date': manual[1], 'source': manual[2]}]
        created += 1
    db.session.flush()
    return {'demo_targets': created}


def target_rows(limit: int = 6) -> dict:
    """Tracked targets for the dashboard, as plain data (the row template reads it like a Progress): those of the
    current plan period first (the first `limit`, with how many there are), then those whose period is over,
    with their final result."""
    current, past = [], []
    for tracked in db.session.scalars(select(TrackedTarget).order_by(TrackedTarget.id)):
        row = progress(tracked)
        (past if row.past else current).append(
            {'target': {name: getattr(tracked, name) for name in
                        ('id', 'metric', 'comparator', 'value', 'unit', 'year', 'citation')},
             'actual': row.actual, 'source': row.source, 'share': row.share, 'elapsed': row.elapsed,
             'past': row.past})
    return {'current': current[:limit], 'current_total': len(current), 'past': past}


# the compact target rows follow their data within the minute (the targets page itself is always live)
dashboard.GROUPS['targets'] = (tuple, lambda: {'targets': target_rows()})
