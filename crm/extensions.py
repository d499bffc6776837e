"""Flask extensions, created here and bound to the app in the factory."""
from functools import cached_property

from babel.support import NullTranslations
from flask_babel import Babel, Domain, _get_current_context
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
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


babel = RequestBabel()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
