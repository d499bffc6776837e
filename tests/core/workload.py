"""Workloads that the concurrency and backup tests run in separate processes.

Each process builds its own app (own engine, own connections) and goes through the application's service code
the way requests do: a read in one transaction (the GET that renders a form, carrying the version), the write in
another (the POST, which checks that version). Processes come from a fork server that has imported the app once,
so starting eight of them costs milliseconds, not eight interpreter start-ups.
"""
from __future__ import annotations

import multiprocessing as mp
import random
import re
import time
import traceback
from decimal import Decimal
from typing import Any, Callable

from sqlalchemy import Engine, select, text

from crm import create_app, load_features
from crm.db import Base

PASSWORD = 'amber-kettle-violin-58'
LEADER = 'leader@workload-crm.cn'
load_features()  # preloaded in the fork server
_CTX = mp.get_context('forkserver')
_CTX.set_forkserver_preload(['tests.core.workload'])
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
# Errors a writer may meet under contention and answer by trying again (never shown to a user as a crash).
RETRYABLE = ('database is locked', 'deadlock detected', 'could not serialize')


def run_processes(target: Callable[..., dict], arglists: list[tuple], timeout: float = 180) -> list[dict]:
    """Run `target(*args)` in one process per entry of `arglists`; their results, in order."""
    queue = _CTX.Queue()
    procs = [_CTX.Process(target=_report, args=(queue, n, target, args)) for n, args in enumerate(arglists)]
    for proc in procs:
        proc.start()
    results: dict[int, dict] = {}
    deadline = time.monotonic() + timeout
    while len(results) < len(procs):
        index, result = queue.get(timeout=max(1.0, deadline - time.monotonic()))
        results[index] = result
    for proc in procs:
        proc.join(30)
        assert proc.exitcode == 0, f'worker exited with {proc.exitcode}'
    fatal = [r['fatal'] for r in results.values() if 'fatal' in r]
    assert not fatal, fatal[0]
    return [results[n] for n in range(len(procs))]


def start_processes(target: Callable[..., dict], arglists: list[tuple]):
    """Start the processes now; call the returned function to wait for their results."""
    queue = _CTX.Queue()
    procs = [_CTX.Process(target=_report, args=(queue, n, target, args)) for n, args in enumerate(arglists)]
    for proc in procs:
        proc.start()

    def wait(timeout: float = 180) -> list[dict]:
        results = dict(queue.get(timeout=timeout) for _ in procs)
        for proc in procs:
            proc.join(30)
        fatal = [r['fatal'] for r in results.values() if 'fatal' in r]
        assert not fatal, fatal[0]
        return [results[n] for n in range(len(procs))]

    return wait


def _report(queue, index: int, target, args) -> None:
    try:
        result = target(*args)
    except BaseException:  # noqa: BLE001  (reported to the parent, which fails the test)
        result = {'fatal': traceback.format_exc()}
    queue.put((index, result))


def _app(url: str, instance: str):
    return create_app({'SQLALCHEMY_DATABASE_URI': url, 'INSTANCE_PATH': instance})


def _retryable(exc: Exception) -> bool:
    return any(marker in str(exc) for marker in RETRYABLE)


# --- set-up ------------------------------------------------------------------------------------------------------

def setup(url: str, instance: str, firms: int = 20, units: int = 10) -> dict[str, Any]:
    """A leader account, a platform with a building and units, firms and one lead per firm."""
    from crm.auth.services import create_user
    from crm.db import db
    from crm.firms.services import create_firm
    from crm.leads.services import create_lead
    from crm.platforms.models import Building
    from crm.platforms.services import ensure_platform
    from crm.platforms.units import create_unit

    app = _app(url, instance)
    with app.app_context():
        create_user(email=LEADER, name='并发领导', role='leader', password=PASSWORD)
        platform = ensure_platform('workload-park', '并发测试园区', '产业园', '拱墅区')
        building = Building(platform_id=platform.id, name='并发测试楼', kind='楼宇')
        db.session.add(building)
        db.session.flush()
        firm_ids, lead_ids, unit_ids = [], [], []
        for n in range(firms):
            firm = create_firm({'name': f'并发测试企业{n:03d}有限公司'}, allow_similar_name=True)
            firm_ids.append(firm.id)
            lead_ids.append(create_lead({'title': f'并发项目{n:03d}', 'firm_id': firm.id, 'source': '自主招商',
                                         'jobs': 0}, owner_id=None, actor_id=None).id)
        for n in range(units):
            unit_ids.append(create_unit(building, {'number': f'S{n:03d}', 'floor': 1 + n // 5,
                                                   'area_gross': Decimal(100 + n)}, actor_id=None).id)
        db.session.commit()
        return {'platform': platform.id, 'building': building.id, 'firms': firm_ids, 'leads': lead_ids,
                'units': unit_ids}


