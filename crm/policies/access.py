"""Who sees policies: every staff role reads the whole register (policies are public support schemes);
firm users reach policies only through their summaries and packs."""
from __future__ import annotations

from sqlalchemy import false

from crm.auth.models import FIRM
from crm.core.access import scope_rule
from crm.policies.models import Policy, PolicyClause


@scope_rule(Policy)
def policy_scope(user):
    return false() if user.role_code == FIRM else None


@scope_rule(PolicyClause)
def clause_scope(user):
    return false() if user.role_code == FIRM else None
