"""The audit trail records field-level changes in the same transaction and cannot be rewritten."""
import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from crm.core.audit import AuditEvent
from tests.conftest import post_form


def test_user_edit_is_audited_with_before_and_after(client, factories, logged_in, db_session):
    admin = logged_in('admin')
    target = factories.user('officer', name='旧名字')
    page = client.get(f'/admin/users/{target.id}')
    assert page.status_code == 200
    response = post_form(client, f'/admin/users/{target.id}', {
        'email': target.email, 'name': '新名字', 'role': 'officer', 'version': '1', 'is_active': 'y'})
    assert response.status_code == 302
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.object_type == 'user',
                                                        AuditEvent.object_id == str(target.id),
                                                        AuditEvent.action == 'update')).one()
    assert event.changes['name'] == ['旧名字', '新名字']
    assert event.actor_id == admin.id and event.request_id


def test_password_hashes_never_reach_the_audit_log(factories, db_session):
    user = factories.user('officer')
    created = db_session.scalars(select(AuditEvent).where(AuditEvent.object_type == 'user', AuditEvent.object_id == str(user.id),
                                                          AuditEvent.action == 'create')).one()
    assert created.changes['password_hash'][1] == '***'
    assert created.changes['email'][1] == user.email


def test_stale_form_gets_a_conflict_and_nothing_is_overwritten(client, factories, logged_in, db_session):
    logged_in('admin')
    target = factories.user('officer', name='原名')
    first = post_form(client, f'/admin/users/{target.id}', {'email': target.email, 'name': '甲的修改',
                                                            'role': 'officer', 'version': '1', 'is_active': 'y'})
    assert first.status_code == 302
    second = post_form(client, f'/admin/users/{target.id}', {'email': target.email, 'name': '乙的修改',
                                                             'role': 'officer', 'version': '1', 'is_active': 'y'})
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert '甲的修改' in html and '乙的修改' in html and '没有被覆盖' in html
    from crm.auth.models import User
    db_session.expire_all()
    assert db_session.get(User, target.id).name == '甲的修改'


def test_audit_rows_cannot_be_changed_or_deleted(factories, db_session):
    factories.user('officer')
    with pytest.raises(DBAPIError):
        with db_session.begin_nested():
            db_session.execute(text("UPDATE audit_event SET action = 'forged'"))
    with pytest.raises(DBAPIError):
        with db_session.begin_nested():
            db_session.execute(text('DELETE FROM audit_event'))


# T20: 1,000 operations drawn at random (seeded) from these kinds, each through its service, by one of three users.
T20_OPS = 1_000
T20_KINDS = ('firm_create', 'firm_update', 'firm_delete', 'lead_create', 'lead_update', 'unit_create', 'unit_update',
             'media_create', 'media_delete')


def test_a_thousand_random_changes_leave_exactly_one_audit_row_each(in_app, factories, db_session):
    """T20: creates, updates and deletes of firms (deletion is the soft delete, an update of `deleted_at`), leads,
    units and media files (a hard delete), each by a randomly chosen user: the audit trail gains exactly one row per
    operation, in order, naming the object, the action and the acting user, timestamped in UTC."""
    from crm.core.audit import AuditContext, set_context
    from crm.core.validators import make_uscc
    from crm.db import db
    from crm.firms import services as firms
    from crm.firms.models import Firm
    from crm.leads import services as leads
    from crm.leads.models import Lead
    from crm.platforms import media, units
    from crm.platforms.models import Building, MediaFile, Unit

    rng = random.Random(20)
    actors = [factories.user('officer'), factories.user('leader'), factories.user('admin')]
    building_id = factories.building(factories.platform()).id
    seed_firm = factories.firm('审计种子企业有限公司')
    live = {'firm': [seed_firm.id], 'lead': [], 'unit': [], 'media': []}
    expected: list[tuple[str, str, str, int]] = []
    with in_app():
        start = db_session.scalar(select(func.max(AuditEvent.id))) or 0
        before = datetime.now(timezone.utc)
        for n in range(T20_OPS):
            kind = rng.choice([k for k in T20_KINDS if not k.endswith(('update', 'delete'))
                               or live[k.split('_')[0]] and (k != 'firm_delete' or len(live['firm']) > 1)])
            actor = rng.choice(actors)
            set_context(AuditContext(actor_id=actor.id, actor_label=actor.email))
            entity, action = kind.split('_')
            if kind == 'firm_create':
                obj = firms.create_firm({'name': f'审计企业{n}有限公司', 'uscc': make_uscc(rng)}, allow_similar_name=True)
            elif kind == 'firm_update':
                obj = firms.update_firm(firm := db.session.get(Firm, rng.choice(live['firm'])),
                                        {'notes': f'第 {n} 次修改'}, version=firm.version)
            elif kind == 'firm_delete':
                obj = db.session.get(Firm, live['firm'].pop(rng.randrange(len(live['firm']))))
                firms.soft_delete(obj, actor_id=actor.id)
                action = 'update'
            elif kind == 'lead_create':
                obj = leads.create_lead({'title': f'审计项目{n}', 'firm_id': rng.choice(live['firm']),
                                         'source': '上门拜访'}, owner_id=actor.id, actor_id=actor.id)
            elif kind == 'lead_update':
                obj = leads.update_lead(lead := db.session.get(Lead, rng.choice(live['lead'])),
                                        {'notes': f'第 {n} 次跟进'}, version=lead.version)
            elif kind == 'unit_create':
                obj = units.create_unit(db.session.get(Building, building_id),
                                        {'floor': rng.randint(1, 20), 'number': f'审计{n}', 'area_gross': Decimal('88')},
                                        actor_id=actor.id)
            elif kind == 'unit_update':
                obj = units.update_unit(unit := db.session.get(Unit, rng.choice(live['unit'])),
                                        {'number': unit.number, 'note': f'第 {n} 次备注'}, version=unit.version,
                                        actor_id=actor.id)
            elif kind == 'media_create':
                obj = media.store(factories.PNG, f'照片{n}.png', building=db.session.get(Building, building_id),
                                  unit=None, kind='floor_plan', actor_id=actor.id)
                entity = 'media_file'
            else:
                obj = db.session.get(MediaFile, live['media'].pop(rng.randrange(len(live['media']))))
                media.remove(obj)
                entity = 'media_file'
            if action == 'create':
                live[kind.split('_')[0]].append(obj.id)
            db.session.commit()
            expected.append((entity, str(obj.id), action, actor.id))
        after = datetime.now(timezone.utc)
        events = db_session.scalars(select(AuditEvent).where(AuditEvent.id > start).order_by(AuditEvent.id)).all()
    assert [(e.object_type, e.object_id, e.action, e.actor_id) for e in events] == expected
    assert len(expected) == T20_OPS and {kind for kind, *_ in expected} == {'firm', 'lead', 'unit', 'media_file'}
    assert {action for _, _, action, _ in expected} == {'create', 'update', 'delete'}
    assert all(e.at.utcoffset() == timedelta(0) and before <= e.at <= after for e in events)
    deletions = [e for e in events if e.object_type == 'firm' and 'deleted_at' in e.changes]
    assert deletions and all(e.changes['deleted_by_id'][1] == e.actor_id for e in deletions)
