"""Reading policy texts (no database): structure, metadata, clause candidates and the 申兑指南 of texts in several
layouts and formats — 第N条 articles damaged by a PDF copy (GB18030), 一、/（一） items in a saved web page, 1. items in
a Word document, and a PDF typeset here with WeasyPrint. Every amount, cap and condition equals the text; every
quote stands verbatim in its article; no clause carries a number its sentence does not state."""
from datetime import date
from decimal import Decimal

import pytest

from crm.policies.imports import PolicyImportError, read_policy
from tests.policies import policy_texts as texts

PLATFORMS = {'跨贸小镇': ['跨贸小镇', '下城跨贸小镇']}
DISTRICT = {'field': 'registered_district', 'op': 'eq', 'value': '拱墅区'}


def _read(raw: bytes):
    return read_policy(raw, platforms=PLATFORMS)


def _plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _clauses(read) -> list[dict]:
    keys = ('article', 'kind', 'formula', 'amount', 'percent', 'base', 'rate', 'unit', 'tiers', 'schedule',
            'cap_year', 'cap_total', 'uncapped', 'conditions', 'quote')
    return [{k: _plain(getattr(c, k)) for k in keys} for c in read.candidates]


def _honest(read) -> None:
    """Every quote is verbatim in its article; every amount, rate, cap, tier and schedule of a clause is stated by
    its quote, and every number of its conditions by its article (items listed after the quote's colon)."""
    articles = {a.anchor: a.text for a in read.text.articles}
    for clause in read.candidates:
        assert clause.quote and clause.quote in articles[clause.article], clause
        stated = texts.stated_numbers(clause.quote)
        invented = [n for n in texts.clause_numbers(clause, conditions=False) if n not in stated]
        assert not invented, f'{clause.article}: {invented} not in “{clause.quote}”'
        in_article = texts.stated_numbers(articles[clause.article])
        assert all(n in in_article for n in texts.clause_numbers(clause)), clause


def _pick(clauses: list[dict], article: str) -> list[dict]:
    return [c for c in clauses if c['article'] == article]


def _subset(actual: dict, expected: dict) -> None:
    for key, value in expected.items():
        assert actual[key] == value, (key, actual[key], value, actual['quote'])


