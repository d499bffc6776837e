"""Who sees and edits which platform: park managers only their own; staff see all."""
from __future__ import annotations

from sqlalchemy import false

from crm.auth.models import LEADER, OFFICER, PARK_MANAGER
from crm.core.access import object_rule, scope_rule
from crm.platforms.models import Platform

STAFF_READERS = (LEADER, OFFICER)


@scope_rule(Platform)
def platform_scope(user):
    """Leaders and officers see every platform; park managers their own; firm users none."""
    if user.role_code in STAFF_READERS:
        return None
    if user.role_code == PARK_MANAGER and user.platform_ids:
        return Platform.id.in_(user.platform_ids)
    return false()


@object_rule(Platform)
def platform_actions(user, action: str, platform: Platform) -> bool:
    """Park managers may edit their own platforms; staff may only view."""
    mine = user.role_code == PARK_MANAGER and platform.id in user.platform_ids
    if action == 'view':
        return mine or user.role_code in STAFF_READERS
    return mine