# --- T1: read-modify-write of one row ----------------------------------------------------------------------------

def increment_jobs(url: str, instance: str, lead_id: int, times: int, naive: bool = False) -> dict[str, Any]:
    """`times` increments of a lead's jobs: read (GET) → edit with that version (POST) → retry on conflict.

    `naive` writes the value computed from the earlier read without the version check: the lost-update bug.
    """
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm.exc import StaleDataError

    from crm.core.concurrency import EditConflict
    from crm.db import db, declare_write_intent
    from crm.leads.models import Lead
    from crm.leads.services import update_lead

    stats: dict[str, Any] = {'committed': 0, 'conflicts': 0, 'db_retries': 0, 'errors': []}
    rng = random.Random(lead_id * 7919 + times)
    app = _app(url, instance)
    with app.app_context():
        for _ in range(times):
            attempt = 0
            while True:
                if attempt:  # the user looks at the refreshed form before saving again
                    time.sleep(rng.uniform(0, 0.002 * 2 ** min(attempt, 5)))
                attempt += 1
                declare_write_intent(False)  # the GET rendering the edit form
                lead = db.session.get(Lead, lead_id)
                jobs, version = lead.jobs, lead.version
                db.session.remove()
                if naive:
                    time.sleep(0.002)  # the user reads the form
                declare_write_intent(True)  # the POST
                try:
                    lead = db.session.get(Lead, lead_id)
                    if naive:
                        lead.jobs = jobs + 1
                    else:
                        update_lead(lead, {'jobs': jobs + 1}, version=version)
                    db.session.commit()
                    stats['committed'] += 1
                    break
                except (EditConflict, StaleDataError):
                    stats['conflicts'] += 1  # the form is shown again with the fresh values; the user retries
                except OperationalError as exc:
                    if not _retryable(exc):
                        stats['errors'].append(str(exc).splitlines()[0])
                        break
                    stats['db_retries'] += 1
                except Exception as exc:  # noqa: BLE001  (counted: the test demands none)
                    stats['errors'].append(f'{type(exc).__name__}: {exc}')
                    break
                finally:
                    db.session.remove()
    return stats


# --- T2: mixed entities ------------------------------------------------------------------------------------------

def mixed_writer(url: str, instance: str, ids: dict, seed: int, ops: int, seconds: float = 60) -> dict[str, Any]:
    """Random creates, versioned updates and soft deletes of firms, leads and units.

    Returns the committed writes: `updates` as (entity, id, field, value, version after), `created` as (entity, id).
    """
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm.exc import StaleDataError

    from crm.core.concurrency import EditConflict
    from crm.db import db, declare_write_intent
    from crm.firms.models import Firm
    from crm.firms.services import create_firm, soft_delete, update_firm
    from crm.leads.models import Lead
    from crm.leads.services import create_lead, update_lead
    from crm.platforms.models import Building, Unit
    from crm.platforms.units import create_unit, update_unit

    rng = random.Random(seed)
    result: dict[str, Any] = {'updates': [], 'created': [], 'conflicts': 0, 'db_retries': 0, 'errors': [],
                              'ops': 0}
    firms, leads, units = list(ids['firms']), list(ids['leads']), list(ids['units'])
    deadline = time.monotonic() + seconds
    app = _app(url, instance)
    with app.app_context():
        for n in range(ops):
            if time.monotonic() > deadline:
                break
            kind = rng.choice(['firm.create', 'firm.update', 'firm.update', 'firm.delete', 'lead.create',
                               'lead.update', 'lead.update', 'unit.create', 'unit.update', 'unit.update'])
            value = seed * 1_000_000 + n  # unique, so every committed update really changes the row
            model, target = {'firm': (Firm, firms), 'lead': (Lead, leads), 'unit': (Unit, units)}[kind[:4]]
            row_id = rng.choice(target)
            declare_write_intent(False)
            seen = db.session.get(model, row_id)
            version = seen.version
            if kind == 'firm.delete' and seen.deleted_at is not None:
                kind = 'firm.update'
            db.session.remove()
            declare_write_intent(True)
            try:
                obj = db.session.get(model, row_id)
                if kind == 'firm.create':
                    created = create_firm({'name': f'并发新建企业{value}'}, allow_similar_name=True)
                elif kind == 'lead.create':
                    created = create_lead({'title': f'并发新建项目{value}', 'firm_id': rng.choice(firms),
                                           'source': '自主招商', 'jobs': 0}, owner_id=None, actor_id=None)
                elif kind == 'unit.create':
                    created = create_unit(db.session.get(Building, ids['building']),
                                          {'number': f'N{value}', 'floor': 3, 'area_gross': Decimal(88)},
                                          actor_id=None)
                elif kind == 'firm.update':
                    update_firm(obj, {'headcount': value}, version=version)
                    field = ('headcount', value)
                elif kind == 'firm.delete':
                    from crm.core.concurrency import check_version

                    check_version(obj, version)
                    soft_delete(obj, actor_id=None)
                    field = ('deleted', True)
                elif kind == 'lead.update':
                    update_lead(obj, {'jobs': value}, version=version)
                    field = ('jobs', value)
                else:
                    update_unit(obj, {'number': obj.number, 'rent': Decimal(value) / 100}, version=version,
                                actor_id=None)
                    field = ('rent', Decimal(value) / 100)
                db.session.flush()
                if kind.endswith('create'):
                    entity_id = created.id
                else:
                    after = obj.version
                db.session.commit()
                result['ops'] += 1
                if kind.endswith('create'):
                    result['created'].append((kind[:4], entity_id))
                    target.append(entity_id)
                else:
                    result['updates'].append((kind[:4], row_id, field[0], field[1], after))
            except (EditConflict, StaleDataError):
                result['conflicts'] += 1
            except OperationalError as exc:
                if not _retryable(exc):
                    result['errors'].append(str(exc).splitlines()[0])
                result['db_retries'] += 1
            except Exception as exc:  # noqa: BLE001  (counted: the test demands none)
                result['errors'].append(f'{kind}: {type(exc).__name__}: {exc}')
            finally:
                db.session.remove()
    return result


