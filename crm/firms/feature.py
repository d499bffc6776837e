"""Firms as a feature: firms, contacts and tenancies; their pages and API operations."""
from __future__ import annotations

from flask import Flask

from crm.firms import access, models  # noqa: F401  (tables and scope rules)
from crm.firms import api  # noqa: F401  (operations)
from crm.firms import views


def init_app(app: Flask) -> None:
    """The firm pages."""
    app.register_blueprint(views.bp)
