"""CPU milliseconds per request of the main pages, and where one page's CPU goes (cProfile).

    python -m tests.bench.page_cpu DATABASE_URL [REQUESTS] [--profile PAGE]

Signs in as a leader through the test client and requests the login page, lead list, a lead's page, its match
page, the dashboard and the vacancy search in turns; prints each page's median and lowest CPU time
(`time.process_time`, so time spent waiting for a loaded machine or the database server is not counted). The
database is migrated and filled as `make bench` fills it (100,000 leads, 20,000 firms) when it has no leads yet;
keep it between runs to compare code changes. `--profile PAGE` prints the page's top frames instead.
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


def main(argv: list[str]) -> None:
    from tests.bench.bench_leads import _login

    profile = argv[argv.index('--profile') + 1] if '--profile' in argv else None
    args = [a for a in argv if not a.startswith('--') and a != profile]
    url, requests = args[0], int(args[1]) if len(args) > 1 else 40
    app = _app(url)
    client, anonymous = _login(app, *LEADER), app.test_client()
    lead_id = re.search(r'href="/leads/(\d+)"', client.get('/leads/').get_data(as_text=True)).group(1)
    pages = {'login_page': (anonymous, '/login'), 'lead_list': (client, '/leads/'),
             'lead_detail': (client, f'/leads/{lead_id}'), 'match': (client, f'/leads/{lead_id}/match'),
             'dashboard': (client, '/leads/dashboard'),
             'unit_search': (client, '/platforms/vacancies?area_min=100&area_max=400&sort=rent')}
    for name, (who, path) in pages.items():
        for _ in range(3):  # warm: compiled templates and statements, caches
            assert who.get(path).status_code == 200, name
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
    spent: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(requests):
        for name, (who, path) in pages.items():
            start = time.process_time()
            who.get(path)
            spent[name].append((time.process_time() - start) * 1000)
    for name, values in spent.items():
        print(f'{name:12s} median {statistics.median(values):6.2f} ms  lowest {min(values):6.2f} ms')


if __name__ == '__main__':
    main(sys.argv[1:])