def reader(url: str, instance: str, ids: dict, seconds: float) -> dict[str, Any]:
    """Browse list and detail pages through the HTTP stack while writers run; count the responses."""
    app = _app(url, instance)
    client = app.test_client()
    token = _CSRF.search(client.get('/login').get_data(as_text=True)).group(1)
    login = client.post('/login', data={'email': LEADER, 'password': PASSWORD, 'csrf_token': token})
    assert login.status_code == 302, login.status_code
    rng = random.Random(len(ids['leads']))
    statuses: dict[int, int] = {}
    errors, missing = [], []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        url_path = rng.choice(['/leads/', '/leads/?stage=线索', '/firms/', '/firms/?q=并发', '/platforms/vacancies',
                               f'/leads/{rng.choice(ids["leads"])}', f'/firms/{rng.choice(ids["firms"])}',
                               f'/platforms/buildings/{ids["building"]}'])
        response = client.get(url_path)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            errors.append(url_path)
        elif response.status_code == 404:
            missing.append(url_path)  # a firm soft-deleted meanwhile is gone for everyone but administrators
    return {'statuses': statuses, 'errors': errors, 'missing': missing}


# --- checks ------------------------------------------------------------------------------------------------------

def orphan_references(engine: Engine) -> dict[str, int]:
    """Rows whose foreign key points at no row, for every single-column foreign key of the models."""
    found = {}
    with engine.connect() as conn:
        existing = set(conn.dialect.get_table_names(conn))
        for table in Base.metadata.sorted_tables:
            if table.name not in existing:
                continue
            for fk in table.foreign_keys:
                child, parent = fk.parent, fk.column
                query = (f'SELECT count(*) FROM "{table.name}" c WHERE c."{child.name}" IS NOT NULL AND NOT EXISTS '
                         f'(SELECT 1 FROM "{parent.table.name}" p WHERE p."{parent.name}" = c."{child.name}")')
                count = conn.execute(text(query)).scalar()
                if count:
                    found[f'{table.name}.{child.name}'] = count
    return found


def sqlite_integrity(path: str) -> tuple[str, list]:
    """`PRAGMA integrity_check` and `PRAGMA foreign_key_check` of a SQLite file."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return conn.execute('PRAGMA integrity_check').fetchone()[0], conn.execute('PRAGMA foreign_key_check').fetchall()
    finally:
        conn.close()


def audit_updates(session, object_type: str, object_id: int) -> int:
    """How many 'update' audit events an object has (`session`: a Session or Connection)."""
    from crm.core.audit import AuditEvent

    return len(session.execute(select(AuditEvent.id).where(AuditEvent.object_type == object_type,
                                                           AuditEvent.object_id == str(object_id),
                                                           AuditEvent.action == 'update')).all())


def load_demo_data(url: str, instance: str, units: int, firms: int, leads: int) -> dict[str, Any]:
    """Reference data and `crm demo` records at the given (small) sizes."""
    from crm.core import audit
    from crm.db import db
    from crm.demo import load_demo
    from crm.seed import run_seed

    app = _app(url, instance)
    with app.app_context():
        audit.set_context(audit.AuditContext(actor_label='cli:demo'))
        run_seed()
        result = load_demo(units=units, firms=firms, leads=leads, seed=11)
        db.session.commit()
    return {k: v for k, v in result.items() if k != 'accounts'}
