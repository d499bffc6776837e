"""login_page_ratio: the login page through the whole Flask stack against a bare render of its template."""
from __future__ import annotations


def run(ctx, compare) -> list[dict]:
    from flask import render_template

    from crm.auth.forms import LoginForm

    app = ctx.app
    client = app.test_client()

    def full_stack():
        response = client.get('/login')
        assert response.status_code == 200

    def bare_render():
        with app.test_request_context('/login'):
            render_template('auth/login.html', form=LoginForm())

    full_stack(), bare_render()
    rates = compare({'full_stack': full_stack, 'bare_render': bare_render})
    ratio = rates['full_stack'] / rates['bare_render']
    return [{
        'name': 'login_page_ratio', 'value': round(ratio, 3), 'unit': 'ratio', 'target': '>= 0.75',
        'detail': {'full_stack_rps': round(rates['full_stack'], 1), 'bare_render_rps': round(rates['bare_render'], 1),
                   'method': 'in-process WSGI client vs render_template in a request context, taking turns '
                             'call by call for 6 s'},
    }]
