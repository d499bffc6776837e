"""Packs as a feature: promotion packs, their builds and 政策摘要 pushes; their pages, API operations and jobs."""
from __future__ import annotations

from flask import Flask

from crm.packs import access, models  # noqa: F401  (tables and scope rules)
from crm.packs import api  # noqa: F401  (operations)
from crm.packs import push, services  # noqa: F401  (the jobs build_pack and push_summaries)
from crm.packs import views


def init_app(app: Flask) -> None:
    """The pack pages."""
    app.register_blueprint(views.bp)
