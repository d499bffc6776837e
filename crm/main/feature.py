"""The home pages: workbench, dashboard and search across features."""
from __future__ import annotations

from flask import Flask

from crm.main import views


def init_app(app: Flask) -> None:
    """The home pages."""
    app.register_blueprint(views.bp)
