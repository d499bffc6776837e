"""Pages speak the user's language: the audit view names records, actions and fields as people do, in Chinese and
in English, never by table or column name."""
from decimal import Decimal

from crm.leads.models import Lead
from crm.leads.services import update_lead
from tests.conftest import post_form


def test_the_audit_view_names_fields_and_actions_in_the_users_language(client, logged_in, factories, in_app,
                                                                       db_session):
    lead = factories.lead(title='审计措辞项目')
    with in_app():
        item = db_session.get(Lead, lead.id)
        update_lead(item, {'investment': Decimal('9500')}, version=item.version)
        db_session.commit()
    logged_in('admin')
    page = client.get(f'/admin/audit?object_type=lead&object_id={lead.id}').get_data(as_text=True)
    assert '计划投资（万元）' in page and '招商项目' in page and '修改' in page
    assert '<code>investment</code>' not in page and '>update<' not in page
    post_form(client, '/locale', {'lang': 'en', 'next': '/'}, token_from='/')
    page = client.get(f'/admin/audit?object_type=lead&object_id={lead.id}').get_data(as_text=True)
    assert 'Planned investment (10k yuan)' in page and 'changed' in page
