"""`crm match`: what a lead matches, with the reasons."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from crm.core.access import SYSTEM
from crm.core.console import emit as _emit
from crm.db import db
from crm.leads.models import Lead
from crm.matching.services import match_json


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
