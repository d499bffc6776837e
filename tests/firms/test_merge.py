"""与…合并: either firm may stay, values are kept field by field, every record that pointed at the other firm moves
(each with its own audit entry), the other is soft-deleted with merged_into_id and its address leads to the firm
that stayed, on the web pages (301) and in the API (308)."""
from sqlalchemy import select

from crm.auth.models import User
from crm.core.audit import AuditEvent
from crm.firms.models import Contact, Firm, Tenancy
from crm.leads.models import Activity, Lead
from crm.packs.models import Pack, PolicySummary
from tests.conftest import post_form

CODE = '91110000600037341L'


def _everything_for(factories, firm, officer):
    unit = factories.unit(factories.building(factories.platform()))
    lead = factories.lead(firm, owner=officer)
    factories.activity(lead, owner=officer)
    return {'lead': lead, 'tenancy': factories.tenancy(firm, unit), 'contact': factories.contact(firm, name='王经理'),
            'pack': factories.pack(lead), 'summary': factories.summary(firm),
            'account': factories.user('firm', firm=firm)}


def test_merging_from_the_firm_page_moves_everything_and_keeps_both_histories(client, factories, logged_in,
                                                                             db_session):
    stays = factories.firm('杭州某某科技有限公司', headcount=40)
    goes = factories.firm('某某科技（杭州）有限公司', uscc=CODE, legal_rep='李四', notes='合并前的备注')
    officer = logged_in('officer')
    rows = _everything_for(factories, goes, officer)
    lead_version = db_session.scalar(select(Lead.version).where(Lead.id == rows['lead'].id))

    page = client.get(f'/firms/{goes.id}').get_data(as_text=True)
    assert '与…合并' in page and f'/firms/{goes.id}/merge"' in page
    chooser = client.get(f'/firms/{goes.id}/merge').get_data(as_text=True)
    assert stays.name in chooser and 'data-picker="/firms/picker?exclude=' in chooser
    compare = client.get(f'/firms/{goes.id}/merge?other={stays.id}')
    assert compare.status_code == 302 and compare.headers['Location'].endswith(f'/firms/{goes.id}/merge/{stays.id}')
    html = client.get(compare.headers['Location']).get_data(as_text=True)
    assert '保留哪一家企业' in html and '统一社会信用代码' in html and '员工人数' in html

    # from the page of the firm that goes: the other one stays, with this one's code and legal representative
    response = post_form(client, f'/firms/{goes.id}/merge/{stays.id}',
                         {'survivor': 'other', 'name': 'other', 'uscc': 'this', 'legal_rep': 'this',
                          'headcount': 'other', 'notes': 'this'})
    assert response.status_code == 302 and response.headers['Location'].endswith(f'/firms/{stays.id}')
    db_session.expire_all()
    merged, gone = db_session.get(Firm, stays.id), db_session.get(Firm, goes.id)
    assert (merged.name, merged.uscc, merged.legal_rep, merged.headcount, merged.notes) == \
        ('杭州某某科技有限公司', CODE, '李四', 40, '合并前的备注')
    assert merged.former_names == ['某某科技（杭州）有限公司']
    assert gone.deleted_at is not None and gone.merged_into_id == stays.id and gone.uscc is None

    for model, row in ((Lead, 'lead'), (Tenancy, 'tenancy'), (Contact, 'contact'), (Pack, 'pack'),
                       (PolicySummary, 'summary'), (User, 'account')):
        assert db_session.get(model, rows[row].id).firm_id == stays.id, row
    assert db_session.scalar(select(Activity.lead_id).where(Activity.lead_id == rows['lead'].id))  # follow-ups ride along
    lead = db_session.get(Lead, rows['lead'].id)
    assert lead.version == lead_version + 1  # an edit form opened before the merge is stale now

    merge = db_session.scalars(select(AuditEvent).where(AuditEvent.action == 'merge')).one()
    assert merge.object_id == str(stays.id) and merge.changes['merged'] == goes.id
    assert merge.changes['moved'] == {'contact': 1, 'lead': 1, 'pack': 1, 'policy_summary': 1, 'tenancy': 1,
                                      'user': 1}
    history = {(e.object_type, e.object_id, e.action) for e in db_session.scalars(select(AuditEvent))}
    assert ('firm', str(goes.id), 'update') in history  # its own history stays under its number
    assert ('lead', str(rows['lead'].id), 'update') in history  # each moved record says it changed firm

    survivor_page = client.get(f'/firms/{stays.id}').get_data(as_text=True)
    assert '已并入本企业' in survivor_page and '某某科技（杭州）有限公司' in survivor_page
    for row in ('lead', 'pack', 'summary'):  # the firm page lists them, with links
        assert {'lead': f'/leads/{rows["lead"].id}"', 'pack': f'/packs/{rows["pack"].id}"',
                'summary': f'/summaries/{rows["summary"].id}.pdf"'}[row] in survivor_page
    assert '可能重复的企业' not in survivor_page


