"""Settings read from the environment.

`CRM_ENV` selects the mode: `development` (default), `production` or `testing`.
Production has no secret defaults: the app refuses to start without `SECRET_KEY`,
and refuses `DEBUG` together with a non-SQLite database.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ROOT = Path(__file__).resolve().parent
INSTANCE = Path(os.environ.get('CRM_INSTANCE_PATH', ROOT / 'instance'))


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {'1', 'true', 'yes', 'on'}


def _dev_secret_key() -> str:
    """A per-installation random key kept in instance/ so that dev sessions survive restarts."""
    path = INSTANCE / 'secret_key'
    if not path.exists():
        INSTANCE.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class ConfigError(RuntimeError):
    """Raised when the configuration is unsafe or incomplete."""


class Config:
    """Base settings shared by every mode."""

    ENV_NAME = 'development'
    DEBUG = False
    TESTING = False
    SQLALCHEMY_ECHO = False
    # Sessions: signed cookie plus a server-side session row (revocable), idle and absolute timeouts.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = 'Lax'
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = 'crm_session'
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_IDLE_MINUTES = 30
    # The cookie is re-signed when the activity stamp moves (every 30 s of use, see crm.auth.sessions), not on
    # every request; the server-side row enforces the absolute lifetime either way.
    SESSION_REFRESH_EACH_REQUEST = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = 'Lax'
    # CSRF tokens live as long as the session, so a slow form never loses the user's input.
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    # Login throttling: per account/identifier in the database, per IP through Flask-Limiter.
    LOGIN_MAX_FAILURES = 5
    LOGIN_FAILURE_WINDOW_SECONDS = 60
    LOGIN_IP_LIMIT = '30 per minute'
    RATELIMIT_STORAGE_URI = 'memory://'
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = False
    API_RATE_LIMIT = '300 per minute'  # per API token (per address for calls without one)
    BABEL_DEFAULT_LOCALE = 'zh_Hans_CN'
    # Business dates (today, overdue, month buckets, expiry, pack dates) are taken in this zone; instants are
    # stored in UTC. CRM_TIMEZONE changes it (an IANA name such as Asia/Shanghai).
    BUSINESS_TIMEZONE = 'Asia/Shanghai'
    BABEL_DEFAULT_TIMEZONE = 'Asia/Shanghai'
    LANGUAGES = ('zh_Hans_CN', 'en')
    PAGE_SIZE = 50
    HSTS = False

    def __init__(self) -> None:
        self.SQLALCHEMY_DATABASE_URI = os.environ.get('DATABASE_URL') or f'sqlite:///{INSTANCE / "crm.db"}'
        self.SECRET_KEY = os.environ.get('SECRET_KEY') or self.default_secret_key()
        self.RATELIMIT_STORAGE_URI = os.environ.get('RATELIMIT_STORAGE_URI', self.RATELIMIT_STORAGE_URI)
        self.API_RATE_LIMIT = os.environ.get('API_RATE_LIMIT', self.API_RATE_LIMIT)
        self.DEBUG = _bool('DEBUG', self.DEBUG)
        self.SMTP_HOST = os.environ.get('SMTP_HOST', '')
        self.SMTP_PORT = int(os.environ.get('SMTP_PORT', '25'))
        self.MAIL_FROM = os.environ.get('MAIL_FROM', 'crm@localhost')
        self.INSTANCE_PATH = str(INSTANCE)
        self.BUSINESS_TIMEZONE = os.environ.get('CRM_TIMEZONE') or self.BUSINESS_TIMEZONE
        try:
            ZoneInfo(self.BUSINESS_TIMEZONE)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f'未知的时区 CRM_TIMEZONE={self.BUSINESS_TIMEZONE} (expected an IANA name such as '
                              f'Asia/Shanghai)') from exc
        self.BABEL_DEFAULT_TIMEZONE = self.BUSINESS_TIMEZONE

    def default_secret_key(self) -> str:
        return _dev_secret_key()

    def validate(self) -> None:
        """Hook for modes that must refuse unsafe settings."""


class DevelopmentConfig(Config):
    """`make run` on a workstation: plain HTTP on 127.0.0.1."""


class ProductionConfig(Config):
    """Behind HTTPS: secure cookies, HSTS, no defaults for secrets."""

    ENV_NAME = 'production'
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = '__Host-crm_session'
    REMEMBER_COOKIE_SECURE = True
    HSTS = True

    def default_secret_key(self) -> str:
        return ''

    def validate(self) -> None:
        if not self.SECRET_KEY:
            raise ConfigError('生产模式必须设置 SECRET_KEY 环境变量 (SECRET_KEY is required in production)')
        if len(self.SECRET_KEY) < 32:
            raise ConfigError('SECRET_KEY 至少 32 个字符 (SECRET_KEY must be at least 32 characters)')
        if self.DEBUG and not self.SQLALCHEMY_DATABASE_URI.startswith('sqlite'):
            raise ConfigError('生产数据库不允许开启 DEBUG (DEBUG is refused with a non-SQLite database)')


class TestingConfig(Config):
    """The test suite: fixed key, fast password hashing, limiter reset per test."""

    ENV_NAME = 'testing'
    TESTING = True
    PASSWORD_HASH_FAST = True

    def default_secret_key(self) -> str:
        return 'testing-secret-key-not-for-production-use-0123456789'


MODES = {'development': DevelopmentConfig, 'production': ProductionConfig, 'testing': TestingConfig}


def load_config(mode: str | None = None) -> Config:
    """Build the settings object for `mode` (default: the CRM_ENV variable)."""
    name = mode or os.environ.get('CRM_ENV', 'development')
    if name not in MODES:
        raise ConfigError(f'未知的 CRM_ENV: {name} (expected one of {", ".join(MODES)})')
    config = MODES[name]()
    config.validate()
    return config
