"""Dashboard figures, each computed within the viewer's scope and counted honestly (a project signs once)."""
from __future__ import annotations

import statistics
import time
from datetime import datetime

from sqlalchemy import ColumnElement, event, func, select, true
from sqlalchemy.orm import Session

from crm.auth.models import User
from crm.core import clock
from crm.core.access import scoped, visibility_clause
from crm.core.cache import bump, cache, changed, generation
from crm.db import db, utcnow
from crm.leads import followups
from crm.leads.models import STAGE_NAMES, Lead, LostReason, Stage, StageChange, lead_platform, leads_written
from crm.platforms.models import Platform, Unit, UnitStatus


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
    """Median days spent in each stage, over completed stays (each logged stage lasts until the next change),
    from the middle one or two stays of each stage in (stage, stay) order."""
    completed = StageChange.stay_days.is_not(None)
    if visibility_clause(Lead) is None:  # every lead: per stage, a count and a seek into the (stage, stay) index
        counts = dict(db.session.execute(select(StageChange.to_stage, func.count()).where(completed)
                                         .group_by(StageChange.to_stage)).all())
        middle = {stage: db.session.scalars(
            select(StageChange.stay_days).where(completed, StageChange.to_stage == stage)
            .order_by(StageChange.stay_days).offset((n - 1) // 2).limit(2 - n % 2)).all()
            for stage, n in counts.items() if n}
    else:  # a scope: one pass numbering the visible stays of each stage, keeping the middle ones
        order = func.row_number().over(partition_by=StageChange.to_stage, order_by=StageChange.stay_days)
        ranked = (select(StageChange.to_stage.label('stage'), StageChange.stay_days.label('days'),
                         order.label('rank'), func.count().over(partition_by=StageChange.to_stage).label('n'))
                  .where(_in_scope(StageChange.lead_id), completed).subquery())
        counts, middle = {}, {}
        for stage, days, n in db.session.execute(
                select(ranked.c.stage, ranked.c.days, ranked.c.n)
                .where(ranked.c.rank.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2]))):
            counts[stage] = n
            middle.setdefault(stage, []).append(days)
    return [{'stage': s, 'median_days': round(statistics.fmean(middle[s]), 1) if middle.get(s) else None,
             'stays': counts.get(s, 0)} for s in STAGE_NAMES]


def _month(column):
    """`YYYY-MM` of a stored instant by the office's calendar (a signing at 07:00 Beijing on 1 December is a
    December signing), computed by the database."""
    if db.session.get_bind().dialect.name == 'sqlite':
        return func.crm_local_month(column, clock.zone_name())
    return func.to_char(func.timezone(clock.zone_name(), column), 'YYYY-MM')


def signed_by_month() -> list[dict]:
    """Projects signed per month of first signing (every month with a signing), with investment, expected tax and
    jobs (count-once); the months add up to the signed total."""
    month = _month(Lead.signed_at).label('month')
    rows = db.session.execute(scoped(select(month, func.count(Lead.id), func.sum(Lead.investment),
                                            func.sum(Lead.annual_tax), func.sum(Lead.jobs)), Lead)
                              .where(Lead.signed_at.is_not(None)).group_by(month)
                              .order_by(month.desc())).all()
    return [{'month': key, 'projects': n, 'investment': float(investment or 0), 'tax': float(tax or 0),
             'jobs': int(jobs or 0)} for key, n, investment, tax, jobs in reversed(rows)]


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
    """Signed projects per owner, the shared pool as its own row (owner_id None): the rows add up to the total."""
    stmt = (scoped(select(Lead.owner_id, User.name, func.count(Lead.id), func.sum(Lead.investment)), Lead)
            .outerjoin(User, User.id == Lead.owner_id).where(Lead.signed_at.is_not(None))
            .group_by(Lead.owner_id, User.name).order_by(func.count(Lead.id).desc(), User.name))
    return [{'owner_id': owner_id, 'name': name, 'pool': owner_id is None, 'projects': n,
             'investment': float(inv or 0)} for owner_id, name, n, inv in db.session.execute(stmt)]


def lost_reasons() -> list[dict]:
    """Lost leads per reason. The leads are counted per reason first and the few reasons named after: joined
    before counting, SQLite (with planner statistics) reads every lost lead once per reason."""
    counted = (scoped(select(Lead.lost_reason_id.label('reason_id'), func.count(Lead.id).label('n')), Lead)
               .where(Lead.stage == Stage.LOST).group_by(Lead.lost_reason_id).subquery())
    rows = db.session.execute(select(LostReason.id, LostReason.name, counted.c.n)
                              .join(counted, counted.c.reason_id == LostReason.id)
                              .order_by(counted.c.n.desc())).all()
    return [{'id': rid, 'name': name, 'count': n} for rid, name, n in rows]


def follow_up_figures() -> dict:
    """Leads due for a follow-up today, overdue and stale in the viewer's scope (crm.leads.followups: the same
    definitions as the list filters, 我的一天, the digest and the API), and the overdue ones per owner."""
    counts, overdue = followups.summary()
    return {'follow_ups': counts, 'overdue': overdue}


