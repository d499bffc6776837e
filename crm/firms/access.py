"""Who sees which firm: staff every live firm; park managers the firms housed on their platforms (and of their
tenancies only those on these platforms); firm users only their own firm. Deleted firms are visible to
administrators only."""
from __future__ import annotations

from sqlalchemy import and_, false, select

from crm.auth.models import FIRM, LEADER, OFFICER, PARK_MANAGER
from crm.core.access import object_rule, scope_rule
from crm.firms.models import Contact, Firm, Tenancy


def firm_visible(user):
    """The WHERE clause on Firm for what `user` may see (administrators are not narrowed at all)."""
    live = Firm.deleted_at.is_(None)
    if user.role_code in (LEADER, OFFICER):
        return live
    if user.role_code == PARK_MANAGER and user.platform_ids:
        # Uncorrelated, so the clause means the same inside queries that join tenancy themselves.
        housed = select(Tenancy.firm_id).where(Tenancy.platform_id.in_(user.platform_ids)).correlate(None)
        return and_(live, Firm.id.in_(housed))
    if user.role_code == FIRM and user.firm_id:
        return and_(live, Firm.id == user.firm_id)
    return false()


@scope_rule(Firm)
def firm_scope(user):
    return firm_visible(user)


@scope_rule(Contact)
def contact_scope(user):
    return Contact.firm_id.in_(select(Firm.id).where(firm_visible(user)))


@scope_rule(Tenancy)
def tenancy_scope(user):
    """The tenancies of visible firms; a park manager sees only those on their own platforms (a firm housed on
    theirs and on another platform shows them the one, not where else it sits or pays)."""
    visible = Tenancy.firm_id.in_(select(Firm.id).where(firm_visible(user)))
    if user.role_code == PARK_MANAGER:
        return and_(visible, Tenancy.platform_id.in_(user.platform_ids))
    return visible


@object_rule(Firm)
def firm_actions(user, action: str, firm: Firm) -> bool:
    """Officers edit firms; firm users may view their firm and keep its contacts current."""
    if action == 'view':
        return True  # the object was loaded through the scope already
    if user.role_code == FIRM:
        return action == 'edit_contacts' and firm.id == user.firm_id
    return user.role_code == OFFICER and action in ('edit', 'edit_contacts', 'tenancy')
