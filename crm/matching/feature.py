"""Matching as a feature: the choices kept when a lead is matched (its pages are the leads' pages)."""
from __future__ import annotations

from flask import Flask

from crm.matching import models  # noqa: F401  (tables)


def init_app(app: Flask) -> None:
    """Nothing to register: matching is shown on the lead pages."""
