"""Policy register pages on both databases: the editors' validation, stale edits, the preview against a firm,
expiry flags on leads and packs, and the officer's pinned/dropped match items that decide what a pack uses."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crm.core import clock
from crm.leads.models import Lead
from crm.matching.models import MatchChoice
from crm.packs.models import Pack
from crm.platforms.models import Platform
from crm.policies.models import Policy, PolicyClause
from tests.conftest import csrf_from, errors_beside, post_form

pytestmark = pytest.mark.usefixtures('business_clock')  # also at 01:30 Beijing time (17:30 UTC)

POLICY = {'title': '数字经济企业研发费用补助', 'issuer': '拱墅区经济和信息化局', 'doc_number': '拱经信〔2026〕1号',
          'level': '区', 'district': '拱墅区', 'status': 'active', 'effective_from': '2026-01-01',
          'expires_on': '2028-12-31', 'amounts_public': 'y', 'kinds': '研发资助', 'industries': '数字经济、电竞数娱',
          'summary': '按研发投入给予补助。'}


def _policy(db_session, **values) -> Policy:
    values = {'title': '测试政策', 'level': '区', 'amounts_public': True, 'kinds': ['房租补助'], 'industries': [],
              'platform_names': [], 'facts': [], **values}
    policy = Policy(key=f'test-{values["title"]}', **values)
    db_session.add(policy)
    db_session.commit()
    db_session.refresh(policy)
    db_session.expunge(policy)  # requests close the scoped session: keep a loaded, detached copy
    return policy


def _clause_form(**values) -> dict:
    data = {'kind': '研发资助', 'formula': 'percent', 'percent': '10', 'base': 'rd_spend', 'cap_year': '50',
            'cap_total': '100', 'conditions-0-field': 'investment', 'conditions-0-op': 'gte',
            'conditions-0-value': '5000', 'conditions-1-field': 'tags', 'conditions-1-op': 'has',
            'conditions-1-value': '高新技术企业、专精特新'}
    return {**data, **values}


def test_admin_registers_a_policy_and_dates_out_of_order_are_refused_with_input_kept(client, logged_in, db_session):
    logged_in('admin')
    response = post_form(client, '/policies/new', {**POLICY, 'expires_on': '2025-12-31'})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '截止日期早于施行日期' in html and '拱经信〔2026〕1号' in html
    assert db_session.scalar(select(func.count(Policy.id)).where(Policy.title == POLICY['title'])) == 0
    response = post_form(client, '/policies/new', POLICY)
    assert response.status_code == 302
    policy = db_session.scalars(select(Policy).where(Policy.title == POLICY['title'])).one()
    assert policy.industries == ['数字经济', '电竞数娱'] and policy.kinds == ['研发资助']
    assert policy.expires_on == date(2028, 12, 31) and policy.amounts_public is True
    assert '数字经济企业研发费用补助' in client.get('/policies/?q=研发费用').get_data(as_text=True)


def test_clause_editor_validates_caps_percentages_schedules_and_condition_values(client, logged_in, db_session):
    logged_in('admin')
    policy = _policy(db_session, title='条款校验')
    url = f'/policies/{policy.id}/clauses/new'
    bad = [({'cap_year': '-1'}, '上限不能为负'),
           ({'percent': '150'}, '百分比应在 0 到 100 之间'),
           ({'cap_year': '80', 'cap_total': '50'}, '累计上限不能低于每年上限'),
           ({'cap_year': 'NaN', 'cap_total': '50'}, '请输入数字'),  # parses as a number, compares as an error
           ({'percent': 'Infinity'}, '请输入数字'),
           ({'cap_year': '1e999999999'}, '数值过大'), ({'cap_total': '9' * 300}, '数值过大'),
           ({'formula': 'fixed', 'amount': '20000000'}, '金额最多为 10000000 万元'),
           ({'formula': 'schedule', 'schedule': '100/150/50'}, '百分比应在 0 到 100 之间'),
           ({'formula': 'schedule', 'schedule': ''}, '请填写分年比例'),
           ({'formula': 'fixed', 'amount': ''}, '固定金额条款须填写金额'),
           ({'conditions-0-value': '五千'}, '“五千”不是数字'),
           ({'conditions-0-op': 'between', 'conditions-0-value': '500~100'}, '下限不能高于上限'),
           ({'conditions-1-op': 'gte'}, '不能使用'),
           ({'base': ''}, '按比例计算时须选择计算基数')]
    for values, message in bad:
        response = post_form(client, url, _clause_form(**values))
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and message in html, (values, message)
        assert '高新技术企业、专精特新' in html, 'the typed conditions are kept'
    assert db_session.scalar(select(func.count(PolicyClause.id)).where(PolicyClause.policy_id == policy.id)) == 0
    version = policy.version
    assert post_form(client, url, _clause_form()).status_code == 302
    clause = db_session.scalars(select(PolicyClause).where(PolicyClause.policy_id == policy.id)).one()
    assert clause.conditions == [{'field': 'investment', 'op': 'gte', 'value': 5000},
                                 {'field': 'tags', 'op': 'has', 'value': ['高新技术企业', '专精特新']}]
    assert clause.percent == Decimal('10') and clause.cap_total == Decimal('100')
    assert db_session.get(Policy, policy.id).version > version, 'a clause change moves the policy version (packs citing it become stale)'
    response = post_form(client, url, _clause_form(formula='schedule', schedule='100/50/50', percent=''))
    assert response.status_code == 302
    assert db_session.scalars(select(PolicyClause.schedule).where(PolicyClause.policy_id == policy.id,
                                                                  PolicyClause.formula == 'schedule')).one() \
        == [100.0, 50.0, 50.0]


def test_a_stale_clause_edit_is_refused_and_nothing_is_overwritten(client, logged_in, db_session):
    logged_in('admin')
    policy = _policy(db_session, title='并发编辑')
    post_form(client, f'/policies/{policy.id}/clauses/new', _clause_form())
    clause = db_session.scalars(select(PolicyClause).where(PolicyClause.policy_id == policy.id)).one()
    page = client.get(f'/policies/clauses/{clause.id}/edit')
    assert '5000' in page.get_data(as_text=True)
    token = csrf_from(page.data)
    first = client.post(f'/policies/clauses/{clause.id}/edit',
                        data={'csrf_token': token, 'version': clause.version, **_clause_form(cap_year='60')})
    assert first.status_code == 302
    second = client.post(f'/policies/clauses/{clause.id}/edit',
                         data={'csrf_token': token, 'version': clause.version, **_clause_form(cap_year='70')})
    assert second.status_code == 409
    assert db_session.get(PolicyClause, clause.id).cap_year == Decimal('60')
    stored = db_session.get(PolicyClause, clause.id).version
    assert f'name="version" type="hidden" value="{stored}"' in second.get_data(as_text=True)
    again = client.post(f'/policies/clauses/{clause.id}/edit',  # saving the conflict page applies it knowingly
                        data={'csrf_token': token, 'version': stored, **_clause_form(cap_year='70')})
    assert again.status_code == 302
    db_session.expire_all()
    assert db_session.get(PolicyClause, clause.id).cap_year == Decimal('70')


def test_officers_and_firm_users_read_the_register_but_cannot_edit_it(client, logged_in, factories, db_session):
    policy = _policy(db_session, title='只读检查')
    logged_in('officer')
    assert client.get('/policies/').status_code == 200
    assert '只读检查' in client.get(f'/policies/{policy.id}').get_data(as_text=True)
    assert client.get('/policies/new').status_code == 403
    client.post('/logout', data={'csrf_token': csrf_from(client.get('/').data)})
    logged_in('firm', firm=factories.firm())
    assert '只读检查' in client.get('/policies/?q=只读检查').get_data(as_text=True), 'firm users read the register'
    assert '只读检查' in client.get(f'/policies/{policy.id}').get_data(as_text=True)
    assert client.get('/policies/new').status_code == 403
    assert client.get(f'/policies/{policy.id}/edit').status_code == 403


def test_preview_evaluates_the_policy_against_a_chosen_firm(client, logged_in, factories, db_session):
    logged_in('officer')
    policy = _policy(db_session, title='试算政策')
    db_session.add(PolicyClause(policy_id=policy.id, kind='人才奖励', formula='fixed', amount=Decimal(20),
                                conditions=[{'field': 'headcount', 'op': 'gte', 'value': 50},
                                            {'field': 'rd_ratio', 'op': 'gte', 'value': 3}]))
    db_session.commit()
    big = factories.firm('杭州试算科技有限公司', headcount=120, rd_ratio=Decimal(5))
    small = factories.firm('杭州小微试算有限公司', headcount=10)
    found = client.get(f'/policies/{policy.id}?who=试算').get_data(as_text=True)
    assert '杭州试算科技有限公司' in found and '杭州小微试算有限公司' in found
    html = client.get(f'/policies/{policy.id}?firm={big.id}').get_data(as_text=True)
    assert '符合' in html and '约 20.00 万元' in html and '不符合' not in html.split('按企业或项目试算')[1]
    html = client.get(f'/policies/{policy.id}?firm={small.id}').get_data(as_text=True)
    assert '不符合' in html.split('按企业或项目试算')[1] and '暂无数据' in html


def _match_lead(factories, officer, db_session, in_app):
    firm = factories.firm('杭州星竞电子竞技有限公司', industry_code='877')
    platform = db_session.scalars(select(Platform).where(Platform.name == '电竞数娱产业园')).one()
    building = factories.building(platform, name='电竞大楼')
    units = [factories.unit(building, number=n, area='800', rent='3.5') for n in ('801', '802', '803')]
    lead = factories.lead(firm, owner=officer, title='电竞俱乐部区域总部')
    with in_app():
        db_session.get(Lead, lead.id).space_need_m2 = Decimal(800)
        db_session.commit()
    return lead, units


def test_pinned_and_dropped_items_decide_what_the_pack_uses(client, factories, logged_in, in_app, db_session):
    officer = logged_in('officer')
    lead, units = _match_lead(factories, officer, db_session, in_app)
    page = client.get(f'/leads/{lead.id}/match').get_data(as_text=True)
    assert '选入推介包' in page
    token = csrf_from(page)

    def choose(kind, item_id, choice):
        response = client.post(f'/leads/{lead.id}/match/choices',
                               data={'csrf_token': token, 'kind': kind, 'item_id': item_id, 'choice': choice})
        assert response.status_code == 302

    choose('unit', units[2].id, 'pin')
    choose('unit', units[0].id, 'drop')
    from crm.core.access import SYSTEM
    from crm.matching.services import match_json
    with in_app():
        result = match_json(db_session.get(Lead, lead.id), viewer=SYSTEM)
    assert result['units'][0]['id'] == units[2].id and result['units'][0]['pinned']
    assert units[0].id not in [u['id'] for u in result['units']] and result['dropped']['unit'] == [units[0].id]
    commitment = result['commitments'][-1]
    choose('commitment', commitment['id'], 'pin')
    page = client.get(f'/leads/{lead.id}/match').get_data(as_text=True)
    assert '已从匹配结果中移除' in page
    assert page.count('已从匹配结果中移除') == 1 and '<' not in page.split('<title>')[1].split('</title>')[0]

    response = post_form(client, f'/leads/{lead.id}/packs', {'lang': 'zh'}, token_from=f'/leads/{lead.id}')
    assert response.status_code == 302
    pack = db_session.scalars(select(Pack).where(Pack.lead_id == lead.id)).one()
    assert [u for u, _v in pack.snapshot['units']] == [units[2].id], 'only the pinned unit is offered'
    assert [q['commitment'] for q in pack.snapshot['quotes']] == [commitment['id']], 'only the pinned quote'

    choose('unit', units[0].id, 'clear')
    assert db_session.scalar(select(func.count(MatchChoice.id)).where(MatchChoice.lead_id == lead.id)) == 2


def test_choices_need_edit_rights_on_the_lead(client, factories, logged_in, db_session):
    owner = factories.user('officer')
    lead = factories.lead(owner=owner)
    logged_in('officer')
    token = csrf_from(client.get('/').data)
    response = client.post(f'/leads/{lead.id}/match/choices',
                           data={'csrf_token': token, 'kind': 'unit', 'item_id': 1, 'choice': 'pin'})
    assert response.status_code == 404
    assert db_session.scalar(select(func.count(MatchChoice.id))) == 0


def test_a_policy_expiring_within_90_days_is_flagged_on_the_lead_and_its_pack(client, factories, logged_in, in_app,
                                                                             db_session):
    officer = logged_in('officer')
    lead, _units = _match_lead(factories, officer, db_session, in_app)
    soon = _policy(db_session, title='电竞产业扶持（即将到期）', expires_on=clock.today() + timedelta(days=30),
                   industries=['电竞数娱'])
    later = _policy(db_session, title='电竞产业扶持（长期）', expires_on=clock.today() + timedelta(days=400),
                    industries=['电竞数娱'])
    token = csrf_from(client.get(f'/leads/{lead.id}/match').data)
    for policy in (soon, later):
        client.post(f'/leads/{lead.id}/match/choices',
                    data={'csrf_token': token, 'kind': 'policy', 'item_id': policy.id, 'choice': 'pin'})
    lead_page = client.get(f'/leads/{lead.id}').get_data(as_text=True)
    assert '所依据的政策即将到期' in lead_page and '电竞产业扶持（即将到期）' in lead_page
    assert '电竞产业扶持（长期）' not in lead_page
    post_form(client, f'/leads/{lead.id}/packs', {'lang': 'zh'}, token_from=f'/leads/{lead.id}')
    pack = db_session.scalars(select(Pack).where(Pack.lead_id == lead.id)).one()
    assert sorted(p for p, _v in pack.snapshot['policies']) == sorted([soon.id, later.id])
    pack_page = client.get(f'/packs/{pack.id}').get_data(as_text=True)
    assert '所依据的政策即将到期' in pack_page and '电竞产业扶持（即将到期）' in pack_page
    listing = client.get('/policies/?expiry=soon').get_data(as_text=True)
    assert '电竞产业扶持（即将到期）' in listing and '电竞产业扶持（长期）' not in listing


def test_admin_attaches_the_policy_document_checked_by_its_bytes(client, logged_in, db_session):
    import io

    logged_in('admin')
    policy = _policy(db_session, title='原文上传')
    token = csrf_from(client.get(f'/policies/{policy.id}').data)
    fake = client.post(f'/policies/{policy.id}/source', content_type='multipart/form-data', follow_redirects=True,
                       data={'csrf_token': token, 'file': (io.BytesIO(b'MZ\x90\x00\x03' * 50), '政策.pdf')})
    assert '只接受 PDF 或文本格式的政策原文' in fake.get_data(as_text=True)
    assert db_session.get(Policy, policy.id).source_sha256 is None
    pdf = b'%PDF-1.7\n% policy text\n%%EOF\n'
    client.post(f'/policies/{policy.id}/source', content_type='multipart/form-data',
                data={'csrf_token': token, 'file': (io.BytesIO(pdf), '拱政发〔2026〕1号.pdf')})
    stored = db_session.get(Policy, policy.id)
    assert stored.source_name == '拱政发〔2026〕1号.pdf' and stored.source_type == 'application/pdf'
    download = client.get(f'/policies/{policy.id}/source')
    assert download.status_code == 200 and download.data == pdf
    assert '拱政发〔2026〕1号.pdf' in client.get(f'/policies/{policy.id}').get_data(as_text=True)


def test_a_refused_policy_document_comes_back_beside_the_file_input(client, logged_in, db_session):
    import io

    logged_in('admin')
    policy = _policy(db_session, title='原文退回')
    token = csrf_from(client.get(f'/policies/{policy.id}').data)
    fake = client.post(f'/policies/{policy.id}/source', content_type='multipart/form-data',
                       data={'csrf_token': token, 'file': (io.BytesIO(b'MZ\x90\x00\x03' * 50), '政策.pdf')})
    html = fake.get_data(as_text=True)
    assert fake.status_code == 422 and '<h1>原文退回' in html, 'the policy page again'
    assert any('只接受 PDF 或文本格式的政策原文' in message for message in errors_beside(html, 'file'))
    for data in ({}, {'file': (io.BytesIO(b''), 'empty.txt')}):
        missing = client.post(f'/policies/{policy.id}/source', content_type='multipart/form-data',
                              data={'csrf_token': token, **data})
        assert missing.status_code == 422
        assert errors_beside(missing.get_data(as_text=True), 'file') == ['请选择要上传的政策原文。']
    assert db_session.get(Policy, policy.id).source_sha256 is None
