"""Staff edit their own contact details (printed on promotion packs) on /account/profile: validated, audited,
refused without a CSRF token; the e-mail (the sign-in name) is not editable there; firm users are refused."""
from sqlalchemy import select

from crm.auth.models import User
from crm.core.audit import AuditEvent
from tests.conftest import post_form

DETAILS = {'job_title': '招商专员', 'phone': '138 1234 5678', 'wechat': 'gongshu_zs', 'office_address': '拱墅区某路 1 号'}


def _version(db_session, user) -> int:
    db_session.expire_all()
    return db_session.get(User, user.id).version


def test_an_officer_saves_their_contact_details_and_the_change_is_audited(client, logged_in, db_session):
    officer = logged_in('officer')
    page = client.get('/account/profile').get_data(as_text=True)
    assert '我的联系方式' in page and officer.email in page and 'name="email"' not in page
    response = post_form(client, '/account/profile', {**DETAILS, 'email': 'other@test-crm.cn',
                                                      'version': _version(db_session, officer)})
    assert response.status_code == 302
    db_session.expire_all()
    saved = db_session.get(User, officer.id)
    assert (saved.job_title, saved.phone, saved.wechat, saved.office_address) == \
        ('招商专员', '+8613812345678', 'gongshu_zs', '拱墅区某路 1 号')
    assert saved.email == officer.email  # the sign-in name stays
    assert '您的联系方式已保存' in client.get('/account/profile').get_data(as_text=True)
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.object_type == 'user',
                                                        AuditEvent.object_id == str(officer.id),
                                                        AuditEvent.actor_id == officer.id)
                               .order_by(AuditEvent.id.desc())).first()
    assert event is not None and 'job_title' in event.changes and 'phone' in event.changes
    assert 'password_hash' not in event.changes


def test_a_bad_mobile_is_refused_in_chinese_and_the_typed_data_kept(client, logged_in, db_session):
    leader = logged_in('leader')
    for phone in ('12345', 'not a number', '138123456789012'):
        response = post_form(client, '/account/profile', {**DETAILS, 'phone': phone,
                                                          'version': _version(db_session, leader)})
        html = response.get_data(as_text=True)
        assert response.status_code == 422, phone
        assert '电话号码' in html and f'value="{phone}"' in html and 'value="gongshu_zs"' in html
    too_long = post_form(client, '/account/profile', {**DETAILS, 'office_address': '址' * 201,
                                                      'version': _version(db_session, leader)})
    assert too_long.status_code == 422 and '办公地址最多 200 个字符' in too_long.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(User, leader.id).phone is None and db_session.get(User, leader.id).job_title is None


def test_clearing_a_detail_stores_nothing_and_a_landline_is_accepted(client, logged_in, db_session):
    manager = logged_in('park_manager')
    assert post_form(client, '/account/profile', {**DETAILS, 'version': _version(db_session, manager)}) \
        .status_code == 302
    assert post_form(client, '/account/profile', {'job_title': '', 'phone': '0571-8888 6666', 'wechat': '',
                                                  'office_address': '', 'version': _version(db_session, manager)}) \
        .status_code == 302
    db_session.expire_all()
    saved = db_session.get(User, manager.id)
    assert (saved.job_title, saved.phone, saved.wechat) == (None, '+8657188886666', None)


def test_without_a_csrf_token_nothing_is_saved(client, logged_in, db_session):
    officer = logged_in('officer')
    response = client.post('/account/profile', data={**DETAILS, 'version': _version(db_session, officer)})
    assert response.status_code == 400
    db_session.expire_all()
    assert db_session.get(User, officer.id).job_title is None


def test_firm_users_cannot_open_the_staff_profile(client, logged_in, factories):
    logged_in('firm', firm=factories.firm('资料测试有限公司'))
    assert client.get('/account/profile').status_code == 403
    assert '我的联系方式' not in client.get('/').get_data(as_text=True)


def test_the_saved_details_are_what_the_pack_contact_reads(client, logged_in, db_session, app):
    from crm.packs.content import contact

    officer = logged_in('officer')
    post_form(client, '/account/profile', {**DETAILS, 'version': _version(db_session, officer)})
    db_session.expire_all()
    with app.test_request_context():
        printed = contact(db_session.get(User, officer.id), None, 'zh')
    assert printed['title'] == '招商专员' and printed['wechat'] == 'gongshu_zs'
    assert printed['mobile'] == '138 1234 5678'  # as people write it, not +8613812345678
