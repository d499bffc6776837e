"""Offers that exist: matching, packs, share pages and the API offer only units the prospect can take."""
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from crm.leads.models import Lead
from crm.packs.models import Pack, PackShare
from crm.platforms.models import Platform, Unit
from tests.conftest import csrf_from, post_form

pytestmark = pytest.mark.usefixtures('business_clock')  # also at 01:30 Beijing time (17:30 UTC)


def _lead(factories, officer, db_session):
    firm = factories.firm('杭州星竞电子竞技有限公司', industry_code='877')
    platform = db_session.scalars(select(Platform).where(Platform.name == '电竞数娱产业园')).one()
    building = factories.building(platform, name='电竞大楼')
    units = {n: factories.unit(building, number=n, area='800', rent='3.5') for n in ('801', '802')}
    lead = factories.lead(firm, owner=officer, title='电竞俱乐部区域总部')
    db_session.execute(update(Lead).where(Lead.id == lead.id).values(space_need_m2=Decimal(800)))
    db_session.commit()
    return lead, units


def _choose(client, lead_id, kind, item_id, choice='pin'):
    token = csrf_from(client.get(f'/leads/{lead_id}/match').data)
    response = client.post(f'/leads/{lead_id}/match/choices',
                           data={'csrf_token': token, 'kind': kind, 'item_id': item_id, 'choice': choice})
    assert response.status_code == 302


def _set_status(db_session, unit_id, status):
    db_session.execute(update(Unit).where(Unit.id == unit_id).values(status=status))
    db_session.commit()


def _build(client, db_session, lead_id, lang='zh') -> Pack:
    response = post_form(client, f'/leads/{lead_id}/packs', {'lang': lang}, token_from=f'/leads/{lead_id}',
                         follow_redirects=True)
    assert response.status_code == 200
    return db_session.scalars(select(Pack).where(Pack.lead_id == lead_id).order_by(Pack.version.desc())).first()


