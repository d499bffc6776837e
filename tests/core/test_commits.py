"""Who commits, read from crm/ with ast: services flush, and the request (its view, API operation or request
hook), the `crm` command or the job commits once.

A commit (`db.session.commit()`, any `.commit()`, or `.commit` handed on as a checkpoint) may appear only in a web
view module (views.py, *_views.py), an API module (api.py), a command module (cli.py), the job module
(crm/jobs.py) and the request hooks' transactions (crm/core/transactions.py: what a request hook wrote, and records
that outlive the request's rollback), or at a place of ALLOWED, each with its reason. The request hooks'
transactions are used by the request layer only (REQUEST_LAYER), never by a service.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / 'crm'

ADAPTER_NAMES = ('views.py', 'api.py', 'cli.py')
JOBS = 'crm/jobs.py'
REQUEST_HOOKS = 'crm/core/transactions.py'
# (module path, the commit as written) -> why it is no transaction commit of a service
ALLOWED = {
    ('crm/core/imports.py', 'savepoint.commit'): 'releases the import batch\'s SAVEPOINT; its caller commits',
}
# The modules that may use the request hooks' transactions: the application shell that installs them, the error
# handlers, the API's request loader and the second-factor gate (a before_request hook).
REQUEST_LAYER = {'crm/__init__.py', 'crm/core/errors.py', 'crm/auth/callers.py', 'crm/auth/gate.py'}


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def may_commit(path: str) -> bool:
    name = path.rsplit('/', 1)[-1]
    return name in ADAPTER_NAMES or name.endswith('_views.py') or path in (JOBS, REQUEST_HOOKS)


def commits(path: str, source: str) -> list[tuple[int, str]]:
    """Each `.commit` (called or handed on) in `source`: its line and how it is written."""
    return [(node.lineno, ast.unparse(node)) for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Attribute) and node.attr == 'commit']


def misplaced(sources: dict[str, str]) -> list[str]:
    return [f'{path}:{line} {text}' for path, source in sorted(sources.items()) if not may_commit(path)
            for line, text in commits(path, source) if (path, text) not in ALLOWED]


def users_of_request_hooks(sources: dict[str, str]) -> set[str]:
    """Modules importing crm.core.transactions (or names from it)."""
    found = set()
    for path, source in sources.items():
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.module == 'crm.core.transactions':
                found.add(path)
            elif isinstance(node, ast.ImportFrom) and node.module == 'crm.core' and any(
                    alias.name == 'transactions' for alias in node.names):
                found.add(path)
            elif isinstance(node, ast.Import) and any(a.name == 'crm.core.transactions' for a in node.names):
                found.add(path)
    return found - {REQUEST_HOOKS}


SOURCES = {_relative(p): p.read_text(encoding='utf-8') for p in sorted(PACKAGE.rglob('*.py'))}


def test_only_views_commands_jobs_and_request_hooks_commit():
    assert misplaced(SOURCES) == []


def test_every_allowed_commit_is_still_there_and_has_a_reason():
    present = {(path, text) for path, source in SOURCES.items() for _line, text in commits(path, source)}
    assert set(ALLOWED) <= present, 'a commit of ALLOWED is gone: remove it from the list'
    assert all(reason.strip() for reason in ALLOWED.values())


def test_the_request_hooks_transactions_are_used_by_the_request_layer_only():
    assert users_of_request_hooks(SOURCES) - REQUEST_LAYER == set()


def test_the_check_sees_a_service_that_commits():
    service = 'from crm.db import db\n\n\ndef save(x):\n    db.session.add(x)\n    db.session.commit()\n'
    checkpoint = 'def run(batch):\n    batch(checkpoint=db.session.commit)\n'
    sources = {'crm/leads/services.py': service, 'crm/leads/views.py': service,
               'crm/firms/importing.py': checkpoint, 'crm/firms/cli.py': checkpoint,
               'crm/core/imports.py': 'def f(savepoint):\n    savepoint.commit()\n'}
    assert misplaced(sources) == ['crm/firms/importing.py:2 db.session.commit',
                                  'crm/leads/services.py:6 db.session.commit']
    uses = {'crm/leads/services.py': 'from crm.core.transactions import commit_note\n',
            'crm/firms/services.py': 'from crm.core import audit, transactions\n',
            'crm/core/errors.py': 'from crm.core.transactions import keep_despite_rollback\n'}
    assert users_of_request_hooks(uses) - REQUEST_LAYER == {'crm/leads/services.py', 'crm/firms/services.py'}
