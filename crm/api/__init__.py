"""JSON API under /api/v1: token authentication, the same permissions and scopes as the web pages, and an
OpenAPI document generated from the operation declarations (see `spec`).

This package is the API's shell: the declaration kit (`spec`), token authentication (`auth`), the OpenAPI
document (`openapi`) and the service operations (`meta`). Each feature declares its own operations in its
`api.py`, beside its `views.py`, over the same queries, forms and services as the web pages; its registration
module (`feature.py`) imports it, so every operation is declared before the API (a feature after them in the
application's list) registers the blueprint."""
from __future__ import annotations

from flask import Flask

from crm.api.auth import authenticate_request, rate_limit, rate_limit_key
from crm.api.spec import bp
from crm.extensions import csrf, limiter

_wired = False


def _wire_blueprint() -> None:
    """CSRF exemption, rate limit and authentication: once per process (the blueprint is shared)."""
    global _wired
    if _wired:
        return
    # Cookies never authorise API writes (they need a token), so there is no cross-site request to forge.
    csrf.exempt(bp)
    limiter.limit(rate_limit, key_func=rate_limit_key)(bp)
    bp.before_request(authenticate_request)
    _wired = True


def init_app(app: Flask) -> None:
    """Register the API blueprint, with the operations every feature declared, on `app`."""
    _wire_blueprint()
    app.register_blueprint(bp)
