"""A new lead can name a firm not yet on record: it is created with the lead, through the firm checks."""
from sqlalchemy import func, select

from crm.core.audit import AuditEvent
from crm.firms.models import Firm
from crm.leads.models import Lead
from tests.conftest import post_form

VALID_USCC = '91330105MA2H2TQ91W'
LEAD = {'title': '华东结算中心落地', 'source': '以商招商', 'priority': '高', 'notes': '保留我的备注'}


def _counts(db_session):
    return db_session.scalar(select(func.count(Firm.id))), db_session.scalar(select(func.count(Lead.id)))


def test_lead_and_new_firm_are_created_together(client, logged_in, db_session):
    officer = logged_in('officer')
    page = client.get('/leads/new').get_data(as_text=True)
    assert 'name="new_firm_name"' in page and '<script>' not in page and '已有他人保存' not in page
    response = post_form(client, '/leads/new', {**LEAD, 'firm_id': '', 'new_firm_name': '杭州云栖结算科技有限公司',
                                                'new_firm_uscc': VALID_USCC.lower(), 'new_firm_industry': '6513'})
    assert response.status_code == 302
    db_session.expire_all()
    firm = db_session.scalar(select(Firm).where(Firm.name == '杭州云栖结算科技有限公司'))
    lead = db_session.scalar(select(Lead).where(Lead.title == '华东结算中心落地'))
    assert (firm.uscc, firm.industry_code) == (VALID_USCC, '6513')
    assert (lead.firm_id, lead.owner_id, lead.industry_code) == (firm.id, officer.id, '6513')
    assert db_session.scalar(select(AuditEvent.id).where(AuditEvent.object_type == 'firm', AuditEvent.object_id ==
                                                         str(firm.id), AuditEvent.action == 'create'))


def test_bad_check_character_is_refused_in_chinese_and_nothing_is_created(client, logged_in, db_session):
    logged_in('officer')
    before = _counts(db_session)
    bad = VALID_USCC[:-1] + ('Y' if VALID_USCC[-1] != 'Y' else 'X')
    response = post_form(client, '/leads/new', {**LEAD, 'firm_id': '', 'new_firm_name': '杭州校验位测试有限公司',
                                                'new_firm_uscc': bad})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '统一社会信用代码校验位不正确' in html
    assert '杭州校验位测试有限公司' in html and '华东结算中心落地' in html and '保留我的备注' in html
    db_session.expire_all()
    assert _counts(db_session) == before


def test_duplicate_name_offers_the_existing_firm_and_creates_no_twin(client, factories, logged_in, db_session):
    existing = factories.firm('杭州星河数智科技有限公司')
    officer = logged_in('officer')
    before = _counts(db_session)
    typed = {**LEAD, 'firm_id': '', 'new_firm_name': '杭州星河数智科技（杭州）有限公司'}
    offered = post_form(client, '/leads/new', typed)
    html = offered.get_data(as_text=True)
    assert offered.status_code == 422
    assert '杭州星河数智科技有限公司' in html and f'name="firm_choice" value="{existing.id}"' in html
    assert '华东结算中心落地' in html and '保留我的备注' in html
    db_session.expire_all()
    assert _counts(db_session) == before
    chosen = post_form(client, '/leads/new', {**typed, 'firm_choice': str(existing.id)})
    assert chosen.status_code == 302
    db_session.expire_all()
    lead = db_session.scalar(select(Lead).where(Lead.title == '华东结算中心落地'))
    assert (lead.firm_id, lead.owner_id) == (existing.id, officer.id)
    assert _counts(db_session) == (before[0], before[1] + 1)


def test_same_credit_code_offers_only_that_firm_and_a_confirmed_similar_name_is_created(client, factories,
                                                                                    logged_in, db_session):
    coded = factories.firm('杭州远航供应链管理有限公司', uscc=VALID_USCC)
    logged_in('officer')
    same_code = post_form(client, '/leads/new', {**LEAD, 'firm_id': '', 'new_firm_name': '完全不同的名字有限公司',
                                                 'new_firm_uscc': VALID_USCC})
    html = same_code.get_data(as_text=True)
    assert same_code.status_code == 422 and f'value="{coded.id}"' in html and 'value="new"' not in html
    factories.firm('杭州晨光网络科技有限公司')
    different = post_form(client, '/leads/new', {**LEAD, 'firm_id': '', 'new_firm_name': '杭州晨光网络科技股份有限公司',
                                                 'firm_choice': 'new'})
    assert different.status_code == 302
    db_session.expire_all()
    assert db_session.scalar(select(func.count(Firm.id)).where(Firm.name.like('杭州晨光网络科技%'))) == 2


def test_firm_must_be_chosen_or_entered_and_leaders_cannot_create_firms(client, factories, logged_in, db_session):
    logged_in('officer')
    neither = post_form(client, '/leads/new', {**LEAD, 'firm_id': ''})
    assert neither.status_code == 422 and '请选择' in neither.get_data(as_text=True)
    post_form(client, '/logout', {}, token_from='/')
    logged_in('leader')
    before = _counts(db_session)
    assert 'name="new_firm_name"' not in client.get('/leads/new').get_data(as_text=True)
    refused = post_form(client, '/leads/new', {**LEAD, 'firm_id': '', 'new_firm_name': '领导新建企业有限公司'})
    assert refused.status_code == 422
    db_session.expire_all()
    assert _counts(db_session) == before
