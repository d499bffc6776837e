"""`crm import firms|contacts` and `crm export firms`: firms and their contact people as spreadsheets."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select as sa_select

from crm.core.cli import export_group, import_group, run_import
from crm.core.console import cli_context as _cli_context
from crm.core.console import emit as _emit
from crm.core.exports import YIELD_PER, ExportTooLarge, csv_chunks, xlsx_write
from crm.db import db
from crm.firms.contact_import import import_contacts
from crm.firms.imports import import_firms
from crm.firms.models import Firm
from crm.firms.views import EXPORT_HEADER, export_rows


@import_group.command('firms')
@click.argument('file', type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option('--dry-run', is_flag=True, help='Check every row and report, write nothing.')
@click.option('--json', 'as_json', is_flag=True)
@with_appcontext
def import_firms_command(file: Path, dry_run: bool, as_json: bool) -> None:
    """Import firms; prints {imported, updated, unchanged, errors: [{row, column, message}]}."""
    _cli_context('import-firms')
    report = run_import('firm', file, dry_run, lambda table: import_firms(table, dry_run=dry_run, filename=file.name))
    payload = report.as_dict()
    _emit(payload, as_json, ', '.join(f'{k}={len(v) if isinstance(v, list) else v}' for k, v in payload.items()))


@import_group.command('contacts')
@click.argument('file', type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option('--dry-run', is_flag=True, help='Check every row and report, write nothing.')
@click.option('--json', 'as_json', is_flag=True)
@with_appcontext
def import_contacts_command(file: Path, dry_run: bool, as_json: bool) -> None:
    """Import contact people of existing firms; prints {imported, updated, unchanged, errors}."""
    _cli_context('import-contacts')
    report = run_import('contact', file, dry_run,
                         lambda table: import_contacts(table, dry_run=dry_run, filename=file.name))
    payload = report.as_dict()
    _emit(payload, as_json, ', '.join(f'{k}={len(v) if isinstance(v, list) else v}' for k, v in payload.items()))


@export_group.command('firms')
@click.option('-o', '--output', 'output', required=True, type=click.Path(dir_okay=False, path_type=Path),
              help='FILE.csv or FILE.xlsx')
@with_appcontext
def export_firms_command(output: Path) -> None:
    """Every live firm, in the same columns the import reads."""
    firms = db.session.scalars(sa_select(Firm).where(Firm.deleted_at.is_(None)).order_by(Firm.name_key, Firm.id)
                               .execution_options(yield_per=YIELD_PER))
    try:
        with output.open('wb') as fh:
            if output.suffix.lower() == '.xlsx':
                xlsx_write(EXPORT_HEADER, export_rows(firms), fh)
            else:
                for chunk in csv_chunks(EXPORT_HEADER, export_rows(firms)):
                    fh.write(chunk)
    except ExportTooLarge as exc:
        output.unlink(missing_ok=True)  # no partial file left behind
        raise click.ClickException(str(exc)) from exc
    click.echo(f'{output}: {output.stat().st_size} bytes')
