"""Absolute links (share links, links in digests and PDFs) built from the configured public address.

The request's Host header is chosen by whoever sends the request, so a link built from it can point at another site.
Every absolute link is built from `BASE_URL` (environment variable `CRM_BASE_URL`) instead; it works without a
request too (the worker and the command line send digests).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute address of `endpoint` under the configured public base URL."""
    base = urlsplit(current_app.config['BASE_URL'])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path.rstrip('/') or '/',
                                       url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