def test_articles_copied_from_a_pdf_in_gb18030():
    read = _read(texts.ARTICLES.encode('gb18030'))
    text = read.text
    assert read.cleaned.document.encoding == 'gb18030' and text.layout == 'articles'
    assert text.title == '杭州市拱墅区促进楼宇经济高质量发展若干政策（测试）'
    assert (text.issuer, text.doc_number, text.issued_on) == ('杭州市拱墅区人民政府', '拱政发〔2026〕8号', date(2025, 12, 20))
    assert (text.effective_from, text.valid_until) == (date(2026, 1, 1), date(2028, 12, 31))
    assert [(a.number, a.anchor, a.citation) for a in text.articles][:3] == [
        (1, 'art1', '第一条'), (2, 'art2', '第二条'), (3, 'art3', '第三条')]
    assert [a.citation for a in text.articles][-2:] == ['第十一条', '第十二条'], 'damaged 第 1 1 条 is still article 11'
    assert text.articles[2].chapter == '第二章扶持措施'
    assert text.articles[2].text == '对新引进的总部企业，实际投资1亿元以上的，给予一次性落户奖励100万元。', 'spaces inside 100'
    assert '最高不超过100万元' in text.articles[3].text, 'an amount broken across lines is joined'
    assert '１' not in ''.join(a.text for a in text.articles), 'full-width digits are read as digits'
    assert not any('人民政府' in a.text and len(a.text) < 20 for a in text.articles), 'the closing issuer is not an article'

    clauses = _clauses(read)
    _honest(read)
    _subset(_pick(clauses, 'art3')[0], {'kind': '落户奖励', 'formula': 'fixed', 'amount': 100, 'unit': '万元',
                                        'conditions': [DISTRICT, {'field': 'investment', 'op': 'gte', 'value': 10000},
                                                       {'field': 'tags', 'op': 'has', 'value': ['总部']}]})
    _subset(_pick(clauses, 'art4')[0], {'kind': '房租补助', 'formula': 'per_m2', 'rate': 1.5, 'unit': '元/㎡·天',
                                        'cap_year': 100, 'cap_total': None, 'base': 'leased_area'})
    _subset(_pick(clauses, 'art5')[0], {'kind': '税收贡献奖励', 'formula': 'schedule', 'base': 'fiscal_contribution',
                                        'schedule': [100, 100, 50, 50, 50], 'cap_total': 500, 'cap_year': None})
    _subset(_pick(clauses, 'art6')[0], {
        'kind': '研发资助', 'formula': 'tiers', 'base': 'rd_spend', 'uncapped': True, 'cap_year': None,
        'cap_total': None, 'tiers': [{'field': 'rd_spend', 'min': 5000, 'max': 10000, 'percent': 3},
                                     {'field': 'rd_spend', 'min': 10000, 'max': None, 'percent': 5}],
        'conditions': [DISTRICT, {'field': 'rd_spend', 'op': 'gte', 'value': 5000}]})
    national, provincial = _pick(clauses, 'art7')
    _subset(national, {'formula': 'fixed', 'amount': 50, 'kind': '认定奖励', 'conditions': [
        DISTRICT, {'field': 'certification', 'op': 'has', 'value': ['国家级专精特新“小巨人”企业']}]})
    _subset(provincial, {'formula': 'fixed', 'amount': 20, 'conditions': [
        DISTRICT, {'field': 'certification', 'op': 'has', 'value': ['省级专精特新“小巨人”企业']}]})
    _subset(_pick(clauses, 'art8')[0], {'formula': 'tiers', 'unit': '万元', 'tiers': [
        {'field': 'revenue', 'min': 10000, 'max': 50000, 'amount': 30},
        {'field': 'revenue', 'min': 50000, 'max': 100000, 'amount': 80},
        {'field': 'revenue', 'min': 100000, 'max': None, 'amount': 150}]})
    _subset(_pick(clauses, 'art9')[0], {'formula': 'percent', 'percent': 10, 'base': 'rd_spend', 'cap_total': 200,
                                        'conditions': [DISTRICT, {'field': 'headcount', 'op': 'gte', 'value': 100},
                                                       {'field': 'rd_ratio', 'op': 'gte', 'value': 5},
                                                       {'field': 'tags', 'op': 'has', 'value': ['高新技术企业']}]})
    _subset(_pick(clauses, 'art10')[0], {'formula': 'none', 'amount': None, 'kind': '其他'})
    assert not [c for c in clauses if c['article'] in ('art1', 'art2', 'art11', 'art12')], 'no clause where no benefit'
    assert [c['uncapped'] for c in clauses].count(True) == 1, 'only the sentence saying 上不封顶 is uncapped'
    assert read.guide['stacking']['text'] == '同一企业同一事项符合本区多项政策的，按就高不重复原则执行。'
    assert read.guide['stacking']['article'] == 'art11' and read.scope['district'] == '拱墅区'


