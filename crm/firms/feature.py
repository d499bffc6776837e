"""Firms as a feature: firms, contacts and tenancies; their pages and API operations."""
from __future__ import annotations

from flask import Flask

# Importing the modules declares the feature's tables, scope rules and API operations.
from crm.firms import access, api, models, views  # noqa: F401


def init_app(app: Flask) -> None:
    """The firm pages."""
    app.register_blueprint(views.bp)
