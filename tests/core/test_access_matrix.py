"""Every route declares a permission; each role reaches exactly what its permissions allow."""
import pytest

from crm.core.access import PUBLIC, ROLE_PERMISSIONS
from tests.conftest import post_form

ROLES = ['admin', 'leader', 'officer', 'park_manager', 'firm']


def test_every_route_declares_a_permission(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == 'static':
            continue
        view = app.view_functions[rule.endpoint]
        if not getattr(view, 'required_permission', None):
            missing.append(f'{rule.rule} ({rule.endpoint})')
    assert not missing, f'routes without a declared permission: {missing}'


def _get_routes(app):
    for rule in app.url_map.iter_rules():
        if 'GET' in rule.methods and not rule.arguments and rule.endpoint != 'static':
            yield rule.rule, app.view_functions[rule.endpoint].required_permission


@pytest.mark.parametrize('role', ROLES)
def test_role_matrix_for_plain_pages(app, client, logged_in, role):
    logged_in(role)
    for path, permission in _get_routes(app):
        status = client.get(path).status_code
        allowed = permission == PUBLIC or permission in ROLE_PERMISSIONS[role]
        if path in ('/login', '/login/code'):  # signed in: back to the workbench
            assert status in (200, 302)
        elif allowed:
            assert status == 200, (role, path, status)
        else:
            assert status == 403, (role, path, status)


def test_anonymous_is_sent_to_login(app, client):
    for path, permission in _get_routes(app):
        response = client.get(path)
        if path == '/login/code':  # the code step without a password step first: back to the login form
            assert response.status_code == 302 and response.headers['Location'] == '/login'
        elif permission == PUBLIC:
            assert response.status_code == 200, path
        elif path.startswith('/api/'):  # the API answers in JSON and asks for a token
            assert response.status_code == 401 and response.get_json()['error']['code'] == 'unauthenticated', path
        else:
            assert response.status_code == 302 and '/login' in response.headers['Location'], path


def test_park_manager_sees_only_own_platform(client, factories, logged_in):
    own = factories.platform('甲平台')
    other = factories.platform('乙平台')
    logged_in('park_manager', platforms=[own])
    assert client.get(f'/platforms/{own.id}').status_code == 200
    assert client.get(f'/platforms/{other.id}').status_code == 404
    listing = client.get('/platforms/').get_data(as_text=True)
    assert '甲平台' in listing and '乙平台' not in listing
    assert client.get('/platforms/999999').status_code == 404


def test_firm_user_sees_no_platform(client, factories, logged_in):
    platform = factories.platform('丙平台')
    logged_in('firm')
    assert client.get(f'/platforms/{platform.id}').status_code == 403
    assert '丙平台' not in client.get('/').get_data(as_text=True)


@pytest.mark.parametrize('role,visible', [('admin', True), ('leader', False), ('officer', False),
                                          ('park_manager', False), ('firm', False)])
def test_navigation_by_role(client, logged_in, role, visible):
    logged_in(role)
    html = client.get('/').get_data(as_text=True)
    assert ('用户管理' in html) is visible
    assert ('产业平台' in html) is (role != 'firm')


def test_only_admins_create_users(client, logged_in):
    logged_in('leader')
    response = post_form(client, '/admin/users/new', {'email': 'x@test-crm.cn', 'name': 'x', 'role': 'admin',
                                                      'password': 'long enough password'}, token_from='/')
    assert response.status_code == 403
