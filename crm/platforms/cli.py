"""`crm import units`: the units of a platform's buildings from a spreadsheet."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from crm.auth.models import user_by_email
from crm.core.cli import import_group, run_import
from crm.core.console import SystemActor
from crm.core.console import cli_context as _cli_context
from crm.core.console import emit as _emit
from crm.platforms.unit_import import import_units


@import_group.command('units')
@click.argument('file', type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option('--dry-run', is_flag=True, help='Check every row and report, write nothing.')
@click.option('--as', 'as_email', default=None, help='Import with this user\'s rights (e.g. a park manager).')
@click.option('--json', 'as_json', is_flag=True)
@with_appcontext
def import_units_command(file: Path, dry_run: bool, as_email: str | None, as_json: bool) -> None:
    """Import units; prints {imported, updated, unchanged, errors: [{row, column, message}]}."""
    actor = user_by_email(as_email) if as_email else SystemActor()
    if actor is None:
        raise click.ClickException(f'用户不存在 (no such user): {as_email}')
    _cli_context('import-units')
    report = run_import('unit', file, dry_run,
                         lambda table: import_units(table, actor, dry_run=dry_run, filename=file.name))
    payload = report.as_dict()
    _emit(payload, as_json, ', '.join(f'{k}={len(v) if isinstance(v, list) else v}' for k, v in payload.items()))
