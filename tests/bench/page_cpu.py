"""CPU milliseconds per request of the main pages, and where one page's CPU goes (cProfile).

    python -m tests.bench.page_cpu DATABASE_URL [REQUESTS] [--profile PAGE | --statements] [--soak [--as ROLE]]

Signs in as a leader through the test client and requests the login page, lead list, a lead's page, its match
page, the dashboard and the vacancy search in turns; prints each page's median and lowest CPU time
(`time.process_time`, so time spent waiting for a loaded machine or the database server is not counted). The
database is migrated and filled as `make bench` fills it (100,000 leads, 20,000 firms) when it has no leads yet;
keep it between runs to compare code changes. `--profile PAGE` prints the page's top frames instead;
`--statements` prints the SQL statements of one (warm) request of each page and, on PostgreSQL, its round trips to
the server (the driver's protocol trace: the pool's ping, BEGIN and the closing ROLLBACK count too).

`--soak` takes the soak's data and pages instead (tests/bench/bench_soak.py: `crm demo` with 10,000 firms, 50,000
leads and 2,000 units; its demo accounts, `--as officer|leader|park`, leader by default; the lead list with each of
its filters and a later page, the firm list, the vacancy search, the dashboard) and, as in the soak's two gunicorn
workers, a figures cache in this process's memory that may not keep values only an invalidation corrects
(`CACHE_ONE_PROCESS` off). `dashboard_fresh` is the dashboard with every figure computed afresh, as after a write.
`--redis` keeps the figures cache in Redis (CRM_TEST_REDIS_URL, default redis://127.0.0.1:6379, under a key prefix
of the run's own) as the soak's workers do, so list totals are kept too. `--writes` saves a follow-up on a lead (as the soak's clients do, through a leader's session) before each round
of pages, so cached figures meet the writes they meet under the soak.
See docs/performance-profile.md.
"""
from __future__ import annotations

import cProfile
import io
import os
import pstats
import re
import statistics
import sys
import time

os.environ.setdefault('CRM_ENV', 'testing')
LEADER = ('leader@bench-crm.cn', 'harbour-lantern-42')


SOAK_ACCOUNTS = {'officer': ('officer@demo-crm.cn', 'demo-officer-2026'),
                 'leader': ('leader@demo-crm.cn', 'demo-leader-2026'), 'park': ('park@demo-crm.cn', 'demo-park-2026')}


def _soak_app(url: str, redis: bool = False):
    """The soak's database (filled as `crm demo` fills it when it has no leads yet) and cache settings."""
    from alembic import command
    from sqlalchemy import func, select, text

    from crm import create_app
    from crm.cli import alembic_config
    from tests.bench.bench_soak import FIRMS, LEADS, UNITS

    command.upgrade(alembic_config(url), 'head')
    shared = {'CACHE_URL': os.environ.get('CRM_TEST_REDIS_URL', 'redis://127.0.0.1:6379'),
              'CACHE_KEY_PREFIX': f'page-cpu-{os.getpid()}-{int(time.time())}'} if redis else {}
    app = create_app({'SQLALCHEMY_DATABASE_URI': url, 'CACHE_ONE_PROCESS': False, **shared,
                      'INSTANCE_PATH': os.environ.get('CRM_INSTANCE_PATH', '/tmp/crm-page-cpu')})
    with app.app_context():
        from crm.db import db
        from crm.demo import load_demo
        from crm.leads.models import Lead
        from crm.seed import run_seed

        if not db.session.scalar(select(func.count(Lead.id))):
            run_seed()
            load_demo(units=UNITS, firms=FIRMS, leads=LEADS)
            db.session.commit()
            db.session.execute(text('ANALYZE'))  # as `crm demo` does
            db.session.commit()
    return app


def _soak_pages(app, role: str) -> dict:
    """The soak's pages (tests/bench/bench_soak.py `_browse`), signed in as the demo account of `role`."""
    from urllib.parse import quote

    from tests.bench.bench_leads import _login

    client, anonymous = _login(app, *SOAK_ACCOUNTS[role]), app.test_client()
    lead_id = re.search(r'href="/leads/(\d+)"', client.get('/leads/').get_data(as_text=True)).group(1)
    return {'login_page': (anonymous, '/login'), 'lead_list': (client, '/leads/'),
            'filter_stage': (client, f'/leads/?stage={quote("洽谈")}'), 'filter_owner': (client, '/leads/?owner=me'),
            'filter_overdue': (client, '/leads/?overdue=1'), 'filter_q': (client, f'/leads/?q={quote("示例123")}'),
            'filter_source': (client, f'/leads/?source={quote("自主招商")}'), 'lead_page': (client, '/leads/?page=20'),
            'lead_detail': (client, f'/leads/{lead_id}'), 'firm_list': (client, '/firms/'),
            'unit_search': (client, '/platforms/vacancies?area_min=100&area_max=400&sort=rent'),
            'dashboard': (client, '/leads/dashboard'), 'dashboard_fresh': (client, '/leads/dashboard?fresh=1')}


