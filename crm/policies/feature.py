"""Policies as a feature: policies and their clauses; their pages, API operations and `crm policies`."""
from __future__ import annotations

from flask import Flask

from crm.policies import access, models  # noqa: F401  (tables and scope rules)
from crm.policies import api  # noqa: F401  (operations)
from crm.policies import cli, views


def init_app(app: Flask) -> None:
    """The policy pages and the `crm policies` commands."""
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.policies_group)
