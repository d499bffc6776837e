"""One evaluation of a policy for a lead, shown alike everywhere, and a net landed cost that cannot be impossible.

The scenario is the one officers met: an esports lead needing 600 ㎡, a 600 ㎡ unit at 3.00 元/㎡·天 with 物业费
10 元/㎡·月, the pinned 数字经济企业房租补助（示例） (100 %/50 %/50 % of the rent) and a second, unpinned rent policy for
the 人力资源服务产业园 whose own platform and industry restrictions do not fit the lead.
"""
import io
import re
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from crm.core import clock
from crm.leads.models import Lead
from crm.packs.models import Pack
from crm.platforms.models import Platform, Unit
from crm.policies.models import Policy, PolicyClause
from tests.conftest import csrf_from, post_form

FROZEN = [None, datetime(2026, 12, 4, 17, 30, tzinfo=timezone.utc)]  # 01:30 next day in Beijing


def _frozen(instant):
    from contextlib import nullcontext

    return clock.frozen(instant) if instant else nullcontext()


def _scenario(factories, officer, db_session, in_app):
    from crm.policies.services import demo_policies

    with in_app():
        demo_policies()
        db_session.commit()
    digital_id = db_session.scalars(select(Policy.id).where(Policy.key == 'example-digital-rent')).one()
    hr = Policy(key='test-hr-rent', title='人力资源服务产业园房租补助（测试）', level='区', amounts_public=True,
                kinds=['房租补助'], industries=['人力资源服务'], platform_names=['中国(杭州)人力资源服务产业园'],
                facts=[], clauses=[PolicyClause(kind='房租补助', formula='percent', base='rent', percent=Decimal(100),
                                                cap_year=Decimal(60),
                                                conditions=[{'field': 'headcount', 'op': 'gte', 'value': 20}])])
    db_session.add(hr)
    db_session.commit()
    hr_id = hr.id
    firm = factories.firm('杭州星竞电子竞技有限公司', industry_code='877')
    platform = db_session.scalars(select(Platform).where(Platform.name == '电竞数娱产业园')).one()
    unit = factories.unit(factories.building(platform, name='电竞大楼'), number='601', area='600', rent='3.0')
    db_session.execute(update(Unit).where(Unit.id == unit.id).values(property_fee=Decimal(10)))
    lead = factories.lead(firm, owner=officer, title='电竞俱乐部区域总部')
    db_session.execute(update(Lead).where(Lead.id == lead.id).values(space_need_m2=Decimal(600)))
    db_session.commit()
    return lead, unit, digital_id, hr_id


def _setup(client, factories, officer, db_session, in_app):
    """The scenario, with the digital rent policy pinned for the pack by the officer."""
    lead, unit, digital_id, hr_id = _scenario(factories, officer, db_session, in_app)
    token = csrf_from(client.get(f'/leads/{lead.id}/match').data)
    response = client.post(f'/leads/{lead.id}/match/choices',
                           data={'csrf_token': token, 'kind': 'policy', 'item_id': digital_id, 'choice': 'pin'})
    assert response.status_code == 302
    return lead, unit, digital_id, hr_id


