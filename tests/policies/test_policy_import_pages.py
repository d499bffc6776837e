"""Importing a policy's text through the web and the command line, reviewing the clauses read from it, the
申兑指南, the firms a policy fits, and issuing 政策摘要 to them in one step (both databases)."""
import io
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crm.packs.models import PolicySummary
from crm.policies.evaluate import CONDITIONAL, ELIGIBLE, NOT_ELIGIBLE, evaluate_policy
from crm.policies.models import Policy, PolicyArticle, PolicyClause, PolicyPush
from tests.conftest import csrf_from, login, post_form
from tests.policies import policy_texts as texts

pytestmark = pytest.mark.usefixtures('business_clock')


def _upload(client, url: str, raw: bytes, name: str, **fields):
    return post_form(client, url, {'file': (io.BytesIO(raw), name), **fields}, content_type='multipart/form-data')


def _policy_by_title(db_session, title: str) -> Policy:
    db_session.expire_all()
    return db_session.scalars(select(Policy).where(Policy.title == title)).one()


def _clause(db_session, policy: Policy, article: str) -> PolicyClause:
    return db_session.scalars(select(PolicyClause).where(PolicyClause.policy_id == policy.id,
                                                         PolicyClause.article == article)
                              .order_by(PolicyClause.id)).first()


def test_import_review_accept_and_reimport(client, logged_in, factories, db_session):
    logged_in('officer')
    assert client.get('/policies/import').status_code == 403, 'importing is for those who edit policies'
    client.post('/logout', data={'csrf_token': csrf_from(client.get('/').data)})
    logged_in('admin')
    bad = _upload(client, '/policies/import', b'\xd0\xcf\x11\xe0' + b'\x00' * 64, 'old.doc', title='保留的标题')
    assert bad.status_code == 422 and '不支持旧版 .doc 文件' in bad.get_data(as_text=True)
    assert '保留的标题' in bad.get_data(as_text=True), 'the typed facts are kept'

    raw = texts.ARTICLES.encode('gb18030')
    response = _upload(client, '/policies/import', raw, '楼宇经济政策.txt')
    assert response.status_code == 302 and '/review' in response.headers['Location']
    policy = _policy_by_title(db_session, '杭州市拱墅区促进楼宇经济高质量发展若干政策（测试）')
    assert (policy.issuer, policy.doc_number, str(policy.issued_on)) == ('杭州市拱墅区人民政府', '拱政发〔2026〕8号',
                                                                         '2025-12-20')
    assert (str(policy.effective_from), str(policy.expires_on)) == ('2026-01-01', '2028-12-31')
    assert policy.highest_only is True, '就高不重复 in the text'
    assert policy.source_type == 'text/plain' and len(policy.source_sha256) == 64
    articles = db_session.scalar(select(func.count(PolicyArticle.id)).where(PolicyArticle.policy_id == policy.id))
    assert articles == 12
    assert {c.review for c in policy.clauses} == {'candidate'} and policy.accepted_clauses == []
    assert evaluate_policy(policy, {}).clauses == [], 'candidates do not count before review'

    page = client.get(response.headers['Location']).get_data(as_text=True)
    assert '“对新引进的总部企业，实际投资1亿元以上的，给予一次性落户奖励100万元。”' in page and '待审核' in page

    settlement = _clause(db_session, policy, 'art3')
    token = csrf_from(client.get(f'/policies/{policy.id}/review').data)
    assert client.post(f'/policies/clauses/{settlement.id}/accept', data={'csrf_token': token}).status_code == 302
    national = _clause(db_session, policy, 'art7')
    assert client.post(f'/policies/clauses/{national.id}/reject', data={'csrf_token': token}).status_code == 302
    firm = factories.firm(district='拱墅区', tags=['总部'])
    db_session.expire_all()
    policy = db_session.get(Policy, policy.id)
    assert [c.article for c in policy.accepted_clauses] == ['art3']
    assert policy.amounts_public and policy.status == 'active' and '落户奖励' in policy.kinds
    result = evaluate_policy(policy, {'registered_district': '拱墅区', 'tags': ['总部'], 'investment': 20000})
    assert (result.level, result.low, result.high) == (ELIGIBLE, Decimal(100), Decimal(100))
    preview = client.get(f'/policies/{policy.id}?firm={firm.id}').get_data(as_text=True)
    assert '第三条' in preview and '0.00 – 100.00 万元' in preview, 'the investment is unknown: a range'

    before = sorted((c.id, c.review) for c in policy.clauses)
    again = _upload(client, '/policies/import', raw, '另一个文件名.txt')
    assert again.status_code == 302
    assert '该文件此前已导入' in client.get(again.headers['Location']).get_data(as_text=True)
    db_session.expire_all()
    assert db_session.scalar(select(func.count(Policy.id)).where(Policy.source_sha256 == policy.source_sha256)) == 1
    assert sorted((c.id, c.review) for c in db_session.get(Policy, policy.id).clauses) == before

    # a new version of the text into the same policy: decided clauses are not proposed again
    changed = raw + '第十三条 本政策由区发展改革局负责解释。\n'.encode('gb18030')
    assert _upload(client, f'/policies/{policy.id}/import', changed, 'v2.txt').status_code == 302
    db_session.expire_all()
    policy = db_session.get(Policy, policy.id)
    assert [c.article for c in policy.clauses if c.review == 'accepted'] == ['art3']
    assert not [c for c in policy.candidates if c.article in ('art3',)] and len(policy.articles) == 13
    assert [c.article for c in policy.clauses if c.review == 'rejected'] == ['art7']


