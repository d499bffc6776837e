"""`make bench`: compared variants measured side by side in one run (alternating, medians of rounds).

Prints one JSON object: {"machine": {...}, "benchmarks": [{"name", "value", "unit", "target", "detail"}]}.
BENCH_DB=postgresql runs every group on a scratch PostgreSQL database (CRM_TEST_PG_URL, default the local server),
created for the run and dropped after it; its entries are named with `_pg` (lead_list_ratio_pg, soak_pg_p95_ms).
Each benchmark module exposes `run(ctx) -> list[dict]`; this file only sets up and collects.
"""
from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault('CRM_ENV', 'testing')


def machine() -> dict:
    """What the numbers were measured on."""
    import sqlalchemy

    return {'python': platform.python_version(), 'platform': platform.platform(), 'cpus': os.cpu_count(),
            'sqlalchemy': sqlalchemy.__version__, 'time': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}


def throughput(fn: Callable[[], object], seconds: float) -> float:
    """Calls per second of `fn` over roughly `seconds`."""
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        fn()
        count += 1
    return count / elapsed


def compare(variants: dict[str, Callable[[], object]], *, rounds: int = 5, seconds: float = 0.6) -> dict[str, float]:
    """Throughput of each variant, measured call by call in turns (A B, B A, A B, ...).

    The machine's speed drifts over seconds (other processes, frequency scaling, a shared host); variants run in
    alternate blocks of a second each can land on different sides of a drift and their ratio swings by ±0.1.
    Taking turns call by call puts every variant under the same conditions, so a ratio of two variants is stable.
    Each variant's rate is its calls divided by the time spent in them (garbage collection included).
    """
    names = list(variants)
    spent = dict.fromkeys(names, 0.0)
    calls = 0
    clock = time.perf_counter
    deadline = clock() + rounds * seconds * len(names)
    while clock() < deadline:
        order = names if calls % 2 == 0 else names[::-1]
        for name in order:
            start = clock()
            variants[name]()
            spent[name] += clock() - start
        calls += 1
    return {name: calls / spent[name] for name in names}


PG_BASE_URL = os.environ.get('CRM_TEST_PG_URL', 'postgresql://postgres@127.0.0.1:5432/')


def _pg_admin_url() -> str:
    base = PG_BASE_URL.rstrip('/')
    if base.count('/') <= 2:  # no database name given
        base += '/postgres'
    return base.replace('postgresql://', 'postgresql+psycopg://', 1)


class Context:
    """A migrated database (SQLite in a temporary folder, or with BENCH_DB=postgresql a scratch PostgreSQL database
    dropped at the end) and an app bound to it. `scratch_url()` gives further empty databases of the same engine
    (the soak's server builds its own)."""

    def __init__(self) -> None:
        self.kind = os.environ.get('BENCH_DB', 'sqlite').strip().lower() or 'sqlite'
        if self.kind in ('pg', 'postgres'):
            self.kind = 'postgresql'
        if self.kind not in ('sqlite', 'postgresql'):
            raise SystemExit(f'BENCH_DB must be sqlite or postgresql, not {self.kind!r}')
        self.tmp = Path(tempfile.mkdtemp(prefix='crm-bench-'))
        self.created: list[str] = []
        self.app = None
        self.url = self.scratch_url('main')
        from alembic import command

        from crm import create_app
        from crm.cli import alembic_config

        command.upgrade(alembic_config(self.url), 'head')
        self.app = create_app({'SQLALCHEMY_DATABASE_URI': self.url, 'INSTANCE_PATH': str(self.tmp / 'instance')})
        with self.app.app_context():
            from crm.db import db
            from crm.seed import run_seed

            run_seed()
            db.session.commit()

    def settle(self) -> None:
        """After a bulk load: the planner statistics and, on PostgreSQL, the visibility map, as a running
        installation keeps them (autovacuum vacuums and analyses a table after many inserts; SQLite's nightly job
        refreshes its statistics). Straight after the load the planner would guess from an empty table, and on
        PostgreSQL an index-only scan would still read every row's table page to learn whether the row is visible
        (the test server runs without autovacuum)."""
        from sqlalchemy import text

        from crm.db import db

        with self.app.app_context():
            db.session.commit()
            command = 'VACUUM ANALYZE' if self.kind == 'postgresql' else 'ANALYZE'
            with db.engine.connect().execution_options(isolation_level='AUTOCOMMIT') as conn:
                conn.execute(text(command))

    def scratch_url(self, name: str) -> str:
        """A new, empty database of the bench's engine (PostgreSQL ones are dropped by `close`)."""
        if self.kind == 'sqlite':
            return f'sqlite:///{self.tmp / f"{name}.db"}'
        from sqlalchemy import create_engine, text

        database = f'crm_bench_{os.getpid()}_{name}'
        admin = create_engine(_pg_admin_url(), isolation_level='AUTOCOMMIT')
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS {database} WITH (FORCE)'))
                conn.execute(text(f"CREATE DATABASE {database} ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' "
                                  f"LC_CTYPE 'C.UTF-8' TEMPLATE template0"))
        finally:
            admin.dispose()
        self.created.append(database)
        return _pg_admin_url().rsplit('/', 1)[0] + '/' + database

    def close(self) -> None:
        """Drop the scratch PostgreSQL databases."""
        if self.app is not None:
            with self.app.app_context():
                from crm.db import db

                db.session.remove()
                db.engine.dispose()
        if not self.created:
            return
        from sqlalchemy import create_engine, text

        admin = create_engine(_pg_admin_url(), isolation_level='AUTOCOMMIT')
        try:
            with admin.connect() as conn:
                for database in self.created:
                    conn.execute(text(f'DROP DATABASE IF EXISTS {database} WITH (FORCE)'))
        finally:
            admin.dispose()


def entry_name(name: str, kind: str) -> str:
    """A benchmark's name for the engine: PostgreSQL entries carry `_pg` (soak_p95_ms → soak_pg_p95_ms)."""
    if kind == 'sqlite':
        return name
    return 'soak_pg_' + name[len('soak_'):] if name.startswith('soak_') else name + '_pg'


def main() -> None:
    from tests.bench import (
        bench_exports,
        bench_firms,
        bench_leads,
        bench_login,
        bench_packs,
        bench_plans,
        bench_policies,
        bench_recovery,
        bench_search,
        bench_soak,
        bench_units,
        bench_workbench,
    )

    ctx = Context()
    benchmarks = []
    only = set(sys.argv[1:])
    modules = (bench_login, bench_units, bench_firms, bench_leads, bench_exports, bench_packs, bench_plans,
               bench_recovery, bench_policies, bench_search, bench_soak, bench_workbench)
    try:
        # a module answers to its name after `bench_`, or to the GROUP it declares (bench_recovery runs with `plans`)
        for module in (m for m in modules
                       if not only or {m.__name__.rsplit('_', 1)[1], getattr(m, 'GROUP', '')} & only):
            for entry in module.run(ctx, compare):
                entry['name'] = entry_name(entry['name'], ctx.kind)
                if isinstance(entry.get('detail'), dict):
                    entry['detail']['database'] = ctx.kind
                benchmarks.append(entry)
    finally:
        ctx.close()
    json.dump({'machine': {**machine(), 'database': ctx.kind}, 'benchmarks': benchmarks}, sys.stdout,
              ensure_ascii=False, indent=2)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