def test_a_merged_away_address_leads_to_the_firm_that_stayed(client, factories, logged_in, token_for):
    stays, goes = factories.firm('杭州某某科技有限公司'), factories.firm('某某科技股份有限公司')
    officer = logged_in('officer')
    assert post_form(client, f'/firms/{stays.id}/merge/{goes.id}', {}).status_code == 302
    page = client.get(f'/firms/{goes.id}')
    assert page.status_code == 301 and page.headers['Location'].endswith(f'/firms/{stays.id}')
    edit = client.get(f'/firms/{goes.id}/edit?from=list')
    assert edit.status_code == 301 and edit.headers['Location'].endswith(f'/firms/{stays.id}/edit?from=list')
    api = client.get(f'/api/v1/firms/{goes.id}', headers={'Authorization': f'Bearer {token_for(officer)}'})
    assert api.status_code == 308 and api.headers['Location'].endswith(f'/api/v1/firms/{stays.id}')
    assert client.get(api.headers['Location'], headers={'Authorization': f'Bearer {token_for(officer)}'}
                      ).get_json()['name'] == stays.name
    assert client.get('/firms/999999').status_code == 404


def test_a_firm_merged_twice_leads_to_the_last_one(client, factories, logged_in):
    first, second, third = (factories.firm(n) for n in ('某某科技有限公司', '杭州某某科技有限公司', '浙江某某科技有限公司'))
    logged_in('officer')
    post_form(client, f'/firms/{second.id}/merge/{first.id}', {})
    post_form(client, f'/firms/{third.id}/merge/{second.id}', {})
    assert client.get(f'/firms/{first.id}').headers['Location'].endswith(f'/firms/{third.id}')


def test_who_may_merge(client, factories, logged_in, db_session):
    platform = factories.platform()
    a, b = factories.firm('杭州某某科技有限公司'), factories.firm('某某科技股份有限公司')
    factories.tenancy(a, factories.unit(factories.building(platform)))
    factories.tenancy(b, factories.unit(factories.building(platform)))
    for role, kwargs in (('leader', {}), ('park_manager', {'platforms': [platform]}), ('firm', {'firm': a})):
        logged_in(role, **kwargs)
        assert client.get(f'/firms/{a.id}/merge/{b.id}').status_code == 403, role
        assert client.get(f'/firms/{a.id}/merge').status_code == 403, role
        client.post('/logout', data={'csrf_token': _token(client)})
    logged_in('admin')
    assert client.get(f'/firms/{a.id}/merge/{b.id}').status_code == 200
    assert post_form(client, f'/firms/{a.id}/merge/{a.id}', {}).status_code == 422  # not with itself
    assert db_session.get(Firm, a.id).deleted_at is None


def test_a_merged_away_firm_cannot_be_restored(client, factories, logged_in):
    stays, goes = factories.firm('杭州某某科技有限公司'), factories.firm('某某科技股份有限公司')
    logged_in('admin')
    post_form(client, f'/firms/{stays.id}/merge/{goes.id}', {})
    response = post_form(client, f'/firms/{goes.id}/restore', {}, token_from='/firms/', follow_redirects=True)
    assert '不能恢复' in response.get_data(as_text=True)


def _token(client) -> str:
    from tests.conftest import csrf_from

    return csrf_from(client.get('/').data)
