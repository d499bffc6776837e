"""`make bench`: compared variants measured side by side in one run (alternating, medians of rounds).

Prints one JSON object: {"machine": {...}, "benchmarks": [{"name", "value", "unit", "target", "detail"}]}.
Each benchmark module exposes `run(ctx) -> list[dict]`; this file only sets up and collects.
"""
from __future__ import annotations

import json
import os
import platform
import statistics
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
    """Median throughput of each variant, alternating the order every round."""
    results: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for index in range(rounds):
        for name in (names if index % 2 == 0 else reversed(names)):
            results[name].append(throughput(variants[name], seconds))
    return {name: statistics.median(values) for name, values in results.items()}


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
    from tests.bench import bench_firms, bench_leads, bench_login, bench_packs, bench_plans, bench_soak, bench_units

    ctx = Context()
    benchmarks = []
    only = set(sys.argv[1:])
    modules = (bench_login, bench_units, bench_firms, bench_leads, bench_packs, bench_plans, bench_soak)
    for module in (m for m in modules if not only or m.__name__.rsplit('_', 1)[1] in only):
        benchmarks.extend(module.run(ctx, compare))
    json.dump({'machine': machine(), 'benchmarks': benchmarks}, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