def _pdf_text(pdf: bytes) -> str:
    return re.sub(r'\s+', '', ''.join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


@pytest.mark.parametrize('lang', ['zh', 'en'])
def test_a_pinned_unit_that_was_let_drops_out_of_the_next_pack_with_a_note_and_the_pack_is_not_stale(
        client, factories, logged_in, db_session, lang):
    officer = logged_in('officer')
    lead, units = _lead(factories, officer, db_session)
    _choose(client, lead.id, 'unit', units['801'].id)
    _set_status(db_session, units['801'].id, '已租')
    match = client.get(f'/leads/{lead.id}/match').get_data(as_text=True)
    offered = re.sub(r'<[^>]+>', ' ', match.split('id="units-offered"')[1].split('</table>')[0])  # shown text only
    assert '801' not in offered and '802' in offered
    assert '房源 801 当前为“已租”' in match, 'the officer is told why the pinned unit is gone'
    pack = _build(client, db_session, lead.id, lang)
    assert [u for u, _v in pack.snapshot['units']] == [units['802'].id]
    assert any('801' in note for note in pack.snapshot['notes'])
    text = _pdf_text(client.get(f'/packs/{pack.id}.pdf').data).replace(pack.number, '')  # its random number may hold 801
    assert '802' in text and '801' not in text
    detail = client.get(f'/packs/{pack.id}').get_data(as_text=True)
    assert '已过时' not in detail and '房源已出租' not in detail, 'a pack just built is not stale'
    assert '房源 801 当前为“已租”' in detail, 'the pack page keeps the note for the officer'
    api = client.get(f'/api/v1/packs/{pack.id}').get_json()
    assert api['stale_reasons'] == [] and any('801' in note for note in api['notes'])


def test_only_units_the_prospect_can_take_are_offered(client, factories, logged_in, db_session, in_app):
    officer = logged_in('officer')
    lead, units = _lead(factories, officer, db_session)
    from types import SimpleNamespace
    building = SimpleNamespace(id=units['801'].building_id, platform_id=units['801'].platform_id)
    extra = {status: factories.unit(building, number=number, area='800', rent='3.5')
             for status, number in (('锁定', '803'), ('装修中', '804'), ('意向', '805'), ('他人意向', '806'))}
    other = factories.lead(factories.firm('另一家企业有限公司'), owner=officer, title='另一个项目')
    from crm.platforms.units import promise_unit
    with in_app():
        promise_unit(db_session.get(Unit, extra['意向'].id), db_session.get(Lead, lead.id), actor_id=None)
        promise_unit(db_session.get(Unit, extra['他人意向'].id), db_session.get(Lead, other.id), actor_id=None)
        db_session.commit()
    _set_status(db_session, units['802'].id, '已租')
    _set_status(db_session, extra['锁定'].id, '锁定')
    _set_status(db_session, extra['装修中'].id, '装修中')
    from crm.core.access import SYSTEM
    from crm.matching.services import match_json
    with in_app():
        offered = {u['number'] for u in match_json(db_session.get(Lead, lead.id), viewer=SYSTEM)['units']}
    assert offered == {'801', '805'}, 'vacant, or promised (意向) to this very lead'
    api = client.get(f'/api/v1/leads/{lead.id}/match').get_json()
    assert {u['number'] for u in api['units']} == {'801', '805'}
    for unit in (units['802'], extra['锁定'], extra['他人意向']):
        _choose(client, lead.id, 'unit', unit.id)
    pack = _build(client, db_session, lead.id)
    assert {u for u, _v in pack.snapshot['units']} == {units['801'].id, extra['意向'].id}, \
        'pinned units nobody can offer drop out; the top offerable units take their place'
    assert len(pack.snapshot['notes']) == 3
    assert client.get(f'/api/v1/packs/{pack.id}').get_json()['stale_reasons'] == []


def test_the_share_link_of_an_earlier_version_warns_and_links_the_current_one(
        app, client, factories, logged_in, db_session):
    officer = logged_in('officer')
    lead, units = _lead(factories, officer, db_session)
    _choose(client, lead.id, 'unit', units['801'].id)
    first = _build(client, db_session, lead.id)
    _old_share, old_token = factories.share(first)
    prospect = app.test_client()
    page = prospect.get(f'/s/{old_token}').get_data(as_text=True)
    assert '不是最新版本' not in page and '已出租' not in page
    _set_status(db_session, units['801'].id, '已租')
    page = prospect.get(f'/s/{old_token}').get_data(as_text=True)
    assert '房源已出租：801' in page.split('<main')[1].split('下载')[0], 'a warning at the top, above the download'
    second = _build(client, db_session, lead.id)
    assert second.version == 2
    page = prospect.get(f'/s/{old_token}').get_data(as_text=True)
    assert '不是最新版本' in page and f'/s/{old_token}?current=1' not in page, 'no link until V2 is shared'
    factories.share(second)
    page = prospect.get(f'/s/{old_token}').get_data(as_text=True)
    assert f'/s/{old_token}?current=1' in page
    current = prospect.get(f'/s/{old_token}?current=1').get_data(as_text=True)
    assert second.number in current and '不是最新版本' not in current
    pdf = prospect.get(f'/s/{old_token}/pack.pdf?current=1').data
    assert '801' not in _pdf_text(pdf) and '802' in _pdf_text(pdf)
    assert '801' in _pdf_text(prospect.get(f'/s/{old_token}/pack.pdf').data), 'the old link still serves V1 itself'


def test_expired_and_revoked_links_get_their_own_page(app, client, factories, logged_in, db_session):
    from crm.db import utcnow

    officer = logged_in('officer')
    lead, _units = _lead(factories, officer, db_session)
    pack = _build(client, db_session, lead.id)
    share, token = factories.share(pack)
    prospect = app.test_client()
    db_session.execute(update(PackShare).where(PackShare.id == share.id).values(expires_at=utcnow() - timedelta(1)))
    db_session.commit()
    for url in (f'/s/{token}', f'/s/{token}/pack.pdf'):
        response = prospect.get(url)
        assert response.status_code == 410 and '链接已过期' in response.get_data(as_text=True)
    db_session.execute(update(PackShare).where(PackShare.id == share.id)
                       .values(expires_at=utcnow() + timedelta(1), revoked_at=utcnow()))
    db_session.commit()
    response = prospect.get(f'/s/{token}')
    assert response.status_code == 410 and '已撤回' in response.get_data(as_text=True)
    unknown = prospect.get('/s/not-a-real-token')
    assert unknown.status_code == 404 and '已撤回' not in unknown.get_data(as_text=True)


def test_a_pinned_policy_that_expired_drops_out_of_the_next_pack_which_is_not_stale(client, factories, logged_in,
                                                                                      db_session):
    from datetime import date

    from crm.policies.models import Policy

    officer = logged_in('officer')
    lead, _units = _lead(factories, officer, db_session)
    policy = Policy(key='test-expired', title='电竞产业扶持（已到期）', level='区', amounts_public=False,
                    kinds=['房租补助'], industries=['电竞数娱'], platform_names=[], facts=[],
                    expires_on=date(2025, 12, 31))
    db_session.add(policy)
    db_session.commit()
    policy_id = policy.id
    _choose(client, lead.id, 'policy', policy_id)
    assert '政策“电竞产业扶持（已到期）”已于 2025-12-31 到期' in client.get(f'/leads/{lead.id}/match').get_data(as_text=True)
    pack = _build(client, db_session, lead.id)
    assert policy_id not in [p for p, _v in pack.snapshot['policies']]
    assert client.get(f'/api/v1/packs/{pack.id}').get_json()['stale_reasons'] == []
    assert '已于 2025-12-31 到期' in client.get(f'/packs/{pack.id}').get_data(as_text=True)


def test_the_officer_unpins_a_unit_that_can_no_longer_be_offered(client, factories, logged_in, db_session):
    officer = logged_in('officer')
    lead, units = _lead(factories, officer, db_session)
    _choose(client, lead.id, 'unit', units['801'].id)
    _set_status(db_session, units['801'].id, '锁定')
    page = client.get(f'/leads/{lead.id}/match').get_data(as_text=True)
    card = page.split('id="no-longer-offered"')[1].split('</section>')[0]
    assert '房源 801 当前为“锁定”' in card and '取消选定' in card and '已选入推介包' not in card
    _choose(client, lead.id, 'unit', units['801'].id, 'clear')
    assert 'id="no-longer-offered"' not in client.get(f'/leads/{lead.id}/match').get_data(as_text=True)
