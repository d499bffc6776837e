"""Lead operations: create, edit, move through stages (count-once signing), assign, increments, activities."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import event, select

from crm.auth.models import User
from crm.core import audit, hooks
from crm.core.concurrency import check_version
from crm.core.i18n import gettext as _
from crm.core.labels import stage_label
from crm.core.rules import RuleError
from crm.db import db, utcnow
from crm.firms.services import record_tenancy
from crm.leads import followups
from crm.leads.dashboard import forget_cached_figures
from crm.leads.models import (
    ALL_STAGES,
    SIGNED_STAGES,
    STAGE_NAMES,
    Activity,
    Increment,
    Lead,
    LostReason,
    Stage,
    StageChange,
    stay_days,
)
from crm.leads.pool import auto_assign
from crm.platforms.models import Platform

FIELDS = ('title', 'codename', 'confidential', 'firm_id', 'source', 'industry_code', 'space_need_m2', 'space_use',
          'space_by', 'investment', 'annual_tax', 'jobs', 'priority', 'next_follow_up', 'notes')
DEFAULT_LOST_REASONS = ('选择其他区域', '政策条件不满足', '房源不匹配', '企业战略调整', '联系中断', '其他')


def _figures_changed() -> None:
    """Lead data changed: the cached dashboard figures are out of date, in every app process — now, and again once
    the change is committed (another process may have cached figures of the data before it in between)."""
    forget_cached_figures()
    session = db.session()
    if not session.info.get('figures_forget_on_commit'):
        session.info['figures_forget_on_commit'] = True

        def after_commit(committed) -> None:
            committed.info.pop('figures_forget_on_commit', None)
            forget_cached_figures()

        event.listen(session, 'after_commit', after_commit, once=True)


def _restamp_stays(lead_id: int) -> None:
    """Each logged stage of the lead lasts until its next change (in time order, so a back-dated move fits in).

    A skipped stage was never stayed in: it keeps no stay, so it counts in no median of days in stage."""
    changes = db.session.scalars(select(StageChange).where(StageChange.lead_id == lead_id)
                                 .order_by(StageChange.at, StageChange.id)).all()
    for current, following in zip(changes, [*changes[1:], None]):
        current.stay_days = None if following is None or current.skipped else stay_days(current.at, following.at)


class LeadError(RuleError):
    """A rule about leads was broken; the message is shown to the user, beside the input named by `field` when one
    input is at fault (None: the request as a whole)."""


class SkipNotConfirmed(LeadError):
    """A move forward past stages that were not confirmed as skipped."""

    def __init__(self, from_stage: str, to_stage: str, skipped: list[str]) -> None:
        super().__init__(_('Moving from “%(from_stage)s” straight to “%(to_stage)s” skips %(skipped)s; confirm '
                           'skipping the stages in between, then submit', from_stage=stage_label(from_stage),
                           to_stage=stage_label(to_stage), skipped=_(', ').join(map(stage_label, skipped))),
                         field='confirm_skip')
        self.skipped = skipped


class ReasonRequired(LeadError):
    """A signed project sent back to an earlier stage without a reason."""

    def __init__(self, from_stage: str, to_stage: str) -> None:
        super().__init__(_('The project has reached “%(from_stage)s”; moving it back to “%(to_stage)s” needs a reason '
                           'in the note', from_stage=stage_label(from_stage), to_stage=stage_label(to_stage)),
                         field='note')


def stage_options(stage: str) -> tuple[str | None, list[str], list[str], list[str]]:
    """The moves that make sense from `stage`: (the next stage or None, later stages that skip some, 流失/暂缓,
    earlier stages). From 流失 or 暂缓 any pipeline stage reopens the lead, so none is "next" there."""
    terminal = [s for s in ALL_STAGES if s not in STAGE_NAMES and s != stage]
    if stage not in STAGE_NAMES:
        return None, [], terminal, list(STAGE_NAMES)
    at = STAGE_NAMES.index(stage)
    following = STAGE_NAMES[at + 1:]
    return (following[0] if following else None), following[1:], terminal, STAGE_NAMES[:at]


def _skipped_stages(from_stage: str, to_stage: str) -> list[str]:
    """The pipeline stages passed over by a move forward (none for other moves)."""
    if from_stage not in STAGE_NAMES or to_stage not in STAGE_NAMES:
        return []
    return STAGE_NAMES[STAGE_NAMES.index(from_stage) + 1:STAGE_NAMES.index(to_stage)]


def _relations(lead: Lead, platform_ids: list[int] | None, collaborator_ids: list[int] | None) -> None:
    if platform_ids is not None:
        lead.platforms = list(db.session.scalars(select(Platform).where(Platform.id.in_(platform_ids))))
    if collaborator_ids is not None:
        lead.collaborators = list(db.session.scalars(select(User).where(User.id.in_(collaborator_ids))))


def create_lead(data: dict[str, Any], *, owner_id: int | None, actor_id: int | None,
                platform_ids: list[int] | None = None, collaborator_ids: list[int] | None = None) -> Lead:
    """A new lead starts at 线索; the first stage entry is logged too."""
    lead = Lead(owner_id=owner_id, stage=Stage.PROSPECT.value, stage_since=utcnow(), owned_since=utcnow() if owner_id else None,
                **{k: data.get(k) for k in FIELDS if k in data})
    lead.priority = lead.priority or '中'
    db.session.add(lead)
    _relations(lead, platform_ids or [], collaborator_ids or [])
    db.session.flush()
    db.session.add(StageChange(lead_id=lead.id, from_stage=None, to_stage=Stage.PROSPECT.value, by_id=actor_id))
    db.session.flush()
    if owner_id is None:  # a lead nobody took: the pool's assignment rules may give it to a team member

        auto_assign(lead)
    _figures_changed()
    return lead


def update_lead(lead: Lead, data: dict[str, Any], *, version: int, platform_ids: list[int] | None = None,
                collaborator_ids: list[int] | None = None) -> Lead:
    """Edit the lead's facts (not its stage); stale versions are refused."""
    check_version(lead, version)
    for key in FIELDS:
        if key in data:
            setattr(lead, key, data[key])
    _relations(lead, platform_ids, collaborator_ids)
    db.session.flush()
    if 'next_follow_up' in data:
        followups.refresh_next_follow_up(lead)  # an open follow-up due earlier stays the next one
        db.session.flush()
    _figures_changed()
    return lead


