"""The lead list shows each lead's tags in a column of their own, each a link that filters the list by it."""
import re

from tests.conftest import post_form


def test_the_lead_list_shows_tags_as_a_column_linking_to_their_filter(client, factories, logged_in):
    officer = logged_in('officer')
    tagged = factories.lead(owner=officer, title='带标签的项目')
    plain = factories.lead(owner=officer, title='没有标签的项目')
    for tag in ('重点', '外资'):
        assert post_form(client, '/leads/bulk', {'action': 'tag', 'tag': tag, 'id': str(tagged.id),
                                                 'next': '/leads/'}, token_from='/leads/').status_code == 302
    page = client.get('/leads/').get_data(as_text=True)
    header = re.search(r'<thead>.*?</thead>', page, re.S).group(0)
    assert '<th>标签</th>' in header
    headers = re.findall(r'<th[^>]*>(.*?)</th>', header, re.S)
    column = next(i for i, h in enumerate(headers) if h == '标签')
    rows = {name: re.findall(r'<td[^>]*>(.*?)</td>', row, re.S)
            for row in re.findall(r'<tr>(.*?)</tr>', page.split('<tbody>')[1], re.S)
            for name in ('带标签的项目', '没有标签的项目') if name in row}
    assert '>重点</a>' in rows['带标签的项目'][column] and '>外资</a>' in rows['带标签的项目'][column]
    assert rows['没有标签的项目'][column].strip() == ''
    link = re.search(r'<a class="tag" href="([^"]+)">重点</a>', page).group(1)
    filtered = client.get(link.replace('&amp;', '&')).get_data(as_text=True)
    assert '带标签的项目' in filtered and '没有标签的项目' not in filtered and plain.id
