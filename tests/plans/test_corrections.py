"""An administrator reviews what the import flagged: a suspected injection is removed by a correction, a removal
the detector got wrong is put back; each correction parses the file again into a new, linked version."""
import io

from sqlalchemy import select

from crm.plans.models import PlanCorrection, PlanDocument, PlanParagraph
from crm.plans.search import search
from tests.conftest import csrf_from, errors_beside, post_form

# Two web-novel titles, one at a sentence's start and one at a clause's, neither containing a cue word; and a
# cue-word string that is real text.
TEXT = ('第一章 发展基础\n\n“十三五”期间,全区经济保持平稳增长。镜花水月武林商圈转型升级步伐加快,新开业商业综合体3个。\n\n'
        '推进数字经济发展,凡人修仙传完善产业政策体系,培育数字经济龙头企业。\n\n'
        '加强组织领导。诛仙小说完善工作机制,确保各项任务落实。\n')


def _upload(client):
    data = {'title': '插入文字测试规划', 'slug': 'junk-review', 'kind': '规划纲要',
            'file': (io.BytesIO(TEXT.encode()), 'junk.txt')}
    return post_form(client, '/plans/import', data, content_type='multipart/form-data')


def _current(db_session) -> PlanDocument:
    db_session.expire_all()
    return db_session.scalars(select(PlanDocument).where(PlanDocument.slug == 'junk-review',
                                                         PlanDocument.is_current.is_(True))).one()


def _text(db_session, document) -> str:
    return '\n'.join(db_session.scalars(select(PlanParagraph.text).where(PlanParagraph.document_id == document.id)
                                        .order_by(PlanParagraph.seq)))


def _correction_form(response) -> str:
    """The report's own correction form, where a refused correction comes back."""
    html = response.get_data(as_text=True)
    start = html.index('id="correction"')
    return html[start:html.index('</form>', start)]


def test_admin_removes_a_suspect_and_puts_back_a_wrong_removal(client, logged_in, db_session):
    logged_in('admin')
    assert _upload(client).status_code == 302
    first = _current(db_session)
    assert {s['text'] for s in first.report['suspected']} == {'镜花水月', '凡人修仙传'}
    assert '镜花水月武林商圈' in _text(db_session, first)  # flagged, not cut
    page = client.get(f'/plans/{first.id}/report').get_data(as_text=True)
    assert '疑似插入文字（未删除）' in page and 'value="镜花水月"' in page and '与上下文无关的插入字串' in page

    token = csrf_from(page.encode())
    response = client.post(f'/plans/{first.id}/corrections', data={'csrf_token': token, 'action': 'strip',
                                                                    'text': '镜花水月'})
    second = _current(db_session)
    assert response.status_code == 302 and response.headers['Location'].endswith(f'/plans/{second.id}/report')
    assert second.id != first.id and second.previous_id == first.id and second.sha256 == first.sha256
    assert '平稳增长。武林商圈转型升级' in _text(db_session, second)
    assert [s['text'] for s in second.report['suspected']] == ['凡人修仙传']
    assert search('镜花水月') == [] and search('武林商圈转型')[0].paragraph.document_id == second.id
    second_id = second.id
    superseded = client.post(f'/plans/{first.id}/corrections', data={'csrf_token': token, 'action': 'strip',
                                                                      'text': '凡人修仙传'})
    html = superseded.get_data(as_text=True)
    assert superseded.status_code == 422 and '只能更正文件的当前版本。' in html, 'above the report: no input at fault'
    assert 'id="correction"' not in html, 'a superseded version offers no correction'

    response = client.post(f'/plans/{second_id}/corrections', data={'csrf_token': token, 'action': 'keep',
                                                                     'text': '诛仙小说'})
    third = _current(db_session)
    assert third.previous_id == second_id and '加强组织领导。诛仙小说完善工作机制' in _text(db_session, third)
    assert '平稳增长。武林商圈' in _text(db_session, third), 'earlier corrections stay applied'
    assert {(c.action, c.text) for c in db_session.scalars(select(PlanCorrection))} == {
        ('strip', '镜花水月'), ('keep', '诛仙小说')}
    third_id = third.id
    report = client.get(f'/plans/{third_id}/report').get_data(as_text=True)
    assert '作为插入文字删除：' in report and '作为原文保留：' in report

    # The same file again is parsed with the same corrections: nothing changes.
    again = _upload(client)
    assert again.status_code == 302 and _current(db_session).id == third_id


def test_corrections_are_checked_and_need_the_import_right(client, logged_in, db_session):
    logged_in('admin')
    _upload(client)
    document_id = _current(db_session).id
    token = csrf_from(client.get(f'/plans/{document_id}/report').data)
    absent = client.post(f'/plans/{document_id}/corrections',
                         data={'csrf_token': token, 'action': 'strip', 'text': '不存在的文字'})
    form = _correction_form(absent)
    assert absent.status_code == 422 and '<h1>导入报告' in absent.get_data(as_text=True), 'the report again'
    assert errors_beside(form, 'text') == ['正文中没有“不存在的文字”，无需删除。'] and 'value="不存在的文字"' in form
    assert 'name="action" value="strip"' in form
    not_removed = client.post(f'/plans/{document_id}/corrections',
                              data={'csrf_token': token, 'action': 'keep', 'text': '推进数字经济'})
    form = _correction_form(not_removed)
    assert not_removed.status_code == 422 and errors_beside(form, 'text') == ['“推进数字经济”不在已删除的插入文字中。']
    assert 'name="action" value="keep"' in form and 'value="推进数字经济"' in form
    too_short = client.post(f'/plans/{document_id}/corrections', data={'csrf_token': token, 'action': 'strip',
                                                                        'text': '斗'})
    assert too_short.status_code == 422 and errors_beside(_correction_form(too_short), 'text'), 'refused by the form'
    assert _current(db_session).id == document_id and db_session.scalar(select(PlanCorrection.id)) is None
    client.post('/logout', data={'csrf_token': token})
    logged_in('officer')
    officer_token = csrf_from(client.get(f'/plans/{document_id}/report').data)
    assert 'name="action" value="strip"' not in client.get(f'/plans/{document_id}/report').get_data(as_text=True)
    refused = client.post(f'/plans/{document_id}/corrections',
                          data={'csrf_token': officer_token, 'action': 'strip', 'text': '镜花水月'})
    assert refused.status_code == 403 and _current(db_session).id == document_id
