"""Promotion packs on both databases: content, fonts, verified quotes, scope, staleness (the look: test_pack_look)."""
import io
import re
import subprocess
from decimal import Decimal
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select, update

from crm.leads.models import Lead
from crm.packs.models import Pack
from crm.plans.models import PlanParagraph
from crm.platforms.models import Platform
from tests.conftest import csrf_from, post_form
from tests.packs.pdfcheck import embedded_fonts


def _lead(factories, officer, db_session, in_app):
    firm = factories.firm('杭州星竞电子竞技有限公司', industry_code='877')
    platform = db_session.scalars(select(Platform).where(Platform.name == '电竞数娱产业园')).one()
    building = factories.building(platform, name='电竞大楼')
    for number in ('801', '802'):
        factories.unit(building, number=number, area='800', rent='3.5')
    lead = factories.lead(firm, owner=officer, title='电竞俱乐部区域总部')
    with in_app():
        db_session.get(Lead, lead.id).space_need_m2 = Decimal(800)
        db_session.commit()
    return lead


def _text(pdf: bytes) -> str:
    return re.sub(r'\s+', '', ''.join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def test_officer_builds_a_pack_with_every_unit_policy_and_verbatim_quote(client, factories, logged_in, in_app,
                                                                         db_session):
    officer = logged_in('officer')
    lead = _lead(factories, officer, db_session, in_app)
    response = post_form(client, f'/leads/{lead.id}/packs', {'lang': 'zh'}, token_from=f'/leads/{lead.id}')
    assert response.status_code == 302
    pack = db_session.scalars(select(Pack).where(Pack.lead_id == lead.id)).one()
    pdf = client.get(f'/packs/{pack.id}.pdf').data
    assert pdf[:4] == b'%PDF' and len(pdf) < 1_000_000
    assert pack.pages == len(PdfReader(io.BytesIO(pdf)).pages) >= 1
    text = _text(pdf)
    assert '杭州星竞电子竞技有限公司' in text and '电竞大楼' in text and '801' in text and '802' in text
    assert pack.snapshot['quotes'], 'a pack cites the plans'
    for quote in pack.snapshot['quotes']:
        assert re.sub(r'\s+', '', quote['text']) in text
        paragraph = db_session.scalars(select(PlanParagraph).where(PlanParagraph.anchor == quote['anchor'])).first()
        assert quote['text'] in paragraph.text
    from crm.policies.models import Policy
    for policy_id, _version in pack.snapshot['policies']:
        assert re.sub(r'\s+', '', db_session.get(Policy, policy_id).title) in text
    path = Path(__file__).parent / '_pack.pdf'
    try:
        path.write_bytes(pdf)
        fonts = subprocess.run(['pdffonts', str(path)], capture_output=True, check=True).stdout.decode()
    finally:
        path.unlink(missing_ok=True)
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all('yes yes yes' in re.sub(r'\s+', ' ', r) for r in rows)
    assert len(rows) == 2 and all(re.match(r'^[A-Z]{6}\+PackSans', r) for r in rows), rows  # the stylesheet's faces
    assert sorted(name for name, _size in embedded_fonts(pdf).values()) == ['Noto Sans CJK SC',
                                                                            'Noto Sans CJK SC Bold']
    assert re.search(r'第2页/共\d+页', text), 'the page footer of the pack stylesheet is printed (the cover has none)'


def test_a_quote_that_no_longer_matches_its_paragraph_blocks_the_pack(client, factories, logged_in, in_app,
                                                                      db_session):
    officer = logged_in('officer')
    lead = _lead(factories, officer, db_session, in_app)
    db_session.execute(update(PlanParagraph).where(PlanParagraph.text.contains('电竞'))
                       .values(text=PlanParagraph.text + '（已修订）'))
    db_session.execute(update(PlanParagraph).where(PlanParagraph.text.contains('电竞'))
                       .values(text='改写后的段落'))
    db_session.commit()
    response = post_form(client, f'/leads/{lead.id}/packs', {}, token_from=f'/leads/{lead.id}',
                         follow_redirects=True)
    assert '引文与原文不一致' in response.get_data(as_text=True)
    assert db_session.scalar(select(Pack.id).where(Pack.lead_id == lead.id)) is None


def test_packs_follow_the_lead_scope_and_firm_users_get_their_own(app, client, factories, logged_in, in_app,
                                                                 db_session):
    owner = factories.user('officer')
    lead = _lead(factories, owner, db_session, in_app)
    with in_app():
        from crm.packs.services import build_pack
        pack = build_pack(db_session.get(Lead, lead.id))
        db_session.commit()
        pack_id, firm_id = pack.id, pack.firm_id
    logged_in('officer')
    assert client.get(f'/packs/{pack_id}').status_code == 404
    assert client.get(f'/packs/{pack_id}.pdf').status_code == 404
    client.post('/logout', data={'csrf_token': csrf_from(client.get('/').data)})
    from crm.firms.models import Firm
    logged_in('firm', firm=db_session.get(Firm, firm_id))
    assert client.get(f'/packs/{pack_id}.pdf').status_code == 200
    assert '贵企业的招商推介包' in client.get('/').get_data(as_text=True)


def test_a_pack_becomes_stale_when_an_offered_unit_is_let(client, factories, logged_in, in_app, db_session):
    officer = logged_in('officer')
    lead = _lead(factories, officer, db_session, in_app)
    post_form(client, f'/leads/{lead.id}/packs', {}, token_from=f'/leads/{lead.id}')
    pack = db_session.scalars(select(Pack).where(Pack.lead_id == lead.id)).one()
    assert '已过时' not in client.get(f'/packs/{pack.id}').get_data(as_text=True)
    from crm.platforms.models import Unit
    db_session.execute(update(Unit).where(Unit.id == pack.snapshot['units'][0][0]).values(status='已租'))
    db_session.commit()
    assert '房源已出租' in client.get(f'/packs/{pack.id}').get_data(as_text=True)
    assert '房源已出租' in client.get(f'/leads/{lead.id}').get_data(as_text=True), 'the lead says so too'


def test_share_links_open_without_login_are_logged_and_can_be_revoked(app, client, factories, logged_in, in_app,
                                                                      db_session):
    from datetime import timedelta

    from crm.db import utcnow
    from crm.packs.models import PackShare, PackShareAccess

    officer = logged_in('officer')
    lead = _lead(factories, officer, db_session, in_app)
    post_form(client, f'/leads/{lead.id}/packs', {}, token_from=f'/leads/{lead.id}')
    pack = db_session.scalars(select(Pack).where(Pack.lead_id == lead.id)).one()
    page = post_form(client, f'/packs/{pack.id}/shares', {'days': '7'}, token_from=f'/packs/{pack.id}',
                     follow_redirects=True).get_data(as_text=True)
    url = re.search(r'http://localhost(/s/[A-Za-z0-9_-]+)', page).group(1)
    stranger = app.test_client()
    assert stranger.get(url).status_code == 200
    assert stranger.get(url + '/pack.pdf').data[:4] == b'%PDF'
    share = db_session.scalars(select(PackShare).where(PackShare.pack_id == pack.id,
                                                       PackShare.in_pdf.is_(False))).one()  # not the QR code's
    assert len(db_session.scalars(select(PackShareAccess).where(PackShareAccess.share_id == share.id)).all()) == 2
    assert url.rsplit('/', 1)[1] not in (share.token_hash or '')
    db_session.execute(update(PackShare).where(PackShare.id == share.id).values(expires_at=utcnow() - timedelta(1)))
    db_session.commit()
    assert stranger.get(url).status_code == 410, 'an expired link has its own page'
    db_session.execute(update(PackShare).where(PackShare.id == share.id).values(expires_at=utcnow() + timedelta(1)))
    db_session.commit()
    post_form(client, f'/packs/shares/{share.id}/revoke', {}, token_from=f'/packs/{pack.id}')
    assert stranger.get(url + '/pack.pdf').status_code == 410, 'a revoked link has its own page'
    assert stranger.get('/s/not-a-real-token').status_code == 404


def test_policy_summary_for_a_landed_firm_reaches_its_firm_user_only(client, factories, logged_in, in_app,
                                                                       db_session):
    from crm.firms.models import Firm
    from crm.packs.models import PolicySummary
    from crm.policies.services import demo_policies

    with in_app():
        demo_policies()
        db_session.commit()
    firm = factories.firm('杭州云图科技有限公司', industry_code='6513', tags=['高新技术企业'], rd_ratio=Decimal('6'))
    other = factories.firm('别家企业有限公司')
    unit = factories.unit(factories.building(factories.platform()), area='500')
    factories.tenancy(firm, unit)
    logged_in('officer')
    assert post_form(client, f'/firms/{firm.id}/summaries', {}, token_from=f'/firms/{firm.id}').status_code == 302
    summary = db_session.scalars(select(PolicySummary).where(PolicySummary.firm_id == firm.id)).one()
    text = _text(client.get(f'/summaries/{summary.id}.pdf').data)
    assert '政策摘要' in text and '杭州云图科技有限公司' in text and '研发投入资助（示例）' in text
    client.post('/logout', data={'csrf_token': csrf_from(client.get('/').data)})
    logged_in('firm', firm=db_session.get(Firm, firm.id))
    assert client.get(f'/summaries/{summary.id}.pdf').status_code == 200
    client.post('/logout', data={'csrf_token': csrf_from(client.get('/').data)})
    logged_in('firm', firm=db_session.get(Firm, other.id))
    assert client.get(f'/summaries/{summary.id}.pdf').status_code == 404


def test_policy_summary_puts_granted_amounts_first_names_the_rest_and_prints_the_officers_contact(
        client, factories, logged_in, in_app, db_session, monkeypatch):
    """What the firm reads: policies whose text grants an amount first; those only named in the plans (amounts not
    public) listed briefly after them; a cut list says how many more there are; the issuing officer's numbers."""
    from crm.packs import summaries
    from crm.packs.models import PolicySummary
    from crm.policies.models import Policy
    from crm.policies.services import demo_policies

    with in_app():
        demo_policies()
        for n in range(4):
            db_session.add(Policy(key=f'named-{n}', title=f'数字经济企业培育计划{n}号', industries=['数字经济'],
                                  facts=[{'doc': 'x', 'quote': f'培育数字经济企业第{n}批'}]))
        db_session.commit()
    monkeypatch.setattr(summaries, 'SHOWN', 3)
    firm = factories.firm('杭州云帆软件有限公司', industry_code='6513', tags=['高新技术企业'], rd_ratio=Decimal('6'))
    factories.tenancy(firm, factories.unit(factories.building(factories.platform()), area='500'))
    officer = logged_in('officer', name='周敏')
    with in_app():
        from crm.auth.models import User

        user = db_session.get(User, officer.id)
        user.phone, user.job_title, user.office_address = '+8613912345678', '招商二部副部长', '拱墅区丽水路58号'
        db_session.commit()
    assert post_form(client, f'/firms/{firm.id}/summaries', {}, token_from=f'/firms/{firm.id}').status_code == 302
    summary = db_session.scalars(select(PolicySummary).where(PolicySummary.firm_id == firm.id)).one()
    text = re.sub(r'\s+', '', _text(client.get(f'/summaries/{summary.id}.pdf').data))
    granted, others = text.index('研发投入资助（示例）'), text.index('其他可能相关的政策')
    assert granted < others
    section = text[others:text.index('联系我们')]
    assert section.count('出处：') == 3  # SHOWN named policies, then the count of the rest
    more = re.search(r'另有(\d+)项相关政策未列出', section)
    assert more and int(more.group(1)) >= 4  # the four named here are relevant (数字经济) and come last
    assert '13912345678' in text
    assert '招商二部副部长' in text and '拱墅区丽水路58号' in text and '周敏' in text
    snapshot = {policy_id for policy_id, _version in summary.snapshot['policies']}
    assert len(snapshot) >= 4  # the printed named policies count for staleness too
