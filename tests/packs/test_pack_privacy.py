"""What a pack tells the people outside the office: its number names no database record, its version list only
the versions the viewer may open, and its share link leaves no cookie and nothing in a cache."""
import re

from sqlalchemy import select, update

from crm.leads.models import Lead
from crm.packs.models import Pack
from tests.conftest import login

NUMBER = re.compile(r'^GS-\d{4}-[0-9A-HJKMNP-TV-Z]{6}-V\d+$')


def _browser(app, user, password):
    client = app.test_client()
    assert login(client, user.email, password).status_code == 302
    return client


def test_a_firm_user_sees_only_the_versions_issued_to_their_firm(app, factories, db_session):
    first, corrected = factories.firm('最初登记有限公司'), factories.firm('更正后企业有限公司')
    officer = factories.user('officer')
    lead = factories.lead(first, owner=officer, title='总部迁入')
    old = factories.pack(lead)  # issued to the firm first recorded
    db_session.execute(update(Lead).where(Lead.id == lead.id).values(firm_id=corrected.id))
    db_session.commit()
    new = factories.pack(lead)  # the lead's firm was corrected: the next version goes to the other firm
    assert (old.firm_id, new.firm_id, new.version) == (first.id, corrected.id, 2)

    firm_user = _browser(app, factories.user('firm', firm=first), factories.PASSWORD)
    page = firm_user.get(f'/packs/{old.id}').get_data(as_text=True)
    assert old.number in page
    assert new.number not in page and f'/packs/{new.id}"' not in page
    assert firm_user.get(f'/packs/{new.id}').status_code == 404
    other_user = _browser(app, factories.user('firm', firm=corrected), factories.PASSWORD)
    assert old.number not in other_user.get(f'/packs/{new.id}').get_data(as_text=True)
    staff = _browser(app, officer, factories.PASSWORD).get(f'/packs/{old.id}').get_data(as_text=True)
    assert old.number in staff and new.number in staff, 'the officer sees every version of the lead'

    # the first firm's share link does not point to the other firm's newer version either
    _share, token = factories.share(old)
    factories.share(new)
    shared = app.test_client().get(f'/s/{token}')
    assert shared.status_code == 200 and new.number not in shared.get_data(as_text=True)
    assert app.test_client().get(f'/s/{token}/pack.pdf?current=1').data == \
        app.test_client().get(f'/s/{token}/pack.pdf').data


def test_share_pages_and_their_pdf_set_no_cookie_and_are_not_stored(app, factories, db_session):
    from datetime import timedelta

    from crm.db import utcnow
    from crm.packs.models import PackShare

    pack = factories.pack(factories.lead(title='分享项目'))
    share, token = factories.share(pack)
    visitor = app.test_client()
    answers = {'page': visitor.get(f'/s/{token}'), 'pdf': visitor.get(f'/s/{token}/pack.pdf'),
               'unknown': visitor.get('/s/no-such-link'), 'unknown pdf': visitor.get('/s/no-such-link/pack.pdf')}
    db_session.execute(update(PackShare).where(PackShare.id == share.id).values(expires_at=utcnow() - timedelta(1)))
    db_session.commit()
    answers['expired'] = visitor.get(f'/s/{token}')
    assert [r.status_code for r in answers.values()] == [200, 200, 404, 404, 410]
    assert answers['pdf'].data[:4] == b'%PDF'
    for what, response in answers.items():
        assert response.headers.getlist('Set-Cookie') == [], what
        assert response.headers.get('Cache-Control') == 'no-store', what
    # a signed-in officer opening a link gets the page uncached, and their session cookie is left as it was
    officer = _browser(app, factories.user('officer'), factories.PASSWORD)
    db_session.execute(update(PackShare).where(PackShare.id == share.id).values(expires_at=utcnow() + timedelta(1)))
    db_session.commit()
    seen = officer.get(f'/s/{token}')
    assert seen.status_code == 200 and seen.headers['Cache-Control'] == 'no-store'
    assert seen.headers.getlist('Set-Cookie') == []
    assert officer.get('/').status_code == 200, 'still signed in'


def test_pack_and_summary_numbers_name_no_database_record(app, factories, db_session):
    lead = factories.lead(title='编号项目')
    first, second = factories.pack(lead), factories.pack(lead)
    other = factories.pack(factories.lead(title='另一编号项目'))
    for pack in (first, second, other):
        assert NUMBER.match(pack.number), pack.number
        assert f'{pack.lead_id:05d}' not in pack.number and f'-{pack.lead_id}-' not in pack.number
    assert first.number[:-3] == second.number[:-3] and (first.number[-3:], second.number[-3:]) == ('-V1', '-V2')
    assert first.number.split('-')[2] != other.number.split('-')[2], 'each lead has its own series'
    assert len(set(db_session.scalars(select(Pack.number)))) == len(db_session.scalars(select(Pack.id)).all())

    firm = factories.firm('摘要编号有限公司')
    summaries = [factories.summary(firm), factories.summary(firm)]
    for n, summary in enumerate(summaries, 1):
        assert re.fullmatch(rf'ZC-\d{{4}}-[0-9A-HJKMNP-TV-Z]{{6}}-{n}', summary.number), summary.number
        assert f'{firm.id:05d}' not in summary.number
    # the number is what the prospect reads: on the share page and as the PDF's file name
    _share, token = factories.share(first)
    visitor = app.test_client()
    assert first.number in visitor.get(f'/s/{token}').get_data(as_text=True)
    assert f'{first.number}.pdf' in visitor.get(f'/s/{token}/pack.pdf').headers['Content-Disposition']
