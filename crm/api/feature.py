"""The JSON API as a feature: after the features below it declared their operations (each feature's api.py), the
service operations (the OpenAPI document, the caller's identity) and the /api/v1 blueprint."""
from __future__ import annotations

from crm.api import init_app as init_app
from crm.api import meta  # noqa: F401  (operations)
