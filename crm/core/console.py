"""Command-line output shared by every feature's commands: one JSON document with `--json`, a human line otherwise."""
from __future__ import annotations

import json
from typing import Any

import click

from crm.core import audit
from crm.core.roles import ADMIN


def emit(payload: Any, as_json: bool, human: str) -> None:
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(human)


def cli_context(label: str) -> None:
    """Audit what a command writes as done by `cli:<label>`."""
    audit.set_context(audit.AuditContext(actor_label=f'cli:{label}'))


class SystemActor:
    """The command line acts with administrator rights unless `--as` names a user."""

    id = None
    role_code = ADMIN
    is_authenticated = True
    platform_ids: frozenset = frozenset()
