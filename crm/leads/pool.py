"""The shared pool (公海) and its rules.

- *Recall*: a lead an officer owns, at a stage before 洽谈, that has had no done follow-up for its stage's number
  of days (administrators set them; empty: never) gets a warning on the daily run; on a later daily run, if still
  untouched, it returns to the pool. A done follow-up, a stage move or a new owner clears the warning. Leads at
  洽谈 or later are never recalled.
- *Claims*: an officer may take at most `claim_limit` leads from the pool per day (the office's day).
- *Assignment rules*: a new lead without an owner goes to the first active rule that matches its platform,
  industry (code prefix) and source; the rule's team takes turns (round-robin).
Every move is written to the audit log; the lead page shows the pool's entries in its timeline.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from functools import lru_cache

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, func, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from crm.auth.models import OFFICER, User
from crm.core import audit, clock, hooks
from crm.core.audit import AuditEvent
from crm.core.i18n import gettext as _
from crm.core.labels import stage_label
from crm.core.settings import get_setting, set_setting
from crm.db import Base, db, utcnow
from crm.leads.models import STAGE_NAMES, Lead, Stage

# Stages a lead can be recalled from: everything before 洽谈 (洽谈 and later are exempt).
RECALL_STAGES = tuple(STAGE_NAMES[:STAGE_NAMES.index(Stage.NEGOTIATION)])
DEFAULT_RECALL_DAYS: dict[str, int | None] = {Stage.PROSPECT: 30, Stage.FIRST_CONTACT: 30, Stage.SITE_VISIT: 21}
DEFAULT_CLAIM_LIMIT = 5
RULES_SETTING = 'pool_rules'
# audit actions the pool writes (object type 'lead'); the lead page's timeline reads these
WARNED, RETURNED, CLAIMED, RELEASED, AUTO_ASSIGNED = ('pool_warning', 'pool_return', 'pool_claim', 'pool_release',
                                                     'pool_auto_assign')
POOL_ACTIONS = (WARNED, RETURNED, CLAIMED, RELEASED, AUTO_ASSIGNED)


class PoolError(ValueError):
    """A pool move refused by its rules; the message is shown to the user."""


class AssignmentRule(Base):
    """Leads without an owner that match (platform, industry prefix, source; empty matches anything) go to the
    rule's team in turn."""

    __tablename__ = 'pool_assignment_rule'
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    platform_id: Mapped[int | None] = mapped_column(ForeignKey('platform.id', ondelete='CASCADE'))
    industry_prefix: Mapped[str | None] = mapped_column(String(8))
    source: Mapped[str | None] = mapped_column(String(20))
    team: Mapped[list] = mapped_column(JSON, default=list)  # user ids, in turn order
    next_turn: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def matches(self, lead: Lead) -> bool:
        if self.platform_id and self.platform_id not in {p.id for p in lead.platforms}:
            return False
        if self.industry_prefix and not (lead.industry_code or '').startswith(self.industry_prefix):
            return False
        return not self.source or self.source == lead.source


# --- settings ------------------------------------------------------------------------------------------------------

def rules(*, cached: bool = True) -> dict:
    """{'recall_days': {stage: days | None}, 'claim_limit': int}."""
    return json.loads(_rules_from(get_setting(RULES_SETTING, cached=cached)))


@lru_cache(maxsize=8)
def _rules_from(stored: str | None) -> str:
    days = dict(DEFAULT_RECALL_DAYS)
    limit = DEFAULT_CLAIM_LIMIT
    try:
        values = json.loads(stored) if stored else {}
    except ValueError:
        values = {}
    for stage, value in (values.get('recall_days') or {}).items():
        if stage in days and (value is None or isinstance(value, int)):
            days[stage] = value
    if isinstance(values.get('claim_limit'), int):
        limit = values['claim_limit']
    return json.dumps({'recall_days': days, 'claim_limit': limit}, ensure_ascii=False)


def set_rules(recall_days: dict[str, int | None], claim_limit: int, *, actor_id: int | None) -> dict:
    """Store the recall days per stage (1–3650, None: never) and the daily claim limit (0–1000); audited."""
    before = rules(cached=False)
    after_days = {s: recall_days.get(s, before['recall_days'][s]) for s in RECALL_STAGES}
    for stage, days in after_days.items():
        if days is not None and not (isinstance(days, int) and 1 <= days <= 3650):
            raise PoolError(_('%(stage)s: days must be between 1 and 3650, or empty for never', stage=stage_label(stage)))
    if not (isinstance(claim_limit, int) and 0 <= claim_limit <= 1000):
        raise PoolError(_('The daily claim limit per person must be between 0 and 1000'))
    after = {'recall_days': after_days, 'claim_limit': claim_limit}
    set_setting(RULES_SETTING, json.dumps(after, ensure_ascii=False))
    changed = {s: [before['recall_days'][s], after_days[s]] for s in after_days
               if before['recall_days'][s] != after_days[s]}
    if before['claim_limit'] != claim_limit:
        changed['claim_limit'] = [before['claim_limit'], claim_limit]
    if changed:
        audit.log(db.session, 'update', 'pool_rules', 0, by=actor_id, **changed)
    return after


# --- recall --------------------------------------------------------------------------------------------------------

def last_touch(lead: Lead) -> datetime:
    """The lead's last done follow-up, its entry into its stage, or its taking by its owner, whichever is latest."""
    return max(filter(None, [lead.last_activity_at, lead.stage_since, lead.owned_since]))


def recall_cutoff(stage: str, today: date) -> datetime | None:
    """A lead in `stage` last touched before this instant is due for recall (None: the stage is never recalled)."""
    days = rules()['recall_days'].get(stage) if stage in RECALL_STAGES else None
    return clock.start_of(today - timedelta(days=days)) if days else None


