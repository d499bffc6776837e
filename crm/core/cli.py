"""`crm import …` and `crm export …`: the groups every feature adds its spreadsheets to, and the import batches
(list them, undo one)."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from crm.core.console import cli_context as _cli_context
from crm.core.console import emit as _emit
from crm.core.import_batches import ImportBatch, RevertRefused, recent_batches, revert_batch, run_batch
from crm.core.spreadsheets import SpreadsheetError, read_table
from crm.db import db


@click.group('import', help='Import spreadsheets (CSV or XLSX).')
def import_group() -> None:
    pass


def run_import(object_type: str, file: Path, dry_run: bool, run):
    """Read the file (hostile or unreadable files stop here), then import it: a dry run inside a transaction that is
    rolled back, a real import as a recorded batch whose rows commit together with its outcome."""
    data = file.read_bytes()
    try:
        table = read_table(file.name, data)
    except SpreadsheetError as exc:
        raise click.ClickException(str(exc)) from exc
    if dry_run:
        report = run(table)
        db.session.rollback()
        return report
    return run_batch(object_type, file.name, data, lambda: run(table), checkpoint=db.session.commit)


@import_group.command('batches')
@click.option('--limit', default=20, show_default=True)
@click.option('--json', 'as_json', is_flag=True)
@with_appcontext
def import_batches_command(limit: int, as_json: bool) -> None:
    """The latest import batches (a batch whose process died is shown as failed)."""
    batches = [b.as_dict() for b in recent_batches(limit)]
    db.session.commit()  # the batches whose process died are recorded as failed
    _emit(batches, as_json, '\n'.join(f"{b['id']}\t{b['status']}\t{b['object_type']}\t{b['filename']}\t"
                                      f"{b['imported']}+{b['updated']} {b['error'] or ''}" for b in batches))


@import_group.command('revert')
@click.argument('batch_id', type=int)
@click.option('--json', 'as_json', is_flag=True)
@with_appcontext
def import_revert_command(batch_id: int, as_json: bool) -> None:
    """Undo a confirmed import (as an administrator would): prints {removed, restored}; refused, naming the records,
    when any was changed since."""

    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        raise click.ClickException(f'导入批次不存在 (no such import batch): {batch_id}')
    _cli_context('import-revert')
    try:
        outcome = revert_batch(batch, actor_id=None)
    except RevertRefused as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    _emit(outcome, as_json, f"removed={outcome['removed']}, restored={outcome['restored']}")


@click.group('export', help='Export lists as spreadsheets.')
def export_group() -> None:
    pass
