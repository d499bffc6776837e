"""The lead list's saved filters and assignment officers, kept in the figures cache, follow every change."""
import re

from crm.core import cache
from tests.conftest import post_form


def test_saved_filters_and_officers_on_the_list_follow_changes_while_kept(app, client, logged_in, factories):
    # kept values live in memory when the app is one process (the suite's other tests compute them every time)
    app.extensions[cache.EXTENSION] = cache.MemoryCache(one_process=True)
    logged_in('leader')
    page = client.get('/leads/').get_data(as_text=True)
    assert '洽谈中的项目' not in page
    post_form(client, '/leads/filters', {'name': '洽谈中的项目', 'stage': '洽谈'}, token_from='/leads/')
    page = client.get('/leads/').get_data(as_text=True)
    assert '洽谈中的项目' in page  # saved: shown at once
    with app.app_context():  # as the admin pages add one
        factories.user('officer', name='新来的专员')
    assert '新来的专员' in client.get('/leads/').get_data(as_text=True)
    filter_id = re.search(r'/leads/filters/(\d+)/delete', page).group(1)
    post_form(client, f'/leads/filters/{filter_id}/delete', {}, token_from='/leads/')
    assert '洽谈中的项目' not in client.get('/leads/').get_data(as_text=True)  # forgotten: gone at once


def test_the_list_names_each_leads_platforms_and_follows_a_rename_while_kept(app, client, logged_in, factories):
    app.extensions[cache.EXTENSION] = cache.MemoryCache(one_process=True)
    logged_in('leader')
    north, south = factories.platform('乙号测试园'), factories.platform('甲号测试园')
    factories.lead(platforms=[north, south], title='双平台测试项目')
    factories.lead(title='无平台测试项目')
    page = client.get('/leads/?q=测试项目').get_data(as_text=True)
    row = re.search(r'双平台测试项目.*?</tr>', page, re.S).group(0)
    assert '乙号测试园' in row and '甲号测试园' in row
    assert '测试园' not in re.search(r'无平台测试项目.*?</tr>', page, re.S).group(0)
    with app.app_context():  # as the platform page renames one
        from crm.db import db
        from crm.platforms.models import Platform
        db.session.get(Platform, north.id).name = '丙号测试园'
        db.session.commit()
    row = re.search(r'双平台测试项目.*?</tr>', client.get('/leads/?q=测试项目').get_data(as_text=True), re.S).group(0)
    assert '丙号测试园' in row and '乙号测试园' not in row
