"""`crm digest` and `crm pool-recall`: the daily jobs of leads, run now."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from crm.core.console import emit as _emit
from crm.db import db
from crm.leads.digest import send_digests
from crm.leads.pool import run_recall


@click.command('digest')
@click.option('--json', 'as_json', is_flag=True)
@with_appcontext
def digest_command(as_json: bool) -> None:
    """Build today's follow-up digests now (the worker also runs this every morning)."""
    result = send_digests()
    db.session.commit()
    _emit(result, as_json, ', '.join(f'{k}={v}' for k, v in result.items()))


@click.command('pool-recall')
@click.option('--json', 'as_json', is_flag=True)
@with_appcontext
def pool_recall_command(as_json: bool) -> None:
    """Run the shared pool's daily recall now (the worker also runs it every morning at 07:00)."""
    result = run_recall()
    db.session.commit()
    _emit(result, as_json, f"warned {result['warned']}, returned {result['returned']}, cleared {result['cleared']}")
