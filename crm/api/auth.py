"""The API's gate: a Bearer token (reads and writes) or, for reads only, the browser session; who the caller is
was found by crm.auth.callers. A write without a token is refused, so cookies never carry API writes and CSRF
does not apply to the API. Rate limits count per token, else per address.
"""
from __future__ import annotations

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user

from crm.api.spec import api_error
from crm.auth import tokens
from crm.auth.callers import bearer
from crm.core.access import PUBLIC

READ_METHODS = frozenset({'GET', 'HEAD', 'OPTIONS'})


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
