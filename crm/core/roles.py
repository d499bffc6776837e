"""Role codes: stored in user.role_code, read by the permission table (crm.core.access) and the user model."""
from __future__ import annotations

ADMIN = 'admin'
LEADER = 'leader'
OFFICER = 'officer'
PARK_MANAGER = 'park_manager'
FIRM = 'firm'
ROLE_CODES = (ADMIN, LEADER, OFFICER, PARK_MANAGER, FIRM)
