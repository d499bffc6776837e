"""Database core: declarative base, engine set-up, one session per request.

SQLite is the embedded default. On SQLite every connection runs in WAL mode with
foreign keys on and a busy timeout, and the driver's implicit transactions are replaced
by explicit ones: requests that may write start with `BEGIN IMMEDIATE`, so concurrent
writers queue on the database lock instead of failing or losing each other's updates.
"""
from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone

from alembic.config import Config
from sqlalchemy import CheckConstraint, DateTime, MetaData, create_engine, event, exc, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, scoped_session, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

from config import ROOT
from crm.core import clock

NAMING_CONVENTION = {
    'ix': 'ix_%(column_0_label)s',
    'uq': 'uq_%(table_name)s_%(column_0_N_name)s',
    'ck': 'ck_%(table_name)s_%(constraint_name)s',
    'fk': 'fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s',
    'pk': 'pk_%(table_name)s',
}

def one_of(column: str, values: Iterable[str]) -> CheckConstraint:
    """A CHECK constraint keeping `column` to the given stored codes (a StrEnum's values), named
    ck_<table>_<column>: a bad code written by any path (a script, a bulk update) is refused by the database."""
    listed = ', '.join("'" + value.replace("'", "''") + "'" for value in values)
    return CheckConstraint(f'{column} IN ({listed})', name=column)


# Whether the current unit of work may write. GET requests set it to False; everything else
# (POSTs, CLI commands, jobs) keeps the safe default and takes the write lock up front on SQLite.
_write_intent: ContextVar[bool] = ContextVar('write_intent', default=True)


def declare_write_intent(may_write: bool) -> None:
    """Tell the engine whether transactions begun from now on may write."""
    _write_intent.set(may_write)


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC (from the one clock, crm.core.clock)."""
    return clock.now()


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == 'sqlite' else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    """Declarative base for every model, with stable constraint names for Alembic."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


SQLITE_MMAP_BYTES = 512 * 1024 * 1024
SQLITE_CACHE_KIB = 16 * 1024


def _sqlite_on_connect(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _sqlite_on_begin)
    cursor = dbapi_conn.cursor()
    cursor.execute('PRAGMA journal_mode=WAL')
    cursor.execute('PRAGMA foreign_keys=ON')
    cursor.execute('PRAGMA busy_timeout=10000')
    # Reads go through the OS page cache mapped into the process (no read() call and copy per page), and each
    # connection keeps more pages of its own; writes still go through the WAL with full syncs.
    cursor.execute(f'PRAGMA mmap_size={SQLITE_MMAP_BYTES}')
    cursor.execute(f'PRAGMA cache_size=-{SQLITE_CACHE_KIB}')
    cursor.close()
    # SQLite knows no time zones: month buckets by the office's calendar call back into Python
    dbapi_conn.create_function('crm_local_month', 2, _sqlite_local_month, deterministic=True)


@contextmanager
def unmapped_reads(connection: Connection) -> Iterator[None]:
    """Inside the block SQLite reads `connection`'s pages into its own page cache (SQLITE_CACHE_KIB at most) instead
    of mapping the file: a read of every row of a large table (an export) would otherwise leave each page it touched
    mapped, and the process's resident memory would grow by the size of the tables read (35 MB for 100,000 leads).
    Nothing changes on PostgreSQL."""
    if connection.dialect.name != 'sqlite':
        yield
        return
    connection.exec_driver_sql('PRAGMA mmap_size=0').close()
    try:
        yield
    finally:
        if not connection.closed:
            connection.exec_driver_sql(f'PRAGMA mmap_size={SQLITE_MMAP_BYTES}').close()


def _sqlite_local_month(value: str | None, zone_name: str) -> str | None:
    """`YYYY-MM` of a stored UTC timestamp on the wall clock of `zone_name`."""
    if value is None:
        return None
    instant = datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
    return f'{instant.astimezone(clock.zone_named(zone_name)):%Y-%m}'


def _sqlite_on_begin(conn) -> None:
    conn.exec_driver_sql('BEGIN IMMEDIATE' if _write_intent.get() else 'BEGIN')


# A database server's connections (PostgreSQL) are not tested before every use, which cost a round trip per request:
# a connection is pinged only when it lay unused in the pool longer than PING_AFTER_IDLE_SECONDS (a server restart,
# a firewall or an idle timeout may have closed it meanwhile), and replaced after POOL_RECYCLE_SECONDS whatever
# happens. A connection that breaks while in use fails that request; the pool then drops every connection made
# before the break (SQLAlchemy's disconnect handling), so the next requests get fresh ones.
PING_AFTER_IDLE_SECONDS = 30.0
POOL_RECYCLE_SECONDS = 1800
IDLE_SINCE = 'crm_idle_since'


def _note_idle(_dbapi_conn, record) -> None:
    record.info[IDLE_SINCE] = time.monotonic()


def _ping_if_idle(engine: Engine):
    def ping(dbapi_conn, record, _proxy) -> None:
        idle_since = record.info.pop(IDLE_SINCE, None)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError(f'connection lost while idle: {error}') from error
        if not alive:
            raise exc.DisconnectionError('connection lost while idle')
    return ping


# A read-only request (a GET) on a database server reads in autocommit mode: each SELECT is its own statement, and
# no BEGIN before the first one nor ROLLBACK at the end is sent (two round trips of a request that made three or
# four). At READ COMMITTED, PostgreSQL's default, the statements of a transaction that only reads see no more alike
# than statements on their own. The first statement that may write or lock (anything but a plain SELECT, a SELECT ...
# FOR UPDATE, a function with an effect, a server-side cursor) turns the transaction back on before it runs: a GET
# that records an access denial or a notification writes in one transaction, committed or rolled back as before.
READS_WITHOUT_TRANSACTION = 'crm_reads_without_transaction'
_PLAIN_READ = re.compile(r'\s*SELECT\b', re.IGNORECASE)
_EFFECTS = re.compile(r'\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE|KEY\s+SHARE)\b|\bINTO\b|nextval|setval|pg_advisory'
                      r'|set_config|lo_\w+\s*\(|txid_|pg_current_xact', re.IGNORECASE)


