"""Edits that cannot lose a write: a save from a stale form applies only the fields this user changed on top of
what is stored (for every editor built on VersionedForm), and a field both users changed needs an explicit choice.
Forms are submitted as a browser submits them: every control of the page's edit form, as rendered."""
from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from tests.conftest import login


class _FormReader(HTMLParser):
    """The successful controls of each <form> of a page, in document order (what a browser would post)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._form: list | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'form':
            self._form = []
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == 'input' and a.get('name') and 'disabled' not in a:
            kind = a.get('type', 'text')
            if kind in ('checkbox', 'radio'):
                if 'checked' in a:
                    self._form.append((a['name'], a.get('value', 'on')))
            elif kind not in ('submit', 'button', 'file', 'reset'):
                self._form.append((a['name'], a.get('value', '')))
        elif tag == 'select' and a.get('name'):
            self._select = {'name': a['name'], 'multiple': 'multiple' in a, 'options': []}
        elif tag == 'option' and self._select is not None:
            self._option = {'value': a.get('value'), 'selected': 'selected' in a, 'text': ''}
            self._select['options'].append(self._option)
        elif tag == 'textarea' and a.get('name'):
            self._textarea = {'name': a['name'], 'text': ''}

    def handle_data(self, data):
        if self._option is not None:
            self._option['text'] += data
        if self._textarea is not None:
            self._textarea['text'] += data

    def handle_endtag(self, tag):
        if tag == 'form':
            self._form = None
        elif tag == 'option':
            self._option = None
        elif tag == 'textarea' and self._textarea is not None:
            self._form.append((self._textarea['name'], self._textarea['text'].removeprefix('\n')))
            self._textarea = None
        elif tag == 'select' and self._select is not None:
            options = self._select['options']
            chosen = [o for o in options if o['selected']]
            if not chosen and not self._select['multiple'] and options:
                chosen = options[:1]
            for option in chosen:
                self._form.append((self._select['name'], option['value'] if option['value'] is not None
                                   else option['text'].strip()))
            self._select = None


def edit_form(html: str) -> MultiDict:
    """The page's edit form (the one carrying the record's version) as the browser would post it."""
    reader = _FormReader()
    reader.feed(html)
    return MultiDict(next(f for f in reader.forms if any(name == 'version' for name, _v in f)))


def changed(data: MultiDict, **values) -> MultiDict:
    """The form with some fields typed over (a field not on the form is added)."""
    out = [(k, v) for k, v in data.items(multi=True) if k not in values]
    return MultiDict(out + [(k, str(v)) for k, v in values.items()])


def conflict_rows(html: str) -> dict[str, tuple[str, ...]]:
    """The conflict table as the user reads it: label → (opened, stored, typed, state)."""
    table = html.split('class="flash flash-error conflict"')[1].split('</table>')[0]
    rows = {}
    for state, cells in re.findall(r'<tr data-field="[^"]+" data-state="([^"]+)">(.*?)</tr>', table, re.S):
        texts = [unescape(re.sub(r'<[^>]+>', '', c)).strip() for c in re.findall(r'<td>(.*?)</td>', cells, re.S)]
        rows[texts[0]] = (*texts[1:4], state)
    return rows


def _editors(app, factories, role: str, count: int = 2):
    clients = []
    for _ in range(count):
        user = factories.user(role)
        client = app.test_client()
        assert login(client, user.email, factories.PASSWORD).status_code == 302
        clients.append(client)
    return clients


# Each editor: how to make the record, who edits it, the field A changes, the field B changes, how to read them.
def _lead(factories, in_app, db_session):
    from crm.leads.models import Lead

    lead = factories.lead(title='原项目名')
    with in_app():
        db_session.get(Lead, lead.id).investment = Decimal('9000')
        db_session.commit()
    return f'/leads/{lead.id}/edit', lambda: db_session.get(Lead, lead.id)


def _unit(factories, in_app, db_session):
    from crm.platforms.models import Unit

    unit = factories.unit(factories.building(factories.platform()), rent='3.5')
    return f'/platforms/units/{unit.id}', lambda: db_session.get(Unit, unit.id)


def _building(factories, in_app, db_session):
    from crm.platforms.models import Building

    building = factories.building(factories.platform(), name='原楼名')
    return f'/platforms/buildings/{building.id}/edit', lambda: db_session.get(Building, building.id)


def _firm(factories, in_app, db_session):
    from crm.firms.models import Firm

    firm = factories.firm('杭州原名科技有限公司')
    return f'/firms/{firm.id}/edit', lambda: db_session.get(Firm, firm.id)


def _policy(factories, in_app, db_session):
    from crm.policies.models import Policy

    with in_app():
        policy = Policy(key='merge-test', title='原政策名', level='区', amounts_public=True, kinds=['房租补助'],
                        industries=[], platform_names=[], facts=[], summary='原摘要')
        db_session.add(policy)
        db_session.commit()
        policy_id = policy.id
    return f'/policies/{policy_id}/edit', lambda: db_session.get(Policy, policy_id)


def _clause(factories, in_app, db_session):
    from crm.policies.models import Policy, PolicyClause

    with in_app():
        policy = Policy(key='merge-clause', title='条款政策', level='区', amounts_public=True, kinds=['研发资助'],
                        industries=[], platform_names=[], facts=[])
        db_session.add(policy)
        db_session.flush()
        clause = PolicyClause(policy_id=policy.id, kind='研发资助', formula='percent', percent=Decimal('10'),
                              base='rd_spend', cap_year=Decimal('50'), cap_total=Decimal('100'),
                              conditions=[{'field': 'investment', 'op': 'gte', 'value': 5000}])
        db_session.add(clause)
        db_session.commit()
        clause_id = clause.id
    return f'/policies/clauses/{clause_id}/edit', lambda: db_session.get(PolicyClause, clause_id)


def _account(factories, in_app, db_session):
    from crm.auth.models import User

    user = factories.user('officer', name='原姓名')
    return f'/admin/users/{user.id}', lambda: db_session.get(User, user.id)


EDITORS = {
    # editor: (make, role, A's change, B's change, attribute: (A's value, B's value), Chinese labels of A's, B's field)
    'lead': (_lead, 'leader', {'investment': '9500'}, {'title': '乙改的项目名'},
             {'investment': Decimal('9500'), 'title': '乙改的项目名'}, ('计划投资（万元）', '项目名称')),
    'unit': (_unit, 'admin', {'rent': '3.8'}, {'note': '乙的备注'}, {'rent': Decimal('3.8'), 'note': '乙的备注'},
             None),
    'building': (_building, 'admin', {'floors': '12'}, {'name': '乙改的楼名'}, {'floors': 12, 'name': '乙改的楼名'},
                 None),
    'firm': (_firm, 'officer', {'notes': '甲的备注'}, {'name': '杭州乙改名科技有限公司'},
             {'notes': '甲的备注', 'name': '杭州乙改名科技有限公司'}, None),
    'policy': (_policy, 'admin', {'summary': '甲改的摘要'}, {'title': '乙改的政策名'},
               {'summary': '甲改的摘要', 'title': '乙改的政策名'}, None),
    'clause': (_clause, 'admin', {'cap_year': '60'}, {'note': '乙的条款备注'},
               {'cap_year': Decimal('60'), 'note': '乙的条款备注'}, None),
    'account': (_account, 'admin', {'name': '甲改的姓名'}, {'phone': '13800001111'},
                {'name': '甲改的姓名', 'phone': '13800001111'}, None),
}


def _label_texts(html: str) -> dict[str, str]:
    """Field name → its label's text on the page."""
    return {name: unescape(re.sub(r'<[^>]+>', '', text)).strip()
            for name, text in re.findall(r'<label for="([^"]+)">(.*?)</label>', html, re.S)}