def test_items_in_a_saved_web_page():
    read = _read(texts.ITEMS_HTML.encode())
    text = read.text
    assert text.layout == 'items' and text.title == '拱墅区跨境电商产业扶持细则（测试）'
    assert (text.issuer, text.doc_number, text.issued_on) == ('拱墅区商务局', '拱商〔2026〕5号', date(2026, 2, 15)), \
        'the page metadata block gives issuer, 文号 and date'
    assert (text.effective_from, text.valid_until) == (date(2026, 3, 1), date(2027, 12, 31))
    body = ' '.join(a.text for a in text.articles)
    assert 'pageId' not in body and '网站首页' not in body and '版权所有' not in body, 'script and navigation are gone'
    assert [a.citation for a in text.articles][:3] == ['一、', '二、（一）', '二、（二）']
    clauses = _clauses(read)
    _honest(read)
    _subset(_pick(clauses, 's2.i1')[0], {
        'kind': '落户奖励', 'formula': 'tiers', 'unit': '万元',
        'tiers': [{'field': 'revenue', 'min': 5000, 'max': 10000, 'amount': 20},
                  {'field': 'revenue', 'min': 10000, 'max': None, 'amount': 50}],
        'conditions': [DISTRICT, {'field': 'industry', 'op': 'has_any', 'value': ['跨境电商']},
                       {'field': 'revenue', 'op': 'gte', 'value': 5000}]})
    _subset(_pick(clauses, 's2.i2')[0], {'kind': '房租补助', 'formula': 'schedule', 'base': 'rent',
                                         'schedule': [100, 50, 50], 'cap_year': 30,
                                         'conditions': [DISTRICT, {'field': 'platform', 'op': 'has_any',
                                                                   'value': ['跨贸小镇']}]})
    _subset(_pick(clauses, 's2.i3')[0], {'kind': '人才奖励', 'formula': 'per_unit', 'rate': 2, 'unit': '万元/人',
                                         'base': 'persons', 'cap_year': 20})
    _subset(_pick(clauses, 's2.i4')[0], {'kind': '认定奖励', 'formula': 'up_to', 'amount': None, 'cap_total': 30,
                                         'conditions': [DISTRICT, {'field': 'certification', 'op': 'has',
                                                                   'value': ['省级跨境电商示范企业']}]})
    assert not _pick(clauses, 's3.i4'), 'how the money is paid is guidance, not a 60% benefit'
    guide = {key: value['text'] for key, value in read.guide.items()}
    assert guide == {'apply_conditions': '本细则适用于在拱墅区注册并纳税的跨境电商企业。',
                     'materials': '申报材料：申请表、营业执照复印件、上年度财务报表。',
                     'apply_period': '申报时间：每年4月集中申报。', 'payment': '奖励资金经审核后分两次拨付，首次拨付60%。',
                     'department': '区商务局', 'phone': '0571-00000009'}
    assert read.guide['phone']['citation'] == '三、（三）'


def test_numbered_items_in_a_word_document():
    read = _read(texts.docx_bytes(texts.NUMBERED))
    assert read.document.kind.endswith('wordprocessingml.document')
    assert read.text.title == '拱墅区人才引进资助办法（测试）'
    assert [a.citation for a in read.text.articles] == ['1.', '2.', '3.', '4.']
    clauses = _clauses(read)
    _honest(read)
    _subset(_pick(clauses, 'n1')[0], {'kind': '人才奖励', 'formula': 'per_unit', 'rate': 10, 'unit': '万元/人',
                                      'base': 'persons', 'conditions': []})
    _subset(_pick(clauses, 'n2')[0], {'formula': 'per_unit', 'rate': 2000, 'unit': '元/人·年', 'base': 'headcount',
                                      'cap_year': 50})
    _subset(_pick(clauses, 'n3')[0], {'formula': 'none', 'amount': None})
    assert not _pick(clauses, 'n4') and read.guide['materials']['text'] == '申报材料：学历证书、劳动合同、社保缴纳证明。'


def test_a_pdf_typeset_with_weasyprint():
    read = _read(texts.pdf_bytes())
    assert read.document.pages and read.text.layout == 'articles'
    assert read.text.title == '拱墅区楼宇招商扶持办法（测试）'
    assert [a.citation for a in read.text.articles] == ['第一条', '第二条', '第三条', '第四条']
    assert read.text.articles[1].text == ('对新引进的总部企业，实际投资1亿元以上的，给予一次性落户奖励200万元；实际投资5亿元'
                                          '以上的，给予一次性落户奖励500万元。'), 'wrapped lines are one article again'
    assert not any('页' in a.text for a in read.text.articles), 'the page footer is page furniture'
    clauses = _clauses(read)
    _honest(read)
    _subset(_pick(clauses, 'art2')[0], {'formula': 'tiers', 'kind': '落户奖励', 'tiers': [
        {'field': 'investment', 'min': 10000, 'max': 50000, 'amount': 200},
        {'field': 'investment', 'min': 50000, 'max': None, 'amount': 500}],
        'conditions': [{'field': 'tags', 'op': 'has', 'value': ['总部']},
                       {'field': 'investment', 'op': 'gte', 'value': 10000}]})
    _subset(_pick(clauses, 'art3')[0], {'formula': 'per_m2', 'rate': 1.2, 'unit': '元/㎡·天', 'cap_year': 80})
    assert (read.text.effective_from, read.text.valid_until) == (date(2026, 1, 1), date(2028, 12, 31))


