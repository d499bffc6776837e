"""Administration: user accounts, roles, platform memberships and the audit log."""
