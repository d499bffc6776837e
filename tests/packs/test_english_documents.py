"""An English promotion pack and 政策摘要 are English throughout: every label and every generated sentence (match
reasons, policy conditions, amounts and their basis, cost rows and notes) is in English. Chinese remains only where
it is a citation or a name: plan quotes and their sources, and the names of firms, platforms, buildings, policies
and people."""
import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from crm.firms.models import Firm
from crm.leads.models import Lead
from crm.packs.models import Pack, PolicySummary
from crm.platforms.models import Building, Platform, PlatformFact, Unit
from crm.policies.models import Policy
from tests.conftest import csrf_from, post_form
from tests.packs.test_pack_document import _dump as dump

# Chinese characters and the full-width punctuation that goes with them (：；（）、，。“” are not in it: “” are the
# quotation marks English uses too).
CJK = re.compile(r'[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]')


def _citations_and_names(db_session) -> list[str]:
    """Every text an English document may carry in Chinese, from the records (never from the document itself):
    names of firms, people, platforms, buildings and policies, a platform's recorded positioning, plan quotes
    with their sources, and what policies say in their own words (clause quotes with their articles, 申兑指南)."""
    from crm.auth.models import User
    from crm.plans.models import Commitment, PlanDocument, PlanParagraph

    texts = set()
    texts.update(db_session.scalars(select(Firm.name)))
    texts.update(db_session.scalars(select(User.name)))
    texts.update(db_session.scalars(select(Platform.name)))
    texts.update(p for p in db_session.scalars(select(Platform.positioning)) if p)
    texts.update(db_session.scalars(select(Building.name)))
    from crm.platforms.maps import districts
    from crm.platforms.models import MapPlace

    texts.update(db_session.scalars(select(MapPlace.name)))  # place names on the platform map
    texts.update(districts())
    texts.update(a for a in db_session.scalars(select(Building.address)) if a)
    texts.update(t for t in db_session.scalars(select(Policy.doc_number)) if t)
    texts.update(t for t in db_session.scalars(select(User.job_title)) if t)
    texts.update(t for t in db_session.scalars(select(User.office_address)) if t)
    texts.update(db_session.scalars(select(Policy.title)))
    texts.update(db_session.scalars(select(PlatformFact.quote)))
    texts.update(db_session.scalars(select(PlatformFact.doc_slug)))
    texts.update(db_session.scalars(select(Commitment.text)))
    for facts in db_session.scalars(select(Policy.facts)):
        texts.update(f['quote'] for f in facts or [] if f.get('quote'))
    from crm.policies.models import PolicyClause

    for quote, citation in db_session.execute(select(PolicyClause.quote, PolicyClause.citation)):
        texts.update(t for t in (quote, citation) if t)
    for guide in db_session.scalars(select(Policy.guide)):
        texts.update(entry.get('text') for entry in (guide or {}).values() if entry.get('text'))
    texts.update(f'《{title}》{path}' for title, path in db_session.execute(
        select(PlanDocument.title, PlanParagraph.citation_path).join(PlanDocument,
                                                                     PlanDocument.id == PlanParagraph.document_id)))
    return [t for t in texts if t and CJK.search(t)]


def _without_citations_and_names(text: str, allowed: list[str]) -> str:
    flat = re.sub(r'\s+', '', text)
    flat = re.sub(r'Page\d+of\d+', '', flat)  # a page footer may fall inside a long quote
    for item in sorted(allowed, key=len, reverse=True):  # a quote before the names inside it
        flat = flat.replace(re.sub(r'\s+', '', item), '')
    return flat


def _chinese_left(text: str, allowed: list[str]) -> list[str]:
    """The runs of Chinese that are neither a citation nor a name, with some context."""
    flat = _without_citations_and_names(text, allowed)
    return [flat[max(0, m.start() - 25):m.end() + 25] for m in re.finditer(f'(?:{CJK.pattern})+', flat)][:10]