def test_items_in_plain_text_with_full_width_and_broken_numbers():
    read = _read(texts.ITEMS_PLAIN.encode())
    text = read.text
    assert text.layout == 'items' and text.title == '滨河区支持制造业技术改造若干措施（测试）'
    assert (text.issuer, text.doc_number, text.issued_on) == ('滨河区经济和信息化局', '滨经信〔2026〕12号', date(2026, 2, 10))
    assert (text.effective_from, text.valid_until) == (date(2026, 3, 1), date(2028, 2, 29))
    assert text.articles[1].text.endswith('设备投资额在2000万元以上的，按设备投资额的8%给予补助，单个项目最高不超过300万元。')
    clauses = _clauses(read)
    _honest(read)
    assert sorted({c['article'] for c in clauses}) == ['s2.i1', 's2.i2', 's2.i3', 's2.i4', 's2.i5', 's2.i6']
    _subset(_pick(clauses, 's2.i1')[0], {'kind': '技改', 'formula': 'percent', 'percent': 8, 'base': 'investment',
                                         'cap_total': 300, 'cap_year': None, 'uncapped': False,
                                         'conditions': [DISTRICT, {'field': 'investment', 'op': 'gte', 'value': 2000}]})
    _subset(_pick(clauses, 's2.i2')[0], {'kind': '技改', 'formula': 'per_unit', 'rate': 5000, 'unit': '元/台',
                                         'base': 'equipment', 'amount': None, 'cap_year': 50, 'cap_total': None})
    _subset(_pick(clauses, 's2.i3')[0], {'formula': 'fixed', 'amount': 15, 'unit': '万元', 'conditions': [
        DISTRICT, {'field': 'tags', 'op': 'has', 'value': ['规上']}]})
    _subset(_pick(clauses, 's2.i4')[0], {
        'formula': 'tiers', 'base': 'investment', 'uncapped': True, 'cap_year': None, 'cap_total': None,
        'tiers': [{'field': 'investment', 'min': 5000, 'max': 20000, 'percent': 2},
                  {'field': 'investment', 'min': 20000, 'max': None, 'percent': 3}]})
    _subset(_pick(clauses, 's2.i5')[0], {'formula': 'per_unit', 'rate': 1, 'unit': '万元/亩', 'base': 'land_area',
                                         'cap_total': 100, 'conditions': [
                                             DISTRICT, {'field': 'land_yield', 'op': 'gte', 'value': 30}]})
    _subset(_pick(clauses, 's2.i6')[0], {'formula': 'schedule', 'base': 'fiscal_contribution',
                                         'schedule': [100, 60, 60], 'cap_total': None, 'uncapped': False})
    assert [c['uncapped'] for c in clauses].count(True) == 1, 'only 不设上限 says there is no cap'
    guide = {key: value['text'] for key, value in read.guide.items()}
    assert guide == {'apply_conditions': '本措施适用于在拱墅区注册、纳税的制造业企业。', 'apply_period': '申报时间：每年5月集中申报。',
                     'department': '区经济和信息化局', 'phone': '0571-00000001'}, \
        'a section headed 申报与兑现 does not make every item of it a way of paying'


