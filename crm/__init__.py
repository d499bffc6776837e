"""园区招商 CRM: the application factory, built from small named steps."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask

import crm.models  # noqa: F401  (registers models and scope rules)
from config import ROOT, Config, load_config, trusted_hosts
from crm import jobs
from crm.admin.views import bp as admin_bp
from crm.api import init_app as init_api
from crm.api.auth import load_session_user, load_token_user
from crm.auth import gate
from crm.auth.views import bp as auth_bp
from crm.cli import register as register_commands
from crm.core import cache, i18n, security, transactions
from crm.core.errors import init_app as init_error_pages
from crm.core.export_views import bp as exports_bp
from crm.core.i18n import select_locale, select_timezone
from crm.core.import_views import bp as imports_bp
from crm.core.templating import init_app as init_template_helpers
from crm.core.validators import RecordIdConverter
from crm.db import db as database
from crm.extensions import babel, csrf, limiter, login_manager
from crm.firms.views import bp as firms_bp
from crm.leads.aftercare_views import bp as projects_bp
from crm.leads.views import bp as leads_bp
from crm.main.views import bp as main_bp
from crm.notifications import events as notification_events  # noqa: F401  (listens to what leads and packs announce)
from crm.notifications import services as notification_services
from crm.notifications.views import bp as notifications_bp
from crm.packs.views import bp as packs_bp
from crm.plans.views import bp as plans_bp
from crm.platforms import (
    plan_views,  # noqa: F401  (adds the floor plan and unit outline routes)
    unit_views,  # noqa: F401  (adds building and unit routes to the blueprint)
)
from crm.platforms.views import bp as platforms_bp
from crm.policies.views import bp as policies_bp
from crm.targets.views import bp as targets_bp


def create_app(config: Config | dict[str, Any] | str | None = None) -> Flask:
    """Build the app. `config` is a Config object, a mode name, or a mapping of overrides."""
    app = Flask(__name__, template_folder=str(ROOT / 'templates'), static_folder=str(ROOT / 'static'))
    configure_app(app, config)
    init_database(app)
    init_extensions(app)
    register_request_hooks(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_cli(app)
    return app


def configure_app(app: Flask, config: Config | dict[str, Any] | str | None) -> None:
    """Load settings from the environment, then apply explicit overrides."""
    if isinstance(config, Config):
        settings = config
    else:
        settings = load_config(config if isinstance(config, str) else None)
    app.config.from_object(settings)
    if isinstance(config, dict):
        app.config.update(config)
    if not app.config.get('TRUSTED_HOSTS') and app.config.get('BASE_URL'):
        # Requests naming any other host are refused (400), so no link can be built from a forged Host header.
        app.config['TRUSTED_HOSTS'] = trusted_hosts(app.config)
    app.instance_path = app.config['INSTANCE_PATH']
    app.url_map.converters['int'] = RecordIdConverter  # before any route is added
    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(name)s: %(message)s')


def init_database(app: Flask) -> None:
    """Engine, request-scoped session and every model's metadata and access rules."""
    database.init_app(app)


def init_extensions(app: Flask) -> None:
    """CSRF, login, rate limiting, translations, the figures cache and the job queue."""
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = 'auth.login'
    login_manager.login_message = None
    login_manager.session_protection = 'basic'
    login_manager.user_loader(load_session_user)  # the browser session, unless an API request shows a token
    login_manager.request_loader(load_token_user)  # API tokens (Authorization: Bearer …)
    app.config.setdefault('RATELIMIT_STORAGE_URI', 'memory://')
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone,
                   default_translation_directories=str(ROOT / 'crm' / 'translations'))
    cache.init_app(app)  # the figures cache: this process, or Redis shared by every app process
    jobs.init_app(app)  # the job queue: at once (tests), a SQLite file, or Redis shared by every app process


def register_request_hooks(app: Flask) -> None:
    """Request id, audit actor, write intent, security headers, display filters, the second-factor gate, and the
    commit of what a hook that answers the request itself wrote."""
    security.init_app(app)
    transactions.init_app(app)
    i18n.init_app(app)
    gate.init_app(app)  # after the request id and the signed-in user are known


def register_blueprints(app: Flask) -> None:
    """Each feature package contributes one blueprint."""
    for blueprint in (main_bp, auth_bp, admin_bp, leads_bp, packs_bp, platforms_bp, firms_bp, targets_bp, plans_bp,
                      policies_bp, exports_bp, imports_bp, projects_bp, notifications_bp):
        app.register_blueprint(blueprint)
    notification_services.init_app(app)
    init_api(app)


def register_error_handlers(app: Flask) -> None:
    """Generic error pages (Chinese first) that show the request id, never internals."""
    init_error_pages(app)


def register_template_helpers(app: Flask) -> None:
    """Navigation, permissions and the demo banner for templates."""
    init_template_helpers(app)


def register_cli(app: Flask) -> None:
    """The `crm` command groups."""
    register_commands(app)