def move_stage(lead: Lead, to_stage: str, *, actor_id: int | None, note: str | None = None,
               lost_reason_id: int | None = None, at: datetime | None = None, unit=None,
               confirm_skip: bool = False) -> StageChange:
    """Move a lead along the pipeline: a move forward past stages needs `confirm_skip` and logs each passed stage
    as skipped (no stay); a move back from 签约 or later needs a reason (the note); 流失 needs a reason and a note;
    the first 签约 (or later) fixes the signing date once; 入驻 with a unit records the tenancy and marks the
    unit 已租."""
    if to_stage not in ALL_STAGES:
        raise LeadError(_('Unknown stage: %(stage)s', stage=to_stage), field='to_stage')
    if to_stage == lead.stage:
        raise LeadError(_('The lead is already at this stage'), field='to_stage')
    skipped = _skipped_stages(lead.stage, to_stage)
    if skipped and not confirm_skip:
        raise SkipNotConfirmed(lead.stage, to_stage, skipped)
    if (lead.stage in SIGNED_STAGES and to_stage in STAGE_NAMES
            and STAGE_NAMES.index(to_stage) < STAGE_NAMES.index(lead.stage) and not (note or '').strip()):
        raise ReasonRequired(lead.stage, to_stage)
    if to_stage == Stage.LOST:
        if not lost_reason_id or db.session.get(LostReason, lost_reason_id) is None:
            raise LeadError(_('Marking a lead lost needs a lost reason'), field='lost_reason_id')
        if not (note or '').strip():
            raise LeadError(_('Marking a lead lost needs a note'), field='note')
        lead.lost_reason_id = lost_reason_id
    elif lead.stage == Stage.LOST:
        lead.lost_reason_id = None  # reopened
    when = at or utcnow()
    previous = lead.stage
    for passed in skipped:  # logged at the moment of the move, in pipeline order, before the stage reached
        db.session.add(StageChange(lead_id=lead.id, from_stage=previous, to_stage=passed, at=when, by_id=actor_id,
                                   skipped=True))
        previous = passed
    change = StageChange(lead_id=lead.id, from_stage=previous, to_stage=to_stage, at=when, by_id=actor_id,
                         note=(note or '').strip() or None)
    db.session.add(change)
    db.session.flush()
    _restamp_stays(lead.id)
    lead.stage, lead.stage_since = to_stage, when
    lead.pool_warned_on = None  # a stage move is a touch: a pending return to the pool is off
    if to_stage in SIGNED_STAGES and lead.signed_at is None:
        lead.signed_at = when
    if to_stage == Stage.MOVED_IN and unit is not None:
        record_tenancy(lead.firm, unit, start_date=when.date(), end_date=None, area=None, rent=None,
                       actor_id=actor_id)
    db.session.flush()
    _figures_changed()
    return change


