"""API test helpers: users with tokens, and a client that sends them."""
from __future__ import annotations

import pytest

from crm.db import db


@pytest.fixture
def token_for(in_app):
    """Create an API token for a user (days of validity as on the account page); returns the token text."""

    def make(user, *, days: int = 90, name: str = '测试脚本') -> str:
        from crm.api.tokens import create_token
        from crm.auth.models import User

        with in_app():
            _row, text = create_token(db.session.get(User, user.id), name, days=days)
            db.session.commit()
            return text

    return make


@pytest.fixture
def api(client):
    """Call the API with a token: api('GET', '/leads', token, json=...)."""

    def call(method: str, path: str, token: str | None = None, *, headers: dict | None = None, **kwargs):
        sent = dict(headers or {})
        if token:
            sent['Authorization'] = f'Bearer {token}'
        return client.open('/api/v1' + path, method=method, headers=sent, **kwargs)

    return call
