"""Who is calling the API: a Bearer token (reads and writes) or, for reads only, the browser session.

Flask-Login asks `load_session_user` first and `load_token_user` when that finds nobody. A request to the API
that presents a token is judged by the token alone; a write without a token is refused, so cookies never carry
API writes and CSRF does not apply to the API.
"""
from __future__ import annotations

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user

from crm.api.spec import API_PREFIX, api_error
from crm.auth import tokens
from crm.auth.models import User
from crm.auth.sessions import load_user
from crm.core.access import PUBLIC
from crm.core.transactions import commit_note

READ_METHODS = frozenset({'GET', 'HEAD', 'OPTIONS'})


def _is_api() -> bool:
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + '/')


def bearer() -> str | None:
    """The token of an API request's `Authorization: Bearer …` header, if any."""
    if not _is_api():
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


def rate_limit_key() -> str:
    """Limit per token when one is presented, else per address."""
    text = bearer()
    return f'token:{tokens.token_hash(text)[:24]}' if text else f'ip:{request.remote_addr}'


def rate_limit() -> str:
    return current_app.config['API_RATE_LIMIT']


def _unauthorized(code: str, message: str):
    response, status = api_error(401, code, message)
    response.headers['WWW-Authenticate'] = 'Bearer realm="crm"'
    return response, status


def authenticate_request():
    """Blueprint before_request: refuse anonymous calls, refused tokens and cookie-borne writes."""
    view = current_app.view_functions.get(request.endpoint or '')
    if getattr(view, 'required_permission', None) == PUBLIC:
        return None
    authenticated = current_user.is_authenticated
    if getattr(g, 'api_token_refused', False):
        return _unauthorized('invalid_token', _('The API token is unknown, expired or revoked, or its user is '
                                                 'deactivated.'))
    if not authenticated:
        return _unauthorized('unauthenticated', _('Send an API token: Authorization: Bearer <token>.'))
    if request.method not in READ_METHODS and getattr(g, 'api_token', None) is None:
        return _unauthorized('token_required', _('Changes through the API need an API token; the browser '
                                                 'session is accepted for reading only.'))
    return None
