"""The OpenAPI document and the caller's own identity."""
from __future__ import annotations

from flask import g, jsonify
from flask_login import current_user

from crm.api.openapi import document
from crm.api.spec import DATETIME, INT, STR, component, iso, nullable, obj, operation, string_list
from crm.core.access import PUBLIC, ROLE_PERMISSIONS, Perm

ME = component('Me', obj({
    'id': INT, 'name': STR, 'email': STR, 'role': STR, 'platform_ids': {'type': 'array', 'items': INT},
    'firm_id': nullable(INT), 'permissions': string_list(),
    'token': nullable(obj({'id': INT, 'name': STR, 'expires_at': DATETIME, 'last_used_at': nullable(DATETIME)})),
}))


@operation('GET', '/openapi.json', perm=PUBLIC, tag='meta', response={'type': 'object'},
           summary='This document (OpenAPI 3.1)')
def openapi_json():
    return jsonify(document())


@operation('GET', '/me', perm=Perm.ACCOUNT, tag='meta', response=ME,
           summary='Who the token (or session) acts as: role, platforms, firm and permissions')
def me():
    user, token = current_user, getattr(g, 'api_token', None)
    return jsonify({
        'id': user.id, 'name': user.name, 'email': user.email, 'role': user.role_code,
        'platform_ids': sorted(user.platform_ids), 'firm_id': user.firm_id,
        'permissions': sorted(ROLE_PERMISSIONS.get(user.role_code, frozenset())),
        'token': None if token is None else {'id': token.id, 'name': token.name, 'expires_at': iso(token.expires_at),
                                             'last_used_at': iso(token.last_used_at)},
    })