@pytest.mark.parametrize('editor', sorted(EDITORS))
def test_a_stale_save_and_the_save_from_the_conflict_page_keep_the_colleagues_change(app, factories, in_app,
                                                                                       db_session, editor):
    """A changes one field, B another, both from the same version: B's save is refused (409) with the fields
    compared, labelled as on the form; B's save from that page applies B's field and keeps A's."""
    make, role, mine_a, mine_b, expected, _labels = EDITORS[editor]
    url, stored = make(factories, in_app, db_session)
    a, b = _editors(app, factories, role)
    page_a, page_b = a.get(url), b.get(url)
    assert page_a.status_code == page_b.status_code == 200
    labels = _label_texts(page_b.get_data(as_text=True))
    assert a.post(url, data=changed(edit_form(page_a.get_data(as_text=True)), **mine_a)).status_code == 302

    refused = b.post(url, data=changed(edit_form(page_b.get_data(as_text=True)), **mine_b))
    assert refused.status_code == 409
    [field_a], [field_b] = mine_a, mine_b
    db_session.expire_all()
    assert getattr(stored(), field_a) == expected[field_a] and getattr(stored(), field_b) != expected[field_b]
    html = refused.get_data(as_text=True)

    again = b.post(url, data=edit_form(html))  # B saves the conflict page as it is
    assert again.status_code == 302, again.get_data(as_text=True)[:3000]
    db_session.expire_all()
    for attribute, value in expected.items():
        assert getattr(stored(), attribute) == value, (editor, attribute)  # B's field applied, A's kept

    rows = conflict_rows(html)
    assert rows[labels[field_a]][3] == 'theirs' and rows[labels[field_b]][3] == 'mine', rows
    assert all(not re.fullmatch(r'[a-z_]+', label) for label in rows)  # labels, never raw field names


