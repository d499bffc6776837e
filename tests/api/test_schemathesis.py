"""Property-based run of every operation in the OpenAPI document (schemathesis), as an administrator's token:
no server errors, and every answer conforms to the document (status code, content type, schema).

Bounded to a few generated examples per operation (the generate phase only, without schemathesis' exhaustive
boundary cases) so the run stays well under a minute per database."""
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


from crm import load_features
from crm.api.openapi import document

load_features()
# The document the app serves (test_writes checks it against app.url_map), loaded without an app.
schema = schemathesis.openapi.from_dict(document())


@pytest.fixture
def admin_token(app, factories, token_for, monkeypatch):
    monkeypatch.setitem(app.config, 'API_RATE_LIMIT', '100000 per minute')
    admin = factories.user('admin')
    platform = factories.platform('生成测试平台')
    factories.unit(factories.building(platform))
    factories.lead(factories.firm(), owner=admin, platforms=[platform])
    return token_for(admin)


@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True, database=None, phases=[Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_every_operation_conforms_and_never_fails(case, app, admin_token):
    case.call_and_validate(headers={'Authorization': f'Bearer {admin_token}'}, checks=CHECKS, app=app)