def test_edit_a_candidate_keeps_its_quote_and_the_guide_keeps_hand_corrections(client, logged_in, db_session):
    logged_in('admin')
    response = _upload(client, '/policies/import', texts.ITEMS_HTML.encode(), 'page.html')
    assert response.status_code == 302 and '/review' in response.headers['Location']
    policy = _policy_by_title(db_session, '拱墅区跨境电商产业扶持细则（测试）')
    assert policy.source_type == 'text/html' and policy.guide['department']['text'] == '区商务局'
    rent = _clause(db_session, policy, 's2.i2')
    page = client.get(f'/policies/clauses/{rent.id}/edit')
    html = page.get_data(as_text=True)
    assert rent.quote in html and '100/50/50' in html
    form = {'csrf_token': csrf_from(page.data), 'version': rent.version, 'kind': '房租补助', 'formula': 'schedule',
            'schedule': '100/50/50', 'base': 'rent', 'cap_year': '25', 'conditions-0-field': 'platform',
            'conditions-0-op': 'has_any', 'conditions-0-value': '跨贸小镇'}
    assert client.post(f'/policies/clauses/{rent.id}/edit', data=form).status_code == 302
    tiers = _clause(db_session, policy, 's2.i1')
    bad = client.post(f'/policies/clauses/{tiers.id}/edit', data={
        'csrf_token': csrf_from(page.data), 'version': tiers.version, 'kind': '落户奖励', 'formula': 'tiers',
        'tier_field': 'revenue', 'tiers': '5000~1000: 20万元'})
    assert bad.status_code == 422 and '下限不能高于上限' in bad.get_data(as_text=True)
    db_session.expire_all()
    rent = db_session.get(PolicyClause, rent.id)
    assert rent.cap_year == Decimal(25) and rent.review == 'candidate' and rent.quote.startswith('对入驻跨贸小镇的企业')

    guide = client.get(f'/policies/{policy.id}/guide')
    assert '申请表、营业执照复印件' in guide.get_data(as_text=True)
    version = db_session.get(Policy, policy.id).version
    post = {'csrf_token': csrf_from(guide.data), 'version': version, 'materials': '申请表、营业执照复印件',
            'department': '区商务局（外资科）', 'phone': '0571-00000009', 'apply_period': '每年4月',
            'apply_conditions': '', 'payment': '', 'stacking': ''}
    assert client.post(f'/policies/{policy.id}/guide', data=post).status_code == 302
    changed = texts.ITEMS_HTML.replace('每年4月集中申报', '每年5月集中申报').encode()
    assert _upload(client, f'/policies/{policy.id}/import', changed, 'page-v2.html').status_code == 302
    db_session.expire_all()
    guide = db_session.get(Policy, policy.id).guide
    assert guide['department']['text'] == '区商务局（外资科）', 'a hand correction survives a new import'
    assert guide['apply_period']['text'] == '每年4月'
    detail = client.get(f'/policies/{policy.id}').get_data(as_text=True)
    assert '申兑指南' in detail and '区商务局（外资科）' in detail


def _firms(factories):
    platform = factories.platform()
    unit = factories.unit(factories.building(platform))
    fits = factories.firm('合格科技有限公司', uscc='91330105MA2H000011', district='拱墅区', tags=['高新技术企业'],
                          headcount=150, rd_ratio=Decimal(6))
    factories.tenancy(fits, unit)
    unknown = factories.firm('待核实科技有限公司', district='拱墅区', tags=['高新技术企业'], rd_ratio=Decimal(8))
    factories.lead(unknown)
    elsewhere = factories.firm('外区科技有限公司', district='滨江区', tags=['高新技术企业'], headcount=300, rd_ratio=Decimal(9))
    factories.tenancy(elsewhere, unit)
    factories.firm('无关企业有限公司', district='拱墅区', tags=['高新技术企业'], headcount=500, rd_ratio=Decimal(9))
    return platform, fits, unknown, elsewhere


