"""Policies as a feature: policies and their clauses; their pages, API operations and `crm policies`."""
from __future__ import annotations

from flask import Flask

# Importing the modules declares the feature's tables, scope rules and API operations.
from crm.policies import access, api, cli, models, views  # noqa: F401


def init_app(app: Flask) -> None:
    """The policy pages and the `crm policies` commands."""
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.policies_group)