def test_the_lead_conflict_page_speaks_chinese_and_english(app, factories, in_app, db_session):
    from tests.conftest import csrf_from

    url, _stored = _lead(factories, in_app, db_session)
    a, b = _editors(app, factories, 'leader')
    page_a, page_b = a.get(url).get_data(as_text=True), b.get(url).get_data(as_text=True)
    a.post(url, data=changed(edit_form(page_a), investment='9500'))
    html = b.post(url, data=changed(edit_form(page_b), title='乙改的项目名')).get_data(as_text=True)
    assert conflict_rows(html) == {
        '项目名称': ('原项目名', '原项目名', '乙改的项目名', 'mine'),
        '计划投资（万元）': ('9000.00', '9500.00', '9000.00', 'theirs'),
    }
    assert '保留对方的修改' in html and '保存您的修改' in html
    b.post('/locale', data={'csrf_token': csrf_from(html), 'lang': 'en', 'next': '/'})
    html = b.post(url, data=changed(edit_form(page_b), title='乙改的项目名')).get_data(as_text=True)
    rows = conflict_rows(html)
    assert set(rows) == {'Project name', 'Planned investment (10k yuan)'}, rows
    assert 'Their change is kept' in html and 'When you opened it' in html


def test_a_field_both_changed_needs_an_explicit_choice(app, factories, in_app, db_session):
    url, stored = _lead(factories, in_app, db_session)
    a, b = _editors(app, factories, 'leader')
    page_a, page_b = a.get(url).get_data(as_text=True), b.get(url).get_data(as_text=True)
    assert a.post(url, data=changed(edit_form(page_a), investment='9500', notes='甲的备注')).status_code == 302
    refused = b.post(url, data=changed(edit_form(page_b), investment='8000', title='乙改的项目名'))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    rows = conflict_rows(html)
    assert rows['计划投资（万元）'] == ('9000.00', '9500.00', '8000.00', 'both')
    assert rows['备注'][3] == 'theirs' and rows['项目名称'][3] == 'mine'

    undecided = b.post(url, data=edit_form(html))  # saved again without choosing
    assert undecided.status_code == 422
    assert '请逐项选择保留哪个值：计划投资（万元）' in undecided.get_data(as_text=True)
    db_session.expire_all()
    assert (stored().investment, stored().title) == (Decimal('9500'), '原项目名')  # nothing written

    kept = b.post(url, data=changed(edit_form(undecided.get_data(as_text=True)), **{'merge-investment': 'stored'}))
    assert kept.status_code == 302
    db_session.expire_all()
    lead = stored()
    assert (lead.investment, lead.title, lead.notes) == (Decimal('9500'), '乙改的项目名', '甲的备注')


def test_choosing_mine_applies_the_users_value(app, factories, in_app, db_session):
    url, stored = _lead(factories, in_app, db_session)
    a, b = _editors(app, factories, 'leader')
    page_a, page_b = a.get(url).get_data(as_text=True), b.get(url).get_data(as_text=True)
    a.post(url, data=changed(edit_form(page_a), investment='9500'))
    html = b.post(url, data=changed(edit_form(page_b), investment='8000')).get_data(as_text=True)
    assert b.post(url, data=changed(edit_form(html), **{'merge-investment': 'mine'})).status_code == 302
    db_session.expire_all()
    assert stored().investment == Decimal('8000')


