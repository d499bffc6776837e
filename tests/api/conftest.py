"""API test helpers: a client that sends a token (tokens come from the `token_for` fixture in tests/conftest.py)."""
from __future__ import annotations

import pytest


@pytest.fixture
def api(client):
    """Call the API with a token: api('GET', '/leads', token, json=...)."""

    def call(method: str, path: str, token: str | None = None, *, headers: dict | None = None, **kwargs):
        sent = dict(headers or {})
        if token:
            sent['Authorization'] = f'Bearer {token}'
        return client.open('/api/v1' + path, method=method, headers=sent, **kwargs)

    return call
