"""Alembic environment: the app's models, batch mode on SQLite, search tables left alone."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from alembic import context

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crm import load_features  # noqa: E402
from crm.db import Base, make_engine  # noqa: E402
from crm.db import include_in_autogenerate as include_name  # noqa: E402

load_features()  # every feature declares its tables

config = context.config
target_metadata = Base.metadata
def _url() -> str:
    return config.get_main_option('sqlalchemy.url') or os.environ.get('DATABASE_URL') or 'sqlite:///instance/crm.db'


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True,
                      include_name=include_name)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_url(), pooled=False)
    with engine.connect() as connection:
        if engine.dialect.name == 'sqlite':
            # Table rebuilds in batch mode must not cascade through foreign keys; the pragma only
            # takes effect outside a transaction, so set it on the raw connection before BEGIN.
            connection.connection.driver_connection.execute('PRAGMA foreign_keys=OFF')
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=engine.dialect.name == 'sqlite', include_name=include_name,
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