def test_amounts_listed_per_person_are_rates_per_person():
    from crm.policies.evaluate import clause_yearly

    read = _read('第一条 对企业引进的硕士、博士，分别按每人每月1000元、2000元给予生活补贴，补贴期限3年。\n'.encode())
    _honest(read)
    clauses = _clauses(read)
    assert [(c['formula'], c['rate'], c['unit'], c['base'], c['amount'], c['conditions']) for c in clauses] == [
        ('per_unit', 1000, '元/人·月', 'persons', None, [{'field': 'certification', 'op': 'has', 'value': ['硕士']}]),
        ('per_unit', 2000, '元/人·月', 'persons', None, [{'field': 'certification', 'op': 'has', 'value': ['博士']}])]
    master = read.candidates[0]
    assert clause_yearly(master, {'persons': 2}, 1) == [(Decimal('2.4'), Decimal('2.4'))], '1000元 × 2 人 × 12 月'
    assert clause_yearly(master, {}, 1) == [(Decimal(0), None)], 'an unknown number of persons gives no amount'


def test_stages_caps_and_bases_as_the_text_words_them():
    read = _read('\n'.join([
        '第一条 为支持企业发展，制定本办法。',
        '第二条 对企业在境内主板首发上市的，分三个阶段给予奖励：完成股份制改造的给予100万元，辅导备案的给予200万元，成功上市的给予500万元。',
        '第三条 对新认定的省级企业技术中心，给予一次性奖励0.5万元。',
        '第四条 对年纳税额首次超过1,000万元的企业，给予奖励30万元，奖励上限为50万元。',
        '第五条 对企业购买办公用房的，按购房款的5%给予补助，每家企业补助金额最高可达200万元。',
        '第六条 对企业租用孵化器场地的，按实际租金的50%给予补助，每年不超过20万元，补助期限不超过3年。',
        '第七条 对企业研发投入增量部分按20%给予奖励，不封顶。',
        '第八条 对新引进的世界500强企业区域总部，给予最高1亿元落户奖励。']).encode())
    _honest(read)
    clauses = _clauses(read)
    stages = [c for c in read.candidates if c.article == 'art2']
    assert [(c.kind, c.formula, _plain(c.amount), c.note) for c in stages] == [
        ('上市奖励', 'fixed', 100, '完成股份制改造'), ('上市奖励', 'fixed', 200, '辅导备案'), ('上市奖励', 'fixed', 500, '成功上市')], \
        'one amount per stage, each as stated'
    _subset(_pick(clauses, 'art3')[0], {'formula': 'fixed', 'amount': 0.5, 'unit': '万元', 'conditions': [
        {'field': 'certification', 'op': 'has', 'value': ['省级企业技术中心']}]})
    _subset(_pick(clauses, 'art4')[0], {'formula': 'fixed', 'amount': 30, 'cap_total': 50, 'cap_year': None})
    _subset(_pick(clauses, 'art5')[0], {'formula': 'percent', 'percent': 5, 'base': None, 'cap_total': 200})
    _subset(_pick(clauses, 'art6')[0], {'formula': 'percent', 'percent': 50, 'base': 'rent', 'cap_year': 20,
                                        'cap_total': None})
    _subset(_pick(clauses, 'art7')[0], {'formula': 'percent', 'percent': 20, 'base': None, 'uncapped': True,
                                        'cap_year': None, 'cap_total': None})
    _subset(_pick(clauses, 'art8')[0], {'formula': 'up_to', 'amount': None, 'cap_total': 10000, 'unit': None})
    assert [c['uncapped'] for c in clauses].count(True) == 1 and not _pick(clauses, 'art1')


