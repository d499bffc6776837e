"""Dashboard figures, each computed within the viewer's scope and counted honestly (a project signs once)."""
from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import func, select, true

from crm.auth.models import User
from crm.core.access import scoped, visibility_clause
from crm.db import db, utcnow
from crm.leads.models import STAGE_NAMES, Activity, Lead, LostReason, StageChange, lead_platform
from crm.platforms.models import Platform, Unit


def _in_scope(column):
    """`column IN (visible lead ids)`, or nothing at all when the viewer sees every lead."""
    clause = visibility_clause(Lead)
    return true() if clause is None else column.in_(select(Lead.id).where(clause))


def funnel() -> list[dict]:
    """How many leads ever reached each stage, and the conversion from the previous stage."""
    reached = dict(db.session.execute(
        select(StageChange.to_stage, func.count(func.distinct(StageChange.lead_id)))
        .where(_in_scope(StageChange.lead_id)).group_by(StageChange.to_stage)).all())
    rows, previous = [], None
    for stage in STAGE_NAMES:
        count = reached.get(stage, 0)
        rate = round(100 * count / previous, 1) if previous else None
        rows.append({'stage': stage, 'count': count, 'conversion': rate})
        previous = count
    return rows


def median_days_in_stage() -> list[dict]:
    """Median days spent in each stage, over completed stays (from the stage log)."""
    changes = db.session.execute(select(StageChange.lead_id, StageChange.to_stage, StageChange.at)
                                 .where(_in_scope(StageChange.lead_id))
                                 .order_by(StageChange.lead_id, StageChange.at, StageChange.id)).all()
    stays: dict[str, list[float]] = defaultdict(list)
    for current, following in zip(changes, changes[1:]):
        if current.lead_id == following.lead_id:
            stays[current.to_stage].append((following.at - current.at).total_seconds() / 86400)
    return [{'stage': s, 'median_days': round(statistics.median(stays[s]), 1) if stays[s] else None,
             'stays': len(stays[s])} for s in STAGE_NAMES]


def signed_by_month(months: int = 24) -> list[dict]:
    """Projects signed per month of first signing, with investment, expected tax and jobs (count-once)."""
    rows = db.session.execute(scoped(select(Lead.signed_at, Lead.investment, Lead.annual_tax, Lead.jobs), Lead)
                              .where(Lead.signed_at.is_not(None))).all()
    buckets: dict[str, dict] = {}
    for signed_at, investment, tax, jobs in rows:
        key = signed_at.strftime('%Y-%m')
        bucket = buckets.setdefault(key, {'month': key, 'projects': 0, 'investment': 0.0, 'tax': 0.0, 'jobs': 0})
        bucket['projects'] += 1
        bucket['investment'] += float(investment or 0)
        bucket['tax'] += float(tax or 0)
        bucket['jobs'] += jobs or 0
    return [buckets[k] for k in sorted(buckets)][-months:]


def signed_total() -> dict:
    """Projects signed at least once, each counted once, with their planned investment."""
    count, investment = db.session.execute(scoped(select(func.count(Lead.id), func.sum(Lead.investment)), Lead)
                                           .where(Lead.signed_at.is_not(None))).one()
    return {'projects': count or 0, 'investment': float(investment or 0)}


def _signed_count_by(column, join=None) -> list[tuple]:
    stmt = scoped(select(column, func.count(func.distinct(Lead.id)), func.sum(Lead.investment)), Lead)
    if join is not None:
        stmt = join(stmt)
    return db.session.execute(stmt.where(Lead.signed_at.is_not(None)).group_by(column)
                              .order_by(func.count(func.distinct(Lead.id)).desc())).all()


def signed_by_platform() -> list[dict]:
    rows = _signed_count_by(Platform.name, lambda s: s.join(lead_platform, lead_platform.c.lead_id == Lead.id)
                            .join(Platform, Platform.id == lead_platform.c.platform_id))
    return [{'name': name, 'projects': n, 'investment': float(inv or 0)} for name, n, inv in rows]


