"""Who reads the policy register: staff (administrators, leaders, officers, park managers); firm users get
their policy summaries instead."""
from __future__ import annotations

from crm.auth.models import ADMIN, LEADER, OFFICER, PARK_MANAGER
from crm.core.access import extend_role_permissions

POLICIES_VIEW = 'policies.view'

extend_role_permissions({role: {POLICIES_VIEW} for role in (ADMIN, LEADER, OFFICER, PARK_MANAGER)})


def _register_scope() -> None:
    from sqlalchemy import false

    from crm.core.access import has_permission, scope_rule
    from crm.policies.models import Policy

    @scope_rule(Policy)
    def policy_scope(user):
        """The register is reference data: every reader sees all of it."""
        return None if has_permission(user, POLICIES_VIEW) else false()


_register_scope()
