"""JSON API under /api/v1: token authentication, the same permissions and scopes as the web pages, and an
OpenAPI document generated from the operation declarations (see `spec`).

This package is the API's shell: the declaration kit (`spec`), token authentication (`auth`), the OpenAPI
document (`openapi`) and the service operations (`meta`). Each feature declares its own operations in its
`api.py`, beside its `views.py`, over the same queries, forms and services as the web pages."""
from __future__ import annotations

import importlib

from flask import Flask

from crm.api.auth import authenticate_request, rate_limit, rate_limit_key
from crm.api.spec import bp
from crm.extensions import csrf, limiter

_wired = False
# The modules declaring operations, in the order the OpenAPI document lists them.
RESOURCES = ('crm.firms.api', 'crm.leads.api', 'crm.api.meta', 'crm.packs.api', 'crm.platforms.api',
             'crm.policies.api')


def declare_operations() -> None:
    """Import the resource modules: each declares its operations (routes and OpenAPI entries) once."""
    for name in RESOURCES:
        importlib.import_module(name)


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
