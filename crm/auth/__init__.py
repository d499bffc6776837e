"""Accounts: users, roles, platform memberships, sessions and login throttling."""