def vacancy_by_platform() -> list[dict]:
    vacant = Unit.status == UnitStatus.VACANT
    rows = db.session.execute(scoped(select(Platform.id, Platform.name, func.count(Unit.id).filter(vacant),
                                            func.sum(Unit.area_gross).filter(vacant), func.sum(Unit.area_gross)),
                                     Unit).join(Platform, Platform.id == Unit.platform_id)
                              .group_by(Platform.id, Platform.name).order_by(Platform.name)).all()
    return [{'id': pid, 'name': name, 'vacant_units': n or 0, 'vacant_area': float(v or 0),
             'rate': round(100 * float(v or 0) / float(total), 1) if total else 0.0}
            for pid, name, n, v, total in rows]


CACHE_SECONDS = 60
# a group's figures older than CACHE_SECONDS (and still of the current data: generation and fingerprint unchanged)
# are recomputed by one request, in any process, while the others show them for up to RECOMPUTE_SECONDS more;
# they are kept KEEP_SECONDS in all, after which a request finding none computes them itself
RECOMPUTE_SECONDS = 30
KEEP_SECONDS = 2 * CACHE_SECONDS
NAMESPACE = 'dashboard'
# moved when lead rows are written through the session (crm.leads.models.leads_written), in any process: the
# follow-up figures, whose fingerprint alone would miss an edit made within the same instant as the latest one
FOLLOW_UPS = 'dashboard-follow-ups'


def _latest(column) -> ColumnElement:
    return select(func.max(column)).scalar_subquery()


def _pipeline_version() -> tuple:
    """Stage moves show at once; other lead edits (amounts, owner, source) within the cache's minute — a follow-up
    touches its lead's row too, and must not recompute the whole pipeline."""
    return (_latest(StageChange.id),)  # a new lead logs its first stage too


def _follow_up_version() -> tuple:
    """The follow-up figures are read from lead rows alone (next follow-up, last contact, stage, owner) and today's
    date: a follow-up saved moves them only when it moves its lead's dates (the lead row changes, and with it the
    FOLLOW_UPS generation), not when it is only logged — in an office at work, several a minute."""
    return _latest(Lead.updated_at), clock.today()


def _vacancy_version() -> tuple:
    return (_latest(Unit.updated_at),)


def _versions() -> dict[str, tuple]:
    """Each group's fingerprint. A group's version function gives plain values and SQL expressions (index
    look-ups); the expressions of every group are read in one statement, one round trip to the database."""
    parts = {group: version_of() for group, (version_of, _figures) in GROUPS.items()}
    probes = [part for found in parts.values() for part in found if isinstance(part, ColumnElement)]
    values = iter(db.session.execute(select(*probes)).one() if probes else ())
    return {group: tuple(next(values) if isinstance(part, ColumnElement) else part for part in found)
            for group, found in parts.items()}


# each group of figures is recomputed when its own data changes, whichever worker process changed it, and at
# the latest after CACHE_SECONDS: (fingerprint of the data behind it — index look-ups, read together —, the figures)
GROUPS = {
    'pipeline': (_pipeline_version, lambda: {
        'signed': signed_total(), 'funnel': funnel(), 'median_days': median_days_in_stage(),
        'by_month': signed_by_month(),
        'by_platform': signed_by_platform(), 'by_source': signed_by_source(), 'by_officer': signed_by_officer(),
        'lost_reasons': lost_reasons()}),
    'follow_ups': (_follow_up_version, follow_up_figures),
    'vacancy': (_vacancy_version, lambda: {'vacancy': vacancy_by_platform()}),
    # 'targets' is added by crm.targets.services (targets build on leads)
}


def dashboard(now: datetime | None = None, *, cache_key: tuple | None = None) -> dict:
    """Every figure of the dashboard, as plain data. With a cache key (the viewer's scope) each group of figures
    is reused while the fingerprint of its data is unchanged and no lead changed since (crm.core.cache: in this
    process, or in Redis shared by every app process), recomputed after a minute by one request while the others
    show the figures kept (never figures a change made out of date); the page says when the oldest figures shown
    were computed."""
    store = cache() if cache_key is not None else None
    keys = [f"{NAMESPACE}:{':'.join(map(str, cache_key))}:{group}" for group in GROUPS] if store else []
    found = store.get_many([generation(NAMESPACE), generation(FOLLOW_UPS), *keys]) if store else []
    current = found[0] if found else None
    versions = _versions() if store else {}
    if store:
        versions['follow_ups'] = (*versions['follow_ups'], found[1])
    data: dict = {}
    computed = []
    for n, (group, (_version_of, figures)) in enumerate(GROUPS.items()):
        version = versions.get(group)
        hit = found[n + 2] if store else None
        part = None
        if hit and len(hit) == 4 and hit[0] == current and hit[1] == version:
            part = hit[2]
            if time.time() >= hit[3] and store.claim(f'{keys[n]}:recompute', RECOMPUTE_SECONDS):
                part = None  # this request recomputes them; the others meanwhile show them as they are
        if part is None:
            part = {**figures(), 'generated_at': (now or utcnow()).isoformat(timespec='seconds')}
            if store:
                store.set(keys[n], (current, version, part, time.time() + CACHE_SECONDS), KEEP_SECONDS)
        computed.append(part['generated_at'])
        data.update(part)
    data['generated_at'] = min(computed)
    return data


@event.listens_for(Session, 'before_flush')
def _leads_changing(session: Session, _context, _instances) -> None:
    if leads_written(session):
        changed(session, FOLLOW_UPS)


def forget_cached_figures() -> None:
    """Every cached set of figures is out of date (called when leads change), in every app process."""
    bump(NAMESPACE)
