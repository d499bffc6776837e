"""Writes go through the same forms and services as the pages: Chinese field errors, version checks (409, nothing
overwritten), stage rules, the credit-code check and the duplicate guard; the OpenAPI document matches the routes."""
from crm.core.validators import make_uscc


def _officer(factories, token_for):
    user = factories.user('officer')
    return user, token_for(user)


def test_validation_errors_are_json_with_chinese_messages_per_field(factories, token_for, api):
    _user, token = _officer(factories, token_for)
    firm = factories.firm()
    response = api('POST', '/leads', token, json={'firm_id': firm.id, 'source': '不存在的来源', 'jobs': 'many'})
    assert response.status_code == 422
    error = response.get_json()['error']
    assert error['code'] == 'invalid' and set(error) >= {'code', 'message', 'fields'}
    assert set(error['fields']) == {'jobs'}  # wrong JSON type is caught before the form
    response = api('POST', '/leads', token, json={'firm_id': firm.id, 'source': '不存在的来源', 'jobs': -5})
    fields = response.get_json()['error']['fields']
    assert set(fields) >= {'title', 'source', 'jobs'}
    assert fields['title'] == ['请填写项目名称。'] or '项目名称' in fields['title'][0]
    assert all(any('\u4e00' <= ch <= '\u9fff' for ch in m) for ms in fields.values() for m in ms), fields


def test_malformed_bodies_and_queries_are_4xx_never_500(factories, token_for, api):
    _user, token = _officer(factories, token_for)
    assert api('POST', '/leads', token, data='not json', content_type='application/json').status_code == 400
    assert api('POST', '/leads', token, json=['a list']).status_code == 400
    assert api('GET', '/leads?platform=abc', token).status_code == 400
    assert api('GET', '/leads?q=%00%ff', token).status_code == 200
    assert api('GET', '/leads/99999999999', token).status_code == 404
    assert api('GET', '/units?area_min=nan', token).status_code == 400
    assert api('POST', '/leads', token, json={'title': '\x00' * 3, 'firm_id': 2 ** 70,
                                             'source': '线上'}).status_code == 422


def test_create_and_update_a_lead_with_version_check(factories, token_for, api):
    user, token = _officer(factories, token_for)
    firm, platform = factories.firm(), factories.platform('丙园区')
    created = api('POST', '/leads', token, json={'title': '新项目', 'firm_id': firm.id, 'source': '线上',
                                                 'platforms': [platform.id], 'investment': 1200.5,
                                                 'next_follow_up': '2030-01-02'})
    assert created.status_code == 201, created.get_json()
    lead = created.get_json()
    assert lead['owner']['id'] == user.id and lead['stage'] == '线索' and lead['investment'] == '1200.50'
    assert lead['platforms'] == [{'id': platform.id, 'name': '丙园区'}] and lead['stage_history'][0]['to_stage'] == '线索'

    path = f"/leads/{lead['id']}"
    assert api('PATCH', path, token, json={'notes': '无版本'}).status_code == 428
    saved = api('PATCH', path, token, json={'notes': '第一次'}, headers={'If-Match': f'"{lead["version"]}"'})
    assert saved.status_code == 200, saved.get_json()
    after = saved.get_json()
    assert after['notes'] == '第一次' and after['version'] == lead['version'] + 1
    assert after['title'] == '新项目' and after['platforms'] == lead['platforms']  # untouched fields are kept

    stale = api('PATCH', path, token, json={'notes': '过时的修改', 'version': lead['version']})
    assert stale.status_code == 409
    assert stale.get_json()['error']['code'] == 'conflict' and stale.get_json()['error']['current_version'] == \
        after['version']
    assert api('GET', path, token).get_json()['notes'] == '第一次'  # nothing overwritten

    cleared = api('PATCH', path, token, json={'notes': None, 'investment': None, 'version': after['version']})
    assert not cleared.get_json()['notes'] and cleared.get_json()['investment'] is None  # as an emptied input


def test_stage_moves_follow_the_pages_rules(factories, token_for, api, in_app):
    user, token = _officer(factories, token_for)
    lead = factories.lead(owner=user)
    moved = api('POST', f'/leads/{lead.id}/stage', token, json={'to_stage': '初步接洽'})
    assert moved.status_code == 200 and moved.get_json()['stage'] == '初步接洽'
    refused = api('POST', f'/leads/{lead.id}/stage', token, json={'to_stage': '流失'})
    assert refused.status_code == 422
    assert refused.get_json()['error']['message'] == '标记流失必须选择流失原因'
    reasons = api('GET', '/lost-reasons', token).get_json()
    lost = api('POST', f'/leads/{lead.id}/stage', token,
               json={'to_stage': '流失', 'lost_reason_id': reasons[0]['id'], 'note': '企业选择了外区'})
    assert lost.status_code == 200 and lost.get_json()['lost_reason'] == reasons[0]['name']
    assert [c['to_stage'] for c in lost.get_json()['stage_history']] == ['线索', '初步接洽', '流失']
    park = token_for(factories.user('park_manager'))
    assert api('POST', f'/leads/{lead.id}/stage', park, json={'to_stage': '线索'}).status_code == 403


