"""T21: a soft-deleted firm is absent from lists, search, exports, matching and packs; restore brings it back."""
from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from crm.firms.models import Firm
from crm.packs.models import Pack, PolicySummary
from tests.conftest import post_form

NAME = '软删除测试科技有限公司'


def _visible_everywhere(client, firm_id: int) -> dict[str, bool]:
    xlsx = load_workbook(io.BytesIO(client.get('/firms/export.xlsx').data), read_only=True)
    cells = {str(c) for row in xlsx.active.iter_rows(values_only=True) for c in row}
    return {
        'list': NAME in client.get('/firms/?industry=6513').get_data(as_text=True),
        'search': NAME in client.get('/firms/?q=软删除测试').get_data(as_text=True),
        'csv': NAME in client.get('/firms/export.csv').data.decode('utf-8-sig'),
        'xlsx': NAME in cells,
        'profile': client.get(f'/firms/{firm_id}').status_code == 200,
        'firm picker': NAME in [r['text'] for r in client.get('/firms/picker?q=软删除测试').get_json()['results']],
    }


def test_deleted_firm_disappears_and_restore_brings_it_back(client, factories, logged_in, db_session):
    firm = factories.firm(NAME, industry_code='6513')
    officer = factories.user('officer')
    lead = factories.lead(firm, owner=officer)
    admin = logged_in('admin')
    assert all(_visible_everywhere(client, firm.id).values())

    assert post_form(client, f'/firms/{firm.id}/delete', {}, token_from='/firms/').status_code == 302
    client.get('/')  # shows the confirmation (which names the firm) once
    seen = _visible_everywhere(client, firm.id)
    assert seen.pop('profile') is True  # administrators can still open it, to restore it
    assert not any(seen.values()), seen
    assert NAME in client.get('/firms/?deleted=1').get_data(as_text=True)

    # policy matching (政策摘要) and packs refuse the deleted firm
    assert post_form(client, f'/leads/{lead.id}/packs', {}, token_from='/').status_code == 302
    assert db_session.scalar(select(Pack.id).where(Pack.lead_id == lead.id)) is None
    client.get('/')
    assert post_form(client, f'/firms/{firm.id}/summaries', {}, token_from='/').status_code == 302
    assert db_session.scalar(select(PolicySummary.id).where(PolicySummary.firm_id == firm.id)) is None

    client.post('/logout', data={'csrf_token': _token(client)})
    from tests.conftest import login
    assert login(client, officer.email, factories.PASSWORD).status_code == 302
    assert client.get(f'/firms/{firm.id}').status_code == 404
    assert post_form(client, f'/firms/{firm.id}/summaries', {}, token_from='/').status_code == 404
    assert not any(_visible_everywhere(client, firm.id).values())

    client.post('/logout', data={'csrf_token': _token(client)})
    assert login(client, admin.email, factories.PASSWORD).status_code == 302
    assert post_form(client, f'/firms/{firm.id}/restore', {}, token_from='/').status_code == 302
    client.get('/')
    restored = db_session.scalar(select(Firm).where(Firm.name == NAME).execution_options(populate_existing=True))
    assert restored.id == firm.id and restored.deleted_at is None
    assert all(_visible_everywhere(client, firm.id).values())
    assert post_form(client, f'/leads/{lead.id}/packs', {}, token_from='/').status_code == 302
    assert db_session.scalar(select(Pack.id).where(Pack.lead_id == lead.id)) is not None


def _token(client) -> str:
    from tests.conftest import csrf_from

    return csrf_from(client.get('/').data)
