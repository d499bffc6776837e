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
