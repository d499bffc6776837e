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
