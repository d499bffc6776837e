"""Platforms as a feature: platforms, buildings, units and their media; their pages (with the floor plans and the
unit pages) and API operations."""
from __future__ import annotations

from flask import Flask

# Importing the modules declares the feature's tables, scope rules and API operations, and adds the floor plan,
# building and unit routes to the platforms blueprint and `crm import units`.
from crm.platforms import access, api, cli, models, plan_views, unit_views, views  # noqa: F401


def init_app(app: Flask) -> None:
    """The platform, building and unit pages."""
    app.register_blueprint(views.bp)
