"""Authorization, written once.

Three pieces, used by every view, export, API and PDF path:
- `Perm` and `ROLE_PERMISSIONS`: what each role may do at all (function level);
- `requires(perm)`: the decorator every view carries (a test walks `app.url_map` and fails
  for a view without one); `public` marks the few routes open to anonymous users;
- scoping: `scoped(stmt, Model)` narrows any query to the rows the current user may see,
  and `get_or_404(Model, id)` loads one object through the same rule, so an object outside
  the user's scope is a 404, never a leak. Features register their rules with `scope_rule`.
Every refusal goes through `deny`, which notes the object refused; the error handler logs and counts
each 403 and each such 404 (`crm.core.denials`).
"""
from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any, NoReturn, TypeVar

from flask import abort, current_app, g, request
from flask_login import current_user
from sqlalchemy import Select, false, select
from sqlalchemy.sql.elements import ColumnElement

from crm.core.roles import ADMIN, FIRM, LEADER, OFFICER, PARK_MANAGER
from crm.db import db

T = TypeVar('T')


class Perm(StrEnum):
    """Named permissions; roles map to sets of these."""

    HOME = 'home'
    ACCOUNT = 'account'
    PROFILE = 'profile'  # one's own contact details printed on packs (staff)
    USERS_MANAGE = 'users.manage'
    AUDIT_VIEW = 'audit.view'
    PLATFORMS_VIEW = 'platforms.view'
    PLATFORMS_EDIT = 'platforms.edit'
    PLANS_VIEW = 'plans.view'
    PLANS_CURATE = 'plans.curate'
    PLANS_IMPORT = 'plans.import'
    FIRMS_VIEW = 'firms.view'
    FIRMS_EDIT = 'firms.edit'
    FIRMS_CONTACTS = 'firms.contacts'
    FIRMS_RESTORE = 'firms.restore'
    LEADS_VIEW = 'leads.view'
    LEADS_EDIT = 'leads.edit'
    LEADS_ASSIGN = 'leads.assign'
    PACKS_VIEW = 'packs.view'
    PACKS_BUILD = 'packs.build'
    TARGETS_VIEW = 'targets.view'
    TARGETS_EDIT = 'targets.edit'
    POLICIES_VIEW = 'policies.view'
    POLICIES_EDIT = 'policies.edit'
    SETTINGS_EDIT = 'settings.edit'


PUBLIC = 'public'

_STAFF_VIEW = {Perm.HOME, Perm.ACCOUNT, Perm.PROFILE, Perm.PLATFORMS_VIEW, Perm.PLANS_VIEW, Perm.FIRMS_VIEW, Perm.LEADS_VIEW,
               Perm.PACKS_VIEW, Perm.TARGETS_VIEW, Perm.POLICIES_VIEW}
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    ADMIN: frozenset(Perm),
    LEADER: frozenset(_STAFF_VIEW | {Perm.AUDIT_VIEW, Perm.LEADS_EDIT, Perm.LEADS_ASSIGN, Perm.PACKS_BUILD}),
    OFFICER: frozenset(_STAFF_VIEW | {Perm.PLANS_CURATE, Perm.FIRMS_EDIT, Perm.FIRMS_CONTACTS, Perm.LEADS_EDIT,
                                      Perm.PACKS_BUILD, Perm.TARGETS_EDIT}),
    PARK_MANAGER: frozenset(_STAFF_VIEW | {Perm.PLATFORMS_EDIT}),
    FIRM: frozenset({Perm.HOME, Perm.ACCOUNT, Perm.FIRMS_VIEW, Perm.FIRMS_CONTACTS, Perm.PACKS_VIEW,
                     Perm.POLICIES_VIEW}),
}


def extend_role_permissions(extra: dict[str, set[str]]) -> None:
    """Let a feature package add its permissions to roles (called at import time)."""
    for role, perms in extra.items():
        ROLE_PERMISSIONS[role] = frozenset(ROLE_PERMISSIONS[role] | set(perms))


def has_permission(user: Any, perm: str) -> bool:
    """Whether `user` holds `perm` through their role."""
    if perm == PUBLIC:
        return True
    if user is None or not getattr(user, 'is_authenticated', False):
        return False
    return perm in ROLE_PERMISSIONS.get(user.role_code, frozenset())


