"""Notifications as a feature: the inbox and its deliveries, listening to what the features below announce."""
from __future__ import annotations

from flask import Flask

from crm.notifications import events, models  # noqa: F401  (listens to what leads and packs announce; tables)
from crm.notifications import services, views


def init_app(app: Flask) -> None:
    """The inbox pages, deliveries queued after each request and the header's unread count."""
    app.register_blueprint(views.bp)
    services.init_app(app)
