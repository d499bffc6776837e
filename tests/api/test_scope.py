"""A token sees exactly what its user sees: park managers their platforms, officers their own, collaborated and
pool leads, firm users their firm; anything else is a 404 (or 403 where the role lacks the permission)."""
import hashlib

from crm.db import db


def test_park_manager_token_sees_only_own_platform(factories, token_for, api):
    own, other = factories.platform('甲园区'), factories.platform('乙园区')
    own_unit = factories.unit(factories.building(own), number='A101')
    other_unit = factories.unit(factories.building(other), number='B202')
    token = token_for(factories.user('park_manager', platforms=[own]))

    assert api('GET', f'/units/{own_unit.id}', token).get_json()['number'] == 'A101'
    hidden = api('GET', f'/units/{other_unit.id}', token)
    assert hidden.status_code == 404 and hidden.get_json()['error']['code'] == 'not_found'
    assert api('GET', f'/platforms/{other.id}', token).status_code == 404
    listed = api('GET', '/units', token).get_json()
    assert [u['number'] for u in listed['items']] == ['A101'] and listed['total'] == 1
    assert [p['name'] for p in api('GET', '/platforms', token).get_json()['items']] == ['甲园区']
    assert api('GET', f'/vacancies?platform_id={other.id}', token).get_json()['total'] == 0


def test_park_manager_changes_status_of_own_units_only(factories, token_for, api):
    own, other = factories.platform(), factories.platform()
    own_unit = factories.unit(factories.building(own))
    other_unit = factories.unit(factories.building(other))
    token = token_for(factories.user('park_manager', platforms=[own]))

    changed = api('POST', f'/units/{own_unit.id}/status', token, json={'status': '装修中', 'note': '翻新'},
                  headers={'If-Match': f'"{own_unit.version}"'})
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert body['status'] == '装修中' and body['history'][0]['note'] == '翻新'
    assert changed.headers['ETag'] == f'"{body["version"]}"'
    assert api('POST', f'/units/{other_unit.id}/status', token,
               json={'status': '锁定', 'version': other_unit.version}).status_code == 404
    stale = api('POST', f'/units/{own_unit.id}/status', token, json={'status': '空置', 'version': own_unit.version})
    assert stale.status_code == 409
    officer = token_for(factories.user('officer'))
    assert api('POST', f'/units/{own_unit.id}/status', officer,
               json={'status': '锁定', 'version': body['version']}).status_code == 403


def test_officer_token_cannot_read_another_officers_private_lead(factories, token_for, api):
    me, colleague = factories.user('officer'), factories.user('officer')
    mine = factories.lead(owner=me, title='我的项目')
    pool = factories.lead(title='公共池项目')
    private = factories.lead(owner=colleague, title='同事的私有项目')
    shared = factories.lead(owner=colleague, title='协作项目', collaborators=[me])
    token = token_for(me)

    assert api('GET', f'/leads/{private.id}', token).status_code == 404
    assert api('GET', f'/leads/{private.id}/activities', token).status_code == 404
    assert api('GET', f'/leads/{private.id}/match', token).status_code == 404
    listed = {lead['name'] for lead in api('GET', '/leads?per_page=200', token).get_json()['items']}
    assert {'我的项目', '公共池项目', '协作项目'} <= listed and '同事的私有项目' not in listed
    assert api('GET', '/leads?q=同事的私有', token).get_json()['total'] == 0
    for visible in (mine, pool, shared):
        assert api('GET', f'/leads/{visible.id}', token).status_code == 200
    leader = token_for(factories.user('leader'))
    assert api('GET', f'/leads/{private.id}', leader).get_json()['title'] == '同事的私有项目'


def test_firm_user_token_sees_only_own_firm(factories, token_for, api):
    own, other = factories.firm('自家科技有限公司'), factories.firm('别家科技有限公司')
    token = token_for(factories.user('firm', firm=own))

    assert api('GET', f'/firms/{own.id}', token).get_json()['name'] == '自家科技有限公司'
    assert api('GET', f'/firms/{other.id}', token).status_code == 404
    listed = api('GET', '/firms', token).get_json()
    assert listed['total'] == 1 and listed['items'][0]['id'] == own.id
    assert api('GET', '/platforms', token).status_code == 403
    assert api('GET', '/leads', token).status_code == 403
    assert api('PATCH', f'/firms/{own.id}', token, json={'notes': 'x', 'version': 1}).status_code == 403


def _pack(in_app, lead, firm_id):
    from crm.packs.models import Pack
    from crm.packs.services import pdf_path

    pdf = b'%PDF-1.4 test pack\n%%EOF'
    sha = hashlib.sha256(pdf).hexdigest()
    with in_app():
        path = pdf_path(sha)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pdf)
        pack = Pack(number=f'GS-TEST-{lead.id}', lead_id=lead.id, firm_id=firm_id, version=1, lang='zh', sha256=sha,
                    size=len(pdf), pages=1, snapshot={})
        db.session.add(pack)
        db.session.commit()
        return pack.id


def test_pack_download_goes_through_the_same_scope(factories, token_for, api, in_app):
    me, colleague = factories.user('officer'), factories.user('officer')
    firm = factories.firm()
    mine = _pack(in_app, factories.lead(firm, owner=me), firm.id)
    theirs = _pack(in_app, factories.lead(owner=colleague), firm.id)
    token = token_for(me)

    meta = api('GET', f'/packs/{mine}', token).get_json()
    assert meta['download_url'] == f'/api/v1/packs/{mine}/pdf'
    pdf = api('GET', f'/packs/{mine}/pdf', token)
    assert pdf.status_code == 200 and pdf.data.startswith(b'%PDF') and pdf.mimetype == 'application/pdf'
    assert api('GET', f'/packs/{theirs}', token).status_code == 404
    assert api('GET', f'/packs/{theirs}/pdf', token).status_code == 404
    firm_token = token_for(factories.user('firm', firm=firm))
    assert {p['id'] for p in api('GET', '/packs', firm_token).get_json()['items']} == {mine, theirs}


def test_pagination_totals(factories, token_for, api):
    me = factories.user('officer')
    for n in range(7):
        factories.lead(owner=me, title=f'分页测试{n}')
    token = token_for(me)
    first = api('GET', '/leads?q=分页测试&per_page=3', token).get_json()
    assert (first['total'], first['pages'], first['page'], len(first['items'])) == (7, 3, 1, 3)
    last = api('GET', '/leads?q=分页测试&per_page=3&page=3', token).get_json()
    assert len(last['items']) == 1 and last['total'] == 7
    names = {i['name'] for p in (1, 2, 3) for i in api('GET', f'/leads?q=分页测试&per_page=3&page={p}',
                                                        token).get_json()['items']}
    assert names == {f'分页测试{n}' for n in range(7)}
    bad = api('GET', '/leads?per_page=500', token)
    assert bad.status_code == 400 and set(bad.get_json()['error']['fields']) == {'per_page'}
