"""Backups (`crm backup`, `crm restore`): one .tar.gz holding a consistent database snapshot, the instance files
the database points at, and a manifest.

SQLite is copied with the online backup API, which reads one consistent state while writers go on (WAL mode).
PostgreSQL is dumped with `pg_dump --format=custom` inside an exported snapshot, and the manifest's row counts
and table checksums are computed in that same snapshot, so they describe exactly the dumped data.

Restore verifies every member against the manifest before touching anything, refuses an archive from a newer
schema than this code knows, refuses a non-empty target unless forced, and checks the restored tables against
the manifest's row counts and checksums.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from datetime import date, datetime
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any
from uuid import UUID

from alembic.script import ScriptDirectory
from psycopg.conninfo import make_conninfo
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import NullPool

from crm.db import UNMANAGED_TABLE_PREFIXES, alembic_config, normalise_url, utcnow

FORMAT = 'gongshu-crm-backup'
FORMAT_VERSION = 1
MANIFEST = 'manifest.json'
DB_MEMBERS = {'sqlite': 'database.sqlite3', 'postgresql': 'database.pgdump'}
# Instance folders whose files rows point at: stored pack PDFs (content-addressed) and building/unit images.
# Raw plan files live in the database (plan_document.raw). uploads/ only holds one-hour import previews.
INSTANCE_FOLDERS = ('packs', 'media', 'policy_docs')
ENGINE_NAMES = {'sqlite': 'SQLite', 'postgresql': 'PostgreSQL'}
# Tables the migrations themselves fill: a database holding rows only there counts as empty.
MIGRATION_FILLED_TABLES = ('alembic_version', 'role')


class BackupError(RuntimeError):
    """The backup or restore cannot go on; the message (Chinese first) says why."""


# --- fingerprints -----------------------------------------------------------------------------------------------

def _canonical(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return 'sha256:' + hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(value, (datetime, date, dtime)):
        return value.isoformat()
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    return str(value)


def data_tables(conn: Connection) -> list[str]:
    """The tables whose rows are backed up and counted (search indexes derived from them are left out)."""
    names = inspect(conn).get_table_names()
    return sorted(n for n in names if not n.startswith(('sqlite_', *UNMANAGED_TABLE_PREFIXES)))


def table_fingerprints(conn: Connection) -> dict[str, dict[str, Any]]:
    """Row count and an order-independent SHA-256 of the contents of every data table."""
    quote = conn.dialect.identifier_preparer.quote
    result = {}
    for name in data_tables(conn):
        digests = []
        for row in conn.exec_driver_sql(f'SELECT * FROM {quote(name)}'):
            text = json.dumps(list(row), default=_canonical, ensure_ascii=False, sort_keys=True)
            digests.append(hashlib.sha256(text.encode()).digest())
        digests.sort()
        result[name] = {'rows': len(digests), 'sha256': hashlib.sha256(b''.join(digests)).hexdigest()}
    return result


def _revision(conn: Connection) -> str | None:
    if 'alembic_version' not in inspect(conn).get_table_names():
        return None
    return conn.exec_driver_sql('SELECT version_num FROM alembic_version').scalar()


def code_heads(url: str) -> list[str]:
    """The migration heads this code ships."""
    return list(ScriptDirectory.from_config(alembic_config(url)).get_heads())


def _known_revision(url: str, revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(alembic_config(url)).get_revision(revision) is not None
    except Exception:  # alembic raises several kinds of resolution errors for unknown ids
        return False


def engine_kind(url: str) -> str:
    name = make_url(normalise_url(url)).get_backend_name()
    if name not in DB_MEMBERS:
        raise BackupError(f'不支持的数据库类型 (unsupported database): {name}')
    return name


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open('rb') as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()


# --- SQLite ------------------------------------------------------------------------------------------------------

def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ':memory:' or database.startswith('file:'):
        raise BackupError(f'只能备份或恢复 SQLite 文件数据库 (only file databases are supported): {url}')
    return Path(database)


def _sqlite_snapshot(url: str, dest: Path) -> dict[str, Any]:
    source_path = _sqlite_path(url)
    if not source_path.is_file():
        raise BackupError(f'数据库文件不存在 (no such database file): {source_path}')
    source = sqlite3.connect(source_path, timeout=30)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)  # one step: a single read transaction, consistent while writers run
        target.execute('PRAGMA journal_mode=DELETE')  # a self-contained file, no -wal beside it
        integrity = target.execute('PRAGMA integrity_check').fetchone()[0]
        fk_problems = target.execute('PRAGMA foreign_key_check').fetchall()
    finally:
        target.close()
        source.close()
    warnings = []
    if integrity != 'ok' or fk_problems:  # still archived: a copy of a damaged database beats no copy
        warnings.append(f'数据库快照未通过完整性检查 (the snapshot fails its integrity check): {integrity}, '
                        f'{len(fk_problems)} foreign-key problems')
    engine = create_engine(f'sqlite:///{dest}', poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return {'revision': _revision(conn), 'tables': table_fingerprints(conn), 'warnings': warnings,
                    'details': {'integrity_check': integrity, 'foreign_key_problems': len(fk_problems)}}
    finally:
        engine.dispose()


def _sqlite_restore(snapshot: Path, url: str) -> None:
    target_path = _sqlite_path(url)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(snapshot)
    target = sqlite3.connect(target_path, timeout=30)
    try:
        source.backup(target)  # replaces every page of the target, under its write lock
        target.execute('PRAGMA journal_mode=WAL')
    finally:
        target.close()
        source.close()


# --- PostgreSQL --------------------------------------------------------------------------------------------------

def _pg_tool(name: str) -> str:
    folder = os.environ.get('CRM_PG_BINDIR')
    path = str(Path(folder) / name) if folder else shutil.which(name)
    if not path or not Path(path).exists():
        raise BackupError(f'找不到 {name}：请安装与服务器主版本相同的 PostgreSQL 客户端（Debian: postgresql-client），'
                          f'或用 CRM_PG_BINDIR 指定其目录 ({name} not found)')
    return path


def _tool_major(path: str) -> int:
    output = subprocess.run([path, '--version'], capture_output=True, text=True, check=True).stdout
    match = re.search(r'(\d+)(?:\.\d+)?', output)
    if not match:
        raise BackupError(f'无法识别 {path} 的版本 (unknown version): {output.strip()}')
    return int(match.group(1))


def _pg_connection(url: str) -> tuple[str, dict[str, str]]:
    """A libpq conninfo string for the client tools, and an environment carrying the password."""
    parsed = make_url(normalise_url(url))
    params = {'dbname': parsed.database, 'host': parsed.host, 'port': parsed.port, 'user': parsed.username}
    params.update({k: v for k, v in parsed.query.items() if isinstance(v, str)})
    env = {**os.environ}
    if parsed.password:
        env['PGPASSWORD'] = parsed.password
    return make_conninfo(**{k: str(v) for k, v in params.items() if v is not None}), env


def _check_tool_version(tool: str, server_major: int) -> int:
    major = _tool_major(tool)
    if major < server_major:
        raise BackupError(f'{Path(tool).name} 的主版本 {major} 低于数据库服务器的 {server_major}，请使用相同主版本的客户端 '
                          f'(client tools must match the server major version)')
    return major


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f'{what}失败 ({Path(args[0]).name} exited with {done.returncode}): '
                          f'{done.stderr.strip()[-2000:]}')


def _pg_snapshot(url: str, dest: Path) -> dict[str, Any]:
    pg_dump = _pg_tool('pg_dump')
    conninfo, env = _pg_connection(url)
    engine = create_engine(normalise_url(url), poolclass=NullPool)
    try:
        with engine.connect() as base:
            conn = base.execution_options(isolation_level='REPEATABLE READ')
            with conn.begin():
                server_major = conn.dialect.server_version_info[0]
                dump_major = _check_tool_version(pg_dump, server_major)
                snapshot = conn.exec_driver_sql('SELECT pg_export_snapshot()').scalar()
                # pg_dump reads the very snapshot this transaction holds open; the counts below see the same rows.
                _run([pg_dump, '--format=custom', '--compress=6', f'--snapshot={snapshot}', f'--file={dest}',
                      f'--dbname={conninfo}'], env, '导出数据库')
                revision = _revision(conn)
                tables = table_fingerprints(conn)
                version = conn.exec_driver_sql('SHOW server_version').scalar()
    except BackupError:
        raise
    except Exception as exc:
        raise BackupError(f'无法读取数据库 (cannot read the database): {str(exc).splitlines()[0]}') from exc
    finally:
        engine.dispose()
    return {'revision': revision, 'tables': tables, 'warnings': [],
            'details': {'server_version': version, 'pg_dump_major': dump_major}}


def _pg_restore(snapshot: Path, url: str) -> None:
    pg_restore = _pg_tool('pg_restore')
    conninfo, env = _pg_connection(url)
    engine = create_engine(normalise_url(url), poolclass=NullPool, isolation_level='AUTOCOMMIT')
    try:
        with engine.connect() as conn:
            _check_tool_version(pg_restore, conn.dialect.server_version_info[0])
            # Start from an empty public schema so no table of a newer schema is left behind.
            conn.exec_driver_sql('DROP SCHEMA IF EXISTS public CASCADE')
            conn.exec_driver_sql('CREATE SCHEMA public')
            conn.exec_driver_sql('ALTER SCHEMA public OWNER TO pg_database_owner')
            conn.exec_driver_sql('GRANT USAGE ON SCHEMA public TO PUBLIC')
    finally:
        engine.dispose()
    _run([pg_restore, '--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction',
          f'--dbname={conninfo}', str(snapshot)], env, '恢复数据库')


# --- instance files ----------------------------------------------------------------------------------------------

def _instance_files(instance: Path) -> list[tuple[str, Path]]:
    files = []
    for folder in INSTANCE_FOLDERS:
        root = instance / folder
        if not root.is_dir():
            continue
        for path in sorted(root.rglob('*')):
            if path.is_file() and not path.is_symlink():
                files.append((f'files/{folder}/{path.relative_to(root).as_posix()}', path))
    return files


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
    archive.addfile(info, io.BytesIO(data))


# --- backup ------------------------------------------------------------------------------------------------------

def create_backup(url: str, instance_path: str | Path, output: str | Path) -> dict[str, Any]:
    """Write one archive with the database snapshot, the instance files and the manifest; return the manifest."""
    started = time.perf_counter()
    kind = engine_kind(url)
    instance, output = Path(instance_path), Path(output)
    if output.is_dir():
        raise BackupError(f'输出路径是一个目录，请给出文件名 (output is a folder): {output}')
    if not output.parent.is_dir():
        raise BackupError(f'输出目录不存在 (no such folder): {output.parent}')
    workdir = Path(tempfile.mkdtemp(prefix='crm-backup-'))
    partial = output.with_name(output.name + '.partial')
    try:
        db_file = workdir / DB_MEMBERS[kind]
        snap = _sqlite_snapshot(url, db_file) if kind == 'sqlite' else _pg_snapshot(url, db_file)
        members: dict[str, dict[str, Any]] = {}
        with tarfile.open(partial, 'w:gz', compresslevel=6, format=tarfile.PAX_FORMAT) as archive:
            members[db_file.name] = {'sha256': _sha256_file(db_file), 'bytes': db_file.stat().st_size}
            archive.add(db_file, arcname=db_file.name, recursive=False)
            file_counts = {folder: 0 for folder in INSTANCE_FOLDERS}
            for name, path in _instance_files(instance):
                try:
                    data = path.read_bytes()
                except FileNotFoundError:  # removed while we were copying; the snapshot predates it anyway
                    continue
                members[name] = {'sha256': hashlib.sha256(data).hexdigest(), 'bytes': len(data)}
                _add_bytes(archive, name, data)
                file_counts[name.split('/')[1]] += 1
            manifest = {
                'format': FORMAT, 'format_version': FORMAT_VERSION, 'created_at': utcnow().isoformat(),
                'engine': kind, 'alembic_revision': snap['revision'], 'code_heads': code_heads(url),
                'database': {'member': db_file.name, **snap['details']},
                'tables': snap['tables'], 'files': file_counts, 'members': members, 'warnings': snap['warnings'],
            }
            _add_bytes(archive, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(workdir, ignore_errors=True)
    return {**manifest, 'archive': str(output), 'archive_bytes': output.stat().st_size,
            'rows_total': sum(t['rows'] for t in manifest['tables'].values()),
            'seconds': round(time.perf_counter() - started, 3)}


# --- restore -----------------------------------------------------------------------------------------------------

CORRUPT = '备份文件已损坏或不是本系统的备份 (corrupt archive or not a CRM backup)'


def _safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and '..' not in path.parts and '\\' not in name


def unpack(archive_path: Path, workdir: Path) -> dict[str, Any]:
    """Extract the archive into `workdir` and verify every member against the manifest; return the manifest."""
    if not archive_path.exists():
        raise BackupError(f'备份文件不存在 (no such file): {archive_path}')
    if not archive_path.is_file():
        raise BackupError(f'备份路径不是文件 (not a file): {archive_path}')
    digests: dict[str, str] = {}
    try:
        with tarfile.open(archive_path, 'r:*') as archive:
            for info in archive:
                if not info.isfile() or not _safe_member_name(info.name) or info.name in digests:
                    raise BackupError(f'{CORRUPT}: 可疑的成员 (unexpected member) {info.name!r}')
                target = workdir / 'unpacked' / info.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with archive.extractfile(info) as source, target.open('wb') as sink:
                    for chunk in iter(lambda: source.read(1 << 20), b''):
                        digest.update(chunk)
                        sink.write(chunk)
                digests[info.name] = digest.hexdigest()
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(f'{CORRUPT}: {exc}') from exc
    if MANIFEST not in digests:
        raise BackupError(f'{CORRUPT}: 缺少清单 (no {MANIFEST})')
    try:
        manifest = json.loads((workdir / 'unpacked' / MANIFEST).read_text(encoding='utf-8'))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f'{CORRUPT}: 清单无法解析 (unreadable manifest)') from exc
    if not isinstance(manifest, dict) or manifest.get('format') != FORMAT:
        raise BackupError(f'{CORRUPT}: 清单格式不符 (not a {FORMAT} manifest)')
    if manifest.get('format_version') != FORMAT_VERSION:
        raise BackupError(f'备份格式版本 {manifest.get("format_version")} 不受支持 (unsupported backup format version)')
    listed = manifest.get('members') or {}
    missing = sorted(set(listed) - set(digests))
    extra = sorted(set(digests) - set(listed) - {MANIFEST})
    if missing or extra:
        raise BackupError(f'备份内容与清单不符 (archive does not match its manifest): 缺少 (missing) {missing}, '
                          f'多出 (unexpected) {extra}')
    bad = sorted(name for name, meta in listed.items() if meta.get('sha256') != digests[name])
    if bad:
        raise BackupError(f'校验失败：以下文件的 SHA-256 与清单不符，备份可能被篡改或损坏 (checksum mismatch): '
                          f'{", ".join(bad)}')
    if manifest.get('engine') not in DB_MEMBERS or DB_MEMBERS[manifest['engine']] not in listed:
        raise BackupError(f'{CORRUPT}: 缺少数据库快照 (no database snapshot)')
    return manifest


def target_contents(url: str, instance: Path) -> dict[str, int]:
    """Rows per non-empty table of the target database, and files already in the instance folders."""
    found: dict[str, int] = {}
    if engine_kind(url) == 'sqlite' and not _sqlite_path(url).exists():
        return found
    engine = create_engine(normalise_url(url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            quote = conn.dialect.identifier_preparer.quote
            for name in data_tables(conn):
                if name in MIGRATION_FILLED_TABLES:
                    continue
                count = conn.exec_driver_sql(f'SELECT count(*) FROM {quote(name)}').scalar()
                if count:
                    found[name] = count
    except Exception as exc:
        raise BackupError(f'无法连接目标数据库 (cannot open the target database): {str(exc).splitlines()[0]}') from exc
    finally:
        engine.dispose()
    files = sum(1 for folder in INSTANCE_FOLDERS for p in (instance / folder).rglob('*') if p.is_file())
    if files:
        found['instance files'] = files
    return found


def restore_backup(archive: str | Path, url: str, instance_path: str | Path, *, force: bool = False) -> dict[str, Any]:
    """Restore an archive made by `create_backup` into the database at `url` and the instance folder."""
    started = time.perf_counter()
    archive, instance = Path(archive), Path(instance_path)
    kind = engine_kind(url)
    workdir = Path(tempfile.mkdtemp(prefix='crm-restore-'))
    try:
        manifest = unpack(archive, workdir)
        if manifest['engine'] != kind:
            raise BackupError(f'备份来自 {ENGINE_NAMES[manifest["engine"]]}，不能恢复到 {ENGINE_NAMES[kind]} '
                              f'(engine mismatch: {manifest["engine"]} archive, {kind} target)')
        revision = manifest.get('alembic_revision')
        heads = code_heads(url)
        if revision and not _known_revision(url, revision):
            raise BackupError(f'备份的数据库结构版本 {revision} 比本程序更新（本程序最新为 {", ".join(heads)}），'
                              f'请先升级程序再恢复 (archive revision is newer than this code)')
        existing = target_contents(url, instance)
        if existing and not force:
            summary = ', '.join(f'{k}={v}' for k, v in sorted(existing.items())[:8])
            raise BackupError(f'目标数据库或实例目录不为空（{summary}），确认覆盖请加 --force '
                              f'(target is not empty; use --force to replace it)')
        unpacked = workdir / 'unpacked'
        snapshot = unpacked / DB_MEMBERS[kind]
        if kind == 'sqlite':
            _sqlite_restore(snapshot, url)
        else:
            _pg_restore(snapshot, url)
        for folder in INSTANCE_FOLDERS:
            shutil.rmtree(instance / folder, ignore_errors=True)
            source = unpacked / 'files' / folder
            if source.is_dir():
                instance.mkdir(parents=True, exist_ok=True)
                shutil.move(str(source), str(instance / folder))
        engine = create_engine(normalise_url(url), poolclass=NullPool)
        try:
            with engine.connect() as conn:
                restored = table_fingerprints(conn)
                restored_revision = _revision(conn)
        finally:
            engine.dispose()
        differing = sorted(name for name in set(restored) | set(manifest['tables'])
                           if restored.get(name) != manifest['tables'].get(name))
        if differing or restored_revision != revision:
            raise BackupError(f'恢复后的数据与备份清单不一致 (restored data differs from the manifest): '
                              f'{", ".join(differing) or "alembic_version"}')
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return {'archive': str(archive), 'engine': kind, 'backup_created_at': manifest['created_at'],
            'alembic_revision': revision, 'code_heads': heads, 'needs_upgrade': revision not in heads,
            'replaced': existing, 'tables': {name: t['rows'] for name, t in restored.items()},
            'rows_total': sum(t['rows'] for t in restored.values()), 'files': manifest['files'],
            'verified': True, 'seconds': round(time.perf_counter() - started, 3)}
