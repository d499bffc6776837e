"""Follow-up discipline, defined once: which leads are due today, overdue or stale.

Every page, list filter, export, digest and API answer that speaks of these asks this module, so the dashboard's
headline, the lead list's filter, 我的一天, the daily digest and `GET /api/v1/leads` always give the same number.

- A lead's *next follow-up* (`Lead.next_follow_up`) is the earliest contact planned for it: the earliest open
  follow-up's due date, or a date the officer set on the lead. A follow-up logged with a next date plans that
  contact (and so moves it); completing the last open follow-up without a next date clears it.
- *Due today*: an open lead (not 流失, 暂缓 or 投产) whose next follow-up is today (the office's date).
- *Overdue*: an open lead whose next follow-up is before today.
- *Stale*: an open lead whose last touch (its last done follow-up, or its entry into its stage if later) is more
  than its stage's threshold of days before today. Thresholds are data an administrator changes.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from flask_login import current_user
from sqlalchemy import and_, bindparam, func, or_, select

from crm.auth.models import User
from crm.core import audit, clock
from crm.core.access import scoped
from crm.core.i18n import gettext as _
from crm.core.labels import stage_label
from crm.core.settings import get_setting, set_setting
from crm.db import db
from crm.leads.access import scope_is_lead_list
from crm.leads.models import STAGE_NAMES, Activity, Lead, Stage

CLOSED_STAGES = (Stage.LOST, Stage.ON_HOLD, Stage.IN_OPERATION)
CHASED_STAGES = tuple(s for s in STAGE_NAMES if s not in CLOSED_STAGES)
# Days without a follow-up after which a lead needs chasing: hot stages (考察看房, 洽谈) within a fortnight, a fresh
# lead within a month, a signed project until it has registered and moved in at a slower pace.
DEFAULT_STALE_DAYS: dict[str, int | None] = {Stage.PROSPECT: 30, Stage.FIRST_CONTACT: 21, Stage.SITE_VISIT: 14,
                                             Stage.NEGOTIATION: 14, Stage.SIGNED: 21, Stage.REGISTERED: 30,
                                             Stage.MOVED_IN: 60}
STALE_SETTING = 'stale_days'
_NEVER = datetime(1900, 1, 1, tzinfo=timezone.utc)  # a cutoff nothing is older than: the stage is never stale


def stale_thresholds(*, cached: bool = True) -> dict[str, int | None]:
    """Days per chased stage after which a lead without a follow-up is stale (None: never)."""
    return dict(_thresholds_from(get_setting(STALE_SETTING, cached=cached)))


@lru_cache(maxsize=8)
def _thresholds_from(stored: str | None) -> tuple[tuple[str, int | None], ...]:
    """The defaults overlaid with a stored setting (parsed once per value: list pages ask for every row)."""
    thresholds = dict(DEFAULT_STALE_DAYS)
    try:
        values = json.loads(stored) if stored else {}
    except ValueError:
        values = {}
    thresholds.update({s: v for s, v in values.items() if s in thresholds and (v is None or isinstance(v, int))})
    return tuple(thresholds.items())


def set_stale_thresholds(values: dict[str, int | None], *, actor_id: int | None) -> dict[str, int | None]:
    """Store new thresholds (days ≥ 1, or None for never); recorded in the audit log."""
    before = stale_thresholds(cached=False)
    after = {s: values.get(s, before[s]) for s in CHASED_STAGES}
    for stage, days in after.items():
        if days is not None and not (isinstance(days, int) and 1 <= days <= 3650):
            raise ValueError(_('%(stage)s: days must be between 1 and 3650, or empty for no reminder', stage=stage_label(stage)))
    set_setting(STALE_SETTING, json.dumps(after, ensure_ascii=False))
    changed = {s: [before[s], after[s]] for s in after if before[s] != after[s]}
    if changed:
        audit.log(db.session, 'update', 'stale_thresholds', 0, by=actor_id, **changed)
    return after


# --- the clauses: one definition each, over bound parameters -----------------------------------------------------

def _chased():
    return Lead.stage.not_in(CLOSED_STAGES)


def _overdue(today):
    return and_(_chased(), Lead.next_follow_up < today)


def _due_today(today):
    return and_(_chased(), Lead.next_follow_up == today)


def _stale(cutoffs):
    """Per chased stage: in it since before its cutoff, and no follow-up done since the cutoff."""
    return or_(*[and_(Lead.stage == stage, Lead.stage_since < cutoff,
                      or_(Lead.last_activity_at.is_(None), Lead.last_activity_at < cutoff))
                 for stage, cutoff in zip(CHASED_STAGES, cutoffs)])


_BUILD = {'overdue': lambda v: _overdue(v['today']), 'due_today': lambda v: _due_today(v['today']),
          'stale': lambda v: _stale([v[f'stale_{n}'] for n in range(len(CHASED_STAGES))])}
# over bound parameters, for statements built once and run with `params(name)` (the lead list's)
CLAUSES = {name: build({'today': bindparam('today'), **{f'stale_{n}': bindparam(f'stale_{n}')
                                                        for n in range(len(CHASED_STAGES))}})
           for name, build in _BUILD.items()}


def params(name: str, today: date | None = None) -> dict[str, Any]:
    """The bound values a clause of CLAUSES needs on `today` (the office's date by default)."""
    today = today or clock.today()
    if name == 'stale':
        return {f'stale_{n}': _stale_cutoff(stage, today) for n, stage in enumerate(CHASED_STAGES)}
    return {'today': today}


def clause(name: str, today: date | None = None):
    """The clause with its values filled in, for statements built on the spot."""
    return _BUILD[name](params(name, today))


def _stale_cutoff(stage: str, today: date) -> datetime:
    """A lead in `stage` is stale when its last touch happened before this instant."""
    days = stale_thresholds().get(stage)
    if days is None:
        return _NEVER
    return clock.start_of(today - timedelta(days=days))


# --- the same definitions for one lead (or a list row) in Python -------------------------------------------------

def is_overdue(lead, today: date | None = None) -> bool:
    return lead.stage not in CLOSED_STAGES and lead.next_follow_up is not None \
        and lead.next_follow_up < (today or clock.today())


def is_due_today(lead, today: date | None = None) -> bool:
    return lead.stage not in CLOSED_STAGES and lead.next_follow_up == (today or clock.today())


def last_touch(lead) -> datetime:
    return max(filter(None, [lead.last_activity_at, lead.stage_since]))


def is_stale(lead, today: date | None = None) -> bool:
    """No follow-up for longer than the stage's threshold (counted in the office's days)."""
    if lead.stage in CLOSED_STAGES:
        return False
    cutoff = _stale_cutoff(lead.stage, today or clock.today())
    return cutoff is not _NEVER and last_touch(lead) < cutoff


def row_checks(today: date | None = None) -> tuple[Callable[[Any], bool], Callable[[Any], bool]]:
    """(is_stale, is_overdue) for the rows of one page: today's date and each stage's cutoff are found once, not
    once per row."""
    today = today or clock.today()
    cutoffs: dict[str, datetime] = {}

    def stale(lead) -> bool:
        if lead.stage in CLOSED_STAGES:
            return False
        cutoff = cutoffs.get(lead.stage)
        if cutoff is None:
            cutoff = cutoffs[lead.stage] = _stale_cutoff(lead.stage, today)
        return cutoff is not _NEVER and last_touch(lead) < cutoff

    def overdue(lead) -> bool:
        return is_overdue(lead, today)

    return stale, overdue


def days_overdue(lead, today: date | None = None) -> int:
    return ((today or clock.today()) - lead.next_follow_up).days if is_overdue(lead, today) else 0


# --- counts ------------------------------------------------------------------------------------------------------

def counts(*where, today: date | None = None) -> dict[str, int]:
    """How many leads in the viewer's scope (and `where`) are overdue, due today and stale."""
    today = today or clock.today()
    # a count each, run as one statement: each walks the index of its clause (crm.leads.models), where counts
    # filtered out of one pass would read every lead row
    row = db.session.execute(select(*[
        scoped(select(func.count(Lead.id)).where(clause(name, today), *where), Lead).scalar_subquery().label(name)
        for name in ('overdue', 'due_today', 'stale')])).one()
    return {'overdue': row.overdue or 0, 'due_today': row.due_today or 0, 'stale': row.stale or 0}


def overdue_by_owner(today: date | None = None) -> list[dict]:
    """Overdue leads per owner in the viewer's scope, the shared pool as its own row: the rows add up to the
    headline figure. Each row carries the owner's id (None for the pool) for its drill-down link."""
    stmt = (scoped(select(Lead.owner_id, User.name, func.count(Lead.id)), Lead)
            .outerjoin(User, User.id == Lead.owner_id).where(clause('overdue', today))
            .group_by(Lead.owner_id, User.name).order_by(func.count(Lead.id).desc(), User.name))
    return [{'owner_id': owner_id, 'name': name, 'count': n, 'pool': owner_id is None}
            for owner_id, name, n in db.session.execute(stmt)]


def summary(today: date | None = None) -> tuple[dict[str, int], list[dict]]:
    """`counts()` and `overdue_by_owner()` together (the dashboard's follow-up figures). A scope that is a list of
    leads (a park manager's: the leads targeting their platforms) is read once, counted per owner in one pass; the
    statements of `counts` would look up each listed lead once per count, and `overdue_by_owner` once more."""
    today = today or clock.today()
    if not scope_is_lead_list(current_user):
        return counts(today=today), overdue_by_owner(today)
    names = ('overdue', 'due_today', 'stale')
    per_owner = scoped(select(Lead.owner_id.label('owner_id'), *[
        func.count(Lead.id).filter(clause(name, today)).label(name) for name in names]), Lead) \
        .group_by(Lead.owner_id).subquery()
    rows = db.session.execute(select(per_owner.c.owner_id, User.name, *[per_owner.c[name] for name in names])
                              .outerjoin(User, User.id == per_owner.c.owner_id)
                              .order_by(per_owner.c.overdue.desc(), User.name)).all()
    totals = {name: sum(getattr(row, name) or 0 for row in rows) for name in names}
    return totals, [{'owner_id': row.owner_id, 'name': row.name, 'count': row.overdue, 'pool': row.owner_id is None}
                    for row in rows if row.overdue]


# --- keeping the next follow-up -----------------------------------------------------------------------------------

def earliest_open_due(lead_id: int) -> date | None:
    return db.session.scalar(select(func.min(Activity.due_on))
                             .where(Activity.lead_id == lead_id, Activity.done_at.is_(None)))


def refresh_next_follow_up(lead: Lead, *, contacted: bool = False) -> None:
    """Set the lead's next follow-up from its open follow-ups after a change (the caller flushes first).

    `contacted`: a follow-up was just done, so a date set on the lead before it is spent. Otherwise a date the
    officer set on the lead stays, unless an open follow-up is due earlier."""
    candidates = [earliest_open_due(lead.id)]
    if not contacted:
        candidates.append(lead.next_follow_up)
    lead.next_follow_up = min(filter(None, candidates), default=None)
