"""Plans as a feature: plan documents, their commitments and targets; their pages and `crm plans`."""
from __future__ import annotations

from flask import Flask

from crm.plans import cli, models, views  # noqa: F401  (models: tables)


def init_app(app: Flask) -> None:
    """The plan pages and the `crm plans` commands."""
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.plans_group)
