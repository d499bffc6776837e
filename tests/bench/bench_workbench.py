"""workbench_ratio: the 工作台 of an officer with 2,000 leads among 100,000 (20,000 firms), through the whole stack,
against rendering the same template from data already in memory (as lead_list_ratio does for the lead list)."""
from __future__ import annotations

import time
from datetime import timedelta

from tests.bench.bench_leads import _login

EMAIL = 'workbench@bench-crm.cn'
PASSWORD = 'harbour-lantern-42'
OWN = 2_000
TOTAL = 100_000


def _data(app) -> dict:
    """100,000 leads (reused when another benchmark built them) and one officer owning 2,000 of them, a tenth
    overdue and some due today, with stage moves since yesterday."""
    from sqlalchemy import func, select, update

    from crm.auth.models import user_by_email
    from crm.auth.services import create_user
    from crm.core import clock
    from crm.db import db, utcnow
    from crm.firms.models import Firm
    from crm.firms.services import demo_firms
    from crm.leads.demo import demo_leads
    from crm.leads.models import Lead, StageChange

    with app.app_context():
        start = time.perf_counter()
        if (db.session.scalar(select(func.count(Lead.id))) or 0) < TOTAL:
            for n in range(5):
                if user_by_email(f'officer{n}@bench-crm.cn') is None:
                    create_user(email=f'officer{n}@bench-crm.cn', name=f'专员{n}', role='officer', password=PASSWORD)
            if (db.session.scalar(select(func.count(Firm.id))) or 0) < 20_000:
                demo_firms(20_000, seed=3)
            demo_leads(TOTAL, seed=3)
        officer = user_by_email(EMAIL) or create_user(email=EMAIL, name='工作台专员', role='officer',
                                                      password=PASSWORD)
        db.session.flush()
        ids = db.session.scalars(select(Lead.id).order_by(Lead.id).limit(OWN)).all()
        db.session.execute(update(Lead).where(Lead.id.in_(ids)).values(owner_id=officer.id))
        today = clock.today()
        db.session.execute(update(Lead).where(Lead.id.in_(ids[::10]))
                           .values(next_follow_up=today - timedelta(days=3)))
        db.session.execute(update(Lead).where(Lead.id.in_(ids[5::25])).values(next_follow_up=today))
        db.session.add_all(StageChange(lead_id=lead_id, from_stage='线索', to_stage='初步接洽', at=utcnow())
                           for lead_id in ids[:40])
        db.session.commit()
        return {'leads': db.session.scalar(select(func.count(Lead.id))),
                'own_leads': db.session.scalar(select(func.count(Lead.id)).where(Lead.owner_id == officer.id)),
                'data_build_seconds': round(time.perf_counter() - start, 1)}


def run(ctx, compare) -> list[dict]:
    from flask import render_template
    from flask_login import login_user

    from crm.auth.models import user_by_email
    from crm.db import db
    from crm.main.views import home_context

    app = ctx.app
    counts = _data(app)
    client = _login(app, EMAIL, PASSWORD)
    with app.test_request_context('/'):
        login_user(user_by_email(EMAIL))
        context = home_context()
        db.session.expunge_all()
    with app.app_context():
        officer = user_by_email(EMAIL)
        _ = officer.memberships
        db.session.expunge(officer)

    def full():
        response = client.get('/')
        assert response.status_code == 200 and b'wb-overdue' in response.data

    def bare():
        with app.test_request_context('/'):
            login_user(officer)
            render_template('main/home.html', **context)

    full(), bare()
    rates = compare({'full_stack': full, 'bare_render': bare}, rounds=3, seconds=0.8)
    return [{'name': 'workbench_ratio', 'value': round(rates['full_stack'] / rates['bare_render'], 3),
             'unit': 'ratio', 'target': '>= 0.5',
             'detail': {'url': '/', 'full_stack_rps': round(rates['full_stack'], 1),
                        'bare_render_rps': round(rates['bare_render'], 1), **counts}}]