def _accepted_rd_policy(db_session) -> Policy:
    from crm.policies.imports import accept_clause, import_policy_text

    result = import_policy_text(texts.ARTICLES.encode('gb18030'), 'rd.txt')
    accept_clause(next(c for c in result.policy.clauses if c.article == 'art9'))
    db_session.commit()
    return result.policy


def test_eligible_firms_by_cli_page_and_scope_then_summaries_pushed(app, client, logged_in, factories, db_session,
                                                                      in_app):
    from crm.packs.summaries import firm_facts
    from crm.policies.cli import eligible_command

    platform, fits, unknown, elsewhere = _firms(factories)
    with in_app():
        policy_id = _accepted_rd_policy(db_session).id
    result = app.test_cli_runner().invoke(eligible_command, ['--policy', str(policy_id), '--json'])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert [f['id'] for f in payload['eligible']] == [fits.id]
    assert [(m['firm']['id'], m['missing']) for m in payload['maybe']] == [(unknown.id, ['员工人数不低于100'])]
    assert {'eligible', 'maybe', 'not_eligible'} <= set(payload), 'the JSON contract of `crm policies eligible`'
    assert payload['eligible'] == [{'id': fits.id, 'name': '合格科技有限公司', 'uscc': '91330105MA2H000011',
                                    'platforms': [platform.name]}]
    assert [set(m) for m in payload['maybe']] == [{'firm', 'missing'}]
    assert payload['maybe'][0]['firm'] == {'id': unknown.id, 'name': '待核实科技有限公司', 'uscc': unknown.uscc,
                                           'platforms': []}, 'the firm of an open lead, housed nowhere'
    assert payload['not_eligible'] == 1, 'the firm registered elsewhere; a firm neither housed nor courted is left out'
    with in_app():
        for firm, level in ((fits, ELIGIBLE), (unknown, CONDITIONAL), (elsewhere, NOT_ELIGIBLE)):
            from crm.firms.models import Firm
            assert evaluate_policy(db_session.get(Policy, policy_id),
                                   firm_facts(db_session.get(Firm, firm.id))).level == level, 'the same evaluator'


    logged_in('park_manager', platforms=[factories.platform()])
    page = client.get(f'/policies/{policy_id}/firms').get_data(as_text=True)
    assert '合格科技有限公司' not in page and '暂无适用企业' in page, 'a park manager sees the firms of their platforms'
    client.post('/logout', data={'csrf_token': csrf_from(client.get('/').data)})

    logged_in('officer')
    page = client.get(f'/policies/{policy_id}/firms')
    html = page.get_data(as_text=True)
    assert '合格科技有限公司' in html and '新符合' in html and '待核实科技有限公司' in html and '员工人数不低于100' in html
    refused = client.post(f'/policies/{policy_id}/push', data={'csrf_token': csrf_from(page.data),
                                                                'firm': [str(elsewhere.id)]})
    assert refused.status_code == 302 and db_session.scalar(select(func.count(PolicyPush.id))) == 0
    pushed = client.post(f'/policies/{policy_id}/push', data={'csrf_token': csrf_from(page.data),
                                                               'firm': [str(fits.id), str(unknown.id)]})
    assert pushed.status_code == 302
    progress = client.get(pushed.headers['Location']).get_data(as_text=True)
    assert '已生成 2 份政策摘要' in progress
    push = db_session.scalars(select(PolicyPush)).one()
    assert push.status == 'done' and push.done == 2 and push.eligible_ids == [fits.id]
    summary = db_session.scalars(select(PolicySummary).where(PolicySummary.firm_id == fits.id)).one()
    assert '新符合' not in client.get(f'/policies/{policy_id}/firms').get_data(as_text=True)

    from pypdf import PdfReader

    pdf = client.get(f'/summaries/{summary.id}.pdf')
    text = ''.join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages).replace('\n', '')
    assert '杭州市拱墅区促进楼宇经济高质量发展若干政策' in text and '第九条' in text and '申兑指南' in text
    client.post('/logout', data={'csrf_token': csrf_from(client.get('/').data)})
    firm_user = factories.user('firm', firm=fits)
    login(client, firm_user.email, factories.PASSWORD)
    home = client.get('/').get_data(as_text=True)
    assert summary.number in home and client.get(f'/summaries/{summary.id}.pdf').status_code == 200


