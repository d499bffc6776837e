"""Flask extensions, created here and bound to the app in the factory."""
from functools import cached_property

from babel.support import NullTranslations
from flask import current_app, request
from flask_babel import Babel, Domain, _get_current_context
from flask_limiter import Limiter
from flask_limiter.util import get_qualified_name, get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect


class RequestDomain(Domain):
    """The message domain, with the request's catalogue looked up once per request: a list page translates a few
    hundred strings (labels, headers, navigation), and Flask-Babel's own lookup formats the locale's name and reads
    the request globals several times for each. `force_locale` and `refresh` clear the remembered catalogue
    (`babel_translations`), so a block in another language still translates in that language."""

    def get_translations(self):
        ctx = _get_current_context()
        if ctx is None:
            return NullTranslations()
        translations = getattr(ctx, 'babel_translations', None)
        if translations is None:
            translations = ctx.babel_translations = super().get_translations()
        return translations


class RequestBabel(Babel):
    @cached_property
    def domain_instance(self):
        return RequestDomain(domain=self.domain)


class RequestLimiter(Limiter):
    """Flask-Limiter, skipping a request that no limit applies to before it resolves and evaluates the (empty) list
    of limits, which it does once before the view and again in a decorated view."""

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        if not self._meta_limits and self.enabled and _no_limit_applies():
            return
        super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)


babel = RequestBabel()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = RequestLimiter(key_func=get_remote_address, default_limits=[])


@limiter.request_filter
def _no_limit_applies() -> bool:
    """Whether no rate limit can apply to this request (its endpoint and method), so that the limiter skips it.

    Most pages have none (the limits are on the sign-in forms' POSTs, the shared packs and the API), yet the limiter
    resolves every request's limits afresh, twice for a decorated view: about a tenth of a small page's time. Which
    limits an endpoint has is fixed when the app is built, so the answer is found once per endpoint and method."""
    manager = limiter.limit_manager
    endpoint = request.endpoint or ''
    if manager.has_hints(endpoint):  # limits on a function the view calls, found while serving it: check each time
        return False
    known = current_app.extensions.setdefault('crm_unlimited_requests', {})
    key = (endpoint, request.method)
    unlimited = known.get(key)
    if unlimited is None:
        view = current_app.view_functions.get(endpoint)
        limits = [*manager.application_limits, *manager.default_limits,
                  *(manager.decorated_limits(get_qualified_name(view)) if view is not None else ()),
                  *(manager.blueprint_limits(current_app, request.blueprint) if request.blueprint else ())]
        method = request.method.lower()
        unlimited = known[key] = not any(limit.methods is None or method in limit.methods for limit in limits)
    return unlimited
