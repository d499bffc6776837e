"""The OpenAPI 3.1 document, built from the operations declared in `crm.api.spec` (nothing is listed by hand)."""
from __future__ import annotations

from typing import Any

from crm.api.spec import API_PREFIX, ID, OPERATIONS, SCHEMAS, STR, component, obj, ref, string_list
from crm.core.access import PUBLIC

ERROR = component('Error', obj({'error': obj({
    'code': {**STR, 'description': 'machine-readable reason, e.g. not_found, invalid, conflict'},
    'status': {'type': 'integer'},
    'message': {**STR, 'description': 'what went wrong, in the interface language (Chinese by default)'},
    'fields': {'type': 'object', 'additionalProperties': string_list(),
               'description': 'messages per field for invalid input'},
    'request_id': STR,
}, required=('code', 'message', 'fields'))}))

ERROR_TEXT = {
    400: 'Malformed request: query parameters or body not understood',
    401: 'No valid token (missing, unknown, expired, revoked, or its user is deactivated); writes need a token',
    403: "The user's role does not allow this",
    404: 'No such record, or it is outside the caller\'s scope',
    409: 'The record changed since the given version; nothing was written',
    422: 'Invalid input; `fields` explains each problem',
    428: 'The version to edit is missing (send If-Match or a `version` field)',
    429: 'Too many requests; wait a minute',
}


def _responses(op) -> dict[str, Any]:
    if op.content_type == 'application/json':
        ok = {'description': 'OK', 'content': {'application/json': {'schema': op.response or {}}}}
    else:
        ok = {'description': 'OK', 'content': {op.content_type: {'schema': {'type': 'string',
                                                                           'format': 'binary'}}}}
    codes = set(op.errors) | {400, 429}
    if op.permission != PUBLIC:
        codes |= {401, 403}
    if op.path_params:
        codes.add(404)
    if op.body:
        codes.add(422)
    if op.if_match:
        codes |= {409, 428}
    answers = {str(op.status): ok}
    if op.moved:
        answers['308'] = {'description': 'The record was merged into another one; `Location` is the same address '
                                         'for the record that stayed (repeat the request there)',
                          'headers': {'Location': {'schema': {'type': 'string'}}}}
    for code in sorted(codes):
        answers[str(code)] = {'$ref': f'#/components/responses/E{code}'}
    return answers


def _parameters(op) -> list[dict]:
    params = [{'name': name, 'in': 'path', 'required': True, 'schema': ID} for name in op.path_params]
    params += [{'name': p.name, 'in': 'query', 'required': False, 'schema': p.schema,
                **({'description': p.description} if p.description else {})} for p in op.query]
    if op.if_match:
        params.append({'name': 'If-Match', 'in': 'header', 'required': False,
                       'description': 'the version being edited, as returned in ETag (or send `version`)',
                       'schema': {'type': 'string', 'pattern': r'^(W/)?"[0-9]{1,9}"$'}})
    return params


def document() -> dict[str, Any]:
    """The whole OpenAPI document."""
    paths: dict[str, dict] = {}
    for op in sorted(OPERATIONS, key=lambda op: op.tag):  # by tag, whichever feature declared its operations first
        entry: dict[str, Any] = {'operationId': op.endpoint, 'summary': op.summary, 'tags': [op.tag],
                                 'parameters': _parameters(op), 'responses': _responses(op),
                                 'x-permission': op.permission}
        if op.permission == PUBLIC:
            entry['security'] = []
        if op.body:
            entry['requestBody'] = {'required': True, 'content': {'application/json': {'schema': ref(op.body)}}}
        paths.setdefault(op.path, {})[op.method.lower()] = entry
    return {
        'openapi': '3.1.0',
        'info': {'title': '拱墅区园区招商 CRM API', 'version': '1.0.0',
                 'description': 'Token-authenticated JSON API. A token acts exactly as its user: the same role '
                                'permissions and the same record scope as the web interface. Create tokens on '
                                'the account page; send them as `Authorization: Bearer <token>`.'},
        'servers': [{'url': API_PREFIX}],
        'security': [{'bearerAuth': []}],
        'paths': paths,
        'components': {
            'securitySchemes': {'bearerAuth': {'type': 'http', 'scheme': 'bearer'}},
            'schemas': dict(sorted(SCHEMAS.items())),
            'responses': {f'E{code}': {'description': text, 'content': {'application/json': {'schema': ERROR}}}
                          for code, text in ERROR_TEXT.items()},
        },
    }