def _app(url: str):
    from alembic import command
    from sqlalchemy import func, select

    from crm import create_app
    from crm.cli import alembic_config

    command.upgrade(alembic_config(url), 'head')
    app = create_app({'SQLALCHEMY_DATABASE_URI': url, 'INSTANCE_PATH': os.environ.get('CRM_INSTANCE_PATH', '/tmp/crm-page-cpu')})
    with app.app_context():
        from crm.auth.models import user_by_email
        from crm.auth.services import create_user
        from crm.db import db
        from crm.firms.services import demo_firms
        from crm.leads.demo import demo_leads
        from crm.leads.models import Lead
        from crm.seed import run_seed

        if user_by_email(LEADER[0]) is None:
            run_seed()
            for n in range(5):
                create_user(email=f'officer{n}@bench-crm.cn', name=f'专员{n}', role='officer', password=LEADER[1])
            create_user(email=LEADER[0], name='领导', role='leader', password=LEADER[1])
            db.session.commit()
        if not db.session.scalar(select(func.count(Lead.id))):
            demo_firms(20_000, seed=3)
            demo_leads(100_000, seed=3)
            db.session.commit()
    return app


class StatementLog:
    """The statements the app sends, and on PostgreSQL the round trips they take (libpq's protocol trace: one
    ReadyForQuery answers each simple query and each Sync)."""

    def __init__(self, engine) -> None:
        import tempfile

        from sqlalchemy import event

        self.statements: list[str] = []
        self.trace = tempfile.NamedTemporaryFile('w+', prefix='crm-pq-trace-', suffix='.txt')
        event.listen(engine, 'before_cursor_execute', self._statement)
        if engine.dialect.name == 'postgresql':
            engine.dispose()  # traced from their first message: connections are made anew
            event.listen(engine, 'connect', self._traced)

    def _statement(self, _conn, _cursor, statement, *_args) -> None:
        self.statements.append(' '.join(statement.split()))

    def _traced(self, dbapi_conn, _record) -> None:
        from psycopg import pq

        dbapi_conn.pgconn.trace(self.trace.fileno())
        dbapi_conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)

    def measure(self, request) -> tuple[list[str], list[str]]:
        """(statements, protocol messages sent that waited for an answer) of one call of `request`."""
        self.statements.clear()
        start = self.trace.seek(0, io.SEEK_END)
        request()
        self.trace.seek(start)
        sent = [line.split('\t', 3)[-1].strip() if 'Query' in line else 'Sync'
                for line in self.trace.read().splitlines()
                if line.startswith('F\t') and ('\tQuery\t' in line or line.rstrip().endswith('\tSync'))]
        return list(self.statements), sent


def print_statements(app, pages: dict) -> None:
    """Each page's statements and round trips, one warm request each."""
    from crm.db import db

    with app.app_context():
        log = StatementLog(db.engine)
    for name, (who, path) in pages.items():
        for _ in range(2):
            who.get(path)  # warm (new connections on PostgreSQL)
        statements, trips = log.measure(lambda: who.get(path))
        print(f'{name}: {len(statements)} statements, {len(trips) if trips else "-"} round trips  ({path})')
        for text in statements:
            print('    SQL', text[:140])
        for text in trips:
            print('    sent', text[:140])


def _pages(app) -> dict:
    """The main pages, signed in as the bench's leader."""
    from tests.bench.bench_leads import _login

    client, anonymous = _login(app, *LEADER), app.test_client()
    lead_id = re.search(r'href="/leads/(\d+)"', client.get('/leads/').get_data(as_text=True)).group(1)
    return {'login_page': (anonymous, '/login'), 'lead_list': (client, '/leads/'),
            'lead_detail': (client, f'/leads/{lead_id}'), 'match': (client, f'/leads/{lead_id}/match'),
            'dashboard': (client, '/leads/dashboard'),
            'unit_search': (client, '/platforms/vacancies?area_min=100&area_max=400&sort=rent')}


def _follow_up_writer(app):
    """A call that saves a follow-up on one of the leader's leads as the soak does (no date, not done)."""
    from tests.bench.bench_leads import _login
    from tests.bench.bench_soak import CSRF

    writer = _login(app, *SOAK_ACCOUNTS['leader'])
    lead_id = re.search(r'href="/leads/(\d+)"', writer.get('/leads/').get_data(as_text=True)).group(1)

    def write() -> None:
        token = CSRF.search(writer.get(f'/leads/{lead_id}').get_data(as_text=True)).group(1)
        writer.post(f'/leads/{lead_id}/activities', data={'csrf_token': token, 'kind': '电话', 'due_on': '',
                                                           'subject': '电话回访（压力测试）', 'outcome': '已沟通'})
    return write


def main(argv: list[str]) -> None:
    profile = argv[argv.index('--profile') + 1] if '--profile' in argv else None
    statements = '--statements' in argv
    role = argv[argv.index('--as') + 1] if '--as' in argv else 'leader'
    args = [a for a in argv if not a.startswith('--') and a not in (profile, role)]
    url, requests = args[0], int(args[1]) if len(args) > 1 else 40
    if '--soak' in argv:
        app = _soak_app(url, redis='--redis' in argv)
        pages = _soak_pages(app, role)
    else:
        app = _app(url)
        pages = _pages(app)
    for name, (who, path) in pages.items():
        for _ in range(3):  # warm: compiled templates and statements, caches
            assert who.get(path).status_code == 200, name
    if statements:
        print_statements(app, pages)
        return
    if profile:
        who, path = pages[profile]
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            who.get(path)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats('tottime').print_stats(30)
        stats.sort_stats('cumulative').print_stats(50)
        print(out.getvalue())
        return
    write = _follow_up_writer(app) if '--writes' in argv else (lambda: None)
    spent: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(requests):
        write()
        for name, (who, path) in pages.items():
            start = time.process_time()
            who.get(path)
            spent[name].append((time.process_time() - start) * 1000)
    for name, values in spent.items():
        print(f'{name:12s} median {statistics.median(values):6.2f} ms  lowest {min(values):6.2f} ms')


if __name__ == '__main__':
    main(sys.argv[1:])
