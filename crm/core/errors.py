"""Error pages: a clear message in the user's language and a request id to quote, nothing internal."""
from __future__ import annotations

import logging

from flask import Flask, g, jsonify, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from crm.core import denials
from crm.core.access import wants_json
from crm.core.transactions import keep_despite_rollback
from crm.db import db

log = logging.getLogger('crm.errors')

MESSAGES = {
    400: (_l('Bad request'), _l('The request could not be understood. Please go back and try again.')),
    401: (_l('Sign-in required'), _l('Sign in, or send a valid API token.')),
    403: (_l('Not allowed'), _l('Your role does not allow this action.')),
    404: (_l('Not found'), _l('The page or record does not exist, or is outside your scope.')),
    405: (_l('Method not allowed'), _l('This address does not accept that kind of request.')),
    409: (_l('Edit conflict'), _l('Someone else changed this record after you opened it.')),
    413: (_l('File too large'), _l('The upload exceeds the size limit.')),
    429: (_l('Too many requests'), _l('Too many attempts. Please wait a minute and try again.')),
    500: (_l('Something went wrong'), _l('The error has been logged. Please quote the request id when reporting it.')),
}

# Machine-readable reasons in JSON errors (the API's {"error": {"code", "message", "fields"}} shape).
JSON_CODES = {400: 'bad_request', 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found',
              405: 'method_not_allowed', 409: 'conflict', 413: 'too_large', 415: 'unsupported_media_type',
              422: 'invalid', 428: 'version_required', 429: 'rate_limited', 500: 'server_error'}


def api_error(status: int, code: str, message: str, fields: dict[str, list[str]] | None = None, *,
              beside: dict | None = None, **extra):
    """The JSON error answer: {"error": {"code", "message", "fields", ...}}; `beside`: keys next to "error" that a
    page's own script reads (e.g. {"ok": false, "message": …})."""
    body = {'code': code, 'status': status, 'message': str(message), 'fields': fields or {},
            'request_id': getattr(g, 'request_id', ''), **extra}
    return jsonify(error=body, **(beside or {})), status


def rule_fields(exc: Exception, fallback: str | None = None) -> dict[str, list[str]]:
    """A refusal's message under the input it names (crm.core.rules.RuleError.field, else `fallback`), as the
    API's `fields`; empty when no single input is at fault."""
    name = getattr(exc, 'field', None) or fallback
    return {name: [str(exc)]} if name else {}


def rule_refused(exc: Exception, code: str = 'invalid', *, beside: dict | None = None, **extra):
    """The API's 422 answer to a refused rule: its message, and under `fields` the input at fault when one is
    (`beside`: see api_error)."""
    return api_error(422, code, str(exc), rule_fields(exc), beside=beside, **extra)


def _render(code: int, message: str | None = None):
    title, default = MESSAGES.get(code, MESSAGES[500])
    text = str(message or default)
    request_id = getattr(g, 'request_id', '')
    if wants_json():
        return jsonify(error={'code': JSON_CODES.get(code, 'error'), 'status': code, 'title': str(title),
                              'message': text, 'fields': {}, 'request_id': request_id}), code
    try:
        return render_template('errors/error.html', code=code, title=title, message=text,
                               request_id=request_id), code
    except Exception:  # the error page itself failed: answer in plain text rather than recurse
        log.exception('error page failed to render')
        return f'{code} {title}: {text} (request id {request_id})', code, {'Content-Type': 'text/plain; charset=utf-8'}


def _csrf_error(error: CSRFError):
    return _render(400, _l('The form expired or its security token is missing. Reload the page and try again.'))


def _record_denial(status: int, object_type: str | None, object_id) -> None:
    """Log the refusal and keep its row whatever becomes of the request (its own changes are rolled back)."""
    row = denials.record(status, object_type, object_id)
    keep_despite_rollback(lambda: denials.store(row), what=f"access denial (request {row['request_id']})",
                          logger=denials.log)


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    denied = g.pop('access_denied', None)
    if error.code == 403 or (error.code == 404 and denied is not None):
        _record_denial(error.code, *(denied or (None, None)))
    return _render(error.code)


def _unhandled(error: Exception):
    db.session.rollback()
    log.exception('unhandled error (request %s)', getattr(g, 'request_id', '-'))
    return _render(500)


def init_app(app: Flask) -> None:
    """Install the handlers."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    if not app.config.get('PROPAGATE_EXCEPTIONS_IN_TESTS'):
        app.register_error_handler(InternalServerError, lambda e: _unhandled(e.original_exception or e))
        app.register_error_handler(Exception, _unhandled)
