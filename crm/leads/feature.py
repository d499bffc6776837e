"""Leads as a feature: leads, their activities, the shared pool, the digest and the aftercare of signed projects;
their pages and API operations."""
from __future__ import annotations

from flask import Flask

from crm.core import clock, queue

# Importing the modules declares the feature's tables, scope rules and API operations.
from crm.leads import access, aftercare, aftercare_views, api, cli, digest, models, pool, views  # noqa: F401


def init_app(app: Flask) -> None:
    """The lead pages, the signed projects' pages, `crm digest` and `crm pool-recall`, and the same two on a
    schedule."""
    # On the office's clock, whatever the host's: the pool's recall first, then the follow-up digest.
    queue.every(clock.at_local_time(7, 0), 'pool_recall')(pool.run_recall)
    queue.every(clock.at_local_time(8, 30), 'daily_digest')(digest.send_digests)
    app.register_blueprint(views.bp)
    app.register_blueprint(aftercare_views.bp)
    app.cli.add_command(cli.digest_command)
    app.cli.add_command(cli.pool_recall_command)
