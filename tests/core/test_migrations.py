"""Migrations: upgrade, downgrade and upgrade again on a fresh database of each kind; models match."""
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from crm.cli import alembic_config
from crm.db import Base, include_in_autogenerate, make_engine
from tests.conftest import _create_pg_database, _drop_pg_database, unavailable


@pytest.fixture(params=['sqlite', 'postgresql'])
def scratch_url(request, tmp_path):
    if request.param == 'sqlite':
        yield f'sqlite:///{tmp_path / "scratch.db"}'
        return
    try:
        url = _create_pg_database()
    except Exception as exc:
        unavailable(f'PostgreSQL unreachable: {exc}')
    yield url
    _drop_pg_database(url)


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
