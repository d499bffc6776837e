"""Platforms as a feature: platforms, buildings, units and their media; their pages (with the floor plans and the
unit pages) and API operations."""
from __future__ import annotations

from flask import Flask

from crm.platforms import access, models  # noqa: F401  (tables and scope rules)
from crm.platforms import api, plan_views, unit_views  # noqa: F401  (operations; routes on the platforms blueprint)
from crm.platforms import views


def init_app(app: Flask) -> None:
    """The platform, building and unit pages."""
    app.register_blueprint(views.bp)
