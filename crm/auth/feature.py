"""Accounts as a feature: users, roles, sessions, API tokens and second factors; the sign-in and account pages."""
from __future__ import annotations

from flask import Flask

# Importing the modules declares the feature's tables.
from crm.auth import callers, cli, models, tokens, totp, views  # noqa: F401


def init_app(app: Flask) -> None:
    """Who is calling (session or API token), the sign-in and account pages, and `crm users`."""
    callers.init_app(app)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.users_group)
