"""Migrations (T19): one head; upgrade, downgrade and upgrade again on a fresh database of each kind; models match
the migrations; a database full of demo data survives a downgrade to the first revision and back."""
import hashlib
import json

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from crm.backup import _canonical
from crm.cli import alembic_config
from crm.db import Base, include_in_autogenerate, make_engine
from tests.core import workload


@pytest.fixture
def scratch_url(scratch_databases):
    return scratch_databases()


@pytest.mark.nodb
def test_one_head_and_one_base():
    script = ScriptDirectory.from_config(alembic_config('sqlite://'))
    assert len(script.get_heads()) == 1, f'several heads: {script.get_heads()} (merge them)'
    assert len(script.get_bases()) == 1


def test_upgrade_downgrade_upgrade_and_models_match(scratch_url):
    config = alembic_config(scratch_url)
    command.upgrade(config, 'head')
    engine = make_engine(scratch_url, pooled=False)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={'include_name': include_in_autogenerate}),
                                Base.metadata)
        tables = set(inspect(conn).get_table_names())
    assert diff == [], f'models and migrations differ: {diff}'
    assert {'user', 'role', 'platform', 'platform_membership', 'audit_event', 'user_session', 'plan_paragraph',
            'plan_commitment', 'plan_target'} <= tables
    command.downgrade(config, 'base')
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {'alembic_version'}
    command.upgrade(config, 'head')
    engine.dispose()


def _contents(url: str, columns: dict[str, list[str]]) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent checksum of the given columns of each table."""
    engine = make_engine(url, pooled=False)
    result = {}
    with engine.connect() as conn:
        quote = conn.dialect.identifier_preparer.quote
        for table, names in columns.items():
            rows = conn.exec_driver_sql(f'SELECT {", ".join(quote(c) for c in names)} FROM {quote(table)}').all()
            digests = sorted(hashlib.sha256(json.dumps(list(r), default=_canonical, sort_keys=True).encode()).digest()
                             for r in rows)
            result[table] = (len(rows), hashlib.sha256(b''.join(digests)).hexdigest())
    engine.dispose()
    return result


def _columns(url: str) -> dict[str, list[str]]:
    engine = make_engine(url, pooled=False)
    with engine.connect() as conn:
        inspector = inspect(conn)
        found = {t: sorted(c['name'] for c in inspector.get_columns(t)) for t in inspector.get_table_names()
                 if t != 'alembic_version' and not t.startswith(('plan_fts', 'sqlite_'))}
    engine.dispose()
    return found


def test_demo_data_survives_downgrade_to_the_first_revision_and_back(scratch_databases, tmp_path):
    """Head with `crm demo` data → first revision → head: the tables the first revision has keep every row and every
    value of the columns it has; the later tables come back empty and usable."""
    url = scratch_databases()
    config = alembic_config(url)
    first = ScriptDirectory.from_config(config).get_base()
    reference = scratch_databases()
    command.upgrade(alembic_config(reference), first)
    kept = _columns(reference)  # the tables and columns of the first revision
    assert {'user', 'role', 'platform', 'audit_event'} <= set(kept)

    command.upgrade(config, 'head')
    [counts] = workload.run_processes(workload.load_demo_data, [(url, str(tmp_path / 'inst'), 40, 30, 20)])
    assert counts['demo_leads'] == 20 and counts['demo_firms'] == 30
    at_head_columns = _columns(url)
    before = _contents(url, kept)
    assert before['user'][0] >= 5 and before['platform'][0] > 5 and before['audit_event'][0] > 100
    command.downgrade(config, first)
    assert _columns(url) == kept
    assert _contents(url, kept) == before
    command.upgrade(config, 'head')
    assert _columns(url) == at_head_columns
    assert _contents(url, kept) == before
