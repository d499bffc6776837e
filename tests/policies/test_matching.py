"""Matching on both databases: the two examples of the issue, each explained, and expiry warnings."""
from decimal import Decimal

from crm.core.access import SYSTEM
from crm.leads.models import Lead
from crm.matching.services import match_json


def test_esports_firm_is_matched_to_the_esports_platform_with_cited_commitments(in_app, factories, db_session):
    firm = factories.firm('杭州星竞电子竞技有限公司', industry_code='877')
    lead = factories.lead(firm, title='电竞俱乐部区域总部')
    with in_app():
        item = db_session.get(Lead, lead.id)
        item.space_need_m2 = Decimal(800)
        result = match_json(item, viewer=SYSTEM)
    top = result['platforms'][0]
    assert '电竞' in top['name'] and any('电竞数娱' in r for r in top['reasons'])
    assert any('电竞' in c['text'] and c['citation'].startswith('《') for c in result['commitments'])


def test_cross_border_firm_is_matched_to_kuamao_town(in_app, factories, db_session):
    from sqlalchemy import select

    from crm.platforms.models import Platform
    kuamao = db_session.scalars(select(Platform).where(Platform.name == '跨贸小镇')).one()
    factories.unit(factories.building(kuamao), area='500')
    firm = factories.firm('杭州跨海通跨境电商有限公司', industry_code='529')
    lead = factories.lead(firm, title='跨境电商运营中心')
    with in_app():
        item = db_session.get(Lead, lead.id)
        item.space_need_m2 = Decimal(500)
        result = match_json(item, viewer=SYSTEM)
    names = [p['name'] for p in result['platforms']]
    assert names[0] == '跨贸小镇'
    assert any('跨境电商' in r for r in result['platforms'][0]['reasons'])
    assert result['units'] and result['units'][0]['reasons']


def test_named_policies_show_amounts_not_public(in_app, factories, db_session):
    firm = factories.firm('杭州人才猎头服务有限公司', industry_code='726')
    lead = factories.lead(firm, title='人力资源服务平台')
    with in_app():
        result = match_json(db_session.get(Lead, lead.id), viewer=SYSTEM)
    assert result['policies'] and all(p['amount'] == '金额未公开' for p in result['policies'] if not p['example'])
