"""Searchable pickers: small JSON endpoints per kind (firm, platform, industry, person), in the user's scope, 20
entries at most with a 'more' note; the lead form loads firms as one types instead of listing them all."""
from tests.conftest import post_form


def _texts(response) -> list[str]:
    assert response.status_code == 200 and response.mimetype == 'application/json'
    return [r['text'] for r in response.get_json()['results']]


def test_the_firm_picker_finds_by_name_core_or_code_in_scope_twenty_at_most(client, factories, logged_in):
    for n in range(22):
        factories.firm(f'选择器测试{n:02d}科技有限公司')
    coded = factories.firm('杭州代码查找有限公司', uscc='91110000600037341L')
    gone = factories.firm('选择器测试已删除有限公司')
    factories.delete_firm(gone)
    logged_in('officer')
    many = client.get('/firms/picker?q=选择器测试').get_json()
    assert len(many['results']) == 20 and many['more'] is True and '请输入更多' in many['more_text']
    assert '选择器测试已删除有限公司' not in _texts(client.get('/firms/picker?q=已删除'))
    assert _texts(client.get('/firms/picker?q=91110000600')) == [coded.name]
    assert _texts(client.get('/firms/picker?q=代码查找（杭州）有限公司')) == [coded.name]  # by its core
    assert _texts(client.get(f'/firms/picker?q=代码查找&exclude={coded.id}')) == []
    few = client.get('/firms/picker?q=选择器测试21').get_json()
    assert few['more'] is False and few['more_text'] == '' and few['results'][0]['text'] == '选择器测试21科技有限公司'
    assert client.get('/firms/picker?q=%25').status_code == 200  # wildcards are text


def test_the_firm_picker_keeps_park_managers_to_the_firms_on_their_platforms(client, factories, logged_in):
    platform = factories.platform()
    housed, outside = factories.firm('园内选择企业'), factories.firm('园外选择企业')
    factories.tenancy(housed, factories.unit(factories.building(platform)))
    logged_in('park_manager', platforms=[platform])
    assert _texts(client.get('/firms/picker?q=选择企业')) == ['园内选择企业']
    assert outside.id


def test_the_platform_picker_groups_by_district_in_pinyin_order_and_finds_pinyin(client, factories, logged_in):
    for name, district in (('中心测试园', '上城区'), ('安居测试园', '上城区'), ('白云测试园', '上城区'),
                           ('测试港', '滨江区')):
        factories.platform(name, district=district)
    logged_in('officer')
    found = client.get('/platforms/picker?q=测试').get_json()['results']
    assert [(r['group'], r['text']) for r in found] == [
        ('滨江区', '测试港'), ('上城区', '安居测试园'), ('上城区', '白云测试园'), ('上城区', '中心测试园')]
    assert _texts(client.get('/platforms/picker?q=anju')) == ['安居测试园']
    assert _texts(client.get('/platforms/picker?q=bycsy')) == ['白云测试园']  # initials
    form = client.get('/leads/new').get_data(as_text=True)
    shangcheng = form[form.index('<optgroup label="上城区">'):]
    assert shangcheng.index('安居测试园') < shangcheng.index('白云测试园') < shangcheng.index('中心测试园')


def test_park_managers_pick_only_their_platforms(client, factories, logged_in):
    mine, other = factories.platform('自管测试园'), factories.platform('他管测试园')
    logged_in('park_manager', platforms=[mine])
    assert _texts(client.get('/platforms/picker?q=测试园')) == ['自管测试园']
    assert other.id


def test_the_people_picker_lists_active_officers_to_those_who_work_leads(client, factories, logged_in):
    factories.user('officer', name='选人测试甲')
    factories.user('officer', name='选人测试乙', is_active=False)
    factories.user('park_manager', name='选人测试丙')
    logged_in('leader')
    assert _texts(client.get('/users/picker?q=选人测试')) == ['选人测试甲']
    assert _texts(client.get('/users/picker?q=选人测试&role=park_manager')) == ['选人测试甲']  # not for leaders
    client.post('/logout', data={'csrf_token': _token(client)})
    logged_in('park_manager')
    assert client.get('/users/picker?q=选人').status_code == 403


def test_the_industry_endpoint_answers_a_picker_in_json(client, logged_in):
    logged_in('officer')
    response = client.get('/firms/industries?q=645', headers={'Accept': 'application/json'})
    assert _texts(response)[0].startswith('645 ')
    assert '<option value="645 ' in client.get('/firms/industries?q=645').get_data(as_text=True)  # the datalist


def test_the_lead_form_loads_firms_as_one_types_and_keeps_the_chosen_one(client, factories, logged_in):
    firm = factories.firm('表单选择测试有限公司')
    others = [factories.firm(f'不应列出企业{n}') for n in range(3)]
    logged_in('officer')
    form = client.get(f'/leads/new?firm={firm.id}').get_data(as_text=True)
    assert 'data-picker="/firms/picker"' in form and f'<option value="{firm.id}" selected>' in form
    assert not any(o.name in form for o in others)
    refused = post_form(client, '/leads/new', {'firm_id': str(firm.id), 'source': '上门拜访', 'priority': '中'},
                        token_from='/leads/new')
    assert refused.status_code == 422 and f'<option value="{firm.id}" selected>表单选择测试有限公司' in \
        refused.get_data(as_text=True)
    huge = post_form(client, '/leads/new', {'firm_id': '9' * 40, 'source': '上门拜访', 'priority': '中'},
                     token_from='/leads/new')
    assert huge.status_code == 422  # a number no database holds is a field error, not a failure


def _token(client) -> str:
    from tests.conftest import csrf_from

    return csrf_from(client.get('/').data)
