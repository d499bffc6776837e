"""Firm accounts: an administrator links a user to their firm (user form and `crm users create --role firm
--firm ID|USCC`); the firm user then sees that firm's policy summaries."""
import json

from sqlalchemy import select

from crm.auth.cli import users_create
from crm.auth.models import User
from tests.conftest import post_form

USCC = '91330105MA2H0000X2'


def test_the_user_form_links_a_firm_user_to_a_firm_by_id_or_uscc(client, logged_in, factories, db_session):
    firm = factories.firm('关联测试有限公司', uscc=USCC)
    logged_in('admin')
    account = {'email': 'firm-user@test-crm.cn', 'name': '企业联系人', 'role': 'firm', 'password': 'Qx7-lantern-orbit-92',
               'is_active': 'y'}
    missing = post_form(client, '/admin/users/new', account)
    assert missing.status_code == 422 and '企业用户须关联企业' in missing.get_data(as_text=True)
    unknown = post_form(client, '/admin/users/new', {**account, 'firm': '91330105MA2H0000Y1'})
    assert unknown.status_code == 422 and '没有该编号或统一社会信用代码的企业' in unknown.get_data(as_text=True)
    assert post_form(client, '/admin/users/new', {**account, 'firm': USCC.lower()}).status_code == 302
    user = db_session.scalars(select(User).where(User.email == 'firm-user@test-crm.cn')).one()
    assert user.firm_id == firm.id
    page = client.get(f'/admin/users/{user.id}')
    assert f'value="{firm.id}"' in page.get_data(as_text=True)
    other = factories.firm('另一关联企业有限公司')
    changed = post_form(client, f'/admin/users/{user.id}', {'email': user.email, 'name': user.name, 'role': 'firm',
                                                          'firm': str(other.id), 'is_active': 'y',
                                                          'version': user.version})
    assert changed.status_code == 302
    db_session.expire_all()
    assert db_session.get(User, user.id).firm_id == other.id
    officer = post_form(client, f'/admin/users/{user.id}', {'email': user.email, 'name': user.name, 'role': 'officer',
                                                          'firm': str(other.id), 'is_active': 'y',
                                                          'version': db_session.get(User, user.id).version})
    assert officer.status_code == 302
    db_session.expire_all()
    assert db_session.get(User, user.id).firm_id is None, 'staff act for no firm'


def test_cli_creates_a_firm_user_for_a_firm(app, factories, db_session):
    firm = factories.firm('命令行关联有限公司', uscc=USCC)
    runner = app.test_cli_runner()
    refused = runner.invoke(users_create, ['--email', 'cli-firm@test-crm.cn', '--name', '企业', '--role', 'firm'])
    assert refused.exit_code != 0 and '企业用户须关联企业' in refused.output
    created = runner.invoke(users_create, ['--email', 'cli-firm@test-crm.cn', '--name', '企业', '--role', 'firm',
                                           '--firm', USCC, '--json'])
    assert created.exit_code == 0, created.output
    assert json.loads(created.output)['firm_id'] == firm.id
    by_id = runner.invoke(users_create, ['--email', 'cli-firm2@test-crm.cn', '--name', '企业二', '--role', 'firm',
                                         '--firm', str(firm.id), '--json'])
    assert json.loads(by_id.output)['firm_id'] == firm.id
    staff = runner.invoke(users_create, ['--email', 'cli-officer@test-crm.cn', '--name', '专员', '--role', 'officer',
                                         '--firm', str(firm.id)])
    assert staff.exit_code != 0
