"""Who is calling: the browser session, or on the JSON API a Bearer token (reads and writes).

Flask-Login asks `load_session_user` first and `load_token_user` when that finds nobody. A request to the API that
presents a token is judged by the token alone; the API's own gate (crm.api.auth) then refuses a write without a
token, so cookies never carry API writes. A token the loader refused is marked on `g.api_token_refused`, the
token that was accepted on `g.api_token`.
"""
from __future__ import annotations

from flask import Flask, g, request

from crm.auth import tokens
from crm.auth.models import User
from crm.auth.sessions import load_user
from crm.core.access import is_api_request
from crm.core.transactions import commit_note
from crm.extensions import login_manager


def bearer() -> str | None:
    """The token of an API request's `Authorization: Bearer …` header, if any."""
    if not is_api_request():
        return None
    scheme, _sep, value = request.headers.get('Authorization', '').strip().partition(' ')
    return value.strip() if scheme.lower() == 'bearer' and value.strip() else None


def load_session_user(user_key: str) -> User | None:
    """The session's user, unless this is an API request carrying a token (then the token decides)."""
    if bearer() is not None:
        return None
    return load_user(user_key)


def load_token_user(_request) -> User | None:
    """Flask-Login request loader: the token's user, when the token is live and the user active."""
    text = bearer()
    if text is None:
        return None
    found = tokens.authenticate(text)
    if found is None:
        g.api_token_refused = True
        return None
    if found.used_at is not None:
        commit_note(lambda: tokens.stamp_use(found))  # a lost stamp under contention is harmless
    g.api_token = found.token
    return found.user


def init_app(app: Flask) -> None:
    """Tell Flask-Login how to find the caller (the loaders are the process's, like the login manager)."""
    login_manager.user_loader(load_session_user)  # the browser session, unless an API request shows a token
    login_manager.request_loader(load_token_user)  # API tokens (Authorization: Bearer …)
