"""Matching as a feature: the choices kept when a lead is matched, and `crm match` (its pages are the leads')."""
from __future__ import annotations

from flask import Flask

from crm.matching import cli, models  # noqa: F401  (models: tables)


def init_app(app: Flask) -> None:
    """`crm match` (matching is shown on the lead pages)."""
    app.cli.add_command(cli.match_command)
