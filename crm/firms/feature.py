"""Firms as a feature: firms, contacts and tenancies; their pages and API operations."""
from __future__ import annotations

from flask import Flask

# Importing the modules declares the feature's tables, scope rules, API operations and the commands `crm import
# firms|contacts` and `crm export firms`.
from crm.firms import access, api, cli, models, views  # noqa: F401


def init_app(app: Flask) -> None:
    """The firm pages."""
    app.register_blueprint(views.bp)
