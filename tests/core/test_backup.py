"""Backup and restore (T18): a backup taken while writer processes run is consistent; restoring it into a fresh
database gives back exactly the rows and files of the backup moment; damaged, foreign or newer archives and
non-empty targets are refused before anything is changed."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from crm.backup import BackupError, create_backup, restore_backup, table_fingerprints
from crm.db import normalise_url
from tests.conftest import migrate
from tests.core import workload

BIN = Path(sys.executable).parent


def _fingerprints(url: str) -> dict:
    engine = create_engine(normalise_url(url), poolclass=NullPool)
    with engine.connect() as conn:
        result = table_fingerprints(conn)
    engine.dispose()
    return result


def _count(url: str, table: str) -> int:
    engine = create_engine(normalise_url(url), poolclass=NullPool)
    with engine.connect() as conn:
        result = conn.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar()
    engine.dispose()
    return result


def _instance_files(instance: Path) -> dict[str, bytes]:
    return {p.relative_to(instance).as_posix(): p.read_bytes()
            for folder in ('packs', 'media') for p in sorted((instance / folder).rglob('*')) if p.is_file()}


@pytest.fixture
def source(scratch_databases, tmp_path):
    """A migrated database with firms, leads and units, and stored pack and media files in its instance folder."""
    url = scratch_databases()
    migrate(url)
    instance = tmp_path / 'source-instance'
    [ids] = workload.run_processes(workload.setup, [(url, str(instance), 20, 10)])
    (instance / 'packs' / 'ab').mkdir(parents=True)
    (instance / 'packs' / 'ab' / ('ab' + '0' * 62 + '.pdf')).write_bytes(b'%PDF-1.7 stored pack\n')
    (instance / 'media').mkdir()
    (instance / 'media' / 'f00d.png').write_bytes(b'\x89PNG\r\n\x1a\n' + bytes(range(256)))
    return url, instance, ids


def _rewrite(archive: Path, out: Path, change) -> None:
    """Copy an archive member by member, letting `change(name, data)` alter the bytes."""
    with tarfile.open(archive) as src, tarfile.open(out, 'w:gz') as dst:
        for info in src:
            data = change(info.name, src.extractfile(info).read())
            if data is None:
                continue
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))


def test_backup_under_writer_processes_restores_exactly(source, scratch_databases, tmp_path):
    url, instance, ids = source
    before = _count(url, 'firm')
    wait = workload.start_processes(workload.mixed_writer,
                                    [(url, str(instance), ids, seed, 10_000, 4.0) for seed in range(1, 5)])
    time.sleep(1.5)  # the writers are committing now
    archive = tmp_path / 'under-load.tar.gz'
    manifest = create_backup(url, instance, archive)
    writers = wait()
    assert [w['errors'] for w in writers] == [[]] * 4
    assert sum(w['ops'] for w in writers) > 0
    tables = manifest['tables']
    # The backup caught the writers mid-way: it holds some of their rows but not all of them.
    assert tables['firm']['rows'] >= before
    assert _count(url, 'audit_event') > tables['audit_event']['rows']
    assert manifest['engine'] == scratch_databases.kind and manifest['alembic_revision']
    assert manifest['files'] == {'packs': 1, 'media': 1}

    if scratch_databases.kind == 'sqlite':  # the snapshot itself is sound
        with tarfile.open(archive) as tar:
            tar.extract('database.sqlite3', tmp_path / 'snapshot')
        assert workload.sqlite_integrity(str(tmp_path / 'snapshot' / 'database.sqlite3')) == ('ok', [])

    target = scratch_databases()  # fresh and empty, not even migrated
    restored_instance = tmp_path / 'restored-instance'
    result = restore_backup(archive, target, restored_instance)
    assert result['verified'] and not result['replaced'] and not result['needs_upgrade']
    assert result['tables'] == {name: t['rows'] for name, t in tables.items()}
    assert _fingerprints(target) == tables  # row counts and per-table checksums of the backup moment
    assert _instance_files(restored_instance) == _instance_files(instance)
    engine = create_engine(normalise_url(target), poolclass=NullPool)
    assert workload.orphan_references(engine) == {}
    engine.dispose()
    if scratch_databases.kind == 'sqlite':
        assert workload.sqlite_integrity(target.removeprefix('sqlite:///')) == ('ok', [])


def test_restore_refuses_damaged_foreign_and_newer_archives(source, scratch_databases, tmp_path):
    url, instance, _ids = source
    archive = tmp_path / 'good.tar.gz'
    create_backup(url, instance, archive)
    target, target_instance = scratch_databases(), tmp_path / 'target-instance'

    tampered = tmp_path / 'tampered.tar.gz'
    _rewrite(archive, tampered, lambda name, data: data.replace(b'stored pack', b'forged pack')
             if name.startswith('files/packs/') else data)
    with pytest.raises(BackupError, match='SHA-256'):
        restore_backup(tampered, target, target_instance)

    dropped = tmp_path / 'dropped.tar.gz'
    _rewrite(archive, dropped, lambda name, data: None if name.startswith('files/media/') else data)
    with pytest.raises(BackupError, match='与清单不符'):
        restore_backup(dropped, target, target_instance)

    newer = tmp_path / 'newer.tar.gz'

    def bump(name, data):
        if name != 'manifest.json':
            return data
        return json.dumps({**json.loads(data), 'alembic_revision': 'ffffffffffff'}).encode()

    _rewrite(archive, newer, bump)
    with pytest.raises(BackupError, match='比本程序更新'):
        restore_backup(newer, target, target_instance)

    truncated = tmp_path / 'truncated.tar.gz'
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(BackupError, match='已损坏'):
        restore_backup(truncated, target, target_instance)
    not_an_archive = tmp_path / 'notes.tar.gz'
    not_an_archive.write_text('这不是备份')
    with pytest.raises(BackupError, match='已损坏'):
        restore_backup(not_an_archive, target, target_instance)
    with pytest.raises(BackupError, match='备份文件不存在'):
        restore_backup(tmp_path / 'missing.tar.gz', target, target_instance)

    other_kind = 'postgresql://postgres@127.0.0.1:5432/none' if scratch_databases.kind == 'sqlite' \
        else f'sqlite:///{tmp_path / "other.db"}'
    with pytest.raises(BackupError, match='不能恢复到'):
        restore_backup(archive, other_kind, target_instance)

    # Nothing was touched by the refusals.
    if scratch_databases.kind == 'sqlite':
        assert not Path(target.removeprefix('sqlite:///')).exists()
    else:
        assert _fingerprints(target) == {}
    assert not target_instance.exists()


def test_restore_refuses_a_database_with_data_unless_forced(source, scratch_databases, tmp_path):
    url, instance, _ids = source
    archive = tmp_path / 'backup.tar.gz'
    manifest = create_backup(url, instance, archive)
    target = scratch_databases()
    migrate(target)
    target_instance = tmp_path / 'busy-instance'
    workload.run_processes(workload.setup, [(target, str(target_instance), 3, 2)])
    with pytest.raises(BackupError, match='不为空.*--force'):
        restore_backup(archive, target, target_instance)
    assert _count(target, 'firm') == 3
    result = restore_backup(archive, target, target_instance, force=True)
    assert result['replaced']['firm'] == 3
    assert _fingerprints(target) == manifest['tables']
    assert _instance_files(target_instance) == _instance_files(instance)


def _crm(url: str, instance: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, 'CRM_ENV': 'testing', 'DATABASE_URL': url, 'CRM_INSTANCE_PATH': str(instance)}
    return subprocess.run([str(BIN / 'crm'), *args], env=env, capture_output=True, text=True, timeout=120)


def test_backup_and_restore_commands_print_json_and_chinese_errors(source, scratch_databases, tmp_path):
    url, instance, _ids = source
    archive = tmp_path / 'cli.tar.gz'
    done = _crm(url, instance, 'backup', str(archive), '--json')
    assert done.returncode == 0, done.stderr
    manifest = json.loads(done.stdout)
    assert manifest['archive'] == str(archive) and manifest['tables']['firm']['rows'] == 20
    assert set(manifest['members']) == {f'database.{"sqlite3" if scratch_databases.kind == "sqlite" else "pgdump"}',
                                        'files/packs/ab/ab' + '0' * 62 + '.pdf', 'files/media/f00d.png'}

    target, target_instance = scratch_databases(), tmp_path / 'cli-target'
    done = _crm(target, target_instance, 'restore', str(archive), '--json')
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary['verified'] is True
    assert summary['tables'] == {name: t['rows'] for name, t in manifest['tables'].items()}

    again = _crm(target, target_instance, 'restore', str(archive))
    assert again.returncode == 1 and '目标数据库或实例目录不为空' in again.stderr and '--force' in again.stderr
