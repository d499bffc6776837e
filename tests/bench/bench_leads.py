"""lead_list_ratio, lead_list_deep_ratio and dashboard_ratio with 100,000 leads and 20,000 firms:
each page through the whole stack against rendering the same template from data already in memory."""
from __future__ import annotations

import re
import time


def _login(app, email: str, password: str):
    client = app.test_client()
    page = client.get('/login')
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page.data).group(1).decode()
    client.post('/login', data={'email': email, 'password': password, 'csrf_token': token})
    return client


def run(ctx, compare) -> list[dict]:
    from flask import render_template
    from flask_login import current_user, login_user
    from sqlalchemy import func, select

    from crm.auth.models import user_by_email
    from crm.auth.services import create_user
    from crm.db import db
    from crm.firms.models import Firm
    from crm.firms.services import demo_firms
    from crm.leads.dashboard import dashboard
    from crm.leads.demo import demo_leads
    from crm.leads.models import Lead
    from crm.leads.queries import LeadFilter, lead_page
    from crm.leads.views import dashboard_context, list_context

    app = ctx.app
    with app.app_context():
        start = time.perf_counter()
        for n in range(5):
            create_user(email=f'officer{n}@bench-crm.cn', name=f'专员{n}', role='officer', password='harbour-lantern-42')
        create_user(email='leader@bench-crm.cn', name='领导', role='leader', password='harbour-lantern-42')
        demo_firms(20_000, seed=3)
        demo_leads(100_000, seed=3)
        db.session.commit()
        ctx.settle()  # planner statistics (and PostgreSQL's visibility map) as a running installation has them
        seconds = time.perf_counter() - start
        counts = {'leads': db.session.scalar(select(func.count(Lead.id))),
                  'firms': db.session.scalar(select(func.count(Firm.id)))}
    client = _login(app, 'leader@bench-crm.cn', 'harbour-lantern-42')
    results = []
    cases = [('lead_list_ratio', '/leads/', 'leads/index.html'),
             ('lead_list_deep_ratio', '/leads/?stage=洽谈&page=100', 'leads/index.html'),
             ('dashboard_ratio', '/leads/dashboard', 'leads/dashboard.html')]
    for name, url, template in cases:
        with app.test_request_context(url):
            login_user(user_by_email('leader@bench-crm.cn'))
            if template == 'leads/index.html':
                from flask import request

                from crm.core.pagination import page_args
                spec = LeadFilter.from_args(request.args)
                page = lead_page(spec, current_user.id, *page_args(50))
                context = list_context(page, [], spec.sort)
            else:
                context = dashboard_context(dashboard())
            db.session.expunge_all()

        def full(url=url):
            response = client.get(url)
            assert response.status_code == 200

        def bare(url=url, template=template, context=context):
            with app.test_request_context(url):
                login_user(leader)
                render_template(template, **context)

        with app.app_context():
            leader = user_by_email('leader@bench-crm.cn')
            _ = leader.memberships
            db.session.expunge(leader)
        full(), bare()
        rates = compare({'full_stack': full, 'bare_render': bare}, rounds=3, seconds=0.8)
        results.append({'name': name, 'value': round(rates['full_stack'] / rates['bare_render'], 3), 'unit': 'ratio',
                        'target': '>= 0.6' if name == 'lead_list_ratio' else '>= 0.5' if name != 'dashboard_ratio' else 'reported',
                        'detail': {'url': url, 'full_stack_rps': round(rates['full_stack'], 1),
                                   'bare_render_rps': round(rates['bare_render'], 1), **counts,
                                   'data_build_seconds': round(seconds, 1)}})
    return results