def assign(lead: Lead, owner_id: int | None, *, actor_id: int | None) -> None:
    """Give the lead to an officer (or back to the pool); recorded in the audit log."""
    before = lead.owner_id
    lead.owner_id = owner_id
    if owner_id != before:
        lead.owned_since, lead.pool_warned_on = utcnow(), None
    db.session.flush()
    audit.log(db.session, 'assign', 'lead', lead.id, owner=[before, owner_id], by=actor_id)
    if owner_id != before:
        hooks.announce('lead_assigned', lead, owner_id, actor_id=actor_id)


def add_increment(lead: Lead, investment: Decimal, *, on: date, note: str | None, actor_id: int | None) -> Increment:
    """Record 增资/扩产 on a signed project (reported separately; the project is still counted once)."""
    if lead.signed_at is None:
        raise LeadError(_('Only signed leads can record an expansion'))
    increment = Increment(lead_id=lead.id, at=on, investment=investment, note=note, by_id=actor_id)
    db.session.add(increment)
    db.session.flush()
    return increment


def add_activity(lead: Lead, *, kind: str, subject: str, due_on: date | None, owner_id: int | None,
                 done: bool = False, outcome: str | None = None, next_on: date | None = None) -> Activity:
    """Plan a follow-up (due on a date) or record one done; a done one refreshes the lead's last-activity time.
    `next_on` plans the next contact. The lead's next follow-up follows (crm.leads.followups)."""
    activity = Activity(lead_id=lead.id, kind=kind, subject=subject, due_on=due_on, owner_id=owner_id,
                        outcome=outcome, done_at=utcnow() if done else None, data={})
    db.session.add(activity)
    if done:
        lead.last_activity_at, lead.pool_warned_on = activity.done_at, None
    _plan_next(lead, activity, next_on, owner_id)
    db.session.flush()
    followups.refresh_next_follow_up(lead, contacted=done)
    db.session.flush()
    _tell_mentioned(activity, owner_id)
    return activity


def _tell_mentioned(activity: Activity, actor_id: int | None) -> None:
    """Colleagues named with @ in a follow-up are notified (crm.notifications)."""
    hooks.announce('follow_up_mentions', activity, actor_id=actor_id)


def complete_activity(activity: Activity, *, outcome: str | None, next_on: date | None = None,
                      actor_id: int | None = None) -> None:
    """Mark a follow-up done with its outcome, optionally planning the next one; the lead's next follow-up moves
    to its earliest open follow-up, and is cleared when none is left."""
    activity.done_at, activity.outcome = utcnow(), outcome or activity.outcome
    activity.lead.last_activity_at, activity.lead.pool_warned_on = activity.done_at, None
    _plan_next(activity.lead, activity, next_on, actor_id or activity.owner_id)
    db.session.flush()
    followups.refresh_next_follow_up(activity.lead, contacted=True)
    db.session.flush()
    _tell_mentioned(activity, actor_id)


def _plan_next(lead: Lead, after: Activity, next_on: date | None, owner_id: int | None) -> None:
    """The next contact given with a follow-up becomes a planned follow-up of the same kind."""
    if next_on is not None:
        db.session.add(Activity(lead_id=lead.id, kind=after.kind, subject=f'再次跟进：{after.subject}'[:200],
                                due_on=next_on, owner_id=owner_id, data={}))


def time_in_stages(lead_id: int, *, now: datetime | None = None,
                   changes: list[StageChange] | None = None) -> dict[str, timedelta]:
    """Total time spent in each stage, from the logged intervals (`changes`: the lead's stage changes when the
    caller has read them already, in any order)."""
    if changes is None:
        changes = db.session.scalars(select(StageChange).where(StageChange.lead_id == lead_id)).all()
    changes = sorted(changes, key=lambda c: (c.at, c.id))
    totals: dict[str, timedelta] = {}
    for current, following in zip(changes, [*changes[1:], None]):
        if current.skipped:  # passed over, never stayed in
            continue
        end = following.at if following else (now or utcnow())
        totals[current.to_stage] = totals.get(current.to_stage, timedelta()) + (end - current.at)
    return totals


def ensure_lost_reasons() -> dict[str, int]:
    """Seed the default lost reasons (administrators may edit the list)."""
    existing = set(db.session.scalars(select(LostReason.name)))
    missing = [name for name in DEFAULT_LOST_REASONS if name not in existing]
    db.session.add_all(LostReason(name=name) for name in missing)
    db.session.flush()
    return {'lost_reasons_created': len(missing)}


def add_tag(lead: Lead, tag: str) -> bool:
    """Label a lead (audited as a field change); False when it already carries the tag."""
    tags = list(lead.tags or [])
    if tag in tags:
        return False
    lead.tags = tags + [tag]
    db.session.flush()
    return True
