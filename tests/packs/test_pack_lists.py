"""Pack lists run one statement (crm.packs.queries): the lead page and the API asked for that lead's packs list
the same packs in the same order (newest version first), and so do the firm page and the API asked for that
firm's packs (newest first across its leads), each through the viewer's scope."""
import re
from datetime import timedelta

import pytest

from crm.db import utcnow
from crm.packs.models import Pack
from tests.conftest import login


@pytest.fixture
def packs(factories, db_session):
    """An officer's two leads of one firm with interleaved pack versions, and another firm's lead with one."""
    officer = factories.user('officer')
    firm = factories.firm()
    first, second = factories.lead(firm, owner=officer), factories.lead(firm, owner=officer)
    elsewhere = factories.lead(owner=officer)
    start = utcnow() - timedelta(days=10)
    made = {}
    for n, (lead, version) in enumerate([(first, 1), (second, 1), (first, 2), (elsewhere, 1), (second, 2),
                                         (first, 3)]):
        pack = Pack(number=f'GS-TEST-{lead.id}-V{version}', lead_id=lead.id, firm_id=lead.firm_id, version=version,
                    sha256=f'{n:064d}', size=1000, pages=4, snapshot={}, created_at=start + timedelta(hours=n))
        db_session.add(pack)
        db_session.commit()
        made[(lead.id, version)] = pack.id
    return officer, firm, (first, second, elsewhere), made


def _listed(html: str, section: str = '') -> list[int]:
    """The packs a page links to, in its order (after `section`, up to the end of that list)."""
    part = html.split(section, 1)[1].split('</ul>', 1)[0] if section else html
    return [int(n) for n in re.findall(r'href="/packs/(\d+)"', part)]


def _api_ids(client, query: str) -> list[int]:
    response = client.get(f'/api/v1/packs?per_page=200&{query}')
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return [item['id'] for item in response.get_json()['items']]


def test_a_leads_packs_are_the_same_on_its_page_and_in_the_api(client, factories, packs):
    officer, _firm, (first, second, _elsewhere), made = packs
    assert login(client, officer.email, factories.PASSWORD).status_code == 302
    for lead in (first, second):
        page = _listed(client.get(f'/leads/{lead.id}').get_data(as_text=True))
        assert page and page == _api_ids(client, f'lead_id={lead.id}')
    assert _api_ids(client, f'lead_id={first.id}') == [made[(first.id, v)] for v in (3, 2, 1)]


def test_a_firms_packs_are_the_same_on_its_page_and_in_the_api(client, factories, packs):
    officer, firm, (first, second, _elsewhere), made = packs
    assert login(client, officer.email, factories.PASSWORD).status_code == 302
    page = _listed(client.get(f'/firms/{firm.id}').get_data(as_text=True), 'class="firm-packs"')
    assert page == _api_ids(client, f'firm_id={firm.id}')
    assert page == [made[k] for k in [(first.id, 3), (second.id, 2), (first.id, 2), (second.id, 1), (first.id, 1)]]
