"""Notifications as a feature: the inbox and its deliveries (the job deliver_notification), listening to what the
features below announce, and the daily reminders."""
from __future__ import annotations

from flask import Flask

from crm.core import clock, queue

# Importing the modules declares the feature's tables, the job deliver_notification and the listeners to what
# leads and packs announce.
from crm.notifications import events, models, services, views  # noqa: F401


def init_app(app: Flask) -> None:
    """The inbox pages, deliveries queued after each request, the header's unread count, and the daily reminders."""
    # Overdue follow-ups and policies expiring on leads, told to their owners (each once), after the digest.
    queue.every(clock.at_local_time(8, 35), 'daily_notifications')(events.daily_sweep)
    app.register_blueprint(views.bp)
    services.init_app(app)
