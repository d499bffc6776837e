"""The password rule wherever a password is set: one's own change, an administrator creating an account or setting a
password, and `crm users create`. Common passwords of 10+ characters, the account's own e-mail and name, and the
district's and the product's words are refused, with the reason in Chinese (English in the English interface)."""
import re

import pytest
from sqlalchemy import select

from crm.auth.models import User
from tests.conftest import csrf_from, errors_beside, login, post_form

COMMON = ['1q2w3e4r5t', 'qwerty1234', 'Password123!', '1qaz2wsx3edc', 'woaini1314520', 'qazwsxedc123',
          'abcdefghijkl', 'aaaaaaaaaaaa', 'P@ssw0rd2024']
CONTEXT = ['gongshu2026!', 'Hangzhou@2026', 'zhaoshang888!', '拱墅区招商2026abc', 'GongShuCRM-2026']


def _errors(response) -> list[str]:
    return re.findall(r'<p class="error"[^>]*>([^<]+)</p>', response.get_data(as_text=True))


def _change(client, current: str, new: str):
    return post_form(client, '/account/password', {'current': current, 'new': new, 'confirm': new})


@pytest.mark.parametrize('password', COMMON)
def test_common_passwords_of_ten_or_more_characters_are_refused_on_change(client, logged_in, factories, password):
    user = logged_in('officer')
    response = _change(client, factories.PASSWORD, password)
    assert response.status_code == 200, response.status_code  # the form again, not the redirect after saving
    errors = ' '.join(_errors(response))
    assert any(word in errors for word in ('常见', '容易被猜到', '键盘', '重复', '连续')), errors
    # the old password still signs in
    client.post('/logout', data={'csrf_token': csrf_from(client.get('/').data)})
    assert login(client, user.email, factories.PASSWORD).status_code == 302


def test_the_breached_list_reason_is_told_in_chinese(client, logged_in, factories):
    logged_in('officer')
    errors = _errors(_change(client, factories.PASSWORD, '1q2w3e4r5t'))
    assert errors == ['该密码在最常见（已泄露）密码列表中，攻击者会最先尝试这类密码。']


@pytest.mark.parametrize('password', CONTEXT)
def test_district_and_product_words_are_refused(client, logged_in, factories, password):
    logged_in('officer')
    errors = _errors(_change(client, factories.PASSWORD, password))
    assert errors and '本区或本系统' in errors[0], errors


def test_platform_names_count_as_context_words(client, logged_in, factories):
    factories.platform('运河湾数智产业园', key='yunhewan-park')
    logged_in('officer')
    assert '本区或本系统' in ' '.join(_errors(_change(client, factories.PASSWORD, '运河湾数智产业园2026!')))


def test_own_email_and_name_are_refused(client, logged_in, factories):
    logged_in('officer', email='liuyang.zs@gongshu-test.cn', name='Liu Yang')
    for password in ('liuyang.zs@gongshu-test.cn', 'liuyang2026!', 'Liu Yang 12345', 'zs.liuyang.1990'):
        errors = _errors(_change(client, factories.PASSWORD, password))
        assert errors and '邮箱名或姓名' in errors[0], (password, errors)


def test_a_phrase_passes_and_is_set(client, logged_in, factories, db_session):
    user = logged_in('officer')
    response = _change(client, factories.PASSWORD, 'river lamp quietly hums')
    assert response.status_code == 302
    from crm.auth.services import verify_password
    assert verify_password(db_session.get(User, user.id), 'river lamp quietly hums')


def test_english_interface_gives_the_reason_in_english(client, logged_in, factories):
    logged_in('officer')
    post_form(client, '/locale', {'lang': 'en', 'next': '/'}, token_from='/')
    errors = _errors(_change(client, factories.PASSWORD, 'qwerty1234'))
    assert errors == ['This password is on the lists of the most common (leaked) passwords, which attackers try '
                      'first.']


def test_administrator_cannot_create_an_account_with_a_weak_password(client, logged_in, db_session):
    logged_in('admin')
    for password, reason in (('Password123!', '常见'), ('wangfang.zs2026', '邮箱名或姓名'),
                             ('zhaoshang2026!', '本区或本系统')):
        response = post_form(client, '/admin/users/new', {'email': 'wangfang.zs@test-crm.cn', 'name': '王芳',
                                                          'role': 'officer', 'password': password, 'is_active': 'y'})
        assert response.status_code == 422 and reason in ' '.join(_errors(response)), password
        assert 'wangfang.zs@test-crm.cn' in response.get_data(as_text=True)  # the form keeps what was typed
    assert db_session.scalar(select(User).where(User.email == 'wangfang.zs@test-crm.cn')) is None


def test_administrator_reset_applies_the_rule_to_the_user_not_the_administrator(client, logged_in, factories,
                                                                                db_session):
    officer = factories.user('officer', email='chenjing@test-crm.cn', name='陈静')
    logged_in('admin')
    before = db_session.get(User, officer.id).password_hash
    action = f'/admin/users/{officer.id}/password'
    response = post_form(client, action, {'password': 'chenjing-2026'}, token_from=f'/admin/users/{officer.id}')
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'value="chenjing@test-crm.cn"' in html, "the account's page again"
    assert any('邮箱名或姓名' in message for message in errors_beside(html, 'password', action))
    assert 'chenjing-2026' not in html, 'a password is not written back into the page'
    assert re.search(r'name="opened" type="hidden" value="[^"]+"', html), 'the account form opened as stored'
    db_session.expire_all()
    assert db_session.get(User, officer.id).password_hash == before
    response = post_form(client, action, {'password': '1q2w3e4r5t6y'}, token_from=f'/admin/users/{officer.id}')
    shown = ' '.join(errors_beside(response.data, 'password', action))
    assert response.status_code == 422 and ('容易被猜到' in shown or '常见' in shown)
    empty = post_form(client, action, {'password': ''}, token_from=f'/admin/users/{officer.id}')
    assert empty.status_code == 422 and errors_beside(empty.data, 'password', action) == ['请输入新密码。']
    db_session.expire_all()
    assert db_session.get(User, officer.id).password_hash == before


def test_command_line_account_creation_applies_the_rule(app, db_session):
    from crm.auth.cli import users_create

    runner = app.test_cli_runner()
    result = runner.invoke(users_create, ['--email', 'cli-weak@test-crm.cn', '--name', '命令行', '--role', 'officer',
                                          '--password', 'qwerty1234'])
    assert result.exit_code != 0 and '常见' in result.output, result.output
    result = runner.invoke(users_create, ['--email', 'cli-ok@test-crm.cn', '--name', '命令行', '--role', 'officer'])
    assert result.exit_code == 0, result.output  # the random default password passes