def _pdf_text(pdf: bytes) -> str:
    return re.sub(r'\s+', '', ''.join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def _numbers(html: str) -> list[str]:
    return re.findall(r'[−-]?\d[\d,]*\.\d\d', html)


@pytest.mark.parametrize('instant', FROZEN)
def test_cost_table_stacks_only_pack_policies_shows_property_fee_and_is_never_negative(
        client, factories, logged_in, in_app, db_session, instant):
    with _frozen(instant):
        officer = logged_in('officer')
        lead, _unit, digital_id, _hr_id = _setup(client, factories, officer, db_session, in_app)
        page = client.get(f'/leads/{lead.id}/match').get_data(as_text=True)
        table = page.split('id="landed-cost"')[1].split('</table>')[0]
        assert '物业费' in table and '7.20' in table, 'the 物业费 is part of the landed cost'
        assert '65.70' in table and '32.85' in table and '40.05' in table
        assert '125.70' not in table and not any(n.startswith(('-', '−')) for n in _numbers(table))
        assert '人力资源服务产业园房租补助' not in table, 'an unpinned policy that does not fit is never stacked'

        from crm.core.access import SYSTEM
        from crm.matching.services import match_json
        with in_app():
            result = match_json(db_session.get(Lead, lead.id), viewer=SYSTEM)
        rows = result['net_cost']
        assert [r['rent'] for r in rows] == ['65.70'] * 3
        assert [r['property_fee'] for r in rows] == ['7.20'] * 3
        assert [(r['subsidy_low'], r['subsidy_high']) for r in rows] == [('65.70', '65.70'), ('32.85', '32.85'),
                                                                        ('32.85', '32.85')]
        assert [(r['net_low'], r['net_high']) for r in rows] == [('7.20', '7.20'), ('40.05', '40.05'),
                                                                ('40.05', '40.05')]
        assert [s['policy_id'] for s in rows[0]['subsidies']] == [digital_id]

        response = post_form(client, f'/leads/{lead.id}/packs', {'lang': 'zh'}, token_from=f'/leads/{lead.id}')
        assert response.status_code == 302
        pack = db_session.scalars(select(Pack).where(Pack.lead_id == lead.id)).one()
        text = _pdf_text(client.get(f'/packs/{pack.id}.pdf').data)
        cost = text.split('入驻成本：')[1].split('贵企业可享受的政策支持')[0]
        assert '物业费' in cost and '7.20' in cost and '40.05' in cost
        assert '125.70' not in cost and '-60.00' not in cost and '人力资源服务产业园' not in cost


def test_a_policy_whose_own_platforms_and_industries_exclude_the_lead_is_not_eligible_and_says_why(
        client, factories, logged_in, in_app, db_session):
    officer = logged_in('officer')
    lead, _unit, _digital_id, hr_id = _setup(client, factories, officer, db_session, in_app)
    html = client.get(f'/policies/{hr_id}?lead={lead.id}').get_data(as_text=True)
    preview = html.split('id="preview"')[1]
    assert '不符合条件' in preview
    assert '适用平台' in preview and '中国(杭州)人力资源服务产业园' in preview
    assert '适用产业' in preview and '人力资源服务' in preview
    assert '人力资源服务产业园房租补助' not in client.get(f'/leads/{lead.id}/match').get_data(as_text=True)


@pytest.mark.parametrize('instant', FROZEN)
def test_one_policy_for_one_lead_reads_the_same_on_every_page_pdf_and_api(
        client, factories, logged_in, in_app, db_session, instant):
    with _frozen(instant):
        officer = logged_in('officer')
        lead, _unit, digital_id, _hr_id = _setup(client, factories, officer, db_session, in_app)
        expected = '约 131.40 万元（3 年合计）'
        policy_page = client.get(f'/policies/{digital_id}?lead={lead.id}').get_data(as_text=True)
        assert expected in policy_page.split('id="preview"')[1]
        assert '符合条件' in policy_page.split('id="preview"')[1]
        match_page = client.get(f'/leads/{lead.id}/match').get_data(as_text=True)
        assert expected in match_page.split(f'id="policy-{digital_id}"')[1].split('</article>')[0]
        api = client.get(f'/api/v1/policies/{digital_id}/evaluation?lead_id={lead.id}').get_json()
        assert api['amount'] == expected and api['level'] == 'eligible'
        assert (api['low'], api['high'], api['years'], api['basis']) == ('131.40', '131.40', 3, '3 年合计')
        assert api['yearly'] == [['65.70', '65.70'], ['32.85', '32.85'], ['32.85', '32.85']]
        matched = client.get(f'/api/v1/leads/{lead.id}/match').get_json()
        assert [p['amount'] for p in matched['policies'] if p['id'] == digital_id] == [expected]
        post_form(client, f'/leads/{lead.id}/packs', {'lang': 'zh'}, token_from=f'/leads/{lead.id}')
        pack = db_session.scalars(select(Pack).where(Pack.lead_id == lead.id)).one()
        assert re.sub(r'\s+', '', expected) in _pdf_text(client.get(f'/packs/{pack.id}.pdf').data)


def test_one_policy_for_one_firm_reads_the_same_on_the_policy_page_the_summary_and_the_api(
        client, factories, logged_in, in_app, db_session):
    from crm.packs.models import PolicySummary
    from crm.policies.services import demo_policies

    with in_app():
        demo_policies()
        db_session.commit()
    rd_id = db_session.scalars(select(Policy.id).where(Policy.key == 'example-rd')).one()
    firm = factories.firm('杭州云图科技有限公司', industry_code='6513', tags=['高新技术企业'], rd_ratio=Decimal('6'))
    factories.tenancy(firm, factories.unit(factories.building(factories.platform()), area='500'))
    logged_in('officer')
    api = client.get(f'/api/v1/policies/{rd_id}/evaluation?firm_id={firm.id}').get_json()
    assert api['level'] == 'eligible' and api['basis'] == '按 1 年计'
    expected = api['amount']
    assert expected == '0.00 – 50.00 万元（按 1 年计）', 'the R&D spend is unknown: a range up to the cap'
    page = client.get(f'/policies/{rd_id}?firm={firm.id}').get_data(as_text=True)
    assert expected in page.split('id="preview"')[1]
    post_form(client, f'/firms/{firm.id}/summaries', {}, token_from=f'/firms/{firm.id}')
    summary = db_session.scalars(select(PolicySummary).where(PolicySummary.firm_id == firm.id)).one()
    assert re.sub(r'\s+', '', expected) in _pdf_text(client.get(f'/summaries/{summary.id}.pdf').data)


def test_highest_only_policies_are_not_stacked_and_the_editor_keeps_the_flag(
        client, factories, logged_in, in_app, db_session):
    officer = logged_in('officer')
    lead, _unit, digital_id, _hr_id = _setup(client, factories, officer, db_session, in_app)
    second = Policy(key='test-esports-rent', title='电竞企业房租补助（测试）', level='区', amounts_public=True,
                    kinds=['房租补助'], industries=['电竞数娱'], platform_names=[], facts=[], highest_only=True,
                    clauses=[PolicyClause(kind='房租补助', formula='percent', base='rent', percent=Decimal(30))])
    db_session.add(second)
    db_session.commit()
    second_id = second.id
    token = csrf_from(client.get(f'/leads/{lead.id}/match').data)
    client.post(f'/leads/{lead.id}/match/choices',
                data={'csrf_token': token, 'kind': 'policy', 'item_id': second_id, 'choice': 'pin'})
    from crm.core.access import SYSTEM
    from crm.matching.services import match_json
    with in_app():
        rows = match_json(db_session.get(Lead, lead.id), viewer=SYSTEM)['net_cost']
    # year 1: 65.70 (digital) or 19.71 (30 % of one year's rent, 就高不重复) → the higher alone, not 85.41
    assert [r['subsidy_high'] for r in rows] == ['65.70', '32.85', '32.85']
    assert all(Decimal(r['net_low']) >= 0 for r in rows)
    applied = {s['policy_id']: s for s in rows[0]['subsidies']}
    assert applied[second_id]['high'] == '0.00' and applied[second_id]['note'] == '就高不重复，未叠加'
    page = client.get(f'/leads/{lead.id}/match').get_data(as_text=True)
    assert '就高不重复' in page.split('id="landed-cost"')[1]

    client.post('/logout', data={'csrf_token': csrf_from(client.get('/').data)})
    logged_in('admin')
    edit = client.get(f'/policies/{digital_id}/edit')
    version = re.search(r'name="version" type="hidden" value="(\d+)"', edit.get_data(as_text=True)).group(1)
    form = {'csrf_token': csrf_from(edit.data), 'version': version, 'title': '数字经济企业房租补助（示例）',
            'level': '区', 'district': '拱墅区', 'status': 'example', 'amounts_public': 'y', 'is_example': 'y',
            'kinds': '房租补助', 'industries': '数字经济、电竞数娱、跨境电商', 'highest_only': 'y'}
    assert client.post(f'/policies/{digital_id}/edit', data=form).status_code == 302
    db_session.expire_all()
    assert db_session.get(Policy, digital_id).highest_only is True
    assert '就高不重复' in client.get(f'/policies/{digital_id}').get_data(as_text=True)
