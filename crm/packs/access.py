"""Who may see a pack: whoever may see its lead; a firm user the packs issued for their firm."""
from __future__ import annotations

from sqlalchemy import false, select

from crm.auth.models import FIRM
from crm.core.access import scope_rule, visibility_clause
from crm.leads.models import Lead
from crm.packs.models import Pack, PackBuild


@scope_rule(Pack)
def pack_scope(user):
    if user.role_code == FIRM:
        return Pack.firm_id == user.firm_id if user.firm_id else false()
    clause = visibility_clause(Lead, user)
    return None if clause is None else Pack.lead_id.in_(select(Lead.id).where(clause).correlate(None))


@scope_rule(PackBuild)
def build_scope(user):
    if user.role_code == FIRM:
        return false()
    clause = visibility_clause(Lead, user)
    return None if clause is None else PackBuild.lead_id.in_(select(Lead.id).where(clause).correlate(None))
