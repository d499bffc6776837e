"""Per-request plumbing: request id, audit actor, transaction intent and security headers."""
from __future__ import annotations

import copy
import secrets
import time
from collections.abc import Callable
from typing import NamedTuple

from flask import Flask, current_app, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

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


def stateless(view: Callable) -> Callable:
    """Mark a public page that keeps nothing about its visitor (a shared pack and its PDF): its answers set no
    cookie and carry `Cache-Control: no-store`, whoever opens them and whatever the answer (page, file, error)."""
    view.stateless = True
    return view


def is_stateless_request() -> bool:
    view = current_app.view_functions.get(request.endpoint or '')
    return bool(getattr(view, 'stateless', False))


# Values a session cookie holds that need no copy before a request may change them (anything else is copied).
_IMMUTABLE = (str, int, float, bool, bytes, type(None))
DECODED_COOKIES_MAX = 4096


class _Signer(NamedTuple):
    key: tuple
    serializer: URLSafeTimedSerializer
    decoded: dict[str, tuple[int, dict]]  # cookie -> (signed at, contents), for cookies whose signature was good


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except that a stateless page never sets (or refreshes) the cookie: the
    CSRF token its template generates is not worth a cookie on a link sent outside the office. The cookie's
    signer is made once per key (Flask makes a new one, with its key derivation, for every request), and a cookie
    whose signature was checked is decoded once: a browser sends the same cookie with every request until its
    session changes, and checking and decoding it anew took about a twelfth of a small page's time. Its age is
    still checked on every request against the session's lifetime, as the signer checks it."""

    def _signer(self, app) -> _Signer | None:
        key = (app.secret_key, tuple(app.config.get('SECRET_KEY_FALLBACKS') or ()))
        cached = app.extensions.get('crm_session_signer')
        if cached is None or cached.key != key:
            serializer = super().get_signing_serializer(app)
            cached = app.extensions['crm_session_signer'] = _Signer(key, serializer, {}) if serializer else None
        return cached

    def get_signing_serializer(self, app):
        signer = self._signer(app)
        return signer.serializer if signer else None

    def open_session(self, app, request):
        signer = self._signer(app)
        cookie = request.cookies.get(self.get_cookie_name(app)) if signer else None
        if not cookie:
            return super().open_session(app, request)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        known = signer.decoded.get(cookie)
        if known is None:
            try:
                data, signed_at = signer.serializer.loads(cookie, max_age=max_age, return_timestamp=True)
            except BadSignature:
                return self.session_class()
            if len(signer.decoded) >= DECODED_COOKIES_MAX:
                signer.decoded.clear()
            known = signer.decoded[cookie] = (int(signed_at.timestamp()), data)
        elif not 0 <= int(time.time()) - known[0] <= max_age:  # as the signer judges a signature's age
            return self.session_class()
        return self.session_class({name: value if isinstance(value, _IMMUTABLE) else copy.deepcopy(value)
                                   for name, value in known[1].items()})

    def should_set_cookie(self, app, session) -> bool:
        return not is_stateless_request() and super().should_set_cookie(app, session)

    def save_session(self, app, session, response) -> None:
        if is_stateless_request():
            return
        super().save_session(app, session, response)


def _begin_request() -> None:
    g.request_id = secrets.token_hex(8)
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
    if (current_user and current_user.is_authenticated) or is_stateless_request():
        headers['Cache-Control'] = 'no-store'
    if current_app.config.get('HSTS'):
        headers['Strict-Transport-Security'] = 'max-age=31536000; includeSubDomains'
    return response


def init_app(app: Flask) -> None:
    """Install the request hooks on `app`."""
    app.session_interface = SessionInterface()
    app.before_request(_begin_request)
    app.after_request(_security_headers)
    app.teardown_request(_end_request)
