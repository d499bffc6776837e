"""Who sees which lead: leaders and administrators all; officers their own, those they collaborate on and
the unassigned pool; park managers the leads targeting their platforms; firm users none."""
from __future__ import annotations

from sqlalchemy import exists, false, or_, select

from crm.auth.models import LEADER, OFFICER, PARK_MANAGER
from crm.core.access import object_rule, scope_rule
from crm.leads.aftercare import ProjectActual, SupervisionTask
from crm.leads.models import Activity, Lead, lead_collaborator, lead_platform


def lead_visible(user):
    """WHERE clause on Lead for `user` (administrators are not narrowed)."""
    if user.role_code == LEADER:
        return None
    # Uncorrelated IN-subqueries: the clause stays valid when the outer query joins these tables too.
    if user.role_code == OFFICER:
        collaborates = select(lead_collaborator.c.lead_id).where(lead_collaborator.c.user_id == user.id)
        return or_(Lead.owner_id == user.id, Lead.owner_id.is_(None), Lead.id.in_(collaborates.correlate(None)))
    if user.role_code == PARK_MANAGER and user.platform_ids:
        targeted = select(lead_platform.c.lead_id).where(lead_platform.c.platform_id.in_(user.platform_ids))
        return Lead.id.in_(targeted.correlate(None))
    return false()


def scope_is_lead_list(user) -> bool:
    """Whether `user` sees a list of leads (a park manager: those targeting their platforms), usually a small share
    of them, rather than leads picked out by a condition on each (an officer's: their own and the pool's)."""
    return user.role_code == PARK_MANAGER and bool(user.platform_ids)


def lead_visible_per_row(user):
    """`lead_visible`, with a park manager's platforms checked lead by lead (a correlated EXISTS on the platform
    link's primary key) instead of the list of their platforms' leads gathered first: for the lists, which walk
    the leads in their order and stop after a page, on SQLite (9.5 -> 0.1 ms for the first page of 9,295 leads;
    on PostgreSQL the first page measured no faster, 6.5 against 10.5 ms on the server)."""
    if not scope_is_lead_list(user):
        return lead_visible(user)
    link = lead_platform.alias('scope_link')  # an alias: the clause stays valid when the query joins lead_platform
    return exists().where(link.c.lead_id == Lead.id, link.c.platform_id.in_(user.platform_ids)).correlate(Lead)


@scope_rule(Lead)
def lead_scope(user):
    return lead_visible(user)


@scope_rule(Activity)
def activity_scope(user):
    clause = lead_visible(user)
    return None if clause is None else Activity.lead_id.in_(select(Lead.id).where(clause))


@object_rule(Lead)
def lead_actions(user, action: str, lead: Lead) -> bool:
    """Officers work their own, collaborated and pool leads; leaders assign; park managers only read."""
    if action == 'view':
        return True
    if action == 'assign':
        return user.role_code == LEADER
    if user.role_code == OFFICER:
        return lead.owner_id in (None, user.id) or any(c.id == user.id for c in lead.collaborators)
    return user.role_code == LEADER and action in ('edit', 'stage', 'activity')



@scope_rule(SupervisionTask)
def task_scope(user):
    """督办: leaders all; officers those given to them; park managers those on leads targeting their platform."""
    if user.role_code == LEADER:
        return None
    if user.role_code == OFFICER:
        return SupervisionTask.assignee_id == user.id
    clause = lead_visible(user)
    return SupervisionTask.lead_id.in_(select(Lead.id).where(clause).correlate(None))


@object_rule(SupervisionTask)
def task_actions(user, action: str, task: SupervisionTask) -> bool:
    """The officer it was given to marks it done; leaders too."""
    if action == 'view':
        return True
    return user.role_code == LEADER or (user.role_code == OFFICER and task.assignee_id == user.id)


@scope_rule(ProjectActual)
def actual_scope(user):
    clause = lead_visible(user)
    return None if clause is None else ProjectActual.lead_id.in_(select(Lead.id).where(clause).correlate(None))