def _visible_text(html: str) -> str:
    html = re.sub(r'<style.*?</style>|<title>.*?</title>', ' ', html, flags=re.S)
    text = re.sub(r'<[^>]+>', '', html).replace('&#34;', '"').replace('&#39;', "'").replace('&amp;', '&')
    return re.sub(r'\s+', ' ', text)


def _pdf_text(pdf: bytes) -> str:
    return '\n'.join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def english_case(client, factories, logged_in, in_app, db_session):
    """A prospect whose pack has everything generated: platform and unit reasons, policies with met, unmet and
    unknown conditions, amounts once, per year and over the term, a cost table with a capped subsidy and a
    就高不重复 policy, a pinned unit that was let since (a note for the officer), and a landed firm for the 政策摘要."""
    from crm.policies.models import PolicyClause
    from crm.policies.services import demo_policies

    with in_app():
        demo_policies()
        db_session.commit()
    officer = logged_in('officer')
    firm = factories.firm('杭州星竞电子竞技有限公司', industry_code='877', tags=['高新技术企业'], rd_ratio=Decimal('6'))
    platform = db_session.scalars(select(Platform).where(Platform.name == '电竞数娱产业园')).one()
    building = factories.building(platform, name='电竞大楼')
    unit = factories.unit(building, number='601', area='600', rent='3.0')
    let = factories.unit(building, number='602', area='600', rent='3.2')
    db_session.execute(update(Unit).where(Unit.id == unit.id).values(property_fee=Decimal(10)))
    lead = factories.lead(firm, owner=officer, title='电竞俱乐部区域总部')
    db_session.execute(update(Lead).where(Lead.id == lead.id).values(space_need_m2=Decimal(600),
                                                                    investment=Decimal(6000)))
    esports = Policy(key='test-esports-rent', title='电竞企业房租补助（测试）', level='区', amounts_public=True,
                     kinds=['房租补助'], industries=['电竞数娱'], platform_names=[], facts=[], highest_only=True,
                     clauses=[PolicyClause(kind='房租补助', formula='percent', base='rent', percent=Decimal(30),
                                           conditions=[{'field': 'headcount', 'op': 'gte', 'value': 20}])])
    db_session.add(esports)
    db_session.commit()
    digital = db_session.scalars(select(Policy.id).where(Policy.key == 'example-digital-rent')).one()
    settlement = db_session.scalars(select(Policy.id).where(Policy.key == 'example-settlement')).one()
    token = csrf_from(client.get(f'/leads/{lead.id}/match').data)
    for kind, item in (('policy', digital), ('policy', esports.id), ('policy', settlement), ('unit', unit.id),
                       ('unit', let.id)):
        response = client.post(f'/leads/{lead.id}/match/choices',
                               data={'csrf_token': token, 'kind': kind, 'item_id': item, 'choice': 'pin'})
        assert response.status_code == 302
    db_session.execute(update(Unit).where(Unit.id == let.id).values(status='已租'))
    db_session.commit()
    platform = db_session.scalars(select(Platform).where(Platform.name == '电竞数娱产业园')).one()
    factories.tenancy(firm, factories.unit(factories.building(platform, name='电竞二号楼'), number='301', area='500'))
    return lead, firm


