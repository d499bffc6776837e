"""Who sees policies: every role reads the register (policies are public support schemes). Firm users read its
public part — a policy's terms, quotes and 申兑指南, and how it applies to their own firm — but not the clauses as
records, the review of imported clauses, nor a policy's list of firms (the views check the role)."""
from __future__ import annotations

from sqlalchemy import false

from crm.auth.models import FIRM
from crm.core.access import scope_rule
from crm.policies.models import Policy, PolicyClause


@scope_rule(Policy)
def policy_scope(user):
    return None


@scope_rule(PolicyClause)
def clause_scope(user):
    return false() if user.role_code == FIRM else None
