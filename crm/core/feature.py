"""Core as a feature: the tables every feature shares (audit trail, access denials, export jobs, import batches,
settings), the export downloads and import batch pages, the export jobs, and the database's upkeep."""
from __future__ import annotations

from flask import Flask

# Importing the modules declares the tables every feature shares and the export job.
from crm.core import (  # noqa: F401
    audit,
    cli,
    clock,
    denials,
    export_jobs,
    export_views,
    import_batches,
    import_views,
    queue,
    settings,
)
from crm.db import refresh_statistics


def init_app(app: Flask) -> None:
    """The export and import batch pages; `crm import …` and `crm export …`, which the features add to; the
    database's upkeep and the purge of expired exports, on a schedule."""
    queue.every(clock.at_local_time(3, 30), 'refresh_statistics')(refresh_statistics)  # when nobody works
    queue.every(clock.every_hour_at(17), 'purge_exports')(export_jobs.purge_expired)  # past EXPORT_KEEP_HOURS
    app.register_blueprint(export_views.bp)
    app.register_blueprint(import_views.bp)
    app.cli.add_command(cli.import_group)
    app.cli.add_command(cli.export_group)
