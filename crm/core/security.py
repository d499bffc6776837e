"""Per-request plumbing: request id, audit actor, transaction intent and security headers."""
from __future__ import annotations

import uuid

from flask import Flask, current_app, g, request
from flask_login import current_user

from crm.core import audit
from crm.db import declare_write_intent

READ_METHODS = frozenset({'GET', 'HEAD', 'OPTIONS'})
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def _begin_request() -> None:
    g.request_id = uuid.uuid4().hex[:16]
    declare_write_intent(request.method not in READ_METHODS)
    audit.set_context(audit.AuditContext(request_id=g.request_id, ip=request.remote_addr))
    if request.endpoint != 'static':
        _identify_actor()


def _identify_actor() -> None:
    if current_user.is_authenticated:
        audit.set_context(audit.AuditContext(actor_id=current_user.id, actor_label=current_user.email,
                                             request_id=g.request_id, ip=request.remote_addr))


def _end_request(_exc=None) -> None:
    # Context variables outlive the request in a worker thread: reset them so nothing leaks.
    audit.set_context(audit.AuditContext())
    declare_write_intent(True)


def _security_headers(response):
    headers = response.headers
    headers.setdefault('Content-Security-Policy', CSP)
    headers['X-Content-Type-Options'] = 'nosniff'
    headers['X-Frame-Options'] = 'DENY'
    headers['Referrer-Policy'] = 'same-origin'
    headers['Cross-Origin-Opener-Policy'] = 'same-origin'
    headers['Permissions-Policy'] = 'camera=(), microphone=(), geolocation=()'
    if getattr(g, 'request_id', None):
        headers['X-Request-ID'] = g.request_id
    if current_user and current_user.is_authenticated:
        headers['Cache-Control'] = 'no-store'
    if current_app.config.get('HSTS'):
        headers['Strict-Transport-Security'] = 'max-age=31536000; includeSubDomains'
    return response


def init_app(app: Flask) -> None:
    """Install the request hooks on `app`."""
    app.before_request(_begin_request)
    app.after_request(_security_headers)
    app.teardown_request(_end_request)
