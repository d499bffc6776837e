"""What each role's 工作台 shows: the work waiting for the signed-in user, every list bounded and saying when it
is (with the link to the full list). Figures of follow-up discipline come from crm.leads.followups, as on every
other page."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask_login import current_user
from sqlalchemy import String, cast, func, select

from crm.core import clock
from crm.core.access import scoped
from crm.core.audit import AuditEvent
from crm.db import db
from crm.firms.models import Firm, Tenancy
from crm.leads import followups
from crm.leads.dashboard import signed_total
from crm.leads.models import ALL_STAGES, STAGE_NAMES, Activity, Lead, Stage, StageChange
from crm.packs import queries as pack_queries
from crm.packs.models import Pack, PackBuild, PackShare, PackShareAccess, PolicySummary
from crm.packs.reliance import expiring_relied_policies
from crm.platforms.models import Building, Platform, Unit, UnitStatus
from crm.policies.models import Policy

LIMIT = 10


@dataclass
class Section:
    """One bounded list: its first rows, how many there are in all, and where the full list is."""

    rows: list[Any]
    total: int

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)


def _section(rows: list, total: int | None = None) -> Section:
    return Section(rows=rows[:LIMIT], total=len(rows) if total is None else total)


def _lead_rows(stmt) -> list:
    return db.session.execute(stmt.with_only_columns(Lead.id, Lead.title, Lead.codename, Lead.confidential,
                                                     Lead.stage, Lead.next_follow_up).limit(LIMIT)).all()


def officer() -> dict:
    """Today's and overdue follow-ups, the officer's leads by stage with the moves since yesterday, packs shared
    (opened by the prospect or not yet) and being built, policies expiring on their leads."""
    me = current_user.id
    today = clock.today()
    mine = Lead.owner_id == me
    counts = followups.counts(mine, today=today)
    base = scoped(select(Lead), Lead).where(mine)
    due_today = Section(_lead_rows(base.where(followups.clause('due_today', today)).order_by(Lead.id)),
                        counts['due_today'])
    overdue = Section(_lead_rows(base.where(followups.clause('overdue', today))
                                 .order_by(Lead.next_follow_up, Lead.id)), counts['overdue'])

    since = clock.start_of(today - timedelta(days=1))  # since the start of yesterday (Beijing)
    by_stage = dict(db.session.execute(scoped(select(Lead.stage, func.count(Lead.id)), Lead).where(mine)
                                       .group_by(Lead.stage)).all())
    entered = dict(db.session.execute(
        select(StageChange.to_stage, func.count(func.distinct(StageChange.lead_id)))
        .join(Lead, Lead.id == StageChange.lead_id)
        .where(mine, StageChange.at >= since, StageChange.skipped.is_(False)).group_by(StageChange.to_stage)).all())
    stages = [{'stage': s, 'count': by_stage.get(s, 0), 'entered': entered.get(s, 0)} for s in ALL_STAGES
              if by_stage.get(s) or entered.get(s)]
    my_ids = select(cast(Lead.id, String)).where(mine).scalar_subquery()
    changes_stmt = (select(AuditEvent.at, AuditEvent.action, AuditEvent.actor_label, AuditEvent.object_id,
                           AuditEvent.changes)
                    .where(AuditEvent.object_type == 'lead', AuditEvent.at >= since, AuditEvent.object_id.in_(my_ids)))
    change_total = db.session.scalar(changes_stmt.with_only_columns(func.count())) or 0
    change_rows = db.session.execute(changes_stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                                     .limit(LIMIT)).all()
    names = {row.id: row for row in db.session.execute(
        select(Lead.id, Lead.title, Lead.codename, Lead.confidential)
        .where(Lead.id.in_([int(r.object_id) for r in change_rows if (r.object_id or '').isdigit()])))}
    changes = Section([{'at': r.at, 'action': r.action, 'actor': r.actor_label, 'lead_id': int(r.object_id),
                        'lead': _name(names[int(r.object_id)]), 'fields': sorted((r.changes or {}).keys())}
                       for r in change_rows if (r.object_id or '').isdigit() and int(r.object_id) in names],
                      change_total)

    # packs follow their lead: the officer's own leads, narrowed by the lead's scope rule
    live = (mine, PackShare.revoked_at.is_(None), PackShare.expires_at >= clock.now())
    shared = (scoped(select(PackShare.id), Lead).join(Pack, Pack.id == PackShare.pack_id)
              .join(Lead, Lead.id == Pack.lead_id).where(*live))
    share_total = db.session.scalar(shared.with_only_columns(func.count(PackShare.id))) or 0
    share_rows = []
    if share_total:
        opened = func.count(PackShareAccess.id)
        share_rows = db.session.execute(
            select(PackShare.id, PackShare.expires_at, Pack.id.label('pack_id'), Pack.number,
                   Lead.id.label('lead_id'), Lead.title, Lead.codename, Lead.confidential,
                   opened.label('opened'), func.max(PackShareAccess.at).label('last_opened'))
            .join(Pack, Pack.id == PackShare.pack_id).join(Lead, Lead.id == Pack.lead_id)
            .outerjoin(PackShareAccess, PackShareAccess.share_id == PackShare.id)
            .where(PackShare.id.in_(shared.scalar_subquery()))
            .group_by(PackShare.id, PackShare.expires_at, Pack.id, Pack.number, Lead.id, Lead.title,
                      Lead.codename, Lead.confidential)
            .order_by(func.max(PackShareAccess.at).desc(), PackShare.id.desc()).limit(LIMIT)).all()
    builds = db.session.execute(scoped(select(PackBuild.id, PackBuild.status, PackBuild.percent,
                                              Lead.id.label('lead_id'), Lead.title, Lead.codename,
                                              Lead.confidential), Lead)
                                .join(Lead, Lead.id == PackBuild.lead_id)
                                .where(mine, PackBuild.status.in_(('queued', 'running')))
                                .order_by(PackBuild.id)).all()
    expiring = expiring_relied_policies(mine, today=today)
    return {'counts': counts, 'due_today': due_today, 'overdue': overdue, 'stages': stages,
            'lead_total': sum(by_stage.values()), 'changes': changes, 'since': since,
            'shares': Section(share_rows, share_total), 'builds': _section(builds), 'expiring': _section(expiring)}


def _name(row) -> str:
    return row.codename if row.confidential and row.codename else row.title


def leader() -> dict:
    """The pipeline headline, projects needing a decision (at 洽谈, and leads in the shared pool to assign) and the
    officers with overdue follow-ups."""
    today = clock.today()
    by_stage = dict(db.session.execute(scoped(select(Lead.stage, func.count(Lead.id)), Lead)
                                       .group_by(Lead.stage)).all())
    open_stages = [s for s in STAGE_NAMES if s not in followups.CLOSED_STAGES]
    headline = {'open': sum(by_stage.get(s, 0) for s in open_stages), 'signed': signed_total(),
                'follow_ups': followups.counts(today=today),
                'stages': [{'stage': s, 'count': by_stage.get(s, 0)} for s in STAGE_NAMES]}
    negotiating = scoped(select(Lead), Lead).where(Lead.stage == Stage.NEGOTIATION)
    decide = Section(db.session.execute(negotiating.with_only_columns(
        Lead.id, Lead.title, Lead.codename, Lead.confidential, Lead.stage_since, Lead.investment)
        .order_by(Lead.stage_since, Lead.id).limit(LIMIT)).all(), by_stage.get(Stage.NEGOTIATION, 0))
    pool_stmt = scoped(select(Lead), Lead).where(Lead.owner_id.is_(None), Lead.stage.not_in(followups.CLOSED_STAGES))
    pool = Section(_lead_rows(pool_stmt.order_by(Lead.created_at, Lead.id)),
                   db.session.scalar(pool_stmt.with_only_columns(func.count(Lead.id))) or 0)
    overdue = followups.overdue_by_owner(today)
    return {'headline': headline, 'decide': decide, 'pool': pool, 'overdue_officers': _section(overdue)}


def park_manager() -> dict:
    """Vacant units, leases ending within 90 days, leads targeting the manager's platforms, and let units
    without a current tenant record — on their platforms only."""
    today = clock.today()
    vacant = scoped(select(Unit), Unit).where(Unit.status == UnitStatus.VACANT)
    vacant_total = db.session.scalar(vacant.with_only_columns(func.count(Unit.id))) or 0
    vacancies = db.session.execute(vacant.with_only_columns(Unit.id, Unit.number, Unit.area_gross, Unit.rent,
                                                            Unit.available_from, Building.id.label('building_id'),
                                                            Building.name.label('building'), Platform.name.label('platform'))
                                   .join(Building, Building.id == Unit.building_id)
                                   .join(Platform, Platform.id == Unit.platform_id)
                                   .order_by(Platform.name, Building.name, Unit.number).limit(LIMIT)).all()
    ending = (scoped(select(Tenancy.id, Tenancy.end_date, Firm.id.label('firm_id'), Firm.name.label('firm'),
                            Unit.number, Building.id.label('building_id'), Building.name.label('building')), Tenancy)
              .join(Firm, Firm.id == Tenancy.firm_id).join(Unit, Unit.id == Tenancy.unit_id)
              .join(Building, Building.id == Unit.building_id)
              .where(Tenancy.end_date >= today, Tenancy.end_date <= today + timedelta(days=90),
                     Firm.deleted_at.is_(None)))
    ending_total = db.session.scalar(select(func.count()).select_from(ending.subquery())) or 0
    ending_rows = db.session.execute(ending.order_by(Tenancy.end_date, Tenancy.id).limit(LIMIT)).all()
    leads_stmt = scoped(select(Lead), Lead)  # the lead list shows the same leads
    leads = Section(_lead_rows(leads_stmt.order_by(Lead.updated_at.desc(), Lead.id.desc())),
                    db.session.scalar(leads_stmt.with_only_columns(func.count(Lead.id))) or 0)
    current = (select(Tenancy.id).where(Tenancy.unit_id == Unit.id, Tenancy.start_date <= today,
                                        (Tenancy.end_date.is_(None)) | (Tenancy.end_date >= today)).exists())
    untenanted = scoped(select(Unit), Unit).where(Unit.status == UnitStatus.LET, ~current)
    untenanted_total = db.session.scalar(untenanted.with_only_columns(func.count(Unit.id))) or 0
    untenanted_rows = db.session.execute(untenanted.with_only_columns(
        Unit.id, Unit.number, Building.id.label('building_id'), Building.name.label('building'))
        .join(Building, Building.id == Unit.building_id).order_by(Building.name, Unit.number).limit(LIMIT)).all()
    platforms = db.session.execute(scoped(select(Platform.id, Platform.name), Platform).order_by(Platform.name)).all()
    return {'vacancies': Section(vacancies, vacant_total), 'ending': Section(ending_rows, ending_total),
            'leads': leads, 'untenanted': Section(untenanted_rows, untenanted_total), 'platforms': platforms}


def firm_user() -> dict:
    """The firm's promotion packs and policy summaries (its documents); its 兑现 records come from the firm page's
    own section."""
    firm = db.session.scalar(scoped(select(Firm), Firm).where(Firm.id == current_user.firm_id)) \
        if current_user.firm_id else None
    if firm is None:
        return {'firm': None}
    packs_stmt = pack_queries.list_statement(pack_queries.PackFilter())
    packs = Section(db.session.scalars(packs_stmt.limit(LIMIT)).all(),
                    db.session.scalar(packs_stmt.order_by(None).with_only_columns(func.count(Pack.id))) or 0)
    summaries_stmt = select(PolicySummary).where(PolicySummary.firm_id == firm.id)
    summaries = Section(db.session.scalars(summaries_stmt.order_by(PolicySummary.created_at.desc()).limit(LIMIT)).all(),
                        db.session.scalar(summaries_stmt.with_only_columns(func.count(PolicySummary.id))) or 0)
    return {'firm': firm, 'packs': packs, 'summaries': summaries}


CACHE_SECONDS = 60
_cache: dict[tuple, tuple[float, tuple, dict]] = {}


def _fingerprint() -> tuple:
    """What the staff workbenches are computed from, in one round trip of index look-ups: any change to leads,
    follow-ups, stage moves, audited records (tenancies, units, policies, match choices …), share links and their
    openings, pack builds, and the office's date, gives another fingerprint."""
    def top(column):
        return select(func.max(column)).scalar_subquery()

    row = db.session.execute(select(
        top(Lead.updated_at), top(Lead.id), top(Activity.id), top(Activity.updated_at), top(StageChange.id),
        top(AuditEvent.id), top(PackShare.id), top(PackShareAccess.id), top(PackBuild.id),
        select(func.count(PackBuild.id)).where(PackBuild.status.in_(('queued', 'running'))).scalar_subquery(),
        top(PackBuild.finished_at), top(Unit.updated_at), top(Policy.updated_at))).one()
    return (*row, clock.today())


def for_current_user() -> dict:
    """The signed-in user's workbench. A staff workbench is kept for up to a minute while nothing it is computed
    from has changed (as the dashboard's figures are), so that opening it again costs a look-up, not a recount."""
    role = current_user.role_code
    build = {'officer': lambda: {'officer': officer()}, 'leader': lambda: {'leader': leader()},
             'park_manager': lambda: {'park': park_manager()}}.get(role)
    if role == 'firm':
        return {'firm_home': firm_user()}  # ORM objects: never kept beyond the request
    if build is None:
        return {}
    key = (id(db.engine), role, current_user.id, tuple(sorted(current_user.platform_ids)))
    version = _fingerprint()
    hit = _cache.get(key)
    if hit and time.monotonic() - hit[0] < CACHE_SECONDS and hit[1] == version:
        return hit[2]
    data = build()
    if len(_cache) > 512:
        _cache.clear()
    _cache[key] = (time.monotonic(), version, data)
    return data