def test_stage_moves_confirm_skips_and_need_a_reason_to_go_back(factories, token_for, api):
    user = factories.user('officer')
    token = token_for(user)
    lead = factories.lead(owner=user, stage='洽谈')
    skip = api('POST', f'/leads/{lead.id}/stage', token, json={'to_stage': '入驻'})
    assert skip.status_code == 422 and skip.get_json()['error']['code'] == 'skip_unconfirmed'
    assert skip.get_json()['error']['skipped'] == ['签约', '注册']
    moved = api('POST', f'/leads/{lead.id}/stage', token, json={'to_stage': '入驻', 'confirm_skip': True})
    assert moved.status_code == 200, moved.get_json()
    history = moved.get_json()['stage_history']
    assert [(c['to_stage'], c['skipped']) for c in history[-3:]] == [('签约', True), ('注册', True), ('入驻', False)]
    back = api('POST', f'/leads/{lead.id}/stage', token, json={'to_stage': '洽谈'})
    assert back.status_code == 422 and back.get_json()['error']['code'] == 'reason_required'
    assert '必须在备注中填写原因' in back.get_json()['error']['fields']['note'][0]


def test_follow_ups(factories, token_for, api):
    user, token = _officer(factories, token_for)
    lead = factories.lead(owner=user)
    added = api('POST', f'/leads/{lead.id}/activities', token,
                json={'kind': '拜访', 'subject': '上门拜访', 'due_on': '2030-03-01'})
    assert added.status_code == 201 and added.get_json()['owner_id'] == user.id
    assert api('POST', f'/leads/{lead.id}/activities', token, json={'kind': '拜访'}).status_code == 422
    listed = api('GET', f'/leads/{lead.id}/activities', token).get_json()
    assert listed['total'] == 1 and listed['items'][0]['subject'] == '上门拜访'


def test_match_is_the_cli_output(factories, token_for, api, in_app):
    user, token = _officer(factories, token_for)
    lead = factories.lead(owner=user, title='跨境电商项目')
    from crm.core.access import SYSTEM
    from crm.db import db
    from crm.leads.models import Lead
    from crm.matching.services import match_json
    with in_app():
        expected = match_json(db.session.get(Lead, lead.id), viewer=SYSTEM)
    import json
    assert api('GET', f'/leads/{lead.id}/match', token).get_json() == json.loads(json.dumps(expected))


def test_firm_create_checks_credit_code_and_duplicates(factories, token_for, api):
    import random
    _user, token = _officer(factories, token_for)
    bad = api('POST', '/firms', token, json={'name': '校验测试有限公司', 'uscc': '91330105MA2XXXXXX1'})
    assert bad.status_code == 422 and '统一社会信用代码' in bad.get_json()['error']['fields']['uscc'][0]

    code = make_uscc(random.Random(42))
    existing = factories.firm('已有企业有限公司', uscc=code)
    taken = api('POST', '/firms', token, json={'name': '另一家有限公司', 'uscc': code})
    assert taken.status_code == 422 and str(existing.id) in taken.get_json()['error']['fields']['uscc'][0]

    similar = api('POST', '/firms', token, json={'name': '已有企业（杭州）有限公司'})
    assert similar.status_code == 422 and similar.get_json()['error']['code'] == 'similar_firms'
    assert similar.get_json()['error']['candidates'][0]['id'] == existing.id
    created = api('POST', '/firms', token, json={'name': '已有企业（杭州）有限公司', 'confirm_similar': True,
                                                 'tags': ['总部'], 'headcount': 30})
    assert created.status_code == 201, created.get_json()
    firm = created.get_json()
    assert firm['tags'] == ['总部'] and firm['version'] == 1

    renamed = api('PATCH', f"/firms/{firm['id']}", token, json={'name': '新名字有限公司', 'version': 1})
    assert renamed.status_code == 200 and renamed.get_json()['former_names'] == ['已有企业（杭州）有限公司']
    assert api('PATCH', f"/firms/{firm['id']}", token, json={'notes': 'x', 'version': 1}).status_code == 409
    assert api('PATCH', f"/firms/{firm['id']}", token, json={'uscc': code, 'version': 2}).status_code == 422


def test_openapi_document_matches_the_routes(app, client):
    doc = client.get('/api/v1/openapi.json').get_json()
    assert doc['openapi'].startswith('3.1')
    documented = {(method.upper(), '/api/v1' + path.replace('{', '<int:').replace('}', '>'))
                  for path, methods in doc['paths'].items() for method in methods}
    routed = {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.rule.startswith('/api/')
              for method in rule.methods - {'HEAD', 'OPTIONS'}}
    assert documented == routed
    for path, methods in doc['paths'].items():
        for method, entry in methods.items():
            view = app.view_functions['api.' + entry['operationId']]
            assert entry['x-permission'] == view.required_permission


def test_a_refused_stage_move_names_the_input_at_fault_in_fields(factories, token_for, api):
    user, token = _officer(factories, token_for)
    lead = factories.lead(owner=user, stage='初步接洽')
    path = f'/leads/{lead.id}/stage'
    reason = api('GET', '/lost-reasons', token).get_json()[0]['id']
    for body, field, message in (({'to_stage': '流失'}, 'lost_reason_id', '标记流失必须选择流失原因'),
                                 ({'to_stage': '流失', 'lost_reason_id': reason}, 'note', '标记流失必须填写说明'),
                                 ({'to_stage': '初步接洽'}, 'to_stage', None)):
        error = api('POST', path, token, json=body).get_json()['error']
        assert error['code'] == 'stage_refused' and list(error['fields']) == [field], body
        assert error['fields'][field] == [error['message']] and message in (None, error['message'])
