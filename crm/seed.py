"""Reference data loaded by `crm seed` (idempotent): each feature contributes a seeder."""
from __future__ import annotations

from crm.auth.services import ensure_roles
from crm.firms.services import seed_firms, seed_industries
from crm.leads.services import ensure_lost_reasons
from crm.plans.services import seed_plans
from crm.platforms.maps import seed_map_places
from crm.platforms.services import seed_platforms
from crm.platforms.units import seed_buildings
from crm.policies.services import seed_policies


def run_seed() -> dict[str, int]:
    """Run every seeder in dependency order and return their counts."""
    summary: dict[str, int] = {}
    ensure_roles()
    summary.update(seed_plans())  # first: platform facts cite plan paragraphs
    summary.update(seed_platforms())
    summary.update(seed_buildings())
    summary.update(seed_map_places())  # after platforms and buildings: their places link to them
    summary.update(seed_industries())
    summary.update(seed_firms())
    summary.update(ensure_lost_reasons())
    summary.update(seed_policies())
    return summary
