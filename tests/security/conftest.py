"""One world of records in two scopes (甲 and 乙), built once per database for the security matrix.

The world is committed into an outer transaction that is rolled back when the package's tests end; every
request a test makes runs inside its own SAVEPOINT (`world.isolated()`), rolled back afterwards, so a
delete or a merge in one request never changes what the next request sees.

Scope 甲 is what the park manager (platform 甲), officer O1 (owner of lead 甲) and the firm user (firm 甲)
own; scope 乙 is another platform, another officer's lead and another firm. Names of 乙 records carry
markers: `ZZB` for what officers may still see (platforms, buildings, units, firms, contacts) and `ZZL`
for what only administrators and leaders may see (another officer's lead and follow-ups). Some records tie
the two scopes together (`_cross_scopes`), so that matches, tenancies, version lists and drill-downs are
checked as well as the object routes.

Only tests that use `world` belong in this package: on SQLite the world's open write transaction would
lock out the ordinary per-test connections of other fixtures.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, select, text

from crm.db import db
from crm.extensions import limiter
from tests.conftest import csrf_from, login
from tests.factories import Factories

NIGHTLY = os.environ.get('CRM_NIGHTLY', '').lower() in {'1', 'true', 'yes'}
ROLES = ('admin', 'leader', 'officer', 'park_manager', 'firm')
MISSING_ID = 99_999_999


@dataclass
class World:
    """Everything the matrix tests need: the records, the users and the database connection."""

    app: Any
    connection: Any
    users: dict[str, Any]
    other_officer: Any
    own: dict[str, Any]
    other: dict[str, Any]
    deleted: dict[str, Any]
    shared: dict[str, Any]
    filters: dict[str, Any]
    tokens: dict[str, str] = field(default_factory=dict)
    crossings: dict[str, Any] = field(default_factory=dict)
    base_fingerprint: dict | None = None

    @contextmanager
    def isolated(self):
        """Run a block (usually one request) in a savepoint that is rolled back afterwards."""
        savepoint = self.connection.begin_nested()
        try:
            yield
        finally:
            db.session.remove()
            savepoint.rollback()
            self.restore_media_files()

    def restore_media_files(self) -> None:
        """The app's session commits inside our savepoint, so a removed image's file is really gone: put it back."""
        from crm.platforms.models import MediaFile

        folder = Path(self.app.instance_path) / 'media'
        for name in self.connection.execute(select(MediaFile.stored_name)).scalars():
            if not (folder / name).exists():
                (folder / name).write_bytes(Factories.PNG)

    def client(self, role: str | None):
        """A fresh test client signed in as `role` (None: anonymous), with its CSRF token."""
        client = self.app.test_client()
        limiter.reset()
        if role is not None:
            response = login(client, self.users[role].email, Factories.PASSWORD)
            assert response.status_code == 302, response.data[:300]
        page = client.get('/account/password' if role else '/login')
        client.csrf = csrf_from(page.data)
        return client

    def fingerprint(self) -> dict[str, tuple]:
        """Per table: row count, sum of versions, count of soft-deleted rows (one query)."""
        return fingerprint(self.connection)


_FINGERPRINT_SQL: dict[str, str] = {}


def fingerprint(connection) -> dict[str, tuple]:
    """A cheap summary of every table that changes when any row is added, removed, edited or deleted."""
    dialect = connection.dialect.name
    if dialect not in _FINGERPRINT_SQL:
        parts = []
        inspector = inspect(connection)
        for table in sorted(inspector.get_table_names()):
            # access_denial is the log of refused requests: a denied request writes it by design (tests/auth).
            if table.startswith(('alembic', 'sqlite_')) or '_fts' in table or table == 'access_denial':
                continue
            columns = {c['name'] for c in inspector.get_columns(table)}
            version = 'COALESCE(SUM(version), 0)' if 'version' in columns else '0'
            deleted = 'COUNT(deleted_at)' if 'deleted_at' in columns else '0'
            revoked = 'COUNT(revoked_at)' if 'revoked_at' in columns else '0'
            parts.append(f"SELECT '{table}' AS t, COUNT(*) AS n, {version} AS v, {deleted} AS d, {revoked} AS r "
                         f'FROM "{table}"')
        _FINGERPRINT_SQL[dialect] = ' UNION ALL '.join(parts)
    rows = connection.execute(text(_FINGERPRINT_SQL[dialect])).all()
    return {row[0]: tuple(int(x) for x in row[1:]) for row in rows}


def changed_tables(before: dict, after: dict) -> dict:
    return {t: (before.get(t), after.get(t)) for t in set(before) | set(after) if before.get(t) != after.get(t)}


def _build(factories: Factories) -> dict[str, Any]:
    users = {role: factories.user(role) for role in ('admin', 'leader', 'officer')}
    other_officer = factories.user('officer', name='另一专员')

    def scope(label: str, mark: str, lead_mark: str, owner) -> dict[str, Any]:
        platform = factories.platform(f'{label}域平台{mark}')
        building = factories.building(platform, name=f'{label}域楼宇{mark}')
        unit = factories.unit(building, number=f'{label}{mark}-301', status='已租')
        vacant = factories.unit(building, number=f'{label}{mark}-302')
        firm = factories.firm(f'{label}域企业{mark}有限公司')
        second = factories.firm(f'{label}域二号企业{mark}有限公司')
        factories.tenancy(firm, unit)
        factories.tenancy(second, unit)
        contact = factories.contact(firm, name=f'{label}联系人{mark}')
        lead = factories.lead(firm, owner=owner, platforms=[platform], title=f'{label}域项目{lead_mark}')
        activity = factories.activity(lead, subject=f'{label}域跟进{lead_mark}', owner=owner)
        pack = factories.pack(lead)
        share, token = factories.share(pack)
        with factories._in_app():
            from crm.packs.models import PackBuild
            build = PackBuild(lead_id=lead.id, lang='zh', status='done', pack_id=pack.id, percent=100)
            db.session.add(build)
            db.session.commit()
            build_id = build.id
            from crm.leads.aftercare import SupervisionTask
            task = SupervisionTask(lead_id=lead.id, assignee_id=owner.id, title=f'{label}域督办{lead_mark}',
                                   due_on=__import__("datetime").date(2030, 1, 1))
            db.session.add(task)
            db.session.commit()
            task_id = task.id
        with factories._in_app():
            from crm.notifications.models import Notification
            notification = Notification(user_id=owner.id, kind='assignment', key=f'matrix:{label}',
                                        subject=f'{label}域通知{lead_mark}', link=f'/leads/{lead.id}')
            db.session.add(notification)
            db.session.commit()
            notification_id = notification.id
        return {'platform': platform, 'building': building, 'unit': vacant, 'let_unit': unit, 'firm': firm,
                'other_firm': second, 'contact': contact, 'lead': lead, 'activity': activity, 'pack': pack,
                'share': share, 'token': token, 'summary': factories.summary(firm), 'media': factories.media(building),
                'user': owner, 'build_id': build_id, 'task_id': task_id,
                'notification_id': notification_id}

    own = scope('甲', 'ZZA', 'ZZA', users['officer'])
    other = scope('乙', 'ZZB', 'ZZL', other_officer)
    users['park_manager'] = factories.user('park_manager', platforms=[own['platform']])
    users['firm'] = factories.user('firm', firm=own['firm'])
    crossings = _cross_scopes(factories, own, other)

    gone = factories.firm('已删除企业ZZD有限公司')
    factories.tenancy(gone, own['let_unit'])
    deleted = {'firm': gone, 'contact': factories.contact(gone, name='已删联系人ZZD'), 'summary': factories.summary(gone)}
    factories.delete_firm(gone)

    tracked, plan_target_id = factories.tracked_target()
    from crm.plans.models import Commitment, PlanDocument

    with factories._in_app():
        document_id = db.session.scalar(select(PlanDocument.id).where(PlanDocument.is_current.is_(True))
                                        .order_by(PlanDocument.id).limit(1))
        commitment_id = db.session.scalar(select(Commitment.id).order_by(Commitment.id).limit(1))
        from crm.policies.models import Policy, PolicyClause
        policy = Policy(key='matrix-policy', title='矩阵测试政策', level='区', amounts_public=True, kinds=['房租补助'],
                        industries=[], platform_names=[], facts=[{'doc': 'no-such-plan', 'quote': '矩阵测试引文'}],
                        clauses=[PolicyClause(kind='房租补助', formula='fixed', amount=10, conditions=[])])
        db.session.add(policy)
        db.session.commit()
        policy_id, clause_id = policy.id, policy.clauses[0].id
        from datetime import date

        from crm.policies.models import PolicyPayment, PolicyPush
        push = PolicyPush(policy_id=policy_id, policy_version=policy.version, firm_ids=[own['firm'].id],
                          eligible_ids=[], summary_ids=[], status='done', total=1, done=1)
        db.session.add(push)
        for side in (own, other):
            payment = PolicyPayment(firm_id=side['firm'].id, policy_id=policy_id, clause_id=clause_id,
                                    status='applied', applied_amount=10, applied_on=date(2026, 1, 5))
            db.session.add(payment)
            db.session.flush()
            side['payment_id'] = payment.id
        from crm.leads.pool import AssignmentRule
        rule = AssignmentRule(position=0, team=[users['officer'].id], next_turn=0, active=True)
        db.session.add(rule)
        db.session.commit()
        push_id, rule_id = push.id, rule.id
    shared = {'document_id': document_id, 'commitment_id': commitment_id, 'tracked_id': tracked.id,
              'plan_target_id': plan_target_id, 'policy_id': policy_id, 'clause_id': clause_id, 'push_id': push_id,
              'rule_id': rule_id}
    filters = {role: factories.saved_filter(user) for role, user in users.items()}
    with factories._in_app():  # an API token per role, for the routes of the JSON API
        from crm.auth.models import User
        from crm.auth.tokens import create_token

        tokens = {role: create_token(db.session.get(User, user.id), '安全测试', days=30)[1]
                  for role, user in users.items()}
        db.session.commit()
    filters['other'] = factories.saved_filter(other_officer)
    with factories._in_app():  # a finished export per role (its file on disk), and another officer's
        from crm.core.export_jobs import ExportJob

        export_ids = {}
        for role, user in [*users.items(), ('other', other_officer)]:
            job = ExportJob(user_id=user.id, kind='leads', fmt='csv', filename='招商项目.csv', status='done',
                            rows_total=1, rows_done=1)
            db.session.add(job)
            db.session.flush()
            job.path.write_bytes('\ufeff项目\n'.encode())
            export_ids[role] = job.id
        db.session.commit()
    shared['export_ids'] = export_ids
    with factories._in_app():  # a confirmed import per role (nothing in it to undo), and another officer's
        from crm.core.import_batches import ImportBatch

        batch_ids = {}
        for role, user in [*users.items(), ('other', other_officer)]:
            batch = ImportBatch(object_type='firm', filename='企业.csv', sha256='0' * 64, status='done',
                                started_by_id=user.id, actor_label=user.email)
            db.session.add(batch)
            db.session.flush()
            batch_ids[role] = batch.id
        db.session.commit()
    shared['batch_ids'] = batch_ids
    return {'users': users, 'other_officer': other_officer, 'own': own, 'other': other, 'deleted': deleted,
            'shared': shared, 'filters': filters, 'tokens': tokens, 'crossings': crossings}


def _cross_scopes(factories: Factories, own: dict, other: dict) -> dict[str, Any]:
    """Records that tie scope 甲 to scope 乙, so that every list and embedded collection is put to the test:

    - lead 甲's pack was issued once to another firm (the lead's firm was corrected since): the firm user of firm 甲
      must not see that version's number, nor may its share page point to it;
    - firm 甲 also rents a unit on platform 乙 (building and unit marked `ZZP`): its park manager sees the firm,
      and only the tenancy on their own platform;
    - platform 乙 states lead 甲's industry and a unit on it is promised to lead 甲: the match and the lead page
      offer platform 乙, its units and vacancies to staff, never to platform 甲's park manager.
    """
    from crm.leads.models import Lead
    from crm.platforms.models import Platform, Unit
    from crm.platforms.units import promise_unit

    with factories._in_app():
        db.session.get(Lead, own['lead'].id).firm_id = own['other_firm'].id
        db.session.commit()
    foreign_pack = factories.pack(own['lead'])
    with factories._in_app():
        lead = db.session.get(Lead, own['lead'].id)
        lead.firm_id, lead.industry_code = own['firm'].id, '6510'  # 6510 软件开发 → 数字经济
        db.session.get(Platform, other['platform'].id).focus_industries = ['数字经济']
        db.session.commit()
    annex = factories.building(other['platform'], name='乙域附楼ZZP')
    factories.tenancy(own['firm'], factories.unit(annex, number='ZZP-501', status='已租'))
    promised = factories.unit(other['building'], number='乙ZZB-303')
    with factories._in_app():
        promise_unit(db.session.get(Unit, promised.id), db.session.get(Lead, own['lead'].id), actor_id=None)
        db.session.commit()
    return {'foreign_pack': foreign_pack, 'promised_unit': promised}


@pytest.fixture(scope='package')
def world(app):
    """The two-scope world, committed into an outer transaction kept for the whole package."""
    connection = db.engine.connect()
    transaction = connection.begin()
    db.session.remove()
    db.session.configure(bind=connection, join_transaction_mode='create_savepoint')

    @contextmanager
    def in_app():
        with app.test_request_context():
            yield

    try:
        built = World(app=app, connection=connection, **_build(Factories(in_app)))
        built.base_fingerprint = built.fingerprint()
        yield built
    finally:
        db.session.remove()
        transaction.rollback()
        connection.close()
        db.session.configure(bind=db.engine, join_transaction_mode='rollback_only')


def sqlite_unless_nightly(app) -> None:
    """Long matrices run on SQLite in every run and on PostgreSQL in the nightly run (CRM_NIGHTLY=1)."""
    if app.config['DB_KIND'] != 'sqlite' and not NIGHTLY:
        pytest.skip('matrix runs on PostgreSQL nightly (CRM_NIGHTLY=1)')


# --- routes -----------------------------------------------------------------------------------------

def routes(app) -> list[tuple[str, str, Any]]:
    """(endpoint, method, rule) for every route and method except static files."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == 'static' or rule.endpoint in COVERED_BY_API_TESTS or rule.endpoint.startswith('api.'):
            continue
        for method in sorted(rule.methods - {'HEAD', 'OPTIONS'}):
            found.append((rule.endpoint, method, rule))
    return sorted(found, key=lambda r: (r[2].rule, r[1]))


