"""The administration pages."""
from __future__ import annotations

from flask import Flask

from crm.admin import views


def init_app(app: Flask) -> None:
    """The administration pages."""
    app.register_blueprint(views.bp)
