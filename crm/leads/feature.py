"""Leads as a feature: leads, their activities, the shared pool, the digest and the aftercare of signed projects;
their pages and API operations."""
from __future__ import annotations

from flask import Flask

from crm.leads import access, aftercare, digest, models, pool  # noqa: F401  (tables and scope rules)
from crm.leads import aftercare_views, views
from crm.leads import api  # noqa: F401  (operations)


def init_app(app: Flask) -> None:
    """The lead pages and the signed projects' pages."""
    app.register_blueprint(views.bp)
    app.register_blueprint(aftercare_views.bp)
