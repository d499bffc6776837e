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
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _project_root() -> Path:
    """Where templates, static files, migrations, seeds and translations are: `CRM_HOME` when set, else next to
    this file (a checkout, or an editable install), else the working directory (the product installed with a plain
    `pip install .` and run from its source folder)."""
    here = Path(__file__).resolve().parent
    for candidate in (os.environ.get('CRM_HOME'), here, Path.cwd()):
        if candidate and all((Path(candidate) / part).is_dir() for part in ('templates', 'migrations', 'seeds')):
            return Path(candidate).resolve()
    return here


ROOT = _project_root()
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


def _host_list(value: str) -> list[str]:
    return [part.strip().lower() for part in value.replace(';', ',').split(',') if part.strip()]


def trusted_hosts(settings) -> list[str]:
    """Flask's TRUSTED_HOSTS: the host of BASE_URL, the local names (not in production) and the extra ones."""
    return sorted({base_url_host(settings['BASE_URL']), *settings.get('LOCAL_HOSTS', ()),
                   *settings.get('EXTRA_TRUSTED_HOSTS', ())})


def base_url_host(base_url: str) -> str:
    """The host name of a base URL such as `https://crm.example.cn/` (raises ConfigError when it is not one)."""
    parts = urlsplit(base_url)
    if parts.scheme not in ('http', 'https') or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(f'CRM_BASE_URL 必须是完整的网址，例如 https://crm.example.cn（得到的是 {base_url!r}）'
                          f' (CRM_BASE_URL must be an absolute http(s) URL)')
    return parts.hostname.lower()


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
    # Flask-Limiter's counters: memory:// is per process (each gunicorn worker counts alone), so production keeps
    # them in Redis, shared by every worker; the key prefix separates installations sharing one Redis.
    RATELIMIT_STORAGE_URI = 'memory://'
    RATELIMIT_KEY_PREFIX = 'crm'
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = False
    # When Redis cannot be reached, count in each worker's memory until it is back (rather than failing requests).
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # The dashboard's figures cache (crm.core.cache): memory:// keeps it in each process; redis://… shares it
    # between every app process and machine, so an edit on one clears the figures on all of them.
    CACHE_URL = 'memory://'
    CACHE_KEY_PREFIX = 'crm'
    # Whether the app runs in this one process only (tests): then memory:// may also keep values that only an
    # invalidation corrects (the unread count, the platform options, list totals); several processes with memory://
    # compute those every time, since one process's change cannot reach another's memory.
    CACHE_ONE_PROCESS = False
    # The job queue (crm.jobs): Redis when JOBS_REDIS_URL is set (shared by every app process and worker), else a
    # SQLite file in the instance folder (one machine); JOBS_IMMEDIATE runs each task at once, inside the request.
    JOBS_REDIS_URL = ''
    JOBS_QUEUE_NAME = 'crm'  # names the queue's Redis keys (installations sharing one Redis)
    JOBS_IMMEDIATE = False
    # Second factor (TOTP): the roles that must enrol before using anything, and the code step's time limits.
    TOTP_REQUIRED_ROLES = ('admin',)
    TOTP_ISSUER = '拱墅招商CRM'
    TOTP_PENDING_SECONDS = 300
    TOTP_IP_LIMIT = '20 per minute'
    # Absolute links (share links, digests) are built from this address, never from the request's Host header.
    BASE_URL = 'http://127.0.0.1:5000'
    # Host names accepted in requests besides BASE_URL's (Flask refuses others with 400).
    LOCAL_HOSTS: tuple[str, ...] = ('localhost', '127.0.0.1', '::1')
    API_RATE_LIMIT = '300 per minute'  # per API token (per address for calls without one)
    BABEL_DEFAULT_LOCALE = 'zh_Hans_CN'
    # Business dates (today, overdue, month buckets, expiry, pack dates) are taken in this zone; instants are
    # stored in UTC. CRM_TIMEZONE changes it (an IANA name such as Asia/Shanghai).
    BUSINESS_TIMEZONE = 'Asia/Shanghai'
    BABEL_DEFAULT_TIMEZONE = 'Asia/Shanghai'
    LANGUAGES = ('zh_Hans_CN', 'en')
    PAGE_SIZE = 50
    # Exports of more rows than this are written by the job worker, with progress, and downloaded from their page
    # when ready; the files are kept this many hours.
    EXPORT_BACKGROUND_ROWS = 20_000
    EXPORT_KEEP_HOURS = 24
    HSTS = False

    def __init__(self) -> None:
        self.SQLALCHEMY_DATABASE_URI = os.environ.get('DATABASE_URL') or f'sqlite:///{INSTANCE / "crm.db"}'
        self.SECRET_KEY = os.environ.get('SECRET_KEY') or self.default_secret_key()
        self.RATELIMIT_STORAGE_URI = os.environ.get('RATELIMIT_STORAGE_URI', self.RATELIMIT_STORAGE_URI)
        self.RATELIMIT_KEY_PREFIX = os.environ.get('RATELIMIT_KEY_PREFIX', self.RATELIMIT_KEY_PREFIX)
        self.CACHE_URL = os.environ.get('CACHE_URL', self.CACHE_URL)
        self.CACHE_KEY_PREFIX = os.environ.get('CACHE_KEY_PREFIX', self.CACHE_KEY_PREFIX)
        self.JOBS_REDIS_URL = os.environ.get('HUEY_REDIS_URL', self.JOBS_REDIS_URL)
        self.JOBS_QUEUE_NAME = os.environ.get('JOBS_QUEUE_NAME', self.JOBS_QUEUE_NAME)
        self.BASE_URL = os.environ.get('CRM_BASE_URL', '').strip() or self.default_base_url()
        if self.BASE_URL:
            base_url_host(self.BASE_URL)
        self.EXTRA_TRUSTED_HOSTS = tuple(_host_list(os.environ.get('CRM_TRUSTED_HOSTS', '')))
        self.API_RATE_LIMIT = os.environ.get('API_RATE_LIMIT', self.API_RATE_LIMIT)
        self.LOGIN_IP_LIMIT = os.environ.get('LOGIN_IP_LIMIT', self.LOGIN_IP_LIMIT)
        self.EXPORT_BACKGROUND_ROWS = int(os.environ.get('CRM_EXPORT_BACKGROUND_ROWS', self.EXPORT_BACKGROUND_ROWS))
        self.EXPORT_KEEP_HOURS = int(os.environ.get('CRM_EXPORT_KEEP_HOURS', self.EXPORT_KEEP_HOURS))
        self.DEBUG = _bool('DEBUG', self.DEBUG)
        self.SMTP_HOST = os.environ.get('SMTP_HOST', '')
        self.SMTP_PORT = int(os.environ.get('SMTP_PORT', '25'))
        self.MAIL_FROM = os.environ.get('MAIL_FROM', 'crm@localhost')
        # Hosts a user's notification webhook may point at: the group robots of 企业微信 and 钉钉, unless the
        # administrator lists others (CRM_WEBHOOK_HOSTS, comma-separated).
        self.WEBHOOK_HOSTS = tuple(_host_list(os.environ.get('CRM_WEBHOOK_HOSTS', ''))) or (
            'qyapi.weixin.qq.com', 'oapi.dingtalk.com')
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

    def default_base_url(self) -> str:
        return self.BASE_URL

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
    # Every gunicorn worker shares one set of rate-limit counters, and one figures cache, in Redis.
    RATELIMIT_STORAGE_URI = 'redis://127.0.0.1:6379'
    CACHE_URL = 'redis://127.0.0.1:6379'
    # Only the public address (and CRM_TRUSTED_HOSTS) is accepted in the Host header.
    LOCAL_HOSTS = ()

    def default_secret_key(self) -> str:
        return ''

    def default_base_url(self) -> str:
        return ''

    def validate(self) -> None:
        if not self.SECRET_KEY:
            raise ConfigError('生产模式必须设置 SECRET_KEY 环境变量 (SECRET_KEY is required in production)')
        if len(self.SECRET_KEY) < 32:
            raise ConfigError('SECRET_KEY 至少 32 个字符 (SECRET_KEY must be at least 32 characters)')
        if self.DEBUG and not self.SQLALCHEMY_DATABASE_URI.startswith('sqlite'):
            raise ConfigError('生产数据库不允许开启 DEBUG (DEBUG is refused with a non-SQLite database)')
        if not self.BASE_URL:
            raise ConfigError('生产模式必须设置 CRM_BASE_URL：本系统对外的完整地址，例如 https://crm.example.cn。'
                              '分享链接和邮件里的链接都由它生成，不取自请求的 Host 头 '
                              '(CRM_BASE_URL is required in production)')


class TestingConfig(Config):
    """The test suite: fixed key, fast password hashing, limiter reset per test."""

    ENV_NAME = 'testing'
    TESTING = True
    PASSWORD_HASH_FAST = True
    BASE_URL = 'http://localhost'

    def __init__(self) -> None:
        super().__init__()
        self.RATELIMIT_STORAGE_URI = 'memory://'  # tests never share counters through a server
        self.CACHE_URL = 'memory://'  # nor figures
        self.CACHE_ONE_PROCESS = True  # the test client is the app's only process: kept values may live in memory
        self.JOBS_IMMEDIATE = True  # queued tasks run at once, inside the request

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
