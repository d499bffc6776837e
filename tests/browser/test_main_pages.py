"""The main pages of each role that the journeys do not pass through, at the desktop and at the phone size
(`test-artifacts/ROLE-PAGE-1366.png` and `-390.png`): each shows its content and none scrolls sideways."""
import pytest

from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser

# role → (screenshot name, path, what the page must show)
PAGES = {
    'officer': [('officer-my-day', '/leads/my-day', '.card h2'), ('officer-leads', '/leads/', 'table.list tbody tr a')],
    'park_manager': [('park_manager-vacancies', '/platforms/vacancies', 'table.list tbody tr a')],
    'admin': [('admin-policies', '/policies/', 'table.list tbody tr a'),
              ('admin-users', '/admin/users', 'table.list tbody tr a')],
}


@pytest.mark.parametrize('role', list(PAGES))
def test_main_pages_fit_the_desktop_and_a_phone(live_server, page, role):
    base, accounts = live_server
    sign_in(page, base, accounts[role])
    for name, path, content in PAGES[role]:
        response = page.goto(base + path)
        assert response.status == 200, path
        assert page.locator(content).count() > 0, f'{path} shows {content}'
        screenshot(page, name)
    assert page.problems == []
