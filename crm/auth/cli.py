"""`crm users …`: create accounts from the command line."""
from __future__ import annotations

import secrets

import click
from flask.cli import with_appcontext

from crm.auth.services import AccountError, create_user
from crm.core.console import cli_context as _cli_context
from crm.core.console import emit as _emit
from crm.db import db
from crm.firms.services import find_firm
from crm.platforms.services import find_platform


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
