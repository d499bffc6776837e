"""The seeded platform catalogue: attributes, parents and facts whose citations resolve to plan paragraphs."""
from sqlalchemy import func, select

from crm.plans.models import PlanParagraph
from crm.plans.parsing import normalize_for_search
from crm.platforms.models import Platform, PlatformFact


def test_every_fact_cites_a_paragraph_that_contains_it(db_session):
    facts = db_session.scalars(select(PlatformFact)).all()
    assert len(facts) > 300
    unresolved = [f.quote for f in facts if f.paragraph_id is None]
    assert unresolved == []
    for fact in facts[:80]:
        paragraph = db_session.get(PlanParagraph, fact.paragraph_id)
        quote = normalize_for_search(fact.quote).replace(' ', '')
        longest = max(quote.replace(';', '。').split('。'), key=len)
        assert longest in paragraph.text_norm.replace(' ', ''), fact.quote


def test_digital_economy_park_contains_kuamao_town(db_session):
    park = db_session.scalars(select(Platform).where(Platform.key == 'digital-economy-park')).one()
    children = {p.name for p in db_session.scalars(select(Platform).where(Platform.parent_id == park.id))}
    assert '跨贸小镇' in children
    assert '数字贸易' in park.focus_industries


def test_platform_page_shows_cited_facts_and_commitments(client, logged_in, db_session):
    logged_in('officer')
    kuamao = db_session.scalars(select(Platform).where(Platform.name == '跨贸小镇')).one()
    html = client.get(f'/platforms/{kuamao.id}').get_data(as_text=True)
    assert '规划文件中的表述' in html and '《杭州市下城区国民经济和社会发展第十三个五年规划纲要》' in html
    assert '涉及本平台的规划承诺' in html and 'class="hit"' in html
    assert db_session.scalar(select(func.count(PlatformFact.id)).where(PlatformFact.platform_id == kuamao.id)) > 0
