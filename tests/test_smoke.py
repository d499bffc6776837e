from tests.conftest import login


def test_login_page_renders_in_chinese(client):
    response = client.get('/login')
    assert response.status_code == 200
    assert '登录' in response.get_data(as_text=True)


def test_officer_signs_in_and_sees_workbench(client, factories):
    user = factories.user('officer')
    response = login(client, user.email, factories.PASSWORD)
    assert response.status_code == 302
    page = client.get('/').get_data(as_text=True)
    assert user.name in page
