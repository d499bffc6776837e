"""What a lead relies on: policies pinned on its match or cited by its latest pack, and those about to expire."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, func, select

from crm.core import clock
from crm.db import db
from crm.leads.followups import CLOSED_STAGES
from crm.leads.models import Lead
from crm.matching.models import PIN, MatchChoice
from crm.packs.models import Pack
from crm.policies.models import Policy
from crm.policies.services import EXPIRY_WARNING_DAYS


def relied_policy_ids(lead_id: int, *, latest: dict | None = None) -> set[int]:
    """The policies a lead relies on: pinned on its match, or cited by its latest pack (`latest`: that pack's
    snapshot, {} for none, when the caller has read the lead's packs already)."""
    ids = set(db.session.scalars(select(MatchChoice.item_id).where(MatchChoice.lead_id == lead_id,
                                                                   MatchChoice.kind == 'policy',
                                                                   MatchChoice.choice == PIN)))
    if latest is None:
        latest = db.session.scalar(select(Pack.snapshot).where(Pack.lead_id == lead_id)
                                   .order_by(Pack.version.desc()).limit(1))
    ids.update(policy_id for policy_id, _version in (latest or {}).get('policies', []))
    return ids


def expiring_relied_policies(*where, today=None, limit: int | None = None) -> list[dict]:
    """Open leads (and `where`) relying on a policy (pinned on the match, or cited by the lead's latest pack) that
    is in force and expires within the warning period, soonest first: {lead_id, lead, owner_id, policy_id, policy,
    expires_on}. The same reliance as `relied_policy_ids`, for many leads at once."""
    today = today or clock.today()
    open_leads = (Lead.stage.not_in(CLOSED_STAGES), *where)
    relied: dict[int, set[int]] = {}
    for lead_id, policy_id in db.session.execute(
            select(MatchChoice.lead_id, MatchChoice.item_id).join(Lead, Lead.id == MatchChoice.lead_id)
            .where(MatchChoice.kind == 'policy', MatchChoice.choice == PIN, *open_leads)):
        relied.setdefault(lead_id, set()).add(policy_id)
    latest = (select(Pack.lead_id, func.max(Pack.version).label('version')).join(Lead, Lead.id == Pack.lead_id)
              .where(*open_leads).group_by(Pack.lead_id).subquery())
    for lead_id, snapshot in db.session.execute(
            select(Pack.lead_id, Pack.snapshot).join(latest, and_(latest.c.lead_id == Pack.lead_id,
                                                                  latest.c.version == Pack.version))):
        relied.setdefault(lead_id, set()).update(p for p, _v in (snapshot or {}).get('policies', []))
    policy_ids = set().union(*relied.values()) if relied else set()
    if not policy_ids:
        return []
    policies = {p.id: p for p in db.session.execute(
        select(Policy.id, Policy.title, Policy.expires_on).where(
            Policy.id.in_(policy_ids), Policy.expires_on.is_not(None), Policy.expires_on >= today,
            Policy.expires_on <= today + timedelta(days=EXPIRY_WARNING_DAYS)))}
    if not policies:
        return []
    leads = {row.id: row for row in db.session.execute(
        select(Lead.id, Lead.title, Lead.codename, Lead.confidential, Lead.owner_id)
        .where(Lead.id.in_([lead_id for lead_id, ids in relied.items() if ids & policies.keys()])))}
    rows = [{'lead_id': lead_id, 'lead': lead.codename if lead.confidential and lead.codename else lead.title,
             'owner_id': lead.owner_id, 'policy_id': policy_id, 'policy': policies[policy_id].title,
             'expires_on': policies[policy_id].expires_on}
            for lead_id, lead in leads.items() for policy_id in sorted(relied[lead_id] & policies.keys())]
    rows.sort(key=lambda r: (r['expires_on'], r['lead_id'], r['policy_id']))
    return rows[:limit] if limit is not None else rows
