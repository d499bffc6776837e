"""`make bench`: compared variants measured side by side in one run (alternating, medians of rounds).

Prints one JSON object: {"machine": {...}, "benchmarks": [{"name", "value", "unit", "target", "detail"}]}.
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


class Context:
    """A migrated SQLite database in a temporary folder and an app bound to it."""

    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix='crm-bench-'))
        self.url = f'sqlite:///{self.tmp / "bench.db"}'
        from alembic import command

        from crm import create_app
        from crm.cli import alembic_config

        command.upgrade(alembic_config(self.url), 'head')
        self.app = create_app({'SQLALCHEMY_DATABASE_URI': self.url})
        with self.app.app_context():
            from crm.db import db
            from crm.seed import run_seed

            run_seed()
            db.session.commit()


def main() -> None:
    from tests.bench import (bench_exports, bench_firms, bench_leads, bench_login, bench_packs, bench_plans,
                             bench_policies, bench_recovery, bench_soak, bench_units, bench_workbench)

    ctx = Context()
    benchmarks = []
    only = set(sys.argv[1:])
    modules = (bench_login, bench_units, bench_firms, bench_leads, bench_exports, bench_packs, bench_plans,
               bench_recovery, bench_policies, bench_soak, bench_workbench)
    # a module answers to its name after `bench_`, or to the GROUP it declares (bench_recovery runs with `plans`)
    for module in (m for m in modules if not only or {m.__name__.rsplit('_', 1)[1], getattr(m, 'GROUP', '')} & only):
        benchmarks.extend(module.run(ctx, compare))
    json.dump({'machine': machine(), 'benchmarks': benchmarks}, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
