"""Concurrent writers: SQLite transactions that may write take the lock first, so no update is lost;
cross-request edits are caught by the version column on both databases."""
import multiprocessing as mp

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crm.cli import alembic_config
from crm.db import make_engine
from crm.platforms.models import Platform


def _increment(url: str, platform_id: int, times: int) -> None:
    engine = make_engine(url)
    for _ in range(times):
        with Session(engine) as session, session.begin():
            platform = session.get(Platform, platform_id)
            platform.name = str(int(platform.name) + 1)  # read-modify-write
    engine.dispose()


def test_processes_writing_one_row_lose_nothing_on_sqlite(tmp_path):
    from alembic import command

    url = f'sqlite:///{tmp_path / "race.db"}'
    command.upgrade(alembic_config(url), 'head')
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        session.add(Platform(key='race', name='0', kind='产业园', district='拱墅区'))
    with Session(engine) as session:
        platform_id = session.scalar(select(Platform.id))
    workers, times = 4, 40
    ctx = mp.get_context('spawn')
    procs = [ctx.Process(target=_increment, args=(url, platform_id, times)) for _ in range(workers)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    with Session(engine) as session:
        platform = session.get(Platform, platform_id)
        assert platform.name == str(workers * times)
        assert platform.version == workers * times + 1
    engine.dispose()


def test_version_column_refuses_a_stale_flush(db_session):
    platform = Platform(key='stale-test', name='甲', kind='产业园', district='拱墅区')
    db_session.add(platform)
    db_session.commit()
    db_session.execute(Platform.__table__.update().where(Platform.id == platform.id).values(version=5))
    platform.name = '乙'
    with pytest.raises(StaleDataError):
        db_session.flush()
