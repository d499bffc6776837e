"""The API described once: each operation is declared here with its path, permission, parameters, body and
answer. The declaration registers the Flask route (behind `requires(perm)`), validates the query string and the
JSON body before the view runs, and is the only source of the OpenAPI document, so the two cannot drift.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import wraps
from typing import Any

from flask import Blueprint, g, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from crm.core.access import API_PREFIX, PUBLIC, public, requires
from crm.core.errors import api_error
from crm.core.forms import clean_text

INT_MAX = 2_147_483_647
bp = Blueprint('api', __name__, url_prefix=API_PREFIX)

# --- schema helpers -----------------------------------------------------------------------------

SCHEMAS: dict[str, dict] = {}


def ref(name: str) -> dict:
    """A reference to a component schema."""
    return {'$ref': f'#/components/schemas/{name}'}


def component(name: str, definition: dict) -> dict:
    """Register a component schema and return a reference to it."""
    SCHEMAS[name] = definition
    return ref(name)


def obj(properties: dict[str, dict], *, required: tuple[str, ...] | None = None, **extra) -> dict:
    """An object schema; by default every property is required (answers always carry every key)."""
    return {'type': 'object', 'properties': properties,
            'required': list(properties if required is None else required), **extra}


def nullable(schema: dict) -> dict:
    kind = schema.get('type')
    if isinstance(kind, str):
        return {**schema, 'type': [kind, 'null']}
    return {'anyOf': [schema, {'type': 'null'}]}


STR = {'type': 'string'}
INT = {'type': 'integer'}
ID = {'type': 'integer', 'minimum': 1, 'maximum': INT_MAX}
BOOL = {'type': 'boolean'}
DATE = {'type': 'string', 'format': 'date'}
DATETIME = {'type': 'string', 'format': 'date-time'}
DECIMAL = {'type': 'string', 'description': 'decimal number as text (exact)'}
DECIMAL_IN = {'type': ['number', 'string', 'null'], 'pattern': r'^-?\d{1,12}(\.\d{1,6})?$',
              'description': 'number, or a decimal number as text'}


def string_list(**extra) -> dict:
    return {'type': 'array', 'items': {**STR, **extra}}


def id_list() -> dict:
    return {'type': 'array', 'items': ID, 'maxItems': 200}


def page_of(item: dict) -> dict:
    return obj({'items': {'type': 'array', 'items': item}, 'page': INT, 'per_page': INT, 'total': INT,
                'pages': INT})


# --- operations ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Param:
    """A query-string parameter."""

    name: str
    schema: dict
    description: str = ''


PAGE_PARAMS = (Param('page', {'type': 'integer', 'minimum': 1, 'maximum': 100000}, 'page number, from 1'),
               Param('per_page', {'type': 'integer', 'minimum': 1, 'maximum': 200}, 'items per page (at most 200)'))


@dataclass
class Operation:
    """One method on one path."""

    method: str
    path: str
    endpoint: str
    permission: str
    summary: str
    tag: str
    query: tuple[Param, ...] = ()
    body: str | None = None
    response: dict | None = None
    status: int = 200
    errors: tuple[int, ...] = ()
    content_type: str = 'application/json'
    if_match: bool = False
    path_params: tuple[str, ...] = field(default_factory=tuple)
    moved: bool = False  # the record may have been merged into another: 308 to the survivor's address


OPERATIONS: list[Operation] = []
_PATH_PARAM = re.compile(r'{(\w+)}')


def operation(method: str, path: str, *, perm: str, summary: str, tag: str, query: tuple[Param, ...] = (),
              body: str | None = None, response: dict | None = None, status: int = 200,
              errors: tuple[int, ...] = (), content_type: str = 'application/json',
              if_match: bool = False, moved: bool = False) -> Callable:
    """Declare an API operation and register its route. The view receives path ids as keyword arguments and,
    when a body is declared, `body` (the checked JSON object); parsed query values are in `query_args()`."""

    def decorate(view: Callable) -> Callable:
        op = Operation(method.upper(), path, view.__name__, perm, summary, tag, query, body, response, status,
                       errors, content_type, if_match, tuple(_PATH_PARAM.findall(path)), moved)

        @wraps(view)
        def handler(**ids):
            if any(value > INT_MAX for value in ids.values()):
                return api_error(404, 'not_found', _('The record does not exist, or is outside your scope.'))
            parsed, problems = parse_query(op.query)
            if problems:
                return api_error(400, 'invalid_query', _('Some query parameters are not valid.'), problems)
            g.api_query = parsed
            if op.body is None:
                return view(**ids)
            payload = request.get_json(silent=True)
            if not isinstance(payload, dict):
                return api_error(400, 'invalid_json', _('The request body must be a JSON object.'))
            problems = check_body(SCHEMAS[op.body], payload)
            if problems:
                return api_error(422, 'invalid', _('Some fields are not valid.'), problems)
            return view(body=payload, **ids)

        guarded = public(handler) if perm == PUBLIC else requires(perm)(handler)
        rule = _PATH_PARAM.sub(r'<int:\1>', path)
        bp.add_url_rule(rule, endpoint=op.endpoint, view_func=guarded, methods=[op.method])
        OPERATIONS.append(op)
        return guarded

    return decorate


def query_args() -> dict[str, Any]:
    """The validated query parameters of this request (absent ones are missing)."""
    return getattr(g, 'api_query', {})


# --- errors -------------------------------------------------------------------------------------

def form_errors(form) -> dict[str, list[str]]:
    """A WTForms form's errors as {field: [message, …]} (form-wide ones under "_form")."""
    errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()
              if name not in ('csrf_token',) and isinstance(messages, list)}
    if getattr(form, 'form_errors', None):
        errors['_form'] = [str(m) for m in form.form_errors]
    return errors


