"""`crm policies …`: import a policy's text, review its clause candidates, list the firms it fits."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext

from crm.core.console import SystemActor
from crm.core.console import cli_context as _cli_context
from crm.core.console import emit as _emit
from crm.db import db
from crm.policies.eligibility import policy_firms
from crm.policies.imports import PolicyImportError, accept_clause, clause_record, import_policy_text, policy_record
from crm.policies.models import Policy


def _policy(policy_id: int):
    policy = db.session.get(Policy, policy_id)
    if policy is None:
        raise click.ClickException(f'政策不存在 (no such policy): {policy_id}')
    return policy


@click.group('policies', help='Policies: import their texts, review clauses, list the firms they fit.')
def policies_group() -> None:
    pass


@policies_group.command('import')
@click.argument('file', type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option('--policy', 'policy_id', type=int, default=None,
              help='Read the text into this policy (default: a new one).')
@click.option('--title', default=None)
@click.option('--issuer', default=None)
@click.option('--doc-number', 'doc_number', default=None, help='文号')
@click.option('--date', 'date_', default=None, help='Issue date, YYYY-MM-DD.')
@click.option('--json', 'as_json', is_flag=True)
@with_appcontext
def import_command(file: Path, policy_id: int | None, title, issuer, doc_number, date_, as_json: bool) -> None:
    """Import a policy text (UTF-8/GB18030 text, saved HTML, .docx or PDF with a text layer); the same file twice
    changes nothing. Clauses read from it are candidates until accepted."""
    _cli_context('policies-import')
    if date_:
        try:
            date.fromisoformat(date_)
        except ValueError:
            raise click.ClickException(f'日期格式应为 YYYY-MM-DD: {date_}') from None
    policy = _policy(policy_id) if policy_id else None
    meta = {'title': title, 'issuer': issuer, 'doc_number': doc_number, 'date': date_}
    try:
        result = import_policy_text(file.read_bytes(), file.name, policy=policy, meta=meta)
    except PolicyImportError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    record = policy_record(result.policy, unchanged=not result.changed)
    human = (f"{record['policy_id']:>4} {'unchanged' if not result.changed else 'imported'} {record['title']} "
             f"({len(record['articles'])} articles, {len(record['clauses'])} clauses)")
    _emit(record, as_json, human)


@policies_group.command('review')
@click.option('--policy', 'policy_id', type=int, required=True)
@click.option('--accept-all', is_flag=True, help='Accept every candidate clause of the policy.')
@click.option('--json', 'as_json', is_flag=True)
@with_appcontext
def review_command(policy_id: int, accept_all: bool, as_json: bool) -> None:
    """List the policy's clause candidates (and accept them all with --accept-all)."""
    _cli_context('policies-review')
    policy = _policy(policy_id)
    if accept_all:
        for clause in list(policy.candidates):
            accept_clause(clause)
        db.session.commit()
    clauses = [clause_record(c) for c in policy.clauses]
    _emit({'policy_id': policy.id, 'clauses': clauses}, as_json,
          '\n'.join(f"{c['id']:>5} {c['review']:<9} {c['citation'] or '':<10} {c['kind']} {c['formula']}"
                    for c in clauses) or '(no clauses)')


@policies_group.command('eligible')
@click.option('--policy', 'policy_id', type=int, required=True)
@click.option('--json', 'as_json', is_flag=True)
@with_appcontext
def eligible_command(policy_id: int, as_json: bool) -> None:
    """The firms on the platforms and of open leads that the policy fits: eligible, maybe (with the data still
    missing), and how many are not eligible."""
    found = policy_firms(_policy(policy_id), user=SystemActor())
    payload = found.as_dict()
    human = '\n'.join([f"eligible {len(payload['eligible'])}, maybe {len(payload['maybe'])}, "
                       f"not eligible {payload['not_eligible']}"]
                      + [f"  ✓ {f['name']}" for f in payload['eligible'][:50]]
                      + [f"  ? {m['firm']['name']}: {'; '.join(m['missing'])}" for m in payload['maybe'][:50]])
    _emit(payload, as_json, human)
