"""JSON API under /api/v1: token authentication, the same permissions and scopes as the web pages, and an
OpenAPI document generated from the operation declarations (see `spec`)."""
from __future__ import annotations

from flask import Flask

from crm.api.auth import authenticate_request, rate_limit, rate_limit_key
from crm.api.spec import bp
from crm.extensions import csrf, limiter

_wired = False


def declare_operations() -> None:
    """Import the resource modules: each declares its operations (routes and OpenAPI entries) once."""
    from crm.api import firms, leads, meta, packs, platforms, policies  # noqa: F401  (each declares its operations)


def _wire_blueprint() -> None:
    """Routes, CSRF exemption, rate limit and authentication: once per process (the blueprint is shared)."""
    global _wired
    if _wired:
        return
    declare_operations()

    # Cookies never authorise API writes (they need a token), so there is no cross-site request to forge.
    csrf.exempt(bp)
    limiter.limit(rate_limit, key_func=rate_limit_key)(bp)
    bp.before_request(authenticate_request)
    _wired = True


def init_app(app: Flask) -> None:
    """Register the API blueprint on `app`."""
    _wire_blueprint()
    app.register_blueprint(bp)
