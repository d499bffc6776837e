"""Pages speak the user's language: the audit view names records, actions and fields as people do, in Chinese and
in English, never by table or column name."""
import io
import json
import re
from contextlib import nullcontext
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from crm.core import clock
from crm.leads.models import Lead, LostReason
from crm.leads.services import move_stage, update_lead
from crm.packs.models import Pack, PolicySummary
from crm.platforms.models import Platform
from crm.policies.models import Policy
from tests.conftest import csrf_from, post_form

FROZEN = [None, datetime(2026, 12, 4, 17, 30, tzinfo=timezone.utc)]  # 01:30 next day in Beijing


def _frozen(instant):
    return clock.frozen(instant) if instant else nullcontext()


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


def _english(client):
    post_form(client, '/locale', {'lang': 'en', 'next': '/'}, token_from='/')


def _shown_text(html: str) -> str:
    """The words a reader sees: tags, attribute values and the embedded JSON left out."""
    html = re.sub(r'<script[^>]*>.*?</script>', ' ', html, flags=re.S)
    return re.sub(r'<[^>]+>', ' ', html)


@pytest.mark.parametrize('instant', FROZEN)
def test_the_english_interface_shows_stages_and_lost_reasons_in_english(client, logged_in, factories, in_app,
                                                                        db_session, instant):
    with _frozen(instant):
        officer = logged_in('officer')
        lead = factories.lead(owner=officer, stage='洽谈', title='英文阶段项目')
        lost = factories.lead(owner=officer, title='英文离开项目')
        with in_app():
            reason = db_session.scalars(select(LostReason).where(LostReason.name == '选择其他区域')).first()
            if reason is None:
                reason = LostReason(name='选择其他区域')
                db_session.add(reason)
                db_session.flush()
            move_stage(db_session.get(Lead, lost.id), '流失', actor_id=None, lost_reason_id=reason.id, note='去了滨江')
            db_session.commit()
        _english(client)
        page = client.get(f'/leads/{lead.id}').get_data(as_text=True)
        shown = _shown_text(page)
        assert 'Negotiation' in shown and 'First contact skipped' in shown and 'Site visit' in shown
        assert '洽谈' not in shown and '初步接洽' not in shown, 'stages are shown in English'
        assert 'Door-to-door visit' in shown and '上门拜访' not in shown, 'the source too'
        assert 'Lost needs a reason and a note' in shown and 'from Signed or later' in shown
        assert 'value="电话">Phone call<' in page, 'follow-up kinds are offered in English, stored in Chinese'
        assert '<option selected value="签约">Signed</option>' in page or 'value="签约">Signed<' in page, \
            'the stage form offers English labels and keeps the stored stage as its value'
        page = client.get(f'/leads/{lost.id}').get_data(as_text=True)
        assert 'Chose another district' in _shown_text(page) and '选择其他区域' not in _shown_text(page)
        for url in ('/leads/', '/leads/board', '/leads/dashboard?fresh=1', '/leads/my-day'):
            response = client.get(url)
            assert response.status_code == 200, url
            shown = _shown_text(response.get_data(as_text=True))
            assert '洽谈' not in shown and '流失' not in shown, url
        assert 'Negotiation' in _shown_text(client.get('/leads/').get_data(as_text=True))
        assert 'Negotiation' in _shown_text(client.get('/leads/board').get_data(as_text=True))
        dashboard = client.get('/leads/dashboard?fresh=1').get_data(as_text=True)
        assert 'Negotiation' in _shown_text(dashboard) and 'Chose another district' in _shown_text(dashboard)
        data = json.loads(re.search(r'id="dashboard-data">(.*?)</script>', dashboard, re.S).group(1))
        assert {row['stage']: row['label'] for row in data['funnel']}['洽谈'] == 'Negotiation'
        assert data['labels']['projects'] == 'Projects'
        post_form(client, '/locale', {'lang': 'zh_Hans_CN', 'next': '/'}, token_from='/')
        shown = _shown_text(client.get(f'/leads/{lead.id}').get_data(as_text=True))
        assert '洽谈' in shown and '标记“流失”须选择原因' in shown, 'a label in a hint follows each viewer\'s language'
        assert 'Lost' not in shown and 'Signed' not in shown
        board = _shown_text(client.get('/leads/board').get_data(as_text=True))
        assert '标记“流失”需要填写原因' in board


def _pack_text(pdf: bytes) -> str:
    return '\n'.join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


FIXED_ZH = ('第 1 页', '页 / 共', '推荐平台', '招商专员', '推荐房源', '平台概况', '推荐理由', '落地成本测算', '可享政策',
            '规划依据', '联系我们', '预计支持', '条件：', '出处：', '即可', '示例政策', '有效期至')