# --- query strings ------------------------------------------------------------------------------

def _parse_value(raw: str, schema: dict) -> Any:
    kind = schema.get('type')
    if kind == 'integer':
        if not re.fullmatch(r'\s*-?\d{1,12}\s*', raw):
            raise ValueError(_('Enter a whole number.'))
        value = int(raw)
    elif kind == 'number':
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(_('Enter a number.')) from None
        if not math.isfinite(value):
            raise ValueError(_('Enter a number.'))
    elif schema.get('format') == 'date':
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            raise ValueError(_('Enter a date as YYYY-MM-DD.')) from None
    else:
        value = clean_text(raw)
        if len(value) > schema.get('maxLength', 200):
            raise ValueError(_('Too long.'))
        if 'pattern' in schema and not re.fullmatch(schema['pattern'], value):
            raise ValueError(_('Not in the expected form.'))
    if 'enum' in schema and value not in schema['enum']:
        raise ValueError(_('Not one of the allowed values.'))
    if 'minimum' in schema and value < schema['minimum'] or 'maximum' in schema and value > schema['maximum']:
        raise ValueError(_('Out of the allowed range.'))
    return value


def parse_query(params: tuple[Param, ...]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Validate the declared query parameters; unknown ones are ignored, empty ones count as absent. The views read
    the checked values (`query_args()`), never `request.args`: list filters shared with the web pages are built from
    them (each feature's `queries` module)."""
    parsed, problems = {}, {}
    for param in params:
        raw = request.args.get(param.name)
        if raw is None or not raw.strip():
            continue
        try:
            parsed[param.name] = _parse_value(raw, param.schema)
        except ValueError as exc:
            problems[param.name] = [str(exc)]
    return parsed, problems


# --- JSON bodies --------------------------------------------------------------------------------

_JSON_TYPES = {
    'string': lambda v: isinstance(v, str),
    'integer': lambda v: isinstance(v, int) and not isinstance(v, bool),
    'number': lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    'boolean': lambda v: isinstance(v, bool),
    'null': lambda v: v is None,
    'array': lambda v: isinstance(v, list),
}


def _type_ok(value: Any, schema: dict) -> bool:
    kinds = schema.get('type')
    if kinds is None:
        return True
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if not any(_JSON_TYPES[k](value) for k in kinds):
        return False
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10 ** 15:
        return False
    if isinstance(value, float) and not math.isfinite(value):
        return False
    if isinstance(value, list):
        return len(value) <= schema.get('maxItems', 200) and all(_type_ok(v, schema.get('items', {})) for v in value)
    return True


def check_body(schema: dict, payload: dict) -> dict[str, list[str]]:
    """Check the JSON types of the known properties (the forms check the rest; unknown keys are ignored)."""
    problems = {}
    for name, definition in schema.get('properties', {}).items():
        if name in payload and not _type_ok(payload[name], definition):
            problems[name] = [_('Wrong type of value.')]
    return problems


def _form_strings(value: Any) -> list[str]:
    if value is None:
        return ['']
    if isinstance(value, bool):
        return ['y'] if value else []
    if isinstance(value, list):
        return [s for item in value for s in _form_strings(item) if s != '']
    if isinstance(value, date):
        return [value.isoformat()]
    return [str(value)]


def formdata(current: dict[str, Any], changes: dict[str, Any], names: tuple[str, ...]) -> MultiDict:
    """The form submission a browser would send: the stored values of `names`, overlaid with the JSON changes
    (null clears a field, like an emptied input)."""
    merged = {**current, **{k: v for k, v in changes.items() if k in names}}
    return MultiDict([(name, s) for name in names if name in merged for s in _form_strings(merged[name])])


def version_from(body: dict[str, Any]) -> int | None:
    """The version the client edited: `If-Match` ("3" or W/"3") or the body's `version`; None when neither."""
    header = request.headers.get('If-Match', '').strip()
    if header:
        digits = header.removeprefix('W/').strip('"')
        if not digits.isdigit() or len(digits) > 12:
            raise ValueError('If-Match')
        return int(digits)
    value = body.get('version')
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def required_version(body: dict[str, Any]):
    """(version, None) for a write that names the version it edited, else (None, the 400/428 answer)."""
    try:
        version = version_from(body)
    except ValueError:
        return None, api_error(400, 'invalid_if_match', _('If-Match must be a version number such as "3".'))
    if version is None:
        return None, api_error(428, 'version_required', _('Send the version you edited (If-Match or "version").'))
    return version, None


def with_etag(response, version: int):
    """Give a detail answer the version as its ETag, for If-Match."""
    response.headers['ETag'] = f'"{version}"'
    return response


# --- answers ------------------------------------------------------------------------------------

def dec(value: Any) -> str | None:
    """A Decimal as exact text (None stays None)."""
    return None if value is None else str(value)


def iso(value: Any) -> str | None:
    """A date or datetime in ISO 8601 (UTC for datetimes)."""
    return None if value is None else value.isoformat()


def page_params(default: int = 50) -> tuple[int, int]:
    """`page` and `per_page` from the validated query string."""
    args = query_args()
    return args.get('page', 1), args.get('per_page', default)


def page_json(page, serialize: Callable[[Any], dict]) -> dict[str, Any]:
    """A page of results: items, page, per_page, total and pages."""
    return {'items': [serialize(item) for item in page.items], 'page': page.page, 'per_page': page.per_page,
            'total': page.total, 'pages': page.pages}