def test_an_english_pack_prints_no_generated_chinese(client, in_app, db_session, english_case):
    from crm.packs.services import build_context, render_html

    lead, _firm = english_case
    allowed = _citations_and_names(db_session)
    with in_app():
        record = db_session.get(Lead, lead.id)
        html = render_html(build_context(record, lang='en', author=record.owner.name, number='GS-TEST-V1'))
    text = _visible_text(html)
    for generated in ('× 10k yuan (3 years in total)', '× 10k yuan (one-off)',
                      'District of registration is Gongshu District', 'Conditions met',
                      'Investment amount (10k yuan) at least 5000', 'Headcount at least 20',
                      'Annual rent', 'Less: rent subsidy – 数字经济企业房租补助（示例）', 'highest only, not combined',
                      'Net cost (rent + fee − subsidy)', 'Office', 'conditional', 'Still to prove',
                      'Tailored for your company', 'Property sheet'):
        assert generated in text, generated
    assert 'Focus industries match the project' not in text, 'no internal matching reasons in a pack'
    assert not _chinese_left(text, allowed), _chinese_left(text, allowed)

    response = post_form(client, f'/leads/{lead.id}/packs', {'lang': 'en'}, token_from=f'/leads/{lead.id}')
    assert response.status_code == 302
    pack = db_session.scalars(select(Pack).where(Pack.lead_id == lead.id)).one()
    assert pack.lang == 'en'
    raw = client.get(f'/packs/{pack.id}.pdf').data
    dump(raw, 'english-case-en.pdf')
    pdf = _pdf_text(raw)
    assert 'Tailored for your company' in pdf and 'Page 2 of' in pdf
    assert not _chinese_left(pdf, allowed), _chinese_left(pdf, allowed)
    assert pack.snapshot['notes'] == ['电竞大楼 房源 602 当前为“已租”，已不在推介包中'], \
        'the note for the officer is in the officer’s language, not the pack’s'


def test_a_chinese_pack_of_the_same_lead_keeps_its_chinese_wording(client, in_app, db_session, english_case):
    lead, _firm = english_case
    post_form(client, f'/leads/{lead.id}/packs', {'lang': 'zh'}, token_from=f'/leads/{lead.id}')
    pack = db_session.scalars(select(Pack).where(Pack.lead_id == lead.id)).one()
    raw = client.get(f'/packs/{pack.id}.pdf').data
    dump(raw, 'english-case-zh.pdf')
    pdf = re.sub(r'\s+', '', _pdf_text(raw))
    for chinese in ('为贵企业量身定制', '万元（3年合计）', '万元（一次性）', '注册地等于拱墅区', '尚待证明',
                    '员工人数不低于20', '年租金', '减：房租补助：数字经济企业房租补助（示例）', '就高不重复，未叠加'):
        assert chinese in pdf, chinese
    assert 'Focusindustries' not in pdf and '10kyuan' not in pdf


def test_an_english_policy_summary_prints_no_generated_chinese(client, in_app, db_session, english_case):
    from crm.packs.summaries import summary_context, summary_html

    lead, firm = english_case
    allowed = _citations_and_names(db_session)
    with in_app():
        author = db_session.get(Lead, lead.id).owner.name
        context = summary_context(db_session.get(Firm, firm.id), number='ZC-TEST-1', author=author, lang='en')
        html = summary_html(context, 'en')
    text = _visible_text(html)
    assert 'Policies you qualify for or may qualify for' in text and '× 10k yuan' in text
    assert 'Still to provide or check:' in text
    assert not _chinese_left(text, allowed), _chinese_left(text, allowed)

    response = post_form(client, f'/firms/{firm.id}/summaries', {'lang': 'en'}, token_from=f'/firms/{firm.id}')
    assert response.status_code == 302
    summary = db_session.scalars(select(PolicySummary).where(PolicySummary.firm_id == firm.id)).one()
    pdf = _pdf_text(client.get(f'/summaries/{summary.id}.pdf').data)
    assert 'Policy Summary' in pdf
    assert not _chinese_left(pdf, allowed), _chinese_left(pdf, allowed)


def test_the_check_finds_generated_chinese():
    """The check itself: a Chinese reason or amount left in an English text is found, a quoted name is not."""
    allowed = ['电竞数娱产业园', '“加快建设电竞数娱产业园”']
    assert not _chinese_left('Platform profile: 电竞数娱产业园 — “加快建设电竞数娱产业园”', allowed)
    assert _chinese_left('Estimated support: 约 131.40 万元（3 年合计）', allowed)
    assert _chinese_left('Conditions: Headcount at least 20（待核实）', allowed)
