"""The `crm` command line: database, seed data, accounts, demo data, backups.

Commands that automation calls accept `--json` and then print exactly one JSON document.
"""
from __future__ import annotations

import secrets
import sys
from pathlib import Path

import click
from alembic import command as alembic_command
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from huey.consumer import Consumer
from sqlalchemy import select as sa_select

from crm.auth.models import user_by_email
from crm.auth.services import AccountError, create_user
from crm.backup import BackupError, create_backup, restore_backup
from crm.core.access import SYSTEM
from crm.core.console import SystemActor
from crm.core.console import cli_context as _cli_context
from crm.core.console import emit as _emit
from crm.core.exports import YIELD_PER, ExportTooLarge, csv_chunks, xlsx_write
from crm.core.import_batches import ImportBatch, RevertRefused, recent_batches, revert_batch, run_batch
from crm.core.spreadsheets import SpreadsheetError, read_table
from crm.db import alembic_config, db
from crm.demo import load_demo
from crm.firms.contact_import import import_contacts
from crm.firms.imports import import_firms
from crm.firms.models import Firm
from crm.firms.services import find_firm
from crm.firms.views import EXPORT_HEADER, export_rows
from crm.jobs import huey
from crm.leads.digest import send_digests
from crm.leads.models import Lead
from crm.leads.pool import run_recall
from crm.matching.services import match_json, match_lead
from crm.packs.services import PackError, build_pack, pdf_path
from crm.plans.cli import plans_group
from crm.platforms.services import find_platform
from crm.platforms.unit_import import import_units
from crm.policies.cli import policies_group
from crm.seed import run_seed


@click.group('db', help='Database schema (Alembic migrations).')
def db_group() -> None:
    pass


@db_group.command('upgrade')
@click.argument('revision', default='head')
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Upgrade the schema to REVISION (default: head)."""
    Path(current_app.instance_path).mkdir(parents=True, exist_ok=True)
    alembic_command.upgrade(alembic_config(current_app.config['SQLALCHEMY_DATABASE_URI']), revision)
    click.echo(f'database upgraded to {revision}')


@db_group.command('downgrade')
@click.argument('revision')
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION (e.g. -1 or base)."""
    alembic_command.downgrade(alembic_config(current_app.config['SQLALCHEMY_DATABASE_URI']), revision)
    click.echo(f'database downgraded to {revision}')


@db_group.command('current')
@with_appcontext
def db_current() -> None:
    """Show the current revision."""
    alembic_command.current(alembic_config(current_app.config['SQLALCHEMY_DATABASE_URI']))


@click.command('seed')
@click.option('--json', 'as_json', is_flag=True, help='Print a JSON summary.')
@with_appcontext
def seed_command(as_json: bool) -> None:
    """Load reference data (roles, platform catalogue …); safe to run again."""
    _cli_context('seed')
    summary = run_seed()
    db.session.commit()
    _emit(summary, as_json, 'seed data loaded: ' + ', '.join(f'{k}={v}' for k, v in summary.items()))


@click.group('users', help='User accounts.')
def users_group() -> None:
    pass


@users_group.command('create')
@click.option('--email', required=True)
@click.option('--name', required=True)
@click.option('--role', required=True, type=click.Choice(['admin', 'leader', 'officer', 'park_manager', 'firm']))
@click.option('--platform', 'platforms', multiple=True, help='Platform name or key (park managers); repeatable.')
@click.option('--firm', 'firm_ref', default=None, help='Firm ID or USCC (required for --role firm).')
@click.option('--password', default=None, help='Initial password (default: a random one, printed once).')
@click.option('--json', 'as_json', is_flag=True)
@with_appcontext
def users_create(email: str, name: str, role: str, platforms: tuple[str, ...], firm_ref: str | None,
                 password: str | None, as_json: bool) -> None:
    """Create an account (a firm user is linked to their firm)."""
    _cli_context('users')
    firm = None
    if role == 'firm':
        firm = find_firm(firm_ref)
        if firm is None:
            raise click.ClickException(f'企业用户须关联企业，企业不存在 (no such firm): {firm_ref or "—"} (--firm ID|USCC)')
    elif firm_ref:
        raise click.ClickException('--firm applies to --role firm only')
    platform_ids = []
    for ref in platforms:
        platform = find_platform(ref)
        if platform is None:
            raise click.ClickException(f'平台不存在 (no such platform): {ref}')
        platform_ids.append(platform.id)
    password = password or secrets.token_urlsafe(12)
    try:
        user = create_user(email=email, name=name, role=role, password=password, platform_ids=platform_ids,
                           firm_id=firm.id if firm else None)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    payload = {'id': user.id, 'email': user.email, 'name': user.name, 'role': user.role_code,
               'platforms': platforms, 'firm_id': user.firm_id, 'password': password}
    _emit(payload, as_json, f'created {user.email} ({user.role_code}); password: {password}')


