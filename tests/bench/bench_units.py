"""vacancy_search_ratio: the vacancy search page over 20,000 units against rendering its template from memory."""
from __future__ import annotations

import re


def run(ctx, compare) -> list[dict]:
    from flask import render_template
    from sqlalchemy import func, select

    from crm.auth.services import create_user
    from crm.core.pagination import Sort
    from crm.db import db
    from crm.platforms.models import UNIT_USES, Unit
    from crm.platforms.queries import VacancyFilter, vacancy_page
    from crm.platforms.units import demo_units

    app = ctx.app
    with app.app_context():
        demo_units(20_000, seed=11)
        create_user(email='bench@demo-crm.cn', name='基准', role='officer', password='harbour-lantern-42')
        db.session.commit()
        ctx.settle()  # planner statistics (and PostgreSQL's visibility map) as a running installation has them
        total_units = db.session.scalar(select(func.count(Unit.id)))
    client = app.test_client()
    page = client.get('/login')
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page.data).group(1).decode()
    client.post('/login', data={'email': 'bench@demo-crm.cn', 'password': 'harbour-lantern-42', 'csrf_token': token})
    url = '/platforms/vacancies?area_min=100&sort=-rent'

    with app.test_request_context(url):
        from flask_login import login_user

        from crm.auth.models import user_by_email
        login_user(user_by_email('bench@demo-crm.cn'))
        filters = VacancyFilter(area_min=100.0, sort=Sort('rent', descending=True))
        memory_page = vacancy_page(filters, 1, 50)  # plain rows, as the page renders them
        from crm.platforms.listing import platform_groups

        platforms = platform_groups()  # as the page passes them: by district
        assert memory_page.items and not isinstance(memory_page.items[0], Unit)
        db.session.expunge_all()

    def full_stack():
        response = client.get(url)
        assert response.status_code == 200

    def bare_render():
        with app.test_request_context(url):
            from flask_login import login_user

            login_user(bench_user)
            render_template('platforms/vacancies.html', page=memory_page, filters=filters, sort=filters.sort,
                            uses=UNIT_USES, platforms=platforms)

    with app.app_context():
        from crm.auth.models import user_by_email

        bench_user = user_by_email('bench@demo-crm.cn')
        _ = bench_user.memberships
        db.session.expunge(bench_user)
    full_stack(), bare_render()
    rates = compare({'full_stack': full_stack, 'bare_render': bare_render})
    return [{'name': 'vacancy_search_ratio', 'value': round(rates['full_stack'] / rates['bare_render'], 3),
             'unit': 'ratio', 'target': '>= 0.6',
             'detail': {'units': total_units, 'full_stack_rps': round(rates['full_stack'], 1),
                        'bare_render_rps': round(rates['bare_render'], 1), 'query': url}}]
