"""Plan pages: reader anchors, search with highlights, commitments filter and curation, import."""
import io
import re

from sqlalchemy import select

from crm.plans.models import Commitment, CommitmentCuration, PlanDocument, PlanParagraph
from tests.conftest import csrf_from, post_form


def _doc_id(db_session, slug):
    return db_session.scalar(select(PlanDocument.id).where(PlanDocument.slug == slug, PlanDocument.is_current))


def test_reader_shows_paragraphs_with_anchors_and_outline(client, logged_in, db_session):
    logged_in('officer')
    doc_id = _doc_id(db_session, 'xc-13th-fyp')
    anchor = db_session.scalar(select(PlanParagraph.anchor).where(PlanParagraph.document_id == doc_id,
                                                                  PlanParagraph.text.contains('跨贸小镇')))
    html = client.get(f'/plans/{doc_id}').get_data(as_text=True)
    assert f'id="{anchor}"' in html and f'href="#{anchor}"' in html
    assert '第六章' in html and 'class="outline"' in html


def test_reader_keeps_reading_order_inside_a_one_line_article(client, logged_in, db_session):
    """The web collection holds each report on one raw line: headings and text still come in reading order."""
    logged_in('officer')
    html = client.get(f"/plans/{_doc_id(db_session, 'xc-zhaoshang-web')}").get_data(as_text=True)
    body = html[html.index('class="outline"'):]
    body = body[body.index('</nav>') if '</nav>' in body else 0:]
    order = [body.index(s) for s in ('坚定目标稳增长', '有效投资增势良好', '创新引领促转型', '不断强化服务业',
                                     '改善民生保和谐', '以推进公共服务均等化为重点')]
    assert order == sorted(order)


def test_search_page_highlights_terms_and_escapes_input(client, logged_in):
    logged_in('park_manager')
    html = client.get('/plans/search?q=电竞+产业').get_data(as_text=True)
    assert '<mark>电竞</mark>' in html and '<mark>产业</mark>' in html
    hostile = client.get('/plans/search?q=<script>alert(1)</script>').get_data(as_text=True)
    assert '<script>alert(1)</script>' not in hostile


def test_commitments_filter_by_platform(client, logged_in):
    logged_in('leader')
    html = client.get('/plans/commitments?platform=跨贸小镇').get_data(as_text=True)
    assert '跨贸小镇' in html and 'class="hit commitment' in html
    assert 'form method="post"' not in html.split('<h1>')[1]  # leaders read, officers curate


def test_officer_curates_a_commitment_and_rejected_ones_drop_out(client, logged_in, db_session):
    logged_in('officer')
    commitment = db_session.scalars(select(Commitment).order_by(Commitment.id)).first()
    response = post_form(client, f'/plans/commitments/{commitment.id}/curate',
                         {'status': 'rejected', 'platforms': '', 'industries': '人工智能、数字经济', 'note': '非承诺',
                          'next': '/plans/commitments'}, token_from='/plans/commitments')
    assert response.status_code == 302 and response.headers['Location'] == '/plans/commitments'
    curation = db_session.scalars(select(CommitmentCuration).where(
        CommitmentCuration.text_hash == commitment.text_hash)).one()
    assert curation.status == 'rejected' and curation.industries == ['人工智能', '数字经济']
    listing = client.get(f'/plans/commitments?doc={commitment.document_id}').get_data(as_text=True)
    assert commitment.text not in listing


def test_park_manager_cannot_curate_or_import(client, logged_in, db_session):
    logged_in('park_manager')
    commitment_id = db_session.scalar(select(Commitment.id))
    token = csrf_from(client.get('/plans/commitments').data)
    assert client.post(f'/plans/commitments/{commitment_id}/curate', data={'csrf_token': token,
                                                                           'status': 'confirmed'}).status_code == 403
    assert client.get('/plans/import').status_code == 403


def test_admin_uploads_a_gb18030_document(client, logged_in, db_session):
    logged_in('admin')
    text = '第一章 总则\n\n一、发展目标\n\n到2025年,力争引进 总部企业30家以上,打造数字 经济高地。\n'
    data = {'title': '测试规划', 'slug': 'test-plan', 'kind': '规划纲要',
            'file': (io.BytesIO(text.encode('gb18030')), 'plan.txt')}
    response = post_form(client, '/plans/import', data, content_type='multipart/form-data')
    assert response.status_code == 302
    doc = db_session.scalars(select(PlanDocument).where(PlanDocument.slug == 'test-plan')).one()
    assert doc.encoding == 'gb18030'
    paragraph = db_session.scalars(select(PlanParagraph).where(PlanParagraph.document_id == doc.id)).first()
    assert '引进总部企业30家以上' in paragraph.text and '数字经济高地' in paragraph.text
    again = post_form(client, '/plans/import', {**data, 'file': (io.BytesIO(text.encode('gb18030')), 'plan.txt')},
                      content_type='multipart/form-data', follow_redirects=True)
    assert '此前已导入过' in again.get_data(as_text=True)


