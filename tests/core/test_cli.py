"""The `crm` commands that automation calls print one JSON document."""
import json

from sqlalchemy import func, select

from crm.auth.cli import users_create
from crm.auth.models import User
from crm.cli import demo_command, seed_command
from tests.conftest import csrf_from, login


def _invoke(app, command, args):
    runner = app.test_cli_runner(mix_stderr=False) if _supports_mix(app) else app.test_cli_runner()
    return runner.invoke(command, args)


def _supports_mix(app):
    import inspect

    from click.testing import CliRunner
    return 'mix_stderr' in inspect.signature(CliRunner.__init__).parameters


def test_demo_json_lists_one_account_per_role_and_they_can_log_in(app, client, db_session):
    result = _invoke(app, demo_command, ['--json'])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    roles = {a['role'] for a in payload['accounts']}
    assert roles == {'admin', 'leader', 'officer', 'park_manager', 'firm'}
    park = next(a for a in payload['accounts'] if a['role'] == 'park_manager')
    assert park['platforms'] == ['跨贸小镇']
    for account in payload['accounts']:
        response = login(client, account['email'], account['password'])
        assert response.status_code == 302, account['email']
        client.post('/logout', data={'csrf_token': csrf_from(client.get('/').data)})


def test_demo_is_idempotent_and_gives_the_firm_user_a_policy_summary(app, db_session):
    from crm.packs.models import PolicySummary

    first = _invoke(app, demo_command, ['--json'])
    assert first.exit_code == 0 and json.loads(first.stdout)['demo_summaries'] == 1
    firm_id = db_session.scalar(select(User.firm_id).where(User.email == 'firm@demo-crm.cn'))
    assert db_session.scalar(select(func.count(PolicySummary.id)).where(PolicySummary.firm_id == firm_id)) == 1
    count = db_session.scalar(select(func.count(User.id)))
    again = _invoke(app, demo_command, ['--json'])
    assert again.exit_code == 0 and json.loads(again.stdout)['demo_summaries'] == 0
    assert db_session.scalar(select(func.count(User.id))) == count


def test_users_create_json(app, db_session):
    result = _invoke(app, users_create, ['--email', 'New.Person@Test-CRM.cn', '--name', '新同事', '--role',
                                         'park_manager', '--platform', '跨贸小镇', '--json'])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload['email'] == 'new.person@test-crm.cn' and payload['role'] == 'park_manager'
    assert len(payload['password']) >= 12
    bad = _invoke(app, users_create, ['--email', 'x@test-crm.cn', '--name', 'x', '--role', 'park_manager',
                                      '--platform', '不存在的平台'])
    assert bad.exit_code != 0 and '平台不存在' in bad.output


def test_seed_is_idempotent(app, db_session):
    first = json.loads(_invoke(app, seed_command, ['--json']).stdout)
    assert first['platforms_created'] == 0  # the app fixture already seeded
    again = json.loads(_invoke(app, seed_command, ['--json']).stdout)
    assert again == {**first, 'platforms_created': 0, 'platforms_updated': 0}