def signed_by_source() -> list[dict]:
    return [{'name': name, 'projects': n, 'investment': float(inv or 0)} for name, n, inv in
            _signed_count_by(Lead.source)]


def signed_by_officer() -> list[dict]:
    rows = _signed_count_by(User.name, lambda s: s.join(User, User.id == Lead.owner_id))
    return [{'name': name, 'projects': n, 'investment': float(inv or 0)} for name, n, inv in rows]


def lost_reasons() -> list[dict]:
    rows = db.session.execute(scoped(select(LostReason.id, LostReason.name, func.count(Lead.id)), Lead)
                              .join(LostReason, LostReason.id == Lead.lost_reason_id)
                              .where(Lead.stage == '流失').group_by(LostReason.id, LostReason.name)
                              .order_by(func.count(Lead.id).desc())).all()
    return [{'id': rid, 'name': name, 'count': n} for rid, name, n in rows]


def overdue_by_officer(today: date | None = None) -> list[dict]:
    today = today or date.today()
    rows = db.session.execute(select(User.name, func.count(Activity.id))
                              .join(User, User.id == Activity.owner_id)
                              .where(_in_scope(Activity.lead_id), Activity.done_at.is_(None),
                                     Activity.due_on < today)
                              .group_by(User.name).order_by(func.count(Activity.id).desc())).all()
    return [{'name': name, 'count': n} for name, n in rows]


def vacancy_by_platform() -> list[dict]:
    vacant = Unit.status == '空置'
    rows = db.session.execute(scoped(select(Platform.id, Platform.name, func.count(Unit.id).filter(vacant),
                                            func.sum(Unit.area_gross).filter(vacant), func.sum(Unit.area_gross)),
                                     Unit).join(Platform, Platform.id == Unit.platform_id)
                              .group_by(Platform.id, Platform.name).order_by(Platform.name)).all()
    return [{'id': pid, 'name': name, 'vacant_units': n or 0, 'vacant_area': float(v or 0),
             'rate': round(100 * float(v or 0) / float(total), 1) if total else 0.0}
            for pid, name, n, v, total in rows]


CACHE_SECONDS = 60
_cache: dict[tuple, tuple[float, tuple, dict]] = {}


def data_version() -> tuple:
    """A cheap fingerprint of the lead data (index look-ups): any stage move, edit or follow-up changes it,
    whichever worker process made the change."""
    return (db.session.scalar(select(func.max(StageChange.id))), db.session.scalar(select(func.max(Lead.updated_at))),
            db.session.scalar(select(func.max(Activity.id))), db.session.scalar(select(func.max(Unit.updated_at))))


def dashboard(now: datetime | None = None, *, cache_key: tuple | None = None) -> dict:
    """Every figure of the dashboard, as plain data; with a cache key (the viewer's scope) figures are reused
    for up to a minute while the data fingerprint is unchanged, and the page says when they were computed."""
    import time

    if cache_key is not None:
        version = data_version()
        hit = _cache.get(cache_key)
        if hit and time.monotonic() - hit[0] < CACHE_SECONDS and hit[1] == version:
            return hit[2]
    data = _figures(now)
    if cache_key is not None:
        if len(_cache) > 256:
            _cache.clear()
        _cache[cache_key] = (time.monotonic(), version, data)
    return data


def forget_cached_figures() -> None:
    """Drop every cached set of figures (called when leads change)."""
    _cache.clear()


def _figures(now: datetime | None = None) -> dict:
    return {'signed': signed_total(), 'funnel': funnel(), 'median_days': median_days_in_stage(),
            'by_month': signed_by_month(),
            'by_platform': signed_by_platform(), 'by_source': signed_by_source(), 'by_officer': signed_by_officer(),
            'lost_reasons': lost_reasons(), 'overdue': overdue_by_officer(), 'vacancy': vacancy_by_platform(),
            'generated_at': (now or utcnow()).isoformat(timespec='seconds')}
