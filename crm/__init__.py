"""园区招商 CRM: the application factory, built from small named steps."""
from __future__ import annotations

import importlib
import logging
from types import ModuleType
from typing import Any

from flask import Flask

from config import ROOT, Config, load_config, trusted_hosts
from crm import jobs
from crm.auth import gate
from crm.cli import register as register_commands
from crm.core import cache, i18n, security, transactions
from crm.core.errors import init_app as init_error_pages
from crm.core.i18n import select_locale, select_timezone
from crm.core.templating import init_app as init_template_helpers
from crm.core.validators import RecordIdConverter
from crm.db import db as database
from crm.extensions import babel, csrf, limiter, login_manager

# The features, in the order they are built on (tests/core/test_import_graph.py's LAYERS): each is a package
# crm/<name>/ whose registration module crm/<name>/feature.py declares its tables, access rules, jobs and API
# operations when imported, and whose init_app(app) registers its blueprints, hooks and commands.
FEATURES = ('core', 'auth', 'plans', 'platforms', 'firms', 'leads', 'policies', 'matching', 'packs', 'targets',
            'notifications', 'api', 'main', 'admin')


def load_features() -> list[ModuleType]:
    """Every feature's registration module, in the declared order. Importing them declares every table (complete
    metadata for Alembic and the firm merge), access rule, job and API operation."""
    return [importlib.import_module(f'crm.{name}.feature') for name in FEATURES]


def create_app(config: Config | dict[str, Any] | str | None = None) -> Flask:
    """Build the app. `config` is a Config object, a mode name, or a mapping of overrides."""
    app = Flask(__name__, template_folder=str(ROOT / 'templates'), static_folder=str(ROOT / 'static'))
    configure_app(app, config)
    init_database(app)
    init_extensions(app)
    register_request_hooks(app)
    register_features(app)
    init_jobs(app)
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
    """Engine and request-scoped session."""
    database.init_app(app)


def init_extensions(app: Flask) -> None:
    """CSRF, login, rate limiting, translations and the figures cache."""
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = 'auth.login'
    login_manager.login_message = None
    login_manager.session_protection = 'basic'
    app.config.setdefault('RATELIMIT_STORAGE_URI', 'memory://')
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone,
                   default_translation_directories=str(ROOT / 'crm' / 'translations'))
    cache.init_app(app)  # the figures cache: this process, or Redis shared by every app process


def register_request_hooks(app: Flask) -> None:
    """Request id, audit actor, write intent, security headers, display filters, the second-factor gate, and the
    commit of what a hook that answers the request itself wrote."""
    security.init_app(app)
    transactions.init_app(app)
    i18n.init_app(app)
    gate.init_app(app)  # after the request id and the signed-in user are known


def register_features(app: Flask) -> None:
    """Each feature, in the declared order, registers its blueprints, hooks and commands."""
    for feature in load_features():
        feature.init_app(app)


def init_jobs(app: Flask) -> None:
    """The job queue (at once in the tests, a SQLite file, or Redis shared by every app process), with a task for
    every job the features declared."""
    jobs.init_app(app)


def register_error_handlers(app: Flask) -> None:
    """Generic error pages (Chinese first) that show the request id, never internals."""
    init_error_pages(app)


def register_template_helpers(app: Flask) -> None:
    """Navigation, permissions and the demo banner for templates."""
    init_template_helpers(app)


def register_cli(app: Flask) -> None:
    """The application's own `crm` commands (database, seed, demo, backups, the worker)."""
    register_commands(app)