def test_import_json_contract_and_the_same_bytes_again(app, db_session, tmp_path):
    from crm.policies.cli import import_command

    path = tmp_path / 'policy.docx'
    path.write_bytes(texts.docx_bytes(texts.NUMBERED))
    first = app.test_cli_runner().invoke(import_command, [str(path), '--issuer', '拱墅区人力社保局', '--doc-number',
                                                          '拱人社〔2026〕1号', '--date', '2026-01-15', '--json'])
    assert first.exit_code == 0, first.output
    payload = json.loads(first.output)
    assert {'policy_id', 'title', 'issuer', 'doc_number', 'issued_on', 'valid_until', 'articles', 'clauses',
            'guide'} <= set(payload)
    assert (payload['title'], payload['issuer'], payload['doc_number'], payload['issued_on']) == (
        '拱墅区人才引进资助办法（测试）', '拱墅区人力社保局', '拱人社〔2026〕1号', '2026-01-15')
    assert [set(a) for a in payload['articles']][0] == {'number', 'anchor', 'citation', 'text'}
    keys = {'article', 'kind', 'formula', 'amount', 'percent', 'base', 'rate', 'unit', 'tiers', 'schedule', 'cap_year',
            'cap_total', 'uncapped', 'conditions', 'quote'}
    assert all(keys <= set(c) for c in payload['clauses'])
    talent = payload['clauses'][0]
    assert (talent['formula'], talent['rate'], talent['unit'], talent['amount']) == ('per_unit', 10, '万元/人', None)
    for clause in payload['clauses']:
        article = next(a for a in payload['articles'] if a['anchor'] == clause['article'])
        assert clause['quote'] in article['text']
        assert all(n in texts.stated_numbers(clause['quote']) for n in texts.clause_numbers(clause))
    assert payload['guide']['materials']['label'] == '申报材料'
    again = app.test_cli_runner().invoke(import_command, [str(path), '--json'])
    repeat = json.loads(again.output)
    assert repeat['unchanged'] is True and repeat['policy_id'] == payload['policy_id']
    assert repeat['clauses'] == payload['clauses'] and repeat['articles'] == payload['articles']
    bad = app.test_cli_runner().invoke(import_command, [str(path), '--date', '15/01/2026'])
    assert bad.exit_code != 0 and 'YYYY-MM-DD' in bad.output


def test_import_json_contract_of_an_articles_text(app, db_session, tmp_path):
    """Field names and values of `crm policies import … --json` for a GB18030 text: amounts and caps in 万元 with the
    text's own unit in `unit`, tiers, schedules and conditions as {field, op, value}, the 申兑指南 with its citation."""
    from crm.policies.cli import import_command

    path = tmp_path / 'policy.txt'
    path.write_bytes(texts.ARTICLES.encode('gb18030'))
    result = app.test_cli_runner().invoke(import_command, [str(path), '--json'])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert (payload['title'], payload['issuer'], payload['doc_number'], payload['issued_on'], payload['valid_until']) == (
        '杭州市拱墅区促进楼宇经济高质量发展若干政策（测试）', '杭州市拱墅区人民政府', '拱政发〔2026〕8号', '2025-12-20', '2028-12-31')
    assert all(set(a) == {'number', 'anchor', 'citation', 'text'} for a in payload['articles'])
    assert all(set(c) == {'field', 'op', 'value'} for clause in payload['clauses'] for c in clause['conditions'])
    by_article = {}
    for clause in payload['clauses']:
        by_article.setdefault(clause['article'], []).append(clause)
    settle, = by_article['art3']
    assert (settle['formula'], settle['amount'], settle['unit'], settle['uncapped']) == ('fixed', 100, '万元', False)
    assert settle['conditions'][1] == {'field': 'investment', 'op': 'gte', 'value': 10000}, '1亿元 in 万元'
    rent, = by_article['art4']
    assert (rent['rate'], rent['unit'], rent['cap_year'], rent['cap_total']) == (1.5, '元/㎡·天', 100, None)
    share, = by_article['art5']
    assert (share['schedule'], share['cap_total'], share['base']) == ([100, 100, 50, 50, 50], 500, 'fiscal_contribution')
    tiers, = by_article['art6']
    assert tiers['uncapped'] is True and tiers['tiers'] == [
        {'field': 'rd_spend', 'min': 5000, 'max': 10000, 'percent': 3},
        {'field': 'rd_spend', 'min': 10000, 'max': None, 'percent': 5}]
    assert payload['guide']['stacking'] == {'label': '叠加规则', 'text': '同一企业同一事项符合本区多项政策的，按就高不重复原则执行。',
                                            'quote': '同一企业同一事项符合本区多项政策的，按就高不重复原则执行。',
                                            'article': 'art11', 'citation': '第十一条'}


