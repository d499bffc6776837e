"""Targets as a feature: the tracked investment targets and their pages."""
from __future__ import annotations

from flask import Flask

from crm.targets import models, views  # noqa: F401  (models: tables)


def init_app(app: Flask) -> None:
    """The target pages."""
    app.register_blueprint(views.bp)
