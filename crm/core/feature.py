"""Core as a feature: the tables every feature shares (audit trail, access denials, export jobs, import batches,
settings), the export downloads and import batch pages, and the export jobs."""
from __future__ import annotations

from flask import Flask

from crm.core import audit, denials, export_jobs, import_batches, settings  # noqa: F401  (tables; the export job)
from crm.core import export_views, import_views


def init_app(app: Flask) -> None:
    """The export and import batch pages."""
    app.register_blueprint(export_views.bp)
    app.register_blueprint(import_views.bp)