@click.command('demo')
@click.option('--json', 'as_json', is_flag=True, help='Print the demo accounts (with passwords) as JSON.')
@click.option('--force', is_flag=True, help='Allow demo data in production mode.')
@click.option('--units', default=300, show_default=True, help='How many demo units (房源) to create.')
@click.option('--firms', default=200, show_default=True, help='How many demo firms (企业) to create.')
@click.option('--leads', default=150, show_default=True, help='How many demo leads (招商项目) to create.')
@click.option('--seed', 'seed_', default=7, show_default=True, help='Random seed: the same seed gives the same data.')
@with_appcontext
def demo_command(as_json: bool, force: bool, units: int, firms: int, leads: int, seed_: int) -> None:
    """Create demo accounts for every role (and demo records as features add them)."""
    if current_app.config['ENV_NAME'] == 'production' and not force:
        raise click.ClickException('生产环境不加载演示数据 (refusing demo data in production; use --force)')
    _cli_context('demo')
    result = load_demo(units=units, firms=firms, leads=leads, seed=seed_)
    db.session.commit()
    lines = [f"{a['role_name']:<6} {a['email']:<28} {a['password']}" +
             (f"  两步验证密钥 (authenticator key): {a['totp_secret']}" if a.get('totp_secret') else '')
             for a in result['accounts']]
    _emit(result, as_json, '演示账号 (demo accounts):\n' + '\n'.join(lines))


@click.group('import', help='Import spreadsheets (CSV or XLSX).')
def import_group() -> None:
    pass


def _run_import(object_type: str, file: Path, dry_run: bool, run):
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
    report = _run_import('unit', file, dry_run,
                         lambda table: import_units(table, actor, dry_run=dry_run, filename=file.name))
    payload = report.as_dict()
    _emit(payload, as_json, ', '.join(f'{k}={len(v) if isinstance(v, list) else v}' for k, v in payload.items()))


