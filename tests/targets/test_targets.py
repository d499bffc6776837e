"""Plan targets on both databases: measures over hand-built data, date windows, count-once, manual actuals,
drill-down listing exactly the counted records."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from crm.leads.models import Lead
from crm.leads.services import move_stage
from crm.plans.models import PlanDocument, Target
from crm.targets import measures
from crm.targets.models import TrackedTarget
from crm.targets.services import progress, track
from tests.conftest import post_form

pytestmark = pytest.mark.usefixtures('business_clock')  # also at 01:30 Beijing time (17:30 UTC)


def _tracked(in_app, db_session, metric='新增跨境电商企业、服务配套企业'):
    with in_app():
        target = db_session.scalar(select(Target).join(PlanDocument).where(Target.metric == metric))
        tracked = track(target)
        db_session.commit()
        return tracked.id


def test_leads_signed_in_a_window_count_once(in_app, factories, db_session):
    leads = [factories.lead(title=f'窗口项目{i}', stage='洽谈') for i in range(3)]
    with in_app():
        inside = datetime(2018, 6, 1, tzinfo=timezone.utc)
        first = db_session.get(Lead, leads[0].id)
        move_stage(first, '签约', actor_id=None, at=inside)
        move_stage(first, '暂缓', actor_id=None, at=inside + timedelta(days=30))
        move_stage(first, '签约', actor_id=None, at=datetime(2022, 1, 1, tzinfo=timezone.utc))  # not a new project
        move_stage(db_session.get(Lead, leads[1].id), '签约', actor_id=None, at=datetime(2015, 5, 1,
                                                                                           tzinfo=timezone.utc))
        db_session.commit()
        measure = {'entity': 'leads', 'agg': 'count', 'filters': {'stage_reached': '签约', 'since': '2016-01-01',
                                                                  'until': '2021-01-01'}}
        from flask_login import login_user

        from crm.auth.models import user_by_email
        leader = factories.user('leader')
        login_user(user_by_email(leader.email))
        assert measures.compute(measure) == 1
        assert measures.record_ids(measure) == [leads[0].id]
        later = dict(measure, filters={'stage_reached': '签约', 'since': '2021-01-01'})
        assert measures.compute(later) == 0  # the re-signing in 2022 is not counted again


def test_tenancy_measure_and_drill_down_list_exactly_the_records(client, factories, logged_in, in_app, db_session):
    from crm.platforms.models import Platform
    kuamao = db_session.scalars(select(Platform).where(Platform.name == '跨贸小镇')).one()
    building = factories.building(kuamao)
    counted = factories.firm('计入跨境电商有限公司', industry_code='5292')
    other = factories.firm('不计入软件有限公司', industry_code='6513')
    too_late = factories.firm('规划期后入驻跨境电商有限公司', industry_code='5292')
    factories.tenancy(counted, factories.unit(building, number='A1'), start=date(2018, 3, 1))
    factories.tenancy(other, factories.unit(building, number='A2'), start=date(2018, 3, 1))
    factories.tenancy(too_late, factories.unit(building, number='A3'), start=date(2025, 1, 1))  # after 十三五
    tracked_id = _tracked(in_app, db_session)
    logged_in('officer')
    response = post_form(client, f'/targets/{tracked_id}/measure', {
        'entity': 'tenancies', 'agg': 'count', 'platform': '跨贸小镇', 'industry': '跨境电商', 'since': '2016-01-01',
        'version': 1}, token_from=f'/targets/{tracked_id}')
    assert response.status_code == 302
    page = client.get(f'/targets/{tracked_id}').get_data(as_text=True)
    assert '计入跨境电商有限公司' in page and '不计入软件有限公司' not in page
    assert '规划期后入驻跨境电商有限公司' not in page  # the target counts only records of its plan period
    assert '计入的记录' in page and '<small class="muted">1</small>' in page
    assert '逐年情况' in page  # the detail page computes the measure for each year of the plan period


def test_manual_actual_needs_a_source_and_is_shown_with_it(client, factories, logged_in, in_app, db_session):
    tracked_id = _tracked(in_app, db_session, metric='全口径税收超亿元楼宇')
    logged_in('officer')
    missing = post_form(client, f'/targets/{tracked_id}/actuals', {'value': '48', 'date': '2020-12-31', 'source': ''},
                        token_from=f'/targets/{tracked_id}', follow_redirects=True)
    assert '必须注明来源' in missing.get_data(as_text=True)
    post_form(client, f'/targets/{tracked_id}/actuals', {'value': '48', 'date': '2020-12-31',
                                                          'source': '区统计局年报'}, token_from=f'/targets/{tracked_id}')
    page = client.get(f'/targets/{tracked_id}').get_data(as_text=True)
    assert '区统计局年报' in page and '48' in page
    dashboard = client.get('/leads/dashboard').get_data(as_text=True)  # the compact row, from plain cached data
    assert '全口径税收超亿元楼宇' in dashboard and '区统计局年报' in dashboard and f'/targets/{tracked_id}' in dashboard
    with in_app():
        row = progress(db_session.get(TrackedTarget, tracked_id), today=date(2018, 12, 31))
    assert str(row.actual) == '48' and round(row.share, 3) == round(48 / 56, 3) and 0.5 < row.elapsed < 0.7


def test_a_refused_actual_is_shown_beside_its_input_with_the_input_kept(client, factories, logged_in, in_app,
                                                                       db_session):
    tracked_id = _tracked(in_app, db_session, metric='全口径税收超亿元楼宇')
    logged_in('officer')
    url, page = f'/targets/{tracked_id}/actuals', f'/targets/{tracked_id}'
    no_source = post_form(client, url, {'value': '48', 'date': '2020-12-31', 'source': ''}, token_from=page)
    no_number = post_form(client, url, {'value': '四十八', 'date': '2020-12-31', 'source': '区统计局'}, token_from=page)
    for response, name, message, kept in ((no_source, 'source', '手工录入的实际值必须注明来源', 'value="48"'),
                                          (no_number, 'value', '实际值必须是数字', 'value="区统计局"')):
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert f'<p class="error" id="{name}-err">{message}</p>' in html
        assert kept in html and 'value="2020-12-31"' in html
    with in_app():
        assert db_session.get(TrackedTarget, tracked_id).actuals == []


def test_a_refused_measure_is_shown_beside_its_input_with_the_choices_kept(client, factories, logged_in, in_app,
                                                                          db_session):
    tracked_id = _tracked(in_app, db_session)
    logged_in('officer')
    page = f'/targets/{tracked_id}'
    refused = post_form(client, f'{page}/measure', {'entity': 'firms', 'agg': 'sum', 'since': '2021-01-01',
                                                    'note': '保留的说明', 'version': 1}, token_from=page)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert '<p class="error" id="field-err">' in html and 'id="entity-err"' not in html
    assert '<option value="sum" selected>' in html and 'value="2021-01-01"' in html and 'value="保留的说明"' in html
    with in_app():
        assert db_session.get(TrackedTarget, tracked_id).measure is None
