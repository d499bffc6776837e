"""Packs as a feature: promotion packs, their builds and 政策摘要 pushes; their pages, API operations and jobs."""
from __future__ import annotations

from flask import Flask

# Importing the modules declares the feature's tables, scope rules, API operations and the jobs build_pack and
# push_summaries.
from crm.packs import access, api, cli, models, push, services, views  # noqa: F401


def init_app(app: Flask) -> None:
    """The pack pages and `crm pack …`."""
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.pack_group)