@import_group.command('firms')
@click.argument('file', type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option('--dry-run', is_flag=True, help='Check every row and report, write nothing.')
@click.option('--json', 'as_json', is_flag=True)
@with_appcontext
def import_firms_command(file: Path, dry_run: bool, as_json: bool) -> None:
    """Import firms; prints {imported, updated, unchanged, errors: [{row, column, message}]}."""
    _cli_context('import-firms')
    report = _run_import('firm', file, dry_run, lambda table: import_firms(table, dry_run=dry_run, filename=file.name))
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
    report = _run_import('contact', file, dry_run,
                         lambda table: import_contacts(table, dry_run=dry_run, filename=file.name))
    payload = report.as_dict()
    _emit(payload, as_json, ', '.join(f'{k}={len(v) if isinstance(v, list) else v}' for k, v in payload.items()))


@click.group('export', help='Export lists as spreadsheets.')
def export_group() -> None:
    pass


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


@click.command('match')
@click.option('--lead', 'lead_id', type=int, required=True)
@click.option('--json', 'as_json', is_flag=True)
@with_appcontext
def match_command(lead_id: int, as_json: bool) -> None:
    """Platforms, units, policies and plan commitments for a lead, each with reasons."""
    lead = db.session.get(Lead, lead_id)
    if lead is None:
        raise click.ClickException(f'项目不存在 (no such lead): {lead_id}')
    payload = match_json(lead, viewer=SYSTEM)
    human = '\n'.join([f"platform {p['name']}: {'; '.join(p['reasons'])}" for p in payload['platforms']]
                      + [f"policy {p['title']}: {p['level']} {p['amount']}" for p in payload['policies']])
    _emit(payload, as_json, human or '(no match)')


@click.group('pack', help='Promotion packs (招商推介包).')
def pack_group() -> None:
    pass


def _pack_payload(pack) -> dict:
    return {'pack_id': pack.id, 'number': pack.number, 'version': pack.version, 'sha256': pack.sha256,
            'pages': pack.pages, 'bytes': pack.size, 'quotes': pack.snapshot.get('quotes', []),
            'policies': [p for p, _v in pack.snapshot.get('policies', [])],
            'units': [u for u, _v in pack.snapshot.get('units', [])]}


def _write_pack(lead, output: Path, lang: str, as_json: bool) -> None:
    _cli_context('pack')
    try:
        pack = build_pack(lead, lang=lang)
    except PackError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    output.write_bytes(pdf_path(pack.sha256).read_bytes())
    _emit(_pack_payload(pack), as_json, f'{output}: {pack.number}, {pack.pages} pages, {pack.size} bytes')


@pack_group.command('build')
@click.option('--lead', 'lead_id', type=int, required=True)
@click.option('-o', '--output', required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option('--lang', type=click.Choice(['zh', 'en']), default='zh')
@click.option('--json', 'as_json', is_flag=True)
@with_appcontext
def pack_build(lead_id: int, output: Path, lang: str, as_json: bool) -> None:
    """Build (and store) a new version of a lead's pack, and write the PDF to a file."""
    lead = db.session.get(Lead, lead_id)
    if lead is None:
        raise click.ClickException(f'项目不存在 (no such lead): {lead_id}')
    _write_pack(lead, output, lang, as_json)


@pack_group.command('demo')
@click.option('-o', '--output', required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option('--lang', type=click.Choice(['zh', 'en']), default='zh')
@click.option('--json', 'as_json', is_flag=True)
@with_appcontext
def pack_demo(output: Path, lang: str, as_json: bool) -> None:
    """The pack of the first demo lead that has a matching platform, units and commitments."""
    for lead in db.session.scalars(sa_select(Lead).where(Lead.is_demo.is_(True)).order_by(Lead.id).limit(200)):
        result = match_lead(lead, viewer=SYSTEM)
        if result['platforms'] and result['units'] and result['commitments']:
            _write_pack(lead, output, lang, as_json)
            return
    raise click.ClickException('没有可生成推介包的演示项目（请先运行 crm demo）')


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


@click.command('backup')
@click.argument('file', type=click.Path(dir_okay=False, path_type=Path))
@click.option('--json', 'as_json', is_flag=True, help='Print the manifest as JSON.')
@with_appcontext
def backup_command(file: Path, as_json: bool) -> None:
    """Write one archive (.tar.gz): a consistent database snapshot, stored packs and media, and a manifest.

    Safe while the application is serving requests.
    """
    try:
        result = create_backup(current_app.config['SQLALCHEMY_DATABASE_URI'], current_app.instance_path, file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    for warning in result['warnings']:
        click.echo(f'警告 (warning): {warning}', err=True)
    files = sum(result['files'].values())
    _emit(result, as_json, f"备份完成 (backup written): {result['archive']}, {result['archive_bytes']} bytes, "
                           f"{len(result['tables'])} tables, {result['rows_total']} rows, {files} files, "
                           f"revision {result['alembic_revision']}, {result['seconds']} s")


@click.command('restore')
@click.argument('file', type=click.Path(path_type=Path))
@click.option('--force', is_flag=True, help='Replace a database (and instance files) that already hold data.')
@click.option('--json', 'as_json', is_flag=True, help='Print a JSON summary.')
@with_appcontext
def restore_command(file: Path, force: bool, as_json: bool) -> None:
    """Restore an archive made by `crm backup` (stop the application first).

    Every checksum is verified before anything is changed; afterwards the restored tables are compared with the
    row counts and checksums recorded at backup time.
    """
    db.session.remove()
    if db.engine is not None:
        db.engine.dispose()
    try:
        result = restore_backup(file, current_app.config['SQLALCHEMY_DATABASE_URI'], current_app.instance_path,
                                force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    lines = [f"恢复完成 (restored) {result['archive']} ({result['backup_created_at']}): {result['rows_total']} rows, "
             f"{sum(result['files'].values())} files, checksums verified, {result['seconds']} s"]
    lines += [f'  {name:<32} {rows}' for name, rows in result['tables'].items()]
    if result['needs_upgrade']:
        lines.append('备份的数据库结构较旧，请运行 crm db upgrade (the schema is older than this code: run crm db upgrade)')
    _emit(result, as_json, '\n'.join(lines))


@click.command('worker')
@click.option('--workers', default=1, show_default=True)
@with_appcontext
def worker_command(workers: int) -> None:
    """Run the background job consumer (daily digest; long jobs) on the queue the configuration names."""
    if huey.immediate:
        raise click.ClickException('JOBS_IMMEDIATE 模式下任务随请求立即执行，无需 worker (tasks run inline)')
    Consumer(huey, workers=workers).run()  # the queue keeps UTC; the schedule in crm/jobs.py says so


def register(app: Flask) -> None:
    """Attach the command groups to the app's CLI."""
    for command in (db_group, seed_command, users_group, demo_command, plans_group, policies_group, import_group,
                    export_group, match_command, pack_group, digest_command, pool_recall_command, worker_command, backup_command,
                    restore_command):
        app.cli.add_command(command)


def _create_app():
    from crm import create_app  # the factory imports this module to register its commands

    return create_app()


def main() -> None:
    """Entry point of the `crm` console script."""
    cli = FlaskGroup(name='crm', create_app=_create_app, add_version_option=False, load_dotenv=False,
                     help='园区招商 CRM command line.')
    cli.main(args=sys.argv[1:], prog_name='crm')