def test_the_firm_list_agrees_with_the_evaluator_for_every_fact(app, factories, db_session, in_app):
    """The list reads all firms at once; each firm's level must equal `evaluate_policy` on `firm_facts`."""
    from datetime import date

    from crm.core.console import SystemActor
    from crm.firms.models import Firm
    from crm.packs.summaries import firm_facts
    from crm.policies.eligibility import policy_firms

    park, other = factories.platform('政策测试园'), factories.platform('另一测试园')
    units = [factories.unit(factories.building(p), area='300') for p in (park, other)]
    firms = []
    for n, values in enumerate([
            {'district': '拱墅区', 'tags': ['高新技术企业'], 'headcount': 80, 'industry_code': '6513',
             'registered_on': date(2016, 5, 1), 'registered_capital': Decimal('800')},
            {'district': '拱墅区', 'tags': [], 'headcount': 10, 'industry_code': '7261', 'registered_on': date(2024, 1, 1)},
            {'district': '拱墅区', 'tags': ['高新技术企业', '规上'], 'headcount': None, 'name': '云图数字经济科技有限公司'},
            {'district': None, 'tags': ['高新技术企业'], 'headcount': 300, 'rd_ratio': Decimal('4.5')}]):
        name = values.pop('name', None)
        firm = factories.firm(name, **values)
        factories.tenancy(firm, units[n % 2])
        firms.append(firm)
    with in_app():
        policy = Policy(key='test-every-fact', title='全条件测试政策', level='区', amounts_public=True, kinds=['房租补助'],
                        industries=['数字经济'], platform_names=['政策测试园'], facts=[])
        policy.clauses = [PolicyClause(kind='房租补助', formula='per_m2', rate=Decimal(300), conditions=[
            {'field': 'registered_district', 'op': 'eq', 'value': '拱墅区'},
            {'field': 'tags', 'op': 'has', 'value': ['高新技术企业']},
            {'field': 'headcount', 'op': 'gte', 'value': 50}, {'field': 'years_registered', 'op': 'gte', 'value': 3},
            {'field': 'leased_area', 'op': 'gte', 'value': 100}, {'field': 'registered_capital', 'op': 'gte',
                                                                 'value': 500}])]
        db_session.add(policy)
        db_session.commit()
        found = policy_firms(policy, user=SystemActor())
        levels = {f.id: ELIGIBLE for f in found.eligible} | {f.id: CONDITIONAL for f, _m in found.maybe}
        for firm in firms:
            expected = evaluate_policy(policy, firm_facts(db_session.get(Firm, firm.id))).level
            assert levels.get(firm.id, NOT_ELIGIBLE) == expected, firm.name
        maybe = {f.id: (f.platforms, missing) for f, missing in found.maybe}
        assert maybe[firms[0].id] == (('政策测试园',), ['租用面积(㎡)不低于100']), 'no area is recorded for its tenancy'
        assert maybe[firms[2].id][1] == ['员工人数不低于50', '成立年限不低于3', '租用面积(㎡)不低于100', '注册资本（万元）不低于500']
        assert found.not_eligible == 2 and not found.eligible, 'another platform; registered nowhere known'


def test_a_refused_push_is_shown_beside_the_firm_list_with_the_choices_kept(client, logged_in, factories, db_session,
                                                                            in_app):
    _platform, fits, unknown, _elsewhere = _firms(factories)
    with in_app():
        policy_id = _accepted_rd_policy(db_session).id
    logged_in('officer')
    page = client.get(f'/policies/{policy_id}/firms')
    assert f'name="firm" value="{fits.id}" checked' in page.get_data(as_text=True), 'eligible firms come ticked'
    refused = client.post(f'/policies/{policy_id}/push', data={'csrf_token': csrf_from(page.data), 'lang': 'en'})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert '<p class="error" id="firm-err">请先勾选要推送政策摘要的企业</p>' in html
    assert f'name="firm" value="{fits.id}" aria-label' in html, 'the firm the user unticked stays unticked'
    assert f'name="firm" value="{unknown.id}" aria-label' in html and '<option value="en" selected>' in html
    assert db_session.scalar(select(func.count(PolicyPush.id))) == 0
