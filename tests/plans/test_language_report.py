"""The import report shows what was cut for how it reads, with its confidence and context, and lists what was not
certain enough to cut; an administrator puts a wrong cut back; listing survives re-judging the corpus."""
import io

from sqlalchemy import select

from crm.plans.models import PlanDocument, PlanParagraph
from crm.plans.services import review_suspects
from tests.conftest import csrf_from, post_form

# One offer cut with certainty, one whose edges are uncertain (listed, left in the text).
TEXT = ('第一章 发展重点\n\n加快建设数字经济产业园，点击领取100元话费推动数字贸易和数字互娱集聚发展。\n\n'
        '推进“无废城市”建设，建成修仙小说网再生资源回收站点320个。\n')


def _upload(client):
    data = {'title': '插入广告测试规划', 'slug': 'ad-review', 'kind': '规划纲要',
            'file': (io.BytesIO(TEXT.encode()), 'ads.txt')}
    return post_form(client, '/plans/import', data, content_type='multipart/form-data')


def _current(db_session) -> PlanDocument:
    db_session.expire_all()
    return db_session.scalars(select(PlanDocument).where(PlanDocument.slug == 'ad-review',
                                                         PlanDocument.is_current.is_(True))).one()


def _text(db_session, document) -> str:
    return '\n'.join(db_session.scalars(select(PlanParagraph.text).where(PlanParagraph.document_id == document.id)
                                        .order_by(PlanParagraph.seq)))


def test_report_shows_cut_advertising_with_confidence_and_puts_it_back(client, logged_in, db_session):
    logged_in('admin')
    assert _upload(client).status_code == 302
    first = _current(db_session)
    assert '数字经济产业园，推动数字贸易' in _text(db_session, first)
    cut = [r for r in first.report['removed'] if r['text'] == '点击领取100元话费']
    assert len(cut) == 1 and cut[0]['kind'] == 'spam' and 0.5 <= cut[0]['confidence'] <= 1
    assert cut[0]['context'].startswith('加快建设数字经济产业园，点击领取100元话费推动')
    listed = [s for s in first.report['suspected'] if s['source'] == 'language']
    assert [s['text'] for s in listed] == ['修仙小说']
    assert '建成修仙小说网再生资源' in _text(db_session, first), 'listed, not cut'

    page = client.get(f'/plans/{first.id}/report').get_data(as_text=True)
    assert '读来是插入句中的广告或网络小说文字' in page and '置信度 ' in page
    assert '产业园，<mark>点击领取100元话费</mark>推动' in page
    assert '读来像广告' in page and 'value="修仙小说"' in page

    review_suspects()
    assert [s['text'] for s in _current(db_session).report['suspected'] if s['source'] == 'language'] == [
        '修仙小说'], 'judging the corpus again keeps what was listed for how it reads'

    token = csrf_from(page.encode())
    response = client.post(f'/plans/{first.id}/corrections', data={'csrf_token': token, 'action': 'keep',
                                                                    'text': '点击领取100元话费'})
    second = _current(db_session)
    assert response.status_code == 302 and second.previous_id == first.id
    assert '数字经济产业园，点击领取100元话费推动' in _text(db_session, second)
    assert not any(r['text'] == '点击领取100元话费' for r in second.report['removed'])
