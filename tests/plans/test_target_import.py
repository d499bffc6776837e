"""An uploaded plan's targets in every form are stored with their sentence and citation, and a range can be tracked."""
import io

from sqlalchemy import select

from crm.plans.models import PlanDocument, Target
from tests.conftest import post_form

TEXT = ('云溪区发展规划纲要\n\n第一章 发展目标\n\n'
        '到2030年，地区生产总值年均增长6%左右，数字经济核心产业增加值占地区生产总值比重达到15%，'
        '城乡居民人均可支配收入年均增长6%—7%。\n\n'
        '二、民生保障\n\n到2030年，五年累计新增城镇就业10万人以上，公办幼儿园在园幼儿占全区在园幼儿总数的70%以上。\n')


def test_uploaded_targets_keep_form_sentence_and_citation(client, logged_in, db_session):
    logged_in('admin')
    data = {'title': '云溪区发展规划纲要', 'slug': 'yx-plan', 'kind': '规划纲要',
            'file': (io.BytesIO(TEXT.encode('gb18030')), 'yx.txt')}
    assert post_form(client, '/plans/import', data, content_type='multipart/form-data').status_code == 302
    doc = db_session.scalars(select(PlanDocument).where(PlanDocument.slug == 'yx-plan')).one()
    targets = {(t.metric, t.value, t.unit): t for t in db_session.scalars(select(Target).where(
        Target.document_id == doc.id))}
    growth = targets[('地区生产总值年均增长', '6', '%')]
    assert growth.comparator == '左右' and growth.year == 2030
    assert growth.paragraph.citation == '《云溪区发展规划纲要》第一章 第1段'
    assert growth.text in growth.paragraph.text and growth.text.startswith('到2030年')
    assert targets[('数字经济核心产业增加值占地区生产总值比重', '15', '%')].comparator == '达到'
    jobs = targets[('五年累计新增城镇就业', '10', '万人')]
    assert jobs.comparator == '以上' and jobs.paragraph.citation == '《云溪区发展规划纲要》第一章 二、 第1段'
    assert ('公办幼儿园在园幼儿占全区在园幼儿总数', '70', '%') in targets
    income = targets[('城乡居民人均可支配收入年均增长', '6-7', '%')]

    response = post_form(client, f'/targets/track/{income.id}', {}, token_from='/targets/')
    assert response.status_code == 302
    detail = response.headers['Location']
    assert '城乡居民人均可支配收入年均增长' in client.get(detail).get_data(as_text=True)
    post_form(client, f'{detail}/actuals', {'value': '6.3', 'date': '2027-12-31', 'source': '区统计局'},
              token_from=detail)
    listing = client.get('/targets/').get_data(as_text=True)
    assert '6-7%' in listing and '（105%）' in listing  # a range is met from its lower bound: 6.3 of 6
