"""Flask extensions, created here and bound to the app in the factory."""
from functools import cached_property
from types import SimpleNamespace

import flask_babel
from babel.support import NullTranslations
from flask import current_app, request
from flask.globals import _cv_app
from flask_babel import Babel, Domain, get_translations
from flask_limiter import Limiter
from flask_limiter.util import get_qualified_name, get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from jinja2 import pass_eval_context
from markupsafe import Markup


def _babel_context() -> SimpleNamespace | None:
    """Where Flask-Babel keeps the request's locale and catalogue (`g._flask_babel`), read from the app context
    directly: Flask-Babel's own lookup goes through the `g` proxy three times, for each string translated."""
    ctx = _cv_app.get(None)
    if ctx is None:
        return None
    try:
        return ctx.g._flask_babel
    except AttributeError:
        namespace = ctx.g._flask_babel = SimpleNamespace()
        return namespace


# Flask-Babel finds the request's locale, domain and catalogue through `_get_current_context` (the `g` proxy three
# times) for every lazy label and every `get_locale`: a lead page turns about seventy lazy labels (its forms, the
# navigation) into text. It finds the same namespace here without the proxy.
flask_babel._get_current_context = _babel_context


class RequestDomain(Domain):
    """The message domain, with the request's catalogue looked up once per request: a list page translates a few
    hundred strings (labels, headers, navigation), and Flask-Babel's own lookup formats the locale's name and reads
    the request globals several times for each. `force_locale` and `refresh` clear the remembered catalogue
    (`babel_translations`), so a block in another language still translates in that language."""

    def get_translations(self):
        ctx = _babel_context()
        if ctx is None:
            return NullTranslations()
        translations = getattr(ctx, 'babel_translations', None)
        if translations is None:
            translations = ctx.babel_translations = super().get_translations()
        return translations


def request_translations():
    """The catalogue of this request's language (as `flask_babel.get_translations`, without finding the domain
    first when the request already has its catalogue)."""
    ctx = _babel_context()
    translations = getattr(ctx, 'babel_translations', None) if ctx is not None else None
    return translations if translations is not None else get_translations()


@pass_eval_context
def template_gettext(eval_ctx, string: str, **variables) -> str:
    """Templates' `_()` and `gettext()`: what Jinja's i18n extension does for them (the translation marked safe
    in an autoescaped template, then formatted with `variables`, which are escaped), in one call instead of three
    nested `Context.call`s and the domain's lookup."""
    rv = request_translations().ugettext(string)
    if eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables


class RequestBabel(Babel):
    @cached_property
    def domain_instance(self):
        return RequestDomain(domain=self.domain)

    def init_app(self, app, *args, **kwargs):
        super().init_app(app, *args, **kwargs)
        app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)


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