def _reads_without_transaction(dbapi_conn, record, _proxy) -> None:
    """checkout: a connection for a read-only unit of work starts in autocommit mode."""
    if _write_intent.get() or dbapi_conn.autocommit:
        return
    dbapi_conn.autocommit = True
    record.info[READS_WITHOUT_TRANSACTION] = True


def may_write(statement: str, cursor) -> bool:
    """Whether a statement needs a transaction: anything but a plain SELECT on a client-side cursor."""
    if type(cursor).__name__ != 'Cursor':  # a server-side cursor is declared in a transaction
        return True
    return not _PLAIN_READ.match(statement) or _EFFECTS.search(statement) is not None


def _transaction_before_writing(conn: Connection, cursor, statement, _parameters, _context, _many) -> None:
    """before_cursor_execute: a statement that may write or lock turns the transaction on (BEGIN comes first)."""
    fairy = conn.connection
    if fairy.info.get(READS_WITHOUT_TRANSACTION) and may_write(statement, cursor) \
            and 'isolation_level' not in conn.get_execution_options():
        del fairy.info[READS_WITHOUT_TRANSACTION]
        fairy.dbapi_connection.autocommit = False


def _transactions_again(dbapi_conn, record) -> None:
    """checkin: the connection goes back to the pool with transactions on (its autocommit reads had nothing to roll
    back)."""
    if record.info.pop(READS_WITHOUT_TRANSACTION, False) and dbapi_conn is not None and not dbapi_conn.closed:
        dbapi_conn.autocommit = False


def normalise_url(url: str) -> str:
    """Accept the usual `postgresql://` spelling and use the psycopg (v3) driver for it."""
    for prefix in ('postgres://', 'postgresql://'):
        if url.startswith(prefix):
            return 'postgresql+psycopg://' + url[len(prefix):]
    return url


def make_engine(url: str, *, echo: bool = False, pooled: bool = True) -> Engine:
    """Create an engine with the project's SQLite rules applied."""
    url = normalise_url(url)
    # JSON columns keep Chinese readable (and searchable with LIKE) instead of \uXXXX escapes.
    kwargs: dict = {'echo': echo, 'json_serializer': lambda obj: json.dumps(obj, ensure_ascii=False)}
    if not pooled:
        kwargs['poolclass'] = NullPool
    if url.startswith('sqlite'):
        kwargs.setdefault('connect_args', {})['check_same_thread'] = False
    elif pooled:
        kwargs['pool_recycle'] = POOL_RECYCLE_SECONDS
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == 'sqlite':
        event.listen(engine, 'connect', _sqlite_on_connect)
        event.listen(engine, 'begin', _sqlite_on_begin)
    elif pooled:
        event.listen(engine, 'checkin', _note_idle)
        event.listen(engine, 'checkout', _ping_if_idle(engine))
    if engine.dialect.name == 'postgresql' and pooled:
        event.listen(engine, 'checkout', _reads_without_transaction)
        event.listen(engine, 'before_cursor_execute', _transaction_before_writing)
        event.listen(engine, 'checkin', _transactions_again)
    return engine


# Search structures created by hand-written migrations; autogenerate must leave them alone.
UNMANAGED_TABLE_PREFIXES = ('plan_fts',)
UNMANAGED_INDEXES = ('ix_plan_paragraph_text_norm_trgm', 'ix_unit_vacancy_rent_desc')


def include_in_autogenerate(name, type_, _parent_names) -> bool:
    """Alembic `include_name` hook: skip the FTS5 tables and the pg_trgm index."""
    if type_ == 'table' and name and name.startswith(UNMANAGED_TABLE_PREFIXES):
        return False
    return not (type_ == 'index' and name in UNMANAGED_INDEXES)


class Database:
    """Holds the engine and the request-scoped session registry."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.session = scoped_session(sessionmaker(autoflush=True, expire_on_commit=True))

    def init_app(self, app) -> None:
        self.engine = make_engine(app.config['SQLALCHEMY_DATABASE_URI'], echo=app.config.get('SQLALCHEMY_ECHO', False))
        self.session.remove()
        self.session.configure(bind=self.engine)
        app.extensions['crm_db'] = self

        @app.teardown_appcontext
        def _remove_session(_exc=None) -> None:
            self.session.remove()

    @property
    def dialect(self) -> str:
        bind = self.session.get_bind()
        return bind.dialect.name


db = Database()


def refresh_statistics() -> None:
    """Refresh the embedded database's planner statistics (PostgreSQL's autovacuum does this by itself): without
    them SQLite may read a whole scope through an index where one pass over a covering index is far cheaper."""
    if db.engine.dialect.name == 'sqlite':
        with db.engine.begin() as conn:
            conn.execute(text('ANALYZE'))


# New revisions are named by the date and time they were written, then their id and message (as in alembic.ini).
FILE_TEMPLATE = '%%(year)d%%(month).2d%%(day).2d_%%(hour).2d%%(minute).2d_%%(rev)s_%%(slug)s'


def alembic_config(url: str) -> Config:
    """Alembic configuration pointing at migrations/ and the given database."""
    cfg = Config()
    cfg.set_main_option('script_location', str(ROOT / 'migrations'))
    cfg.set_main_option('file_template', FILE_TEMPLATE)
    cfg.set_main_option('sqlalchemy.url', url.replace('%', '%%'))
    return cfg