FIRM_PARAMS = {'firm_id', 'other_id', 'contact_id', 'summary_id'}
# The JSON API and its token management have their own scope matrix in tests/api (per-role tokens).
COVERED_BY_API_TESTS = {'auth.token_create', 'auth.token_revoke', 'admin.user_revoke_token'}


def variants(rule) -> list[str]:
    """Which object variants a route has: own/other/missing for object routes, deleted where firms are involved."""
    args = set(rule.arguments) - {'fmt'}
    if not args:
        return ['plain']
    return ['own', 'other', 'missing'] + (['deleted'] if args & FIRM_PARAMS else [])


def url_for_variant(world: World, rule, variant: str, role: str | None) -> str:
    """The rule's URL with every parameter filled from real records of the world."""
    return fill(rule, variant_values(world, rule, variant, role))


def variant_values(world: World, rule, variant: str, role: str | None) -> dict[str, Any]:
    """{parameter: value} for the rule's URL parameters, from real records of the world."""
    side = world.other if variant == 'other' else world.own
    values: dict[str, Any] = {}
    for name in rule.arguments:
        if name == 'fmt':
            values[name] = 'csv'
        elif variant == 'missing':
            values[name] = 'no-such-token' if name == 'token' else MISSING_ID
        elif name == 'token':
            values[name] = side['token']
        elif name in ('firm_id', 'other_id', 'contact_id', 'summary_id') and variant == 'deleted':
            values[name] = {'firm_id': world.deleted['firm'].id, 'other_id': world.own['other_firm'].id,
                            'contact_id': world.deleted['contact'].id,
                            'summary_id': world.deleted['summary'].id}[name]
        elif name == 'filter_id':
            values[name] = (world.filters['other'] if variant == 'other' else world.filters[role or 'admin']).id
        elif name == 'user_id':
            values[name] = side['user'].id
        elif name == 'target_id':
            values[name] = world.shared['plan_target_id' if rule.endpoint == 'targets.track' else 'tracked_id']
        elif name in ('document_id', 'commitment_id', 'policy_id', 'clause_id', 'push_id', 'rule_id'):
            values[name] = world.shared[name]
        elif name == 'job_id':
            values[name] = world.shared['export_ids']['other' if variant == 'other' else role or 'admin']
        elif name == 'batch_id':
            values[name] = world.shared['batch_ids']['other' if variant == 'other' else role or 'admin']
        elif name in ('build_id', 'payment_id', 'task_id', 'notification_id'):
            values[name] = side[name]
        else:
            key = {'firm_id': 'firm', 'other_id': 'other_firm', 'contact_id': 'contact', 'lead_id': 'lead',
                   'unit_id': 'unit', 'activity_id': 'activity', 'pack_id': 'pack', 'share_id': 'share',
                   'summary_id': 'summary', 'platform_id': 'platform', 'building_id': 'building',
                   'media_id': 'media'}[name]
            values[name] = side[key].id
    return values


def fill(rule, values: dict[str, Any]) -> str:
    """The rule's URL with its parameters replaced by `values`."""
    path = rule.rule
    for name, value in values.items():
        path = path.replace(f'<{name}>', str(value))
        for converter in ('int', 'path', "any(csv, xlsx)"):
            path = path.replace(f'<{converter}:{name}>', str(value))
    assert '<' not in path, path
    return path