def test_articles_in_a_word_document_with_numbers_split_across_runs():
    read = _read(texts.docx_bytes(texts.ARTICLES_RUNS))
    text = read.text
    assert text.layout == 'articles' and text.title == '东湖区总部经济扶持办法（测试）'
    assert [(a.citation, a.chapter) for a in text.articles] == [
        ('第一条', '第一章总则'), ('第二条', '第二章扶持内容'), ('第三条', '第二章扶持内容'), ('第四条', '第二章扶持内容')]
    assert text.articles[1].text == '对新认定的总部企业，按其上年度地方财政贡献的30%给予奖励，每年最高1000万元。'
    assert text.effective_from == date(2026, 5, 1) and text.valid_until is None, 'no end is stated'
    clauses = _clauses(read)
    _honest(read)
    _subset(_pick(clauses, 'art2')[0], {'kind': '税收贡献奖励', 'formula': 'percent', 'percent': 30,
                                        'base': 'fiscal_contribution', 'cap_year': 1000, 'cap_total': None})
    _subset(_pick(clauses, 'art3')[0], {'kind': '房租补助', 'formula': 'schedule', 'base': 'rent',
                                        'schedule': [100, 100, 100, 50, 50], 'cap_year': 200})
    assert len(clauses) == 2 and 'department' not in read.guide, '负责解释 is not where one applies'


def test_items_in_a_pdf():
    read = _read(texts.pdf_bytes(texts.PDF_ITEMS_BODY))
    text = read.text
    assert read.document.pages and text.layout == 'items' and text.title == '东湖区数字经济人才新政（测试）'
    assert [a.citation for a in text.articles] == ['一、（一）', '一、（二）', '二、（一）', '三、']
    assert (text.effective_from, text.valid_until) == (date(2026, 6, 1), date(2029, 5, 31))
    clauses = _clauses(read)
    _honest(read)
    _subset(_pick(clauses, 's1.i1')[0], {'kind': '人才奖励', 'formula': 'per_unit', 'rate': 1.2, 'unit': '万元/人·年',
                                         'base': 'persons', 'amount': None})
    _subset(_pick(clauses, 's1.i2')[0], {'kind': '购房补助', 'formula': 'up_to', 'cap_total': 800, 'amount': None})
    _subset(_pick(clauses, 's2.i1')[0], {'formula': 'per_unit', 'rate': 2000, 'unit': '元/人', 'cap_year': 30,
                                         'conditions': [{'field': 'industry', 'op': 'has_any', 'value': ['数字经济']}]})
    assert len(clauses) == 3


@pytest.mark.parametrize('raw,message', [
    (b'', '文件是空的'), (b'\xd0\xcf\x11\xe0' + b'\x00' * 100, '旧版 .doc'),
    (b'PK\x03\x04not really a zip', '不是 Word 文档'), (b'%PDF-1.4 broken', 'PDF 文件已损坏'),
    (b'\x00\x01\x02' * 50, '只接受文本、HTML、.docx'), ('没有任何编号的一段话'.encode(), None),
])
def test_files_that_are_not_policy_texts_are_refused_in_chinese(raw, message):
    if message is None:  # plain prose is read as paragraphs, with nothing invented
        read = _read(raw)
        assert read.text.layout == 'plain' and read.candidates == []
        return
    with pytest.raises(PolicyImportError, match=message):
        _read(raw)


def test_no_amount_without_a_sentence_stating_it():
    read = _read('第一条 对重点企业给予支持。\n第二条 区财政每年安排专项资金1亿元用于本政策兑现。\n第三条 对符合条件的企业给予奖励，'
                 '具体金额另行研究确定。\n'.encode())
    assert read.candidates == [], 'a fund size and an unstated amount are not benefits'


def test_conditions_listed_after_a_colon_belong_to_the_clause():
    read = _read('第一条 为支持企业发展，制定本办法。\n第二条 符合下列条件的企业，给予最高50万元奖励：\n（一）在拱墅区注册；\n'
                 '（二）年营业收入1亿元以上；\n（三）被认定为国家高新技术企业。\n第三条 本办法自发布之日起施行。\n'.encode())
    _honest(read)
    (clause,) = read.candidates
    assert (clause.formula, clause.cap_total, clause.amount) == ('up_to', Decimal(50), None)
    assert clause.conditions == [DISTRICT, {'field': 'revenue', 'op': 'gte', 'value': 10000},
                                 {'field': 'tags', 'op': 'has', 'value': ['高新技术企业']}]
    assert clause.quote == '符合下列条件的企业，给予最高50万元奖励：'