def test_the_audit_log_shows_only_the_users_own_change(app, factories, in_app, db_session):
    """The reported case: investment 9000 → 9500 by A; B renames from the conflict page: B's save writes the name
    only, so the log never shows investment going back to 9000."""
    from crm.core.audit import AuditEvent

    url, stored = _lead(factories, in_app, db_session)
    a, b = _editors(app, factories, 'leader')
    page_a, page_b = a.get(url).get_data(as_text=True), b.get(url).get_data(as_text=True)
    a.post(url, data=changed(edit_form(page_a), investment='9500'))
    html = b.post(url, data=changed(edit_form(page_b), title='乙改的项目名')).get_data(as_text=True)
    assert b.post(url, data=edit_form(html)).status_code == 302
    db_session.expire_all()
    events = db_session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == 'lead', AuditEvent.object_id == str(stored().id), AuditEvent.action == 'update')
        .order_by(AuditEvent.id)).all()
    assert [sorted(e.changes) for e in events][-2:] == [['investment'], ['title']], [e.changes for e in events]
    assert stored().investment == Decimal('9500')


def test_a_third_save_in_between_is_merged_too(app, factories, in_app, db_session):
    """The conflict page is based on the version stored when it was shown: when someone saves again before the
    user does, the next save is a conflict against that newer version, and every change still lands."""
    url, stored = _lead(factories, in_app, db_session)
    a, b = _editors(app, factories, 'leader')
    page_a, page_b = a.get(url).get_data(as_text=True), b.get(url).get_data(as_text=True)
    assert a.post(url, data=changed(edit_form(page_a), investment='9500')).status_code == 302
    conflict = b.post(url, data=changed(edit_form(page_b), title='乙改的项目名')).get_data(as_text=True)
    reopened = edit_form(a.get(url).get_data(as_text=True))
    assert a.post(url, data=changed(reopened, notes='甲又改了备注')).status_code == 302
    second = b.post(url, data=edit_form(conflict))
    assert second.status_code == 409
    rows = conflict_rows(second.get_data(as_text=True))
    assert rows['备注'][3] == 'theirs' and rows['项目名称'][3] == 'mine' and '计划投资（万元）' not in rows
    assert b.post(url, data=edit_form(second.get_data(as_text=True))).status_code == 302
    db_session.expire_all()
    lead = stored()
    assert (lead.investment, lead.notes, lead.title) == (Decimal('9500'), '甲又改了备注', '乙改的项目名')


def test_a_form_without_a_valid_snapshot_saves_as_typed(app, factories, in_app, db_session):
    """A client that sends no snapshot, or a tampered one, gets the plain version check: every field as typed."""
    url, stored = _lead(factories, in_app, db_session)
    [a] = _editors(app, factories, 'leader', count=1)
    form = edit_form(a.get(url).get_data(as_text=True))
    token = form['opened']
    forged = changed(form, investment='1', opened=token[:-4] + ('AAAA' if not token.endswith('AAAA') else 'BBBB'))
    assert a.post(url, data=forged).status_code == 302
    db_session.expire_all()
    assert stored().investment == Decimal('1')


def test_clause_conditions_changed_meanwhile_are_kept_and_shown_in_words(app, factories, in_app, db_session):
    url, stored = _clause(factories, in_app, db_session)
    a, b = _editors(app, factories, 'admin')
    page_a, page_b = a.get(url).get_data(as_text=True), b.get(url).get_data(as_text=True)
    assert a.post(url, data=changed(edit_form(page_a), **{'conditions-0-value': '6000'})).status_code == 302
    refused = b.post(url, data=changed(edit_form(page_b), note='乙的条款备注'))
    html = refused.get_data(as_text=True)
    assert conflict_rows(html) == {
        '享受条件（须全部满足）': ('投资额(万元) 不低于 5000', '投资额(万元) 不低于 6000', '投资额(万元) 不低于 5000',
                          'theirs'),
        '备注': ('—', '—', '乙的条款备注', 'mine'),
    }  # the empty condition rows are no change
    assert b.post(url, data=edit_form(html)).status_code == 302
    db_session.expire_all()
    clause = stored()
    assert clause.conditions == [{'field': 'investment', 'op': 'gte', 'value': 6000}] and clause.note == '乙的条款备注'