def test_binary_upload_is_refused_with_a_message(client, logged_in):
    logged_in('admin')
    data = {'title': '坏文件', 'kind': '其他', 'file': (io.BytesIO(b'\x00\x01PK\x03\x04' * 100), 'x.txt')}
    response = post_form(client, '/plans/import', data, content_type='multipart/form-data')
    assert response.status_code == 422 and '这不是文本文件' in response.get_data(as_text=True)


def test_import_report_speaks_chinese_about_warnings_and_end_matter(client, logged_in, db_session):
    logged_in('admin')
    html = client.get(f"/plans/{_doc_id(db_session, 'hz-13th-fyp')}/report").get_data(as_text=True)
    assert '原文注明有删减：（本文有删减）' in html and '文末抄送、印发信息' in html
    assert 'abridged' not in html and 'table without body' not in html
    html = client.get(f"/plans/{_doc_id(db_session, 'xc-13th-fyp')}/report").get_data(as_text=True)
    assert '重复文字：第 1696–3398 行作为第 6–1691 行的副本剔除' in html
    assert '与第 6–1691 行重复（共 ' in html


def test_a_web_page_upload_takes_its_date_from_the_page_and_keeps_its_furniture_out(client, logged_in, db_session):
    logged_in('admin')
    text = ('首页 > 政务公开 > 规划计划\n【发布时间：2023-03-09 16:20】【来源：临江区发改局】【字号：大 中 小】\n'
            '临江区服务业发展行动计划\n\n一、发展目标\n\n到2025年，全区服务业增加值达到600亿元，年均增长7%左右。\n\n'
            '【打印本页】【关闭窗口】\n上一篇：临江区制造业发展行动计划\n')
    data = {'title': '临江区服务业发展行动计划', 'slug': 'web-plan', 'kind': '规划纲要', 'file': (io.BytesIO(text.encode()), 'page.txt')}
    assert post_form(client, '/plans/import', data, content_type='multipart/form-data').status_code == 302
    doc = db_session.scalars(select(PlanDocument).where(PlanDocument.slug == 'web-plan')).one()
    assert doc.date.isoformat() == '2023-03-09'
    texts = db_session.scalars(select(PlanParagraph.text).where(PlanParagraph.document_id == doc.id)).all()
    assert texts == ['到2025年，全区服务业增加值达到600亿元，年均增长7%左右。']


def test_search_finds_a_platform_whose_name_the_raw_text_breaks_across_lines(client, logged_in, db_session):
    """The name is cut by a line break, once with an injected string at the start of the next line: the paragraph
    is joined without a space, the string is cut, and a search for the full name finds it."""
    logged_in('admin')
    text = ('临江区人才发展规划\n\n一、重点平台\n\n提升中国（杭州）人力资源\n诛仙小说服务产业园临江分园能级，'
            '引进猎头机构20家。\n\n加快推进中国（杭州）\n\n人力资源服务产业园二期建设。\n')
    data = {'title': '临江区人才发展规划', 'slug': 'wrapped-name', 'kind': '规划纲要',
            'file': (io.BytesIO(text.encode()), 'talent.txt')}
    assert post_form(client, '/plans/import', data, content_type='multipart/form-data').status_code == 302
    doc_id = _doc_id(db_session, 'wrapped-name')
    html = client.get(f'/plans/search?q=中国(杭州)人力资源服务产业园&doc={doc_id}').get_data(as_text=True)
    assert html.count('<mark>中国（杭州）人力资源服务产业园</mark>') == 2
    paragraphs = db_session.scalars(select(PlanParagraph).where(PlanParagraph.document_id == doc_id)
                                    .order_by(PlanParagraph.seq)).all()
    assert [p.text for p in paragraphs] == ['提升中国（杭州）人力资源服务产业园临江分园能级，引进猎头机构20家。',
                                            '加快推进中国（杭州）人力资源服务产业园二期建设。']
    assert all(p.platforms == ['中国(杭州)人力资源服务产业园'] for p in paragraphs)


def test_every_reason_a_cut_by_language_gives_reads_in_chinese_on_the_report(app):
    from crm.plans.parsing.build import STRAY_REASON, TAIL_REASON
    from crm.plans.parsing.spam import AFTER_OPENING_REASON, CORE_REASON, LANGUAGE_REASON, OPENING_REASON, SPLICE_REASON
    from crm.plans.views import removal_reason

    reasons = (LANGUAGE_REASON, CORE_REASON, OPENING_REASON, SPLICE_REASON, AFTER_OPENING_REASON, STRAY_REASON,
               TAIL_REASON)
    with app.test_request_context():
        shown = {r: removal_reason(r) for r in reasons}
    assert shown[CORE_REASON] == '读来是插入句中的广告或网络小说文字；起止位置不能确定，只删去各种读法都会删去的部分，整段已列入待审核'
    assert shown[SPLICE_REASON] == '插在文件原有词句中间：前后文字连起来正是文件中的写法，且读来是广告或网络小说文字'
    assert shown[AFTER_OPENING_REASON] == '插在句首原文词语之后，读来是广告或网络小说文字，删去后句子完整通顺'
    assert all(text != reason and re.search('[\u4e00-\u9fff]', text) for reason, text in shown.items()), shown