def recall_due(lead: Lead, today: date | None = None) -> bool:
    cutoff = recall_cutoff(lead.stage, today or clock.today())
    if lead.owner_id is None or cutoff is None:
        return False
    touched = last_touch(lead)
    return (touched if touched.tzinfo else touched.replace(tzinfo=clock.now().tzinfo)) < cutoff


def pool_warning_due(lead: Lead, today: date) -> None:
    """Tell the lead's owner it will return to the pool on the next daily run: written to the lead's timeline."""
    audit.log(db.session, WARNED, 'lead', lead.id, owner=lead.owner_id, stage=lead.stage, on=today.isoformat())
    hooks.announce('lead_returning_to_pool', lead, today + timedelta(days=1))  # the next daily run returns it


def run_recall(today: date | None = None) -> dict[str, int]:
    """The daily run: warn leads due for recall, return those warned on an earlier day and still untouched, and
    lift warnings no longer due. Flushes; the caller commits."""
    today = today or clock.today()
    warned = returned = cleared = 0
    candidates = db.session.scalars(select(Lead).where(
        Lead.owner_id.is_not(None), or_(Lead.stage.in_(RECALL_STAGES), Lead.pool_warned_on.is_not(None)))
        .order_by(Lead.id)).unique().all()
    for lead in candidates:
        due = recall_due(lead, today)
        if not due:
            if lead.pool_warned_on is not None:
                lead.pool_warned_on = None
                cleared += 1
            continue
        if lead.pool_warned_on is None:
            lead.pool_warned_on = today
            pool_warning_due(lead, today)
            warned += 1
        elif lead.pool_warned_on < today:
            before = lead.owner_id
            lead.owner_id, lead.owned_since, lead.pool_warned_on = None, utcnow(), None
            audit.log(db.session, RETURNED, 'lead', lead.id, owner=[before, None], stage=lead.stage,
                      on=today.isoformat())
            returned += 1
    db.session.flush()
    return {'warned': warned, 'returned': returned, 'cleared': cleared}


def touched(lead: Lead) -> None:
    """A follow-up was done, the stage moved or the owner changed: any pending warning is spent."""
    lead.pool_warned_on = None


# --- claims and releases ---------------------------------------------------------------------------------------------

def claims_today(user_id: int, today: date | None = None) -> int:
    start, end = clock.day_range(today or clock.today(), today or clock.today())
    return db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == CLAIMED, AuditEvent.actor_id == user_id, AuditEvent.at >= start,
        AuditEvent.at < end)) or 0


def claim(lead: Lead, user) -> None:
    """An officer takes a lead from the pool, within the daily limit."""
    if lead.owner_id is not None:
        raise PoolError(_('This lead has an owner; it is not in the pool'))
    limit = rules()['claim_limit']
    if claims_today(user.id) >= limit:
        raise PoolError(_('You have claimed %(count)s leads today, the daily limit per person', count=limit))
    lead.owner_id, lead.owned_since = user.id, utcnow()
    touched(lead)
    db.session.flush()
    audit.log(db.session, CLAIMED, 'lead', lead.id, owner=[None, user.id])


def release(lead: Lead, *, actor_id: int | None) -> None:
    """The owner (or a leader) puts a lead back into the pool."""
    if lead.owner_id is None:
        raise PoolError(_('This lead is already in the pool'))
    before = lead.owner_id
    lead.owner_id, lead.owned_since = None, utcnow()
    touched(lead)
    db.session.flush()
    audit.log(db.session, RELEASED, 'lead', lead.id, owner=[before, None], by=actor_id)


# --- assignment rules --------------------------------------------------------------------------------------------

def auto_assign(lead: Lead) -> int | None:
    """Give an unowned lead to the next member of the first matching active rule's team; the new owner's id."""
    if lead.owner_id is not None:
        return lead.owner_id

    for rule in db.session.scalars(select(AssignmentRule).where(AssignmentRule.active.is_(True))
                                   .order_by(AssignmentRule.position, AssignmentRule.id)):
        if not rule.matches(lead):
            continue
        active = set(db.session.scalars(select(User.id).where(User.id.in_(rule.team or [-1]),
                                                              User.role_code == OFFICER, User.is_active.is_(True))))
        team = [uid for uid in rule.team or [] if uid in active]
        if not team:
            continue
        owner_id = team[rule.next_turn % len(team)]
        rule.next_turn = (rule.next_turn + 1) % len(team)
        lead.owner_id, lead.owned_since = owner_id, utcnow()
        db.session.flush()
        audit.log(db.session, AUTO_ASSIGNED, 'lead', lead.id, owner=[None, owner_id], rule=rule.id)
        return owner_id
    return None


def add_rule(*, platform_id: int | None, industry_prefix: str | None, source: str | None, team: list[int],
             position: int = 0) -> AssignmentRule:
    if not team:
        raise PoolError(_('Choose at least one investment officer'))
    rule = AssignmentRule(platform_id=platform_id, industry_prefix=industry_prefix or None, source=source or None,
                          team=list(dict.fromkeys(team)), position=position, next_turn=0, active=True)
    db.session.add(rule)
    db.session.flush()
    return rule


def delete_rule(rule: AssignmentRule) -> None:
    db.session.delete(rule)
    db.session.flush()


def timeline_events(lead_id: int) -> list[AuditEvent]:
    """The pool's entries for a lead (warnings, returns, claims, releases, automatic assignments)."""
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == 'lead', AuditEvent.object_id == str(lead_id), AuditEvent.action.in_(POOL_ACTIONS))
        .order_by(AuditEvent.id.desc())))