def requires(perm: str) -> Callable:
    """View decorator: log in first, then hold `perm`; records the permission for the route audit."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not has_permission(current_user, perm):
                deny(403)
            return view(*args, **kwargs)

        wrapper.required_permission = perm
        return wrapper

    return decorate


def deny(status: int, object_type: str | None = None, object_id: Any = None) -> NoReturn:
    """Refuse the request (403, or 404 for an object outside the user's scope), noting what was refused so that
    the error handler records the denial with the user, route and object (`crm.core.denials`)."""
    g.access_denied = (object_type, object_id)
    abort(status)


def object_name(obj_or_model: Any) -> str:
    """The name of an object's kind in logs and the audit trail (its table name unless it sets __audit_name__)."""
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return getattr(model, '__audit_name__', getattr(model, '__tablename__', model.__name__))


def public(view: Callable) -> Callable:
    """Mark a view as open to anonymous visitors (login page, health check, static)."""
    view.required_permission = PUBLIC
    return view


# --- object scoping -------------------------------------------------------------------------

class _System:
    """The product acting on its own (the job worker, the command line): no viewer, nothing narrowed. Passed as
    `user` where a request would pass the signed-in user; without one, `current_user` is used (and outside a
    request nobody is signed in, so nothing is visible: a forgotten viewer fails closed)."""

    is_authenticated = True
    role_code = ADMIN
    id = None
    platform_ids: frozenset[int] = frozenset()
    firm_id = None


SYSTEM = _System()

ScopeRule = Callable[[Any], ColumnElement[bool] | None]
_SCOPE_RULES: dict[type, ScopeRule] = {}


def scope_rule(model: type) -> Callable[[ScopeRule], ScopeRule]:
    """Register the visibility rule for `model`: return a WHERE clause, or None for 'everything'."""

    def register(rule: ScopeRule) -> ScopeRule:
        _SCOPE_RULES[model] = rule
        return rule

    return register


def visibility_clause(model: type, user: Any = None) -> ColumnElement[bool] | None:
    """The WHERE clause limiting `model` to what `user` (default: the current user) may see."""
    user = current_user if user is None else user
    if not getattr(user, 'is_authenticated', False):
        return false()
    if user.role_code == ADMIN:
        return None
    rule = _SCOPE_RULES.get(model)
    if rule is None:
        raise LookupError(f'no scope rule registered for {model.__name__}')
    return rule(user)


def scope_key(scope: ColumnElement[bool] | None, *, per_user: bool = False) -> str:
    """A cache key for what a scope rule shows the signed-in viewer: everybody's is 'all'; a narrowed one names the
    role and the platforms, and the user too when the rule also looks at who they are (their own leads)."""
    if scope is None:
        return 'all'
    if not current_user.is_authenticated:
        return 'nobody'
    who = f'{current_user.role_code}:{current_user.id}' if per_user else current_user.role_code
    return f"{who}:{','.join(map(str, sorted(current_user.platform_ids)))}"


def scoped(stmt: Select, model: type, user: Any = None) -> Select:
    """Narrow a SELECT to the rows of `model` the user may see."""
    clause = visibility_clause(model, user)
    return stmt if clause is None else stmt.where(clause)


def get_or_404(model: type[T], object_id: Any, user: Any = None, *, statement: Select | None = None) -> T:
    """Load one object through the user's scope; anything outside it is 404. `statement` is the SELECT of `model`
    to narrow, when a page reads more with the object (its collections joined, with their loader options)."""
    pk = model.__mapper__.primary_key[0]
    if statement is None:
        obj = db.session.scalar(scoped(select(model).where(pk == object_id), model, user))
    else:
        obj = db.session.scalars(scoped(statement.where(pk == object_id), model, user)).unique().one_or_none()
    if obj is None:
        if visibility_clause(model, user) is not None and \
                db.session.scalar(select(pk).where(pk == object_id)) is not None:
            deny(404, object_name(model), object_id)  # it exists, outside the user's scope: a denial to record
        abort(404)
    return obj


# --- object-level actions ---------------------------------------------------------------------

ObjectRule = Callable[[Any, str, Any], bool]
_OBJECT_RULES: dict[type, ObjectRule] = {}


def object_rule(model: type) -> Callable[[ObjectRule], ObjectRule]:
    """Register `rule(user, action, obj) -> bool` deciding actions on single objects of `model`."""

    def register(rule: ObjectRule) -> ObjectRule:
        _OBJECT_RULES[model] = rule
        return rule

    return register


def can(user: Any, action: str, obj: Any) -> bool:
    """May `user` do `action` ('view', 'edit', …) to `obj`?"""
    if not getattr(user, 'is_authenticated', False):
        return False
    if user.role_code == ADMIN:
        return True
    rule = _OBJECT_RULES.get(type(obj))
    return bool(rule and rule(user, action, obj))


def ensure(action: str, obj: Any) -> None:
    """Abort with 403 unless the current user may do `action` to `obj` (which they can already see)."""
    if not can(current_user, action, obj):
        deny(403, object_name(obj), ':'.join(str(v) for v in obj.__mapper__.primary_key_from_instance(obj)))


API_PREFIX = '/api/v1'  # where the JSON API answers; there a Bearer token, not the cookie, says who calls


def is_api_request() -> bool:
    """Whether the request is addressed to the JSON API."""
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + '/')


def wants_json() -> bool:
    """True for API-style requests (used to choose error formats)."""
    return request.path.startswith('/api/') or request.accept_mimetypes.best == 'application/json'