@pytest.mark.parametrize('instant', FROZEN)
def test_an_english_pack_and_policy_summary_have_english_footers_and_labels(client, logged_in, factories, in_app,
                                                                            db_session, instant):
    from crm.policies.services import demo_policies

    with _frozen(instant):
        with in_app():
            demo_policies()
            db_session.commit()
        officer = logged_in('officer')
        firm = factories.firm('杭州英文推介有限公司', industry_code='877')
        platform = db_session.scalars(select(Platform).where(Platform.name == '电竞数娱产业园')).one()
        factories.unit(factories.building(platform, name='英文大楼'), number='601', area='600', rent='3.0')
        lead = factories.lead(firm, owner=officer, title='英文推介项目')
        db_session.execute(update(Lead).where(Lead.id == lead.id).values(space_need_m2=Decimal(600)))
        db_session.commit()
        for lang in ('en', 'zh'):
            response = post_form(client, f'/leads/{lead.id}/packs', {'lang': lang}, token_from=f'/leads/{lead.id}')
            assert response.status_code == 302
        packs = {p.lang: p for p in db_session.scalars(select(Pack).where(Pack.lead_id == lead.id))}
        english = _pack_text(client.get(f'/packs/{packs["en"].id}.pdf').data)
        assert 'Page 2 of' in english and 'Investment Promotion Pack' in english and 'Prepared for' in english
        assert 'Units offered' in english and 'Office' in english
        assert not [w for w in FIXED_ZH if w in english], [w for w in FIXED_ZH if w in english]
        assert not re.search(r'(Platform profile|Estimated support|Conditions|Source|Investment officer)：', english), \
            'English labels take an English colon'
        chinese = _pack_text(client.get(f'/packs/{packs["zh"].id}.pdf').data)
        assert '第 2 页' in chinese and '推荐房源' in chinese and '即可' not in chinese and 'Page 1' not in chinese

        summaries = {}
        for lang in ('en', 'zh'):
            response = post_form(client, f'/firms/{firm.id}/summaries', {'lang': lang}, token_from=f'/firms/{firm.id}')
            assert response.status_code == 302
            summary = db_session.scalars(select(PolicySummary).where(PolicySummary.firm_id == firm.id)
                                         .order_by(PolicySummary.id.desc())).first()
            summaries[lang] = _pack_text(client.get(f'/summaries/{summary.id}.pdf').data)
        assert 'Policy Summary' in summaries['en'] and 'Page 1 of' in summaries['en']
        assert '政策摘要' not in summaries['en'] and '联系我们' not in summaries['en'] and '第 1 页' not in summaries['en']
        assert '政策摘要' in summaries['zh'] and '第 1 页' in summaries['zh']


def test_an_outdated_pack_is_not_labelled_as_a_lead_without_follow_up(client, logged_in, factories, in_app,
                                                                      db_session):
    from crm.policies.services import demo_policies

    with in_app():
        demo_policies()
        db_session.commit()
    officer = logged_in('officer')
    firm = factories.firm('杭州过时推介有限公司', industry_code='877')
    platform = db_session.scalars(select(Platform).where(Platform.name == '电竞数娱产业园')).one()
    factories.unit(factories.building(platform, name='过时大楼'), number='602', area='600', rent='3.0')
    lead = factories.lead(firm, owner=officer, title='过时推介项目')
    db_session.execute(update(Lead).where(Lead.id == lead.id).values(space_need_m2=Decimal(600)))
    db_session.commit()
    assert post_form(client, f'/leads/{lead.id}/packs', {'lang': 'zh'},
                     token_from=f'/leads/{lead.id}').status_code == 302
    pack = db_session.scalars(select(Pack).where(Pack.lead_id == lead.id)).one()
    policy_ids = [policy_id for policy_id, _version in pack.snapshot.get('policies', [])]
    assert policy_ids, 'the pack cites a policy'
    db_session.execute(update(Policy).where(Policy.id == policy_ids[0]).values(version=Policy.version + 1))
    db_session.commit()
    page = client.get(f'/leads/{lead.id}').get_data(as_text=True)
    packs = page.split(pack.number)[1].split('</ul>')[0]
    assert '内容已过时' in packs and '久未跟进' not in packs
    detail = client.get(f'/packs/{pack.id}').get_data(as_text=True)
    assert '打开次数' in detail and '启用' not in detail


def test_english_pages_name_stages_document_numbers_and_beijing_time_in_english(client, logged_in, factories,
                                                                                in_app, db_session):
    from crm.policies.services import demo_policies

    with in_app():
        demo_policies()
        db_session.commit()
    factories.unit(factories.building(factories.platform('措辞园'), name='措辞楼'), use='研发')
    logged_in('admin')
    _english(client)
    vacancies = _shown_text(client.get('/platforms/vacancies').get_data(as_text=True))
    assert 'R&amp;D' in vacancies and 'Office' in vacancies and '研发' not in vacancies and '办公' not in vacancies
    rules = _shown_text(client.get('/admin/follow-up-rules').get_data(as_text=True))
    assert 'Lost, On hold' in rules and 'Negotiation' in rules and '流失' not in rules and '洽谈' not in rules
    policies = client.get('/policies/').get_data(as_text=True)
    assert 'Issuer / document number' in policies and '文号' not in policies
    assert 'District level' in policies and 'amounts not public' in policies and '金额未公开' not in policies
    dashboard = _shown_text(client.get('/leads/dashboard?fresh=1').get_data(as_text=True))
    assert 'Beijing time' in dashboard and '北京时间' not in dashboard


def test_the_audit_view_names_policy_and_plan_fields_as_people_do(client, logged_in, in_app, db_session):
    from crm.policies.services import demo_policies

    with in_app():
        demo_policies()
        db_session.commit()
    logged_in('admin')
    shown = _shown_text(client.get('/admin/audit?object_type=policy').get_data(as_text=True))
    assert '标识' in shown and '示例数据' in shown
    assert not re.search(r'\b(key|is_example|facts|highest_only):', shown), 'no column name is shown'


def test_the_firm_import_preview_counts_records_not_units(client, logged_in, factories):
    factories.firm('杭州计数措辞有限公司')
    logged_in('admin')
    page = client.get('/firms/export.csv')
    assert page.status_code == 200
    token = csrf_from(client.get('/firms/import').data)
    response = client.post('/firms/import', data={'csrf_token': token, 'action': 'preview',
                                                  'file': (io.BytesIO(page.data), 'firms.csv')},
                           content_type='multipart/form-data')
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '检查结果（尚未保存）' in html
    assert '条未变化' in html and '套' not in _shown_text(html)
