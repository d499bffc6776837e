"""The connection pool of a database server (PostgreSQL): connections are not pinged before every use, only after
lying idle, and one that the server closed meanwhile is replaced before the app uses it."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from crm import db as database
from crm.db import make_engine

# SQLite is a file: there is no server connection to lose, so these run on PostgreSQL only
pytestmark = pytest.mark.parametrize('scratch_databases', ['postgresql'], indirect=True)


def _server_engine(scratch_databases):
    url = scratch_databases()
    return url, make_engine(url)


def _backend_pid(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text('SELECT pg_backend_pid()')).scalar()


def _pings(engine, monkeypatch) -> list[int]:
    pings: list[int] = []
    real = engine.dialect.do_ping

    def counted(dbapi_conn):
        pings.append(1)
        return real(dbapi_conn)

    monkeypatch.setattr(engine.dialect, 'do_ping', counted)
    return pings


def test_a_connection_used_a_moment_ago_is_not_pinged(scratch_databases, monkeypatch):
    _url, engine = _server_engine(scratch_databases)
    pings = _pings(engine, monkeypatch)
    try:
        first = _backend_pid(engine)
        assert [_backend_pid(engine) for _ in range(3)] == [first] * 3  # the same pooled connection each time
        assert pings == []
    finally:
        engine.dispose()


def test_a_connection_idle_too_long_is_pinged_once_and_kept_when_alive(scratch_databases, monkeypatch):
    _url, engine = _server_engine(scratch_databases)
    pings = _pings(engine, monkeypatch)
    try:
        first = _backend_pid(engine)
        monkeypatch.setattr(database, 'PING_AFTER_IDLE_SECONDS', 0.0)
        assert _backend_pid(engine) == first
        assert pings == [1]
    finally:
        engine.dispose()


def test_a_connection_the_server_closed_while_idle_is_replaced_before_use(scratch_databases, monkeypatch):
    url, engine = _server_engine(scratch_databases)
    try:
        lost = _backend_pid(engine)
        admin = create_engine(url, isolation_level='AUTOCOMMIT')
        with admin.connect() as conn:
            assert conn.execute(text('SELECT pg_terminate_backend(:pid)'), {'pid': lost}).scalar() is True
        admin.dispose()
        monkeypatch.setattr(database, 'PING_AFTER_IDLE_SECONDS', 0.0)
        with engine.connect() as conn:  # no error: the dead connection was found on checkout and replaced
            assert conn.execute(text('SELECT 1')).scalar() == 1
            assert conn.execute(text('SELECT pg_backend_pid()')).scalar() != lost
    finally:
        engine.dispose()


def _in_transaction(conn) -> bool:
    from psycopg.pq import TransactionStatus

    return conn.connection.dbapi_connection.info.transaction_status != TransactionStatus.IDLE


@pytest.fixture
def reading(monkeypatch):
    """Units of work declared read-only from here on (as a GET request declares itself)."""
    database.declare_write_intent(False)
    yield
    database.declare_write_intent(True)


def test_a_read_only_unit_of_work_reads_without_a_transaction(scratch_databases, reading):
    _url, engine = _server_engine(scratch_databases)
    try:
        with engine.connect() as conn:
            assert conn.execute(text('SELECT 1')).scalar() == 1
            assert not _in_transaction(conn)  # no BEGIN was sent, and no ROLLBACK will be
            conn.rollback()
        database.declare_write_intent(True)
        with engine.connect() as conn:  # the same connection, back in the pool with transactions on
            conn.execute(text('SELECT 1'))
            assert _in_transaction(conn)
    finally:
        engine.dispose()


@pytest.mark.parametrize('statement', ['CREATE TEMPORARY TABLE seen (n int)', 'SELECT 1 FOR UPDATE',
                                       "SELECT nextval('counter')", 'SELECT pg_advisory_xact_lock(7)'])
def test_a_read_only_unit_of_work_turns_the_transaction_on_before_it_writes_or_locks(scratch_databases, reading,
                                                                                      statement):
    _url, engine = _server_engine(scratch_databases)
    try:
        with engine.begin() as conn:
            conn.execute(text('CREATE SEQUENCE counter'))  # a DDL statement: in a transaction, committed
        with engine.connect() as conn:
            conn.execute(text('SELECT 1'))
            conn.execute(text(statement))
            assert _in_transaction(conn)
            conn.rollback()
            assert conn.execute(text("SELECT to_regclass('pg_temp.seen') IS NULL")).scalar() is True
    finally:
        engine.dispose()


def test_a_write_after_reads_without_a_transaction_commits_or_rolls_back_as_one(scratch_databases, reading):
    _url, engine = _server_engine(scratch_databases)
    try:
        database.declare_write_intent(True)
        with engine.begin() as conn:
            conn.execute(text('CREATE TABLE marks (n int)'))
        database.declare_write_intent(False)
        with engine.connect() as conn:
            assert conn.execute(text('SELECT count(*) FROM marks')).scalar() == 0
            conn.execute(text('INSERT INTO marks VALUES (1)'))
            conn.execute(text('INSERT INTO marks VALUES (2)'))
            conn.rollback()  # both undone: they were one transaction
            assert conn.execute(text('SELECT count(*) FROM marks')).scalar() == 0
            conn.execute(text('INSERT INTO marks VALUES (3)'))
            conn.commit()
        with engine.connect() as conn:
            assert conn.execute(text('SELECT n FROM marks')).scalars().all() == [3]
    finally:
        engine.dispose()


def test_a_read_only_unit_of_work_streams_rows_through_a_server_side_cursor(scratch_databases, reading):
    _url, engine = _server_engine(scratch_databases)
    try:
        with engine.connect() as conn:
            rows = conn.execution_options(stream_results=True, max_row_buffer=2).execute(
                text('SELECT n FROM generate_series(1, 5) AS n'))
            assert [n for (n,) in rows] == [1, 2, 3, 4, 5]  # declared inside a transaction begun for it
    finally:
        engine.dispose()
