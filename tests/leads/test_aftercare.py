"""After signing: the 三未 lists with days waited, in each viewer's scope; promised versus actual per year with the
source, shortfalls flagged and bad input explained; 督办 tasks a leader gives an officer (list, done, overdue).
Runs on the real clock and at 01:30 Beijing."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from crm.core import clock
from crm.leads.aftercare import ProjectActual, SupervisionTask
from crm.leads.models import Lead
from tests.conftest import csrf_from, errors_beside, login, post_form

pytestmark = pytest.mark.usefixtures('business_clock')


@pytest.fixture
def signed(factories, in_app, db_session):
    platform = factories.platform()
    people = {'leader': factories.user('leader'), 'officer': factories.user('officer'),
              'other': factories.user('officer'), 'park_manager': factories.user('park_manager', platforms=[platform]),
              'firm': factories.user('firm', firm=factories.firm())}
    leads = {'waiting': factories.lead(owner=people['officer'], platforms=[platform], stage='签约', title='签约待注册'),
             'other': factories.lead(owner=people['other'], stage='签约', title='他人签约项目'),
             'registered': factories.lead(owner=people['officer'], stage='注册', title='注册待入驻'),
             'settled': factories.lead(owner=people['officer'], stage='入驻', title='入驻待投产')}
    # signed 12 office days ago, at 00:30 Beijing (the previous day in UTC)
    since = clock.start_of(clock.today() - timedelta(days=12)) + timedelta(minutes=30)
    with in_app():
        db_session.get(Lead, leads['waiting'].id).stage_since = since
        item = db_session.get(Lead, leads['settled'].id)
        item.investment, item.annual_tax, item.jobs = 5000, 300, 120
        db_session.commit()
    return people, leads


def _rows(page: str, table: str) -> str:
    return re.search(rf'<table class="list" id="{table}">.*?</table>', page, re.S).group(0)


def test_the_three_lists_show_days_waited_in_scope(client, signed, factories):
    people, leads = signed
    login(client, people['leader'].email, factories.PASSWORD)
    page = client.get('/projects/unfinished?list=signed').get_data(as_text=True)
    rows = _rows(page, 'unfinished')
    assert '签约待注册' in rows and '他人签约项目' in rows and '注册待入驻' not in rows
    waited = re.search(rf'data-lead="{leads["waiting"].id}">.*?<strong>(\d+)</strong>', rows, re.S).group(1)
    assert waited == '12'
    assert re.search(r'data-count="signed">(\d+)<', page).group(1) == '2'
    assert '注册待入驻' in _rows(client.get('/projects/unfinished?list=registered').get_data(as_text=True),
                                 'unfinished')
    assert '入驻待投产' in _rows(client.get('/projects/unfinished?list=settled').get_data(as_text=True),
                                 'unfinished')
    assert client.get('/projects/unfinished?list=nothing').status_code == 404


@pytest.mark.parametrize('role, sees_other', [('officer', False), ('park_manager', False)])
def test_officers_and_park_managers_see_only_their_projects(client, signed, factories, role, sees_other):
    people, _leads = signed
    login(client, people[role].email, factories.PASSWORD)
    rows = _rows(client.get('/projects/unfinished?list=signed').get_data(as_text=True), 'unfinished')
    assert '签约待注册' in rows
    assert ('他人签约项目' in rows) is sees_other


def test_firm_users_see_nothing_of_it(client, signed, factories):
    people, leads = signed
    login(client, people['firm'].email, factories.PASSWORD)
    for url in ('/projects/unfinished', '/projects/tasks', f"/projects/{leads['settled'].id}/performance"):
        assert client.get(url).status_code == 403


def test_actuals_against_promises_flag_shortfalls(client, in_app, db_session, signed, factories):
    people, leads = signed
    lead_id = leads['settled'].id
    login(client, people['officer'].email, factories.PASSWORD)
    url = f'/projects/{lead_id}/performance'
    year = clock.today().year
    bad = post_form(client, f'/projects/{lead_id}/actuals', {'year': str(year - 1), 'investment': '1,2x',
                                                              'tax': '', 'jobs': '', 'source': '企业自报'},
                    token_from=url)
    assert bad.status_code == 422 and '1,2x' in bad.get_data(as_text=True)
    assert '万元' in bad.get_data(as_text=True)
    no_source = post_form(client, f'/projects/{lead_id}/actuals', {'year': str(year - 1), 'tax': '10', 'source': ''},
                          token_from=url)
    assert no_source.status_code == 422 and '数据来源' in no_source.get_data(as_text=True)
    for y, investment, tax, jobs in ((year - 1, '3,000', '250.5', '130'), (year, '2,500', '320', '90')):
        response = post_form(client, f'/projects/{lead_id}/actuals', {'year': str(y), 'investment': investment,
                                                                     'tax': tax, 'jobs': jobs, 'source': '税务数据'},
                             token_from=url)
        assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    first = re.search(rf'<tr data-year="{year - 1}">.*?</tr>', page, re.S).group(0)
    second = re.search(rf'<tr data-year="{year}">.*?</tr>', page, re.S).group(0)
    assert 'data-shortfall="investment"' in first and 'data-shortfall="tax"' in first
    assert 'data-shortfall="jobs"' not in first
    assert '5,500' in second and 'data-shortfall="investment"' not in second  # the total to date meets 5,000
    assert 'data-shortfall="jobs"' in second and 'data-shortfall="tax"' not in second
    assert '税务数据' in first and '5,000' in page  # the promise with its separators
    with in_app():
        assert db_session.scalar(select(ProjectActual.tax).where(ProjectActual.lead_id == lead_id,
                                                                 ProjectActual.year == year - 1)) == 250.5


def test_park_managers_read_but_do_not_enter_actuals(client, signed, factories):
    people, leads = signed
    login(client, people['park_manager'].email, factories.PASSWORD)
    url = f"/projects/{leads['waiting'].id}/performance"
    assert client.get(url).status_code == 200
    token = csrf_from(client.get(url).data)
    response = client.post(f"/projects/{leads['waiting'].id}/actuals",
                           data={'csrf_token': token, 'year': '2025', 'tax': '1', 'source': 'x'})
    assert response.status_code == 403


def test_a_leader_assigns_a_supervision_task_the_officer_does_it(client, in_app, db_session, signed, factories):
    people, leads = signed
    login(client, people['leader'].email, factories.PASSWORD)
    back = '/projects/unfinished?list=signed'
    due = clock.today() + timedelta(days=7)
    action = f"/projects/{leads['waiting'].id}/tasks"
    missing = post_form(client, action, {'title': '', 'assignee_id': str(people['officer'].id),
                                         'due_on': due.isoformat(), 'next': back}, token_from=back)
    assert missing.status_code == 422 and errors_beside(missing.data, 'title', action) == ['请填写督办事项']
    past = post_form(client, action, {'title': '催办注册', 'assignee_id': str(people['officer'].id),
                                      'due_on': (clock.today() - timedelta(days=1)).isoformat(), 'next': back},
                     token_from=back)
    assert past.status_code == 422 and errors_beside(past.data, 'due_on', action) == ['办结期限不能早于今天']
    with in_app():
        assert db_session.scalars(select(SupervisionTask)).all() == []
    ok = post_form(client, f"/projects/{leads['waiting'].id}/tasks",
                   {'title': '催办工商注册', 'assignee_id': str(people['officer'].id), 'due_on': due.isoformat(),
                    'next': back}, token_from=back)
    assert ok.status_code == 302
    assert '催办工商注册' in _rows(client.get(back).get_data(as_text=True), 'unfinished')
    with in_app():
        task = db_session.scalar(select(SupervisionTask).where(SupervisionTask.title == '催办工商注册'))
        task_id = task.id
        # an older task, overdue by the office's date
        late = SupervisionTask(lead_id=leads['registered'].id, assignee_id=people['officer'].id, title='催办入驻',
                               due_on=clock.today() - timedelta(days=2), assigned_by_id=people['leader'].id)
        db_session.add(late)
        db_session.commit()

    officer = client
    post_form(client, '/logout', {}, token_from='/projects/tasks')
    login(officer, people['officer'].email, factories.PASSWORD)
    mine = _rows(officer.get('/projects/tasks').get_data(as_text=True), 'tasks')
    assert '催办工商注册' in mine and '催办入驻' in mine
    overdue = _rows(officer.get('/projects/tasks?show=overdue').get_data(as_text=True), 'tasks')
    assert '催办入驻' in overdue and '催办工商注册' not in overdue
    done = post_form(officer, f'/projects/tasks/{task_id}/done', {'note': '已提交材料'}, token_from='/projects/tasks')
    assert done.status_code == 302
    finished = _rows(officer.get('/projects/tasks?show=done').get_data(as_text=True), 'tasks')
    assert '催办工商注册' in finished and '已提交材料' in finished


def test_another_officer_neither_sees_nor_closes_the_task(client, in_app, db_session, signed, factories):
    people, leads = signed
    with in_app():
        task = SupervisionTask(lead_id=leads['waiting'].id, assignee_id=people['officer'].id, title='仅本人可见督办',
                               due_on=clock.today())
        db_session.add(task)
        db_session.commit()
        task_id = task.id
    login(client, people['other'].email, factories.PASSWORD)
    assert '仅本人可见督办' not in client.get('/projects/tasks').get_data(as_text=True)
    token = csrf_from(client.get('/projects/tasks').data)
    assert client.post(f'/projects/tasks/{task_id}/done', data={'csrf_token': token}).status_code == 404
    assert client.post(f"/projects/{leads['waiting'].id}/tasks", data={'csrf_token': token}).status_code == 403


def test_a_refused_task_comes_back_on_its_list_beside_its_input_with_the_input_kept(client, in_app, db_session,
                                                                                   signed, factories):
    people, leads = signed
    login(client, people['leader'].email, factories.PASSWORD)
    back = '/projects/unfinished?list=signed'
    action = f"/projects/{leads['waiting'].id}/tasks"
    nobody = post_form(client, action, {'title': '催办工商注册', 'assignee_id': str(people['park_manager'].id),
                                        'due_on': '', 'next': back}, token_from=back)
    html = nobody.get_data(as_text=True)
    assert nobody.status_code == 422 and 'id="unfinished"' in html, 'the list again'
    assert 'href="/projects/unfinished?list=signed" aria-current="page"' in html, 'on the tab it was given from'
    assert errors_beside(html, 'assignee_id', action) == ['请选择承办的招商专员。']
    assert errors_beside(html, 'due_on', action) == ['请按 YYYY-MM-DD 填写办结期限。']
    form = html.split(f'action="{action}"')[1].split('</form>')[0]
    assert 'value="催办工商注册"' in form and f'value="{back}"' in form, 'the title and the way back kept'
    assert '<details open>' in html.split(f'action="{action}"')[0][-300:], 'the refused form is open'
    # given from another tab, the project is not on it: its form comes back above that list
    elsewhere = post_form(client, action, {'title': '', 'assignee_id': str(people['officer'].id),
                                           'due_on': clock.today().isoformat(),
                                           'next': '/projects/unfinished?list=registered'}, token_from=back)
    html = elsewhere.get_data(as_text=True)
    assert elsewhere.status_code == 422 and 'id="refused-task"' in html and '注册待入驻' in html
    assert errors_beside(html, 'title', action) == ['请填写督办事项']
    assert f'<option selected value="{people["officer"].id}">' in html
    with in_app():
        assert db_session.scalars(select(SupervisionTask)).all() == []
