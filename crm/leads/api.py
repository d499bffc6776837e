"""Leads: the list with the web list's filters, the lead with its history, create and edit (version check),
stage moves, follow-ups and the match; all through the lead forms and services."""
from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.api.spec import (
    BOOL,
    DATE,
    DATETIME,
    DECIMAL,
    DECIMAL_IN,
    ID,
    INT,
    PAGE_PARAMS,
    STR,
    Param,
    api_error,
    component,
    dec,
    form_errors,
    formdata,
    id_list,
    iso,
    nullable,
    obj,
    operation,
    page_json,
    page_of,
    page_params,
    query_args,
    required_version,
    string_list,
    with_etag,
)
from crm.auth.models import OFFICER
from crm.core.access import Perm, ensure, get_or_404, scoped
from crm.core.concurrency import EditConflict
from crm.core.errors import rule_fields, rule_refused
from crm.core.pagination import paginate
from crm.db import db
from crm.firms.services import FirmError
from crm.leads import followups, services
from crm.leads.forms import (
    LEAD_FIELD_NAMES,
    ActivityForm,
    LeadCreateForm,
    LeadForm,
    StageForm,
    lead_data,
    offer_choices,
)
from crm.leads.models import ACTIVITY_KINDS, ALL_STAGES, PRIORITIES, SOURCES, Activity, Lead, LostReason, StageChange
from crm.leads.queries import LeadFilter, lead_page
from crm.matching.services import match_json
from crm.platforms.models import UNIT_USES, Unit

NAMED = obj({'id': INT, 'name': STR})
LEAD_ROW = component('Lead', obj({
    'id': INT, 'name': {**STR, 'description': 'the codename when the lead is confidential'}, 'stage': STR,
    'probability': INT, 'investment': nullable(DECIMAL), 'next_follow_up': nullable(DATE), 'stage_since': DATETIME,
    'last_activity_at': nullable(DATETIME), 'firm': STR, 'owner': nullable(STR), 'platforms': string_list(),
    'overdue': {**BOOL, 'description': 'next follow-up before today (Beijing time), lead not closed'},
    'due_today': {**BOOL, 'description': 'next follow-up today (Beijing time), lead not closed'},
    'stale': {**BOOL, 'description': "no follow-up for longer than its stage's threshold"}}))
LEAD_DETAIL = component('LeadDetail', obj({
    'id': INT, 'name': STR, 'title': STR, 'codename': nullable(STR), 'confidential': BOOL,
    'firm': NAMED, 'source': STR, 'industry_code': nullable(STR), 'space_need_m2': nullable(DECIMAL),
    'space_use': nullable(STR), 'space_by': nullable(DATE), 'investment': nullable(DECIMAL),
    'annual_tax': nullable(DECIMAL), 'jobs': nullable(INT), 'priority': STR, 'stage': STR, 'probability': INT,
    'stage_since': DATETIME, 'signed_at': nullable(DATETIME), 'lost_reason': nullable(STR),
    'next_follow_up': nullable(DATE), 'last_activity_at': nullable(DATETIME), 'notes': nullable(STR),
    'owner': nullable(NAMED), 'collaborators': {'type': 'array', 'items': NAMED},
    'platforms': {'type': 'array', 'items': NAMED}, 'created_at': DATETIME, 'updated_at': DATETIME, 'version': INT,
    'stage_history': {'type': 'array', 'items': obj({'from_stage': nullable(STR), 'to_stage': STR, 'at': DATETIME,
                                                     'by_id': nullable(INT), 'note': nullable(STR),
                                                     'skipped': {**BOOL, 'description': 'passed over by a move'}})},
}))
ACTIVITY = component('Activity', obj({
    'id': INT, 'lead_id': INT, 'kind': STR, 'subject': STR, 'due_on': nullable(DATE), 'done_at': nullable(DATETIME),
    'owner_id': nullable(INT), 'outcome': nullable(STR), 'created_at': DATETIME}))


def _text(max_length: int) -> dict:
    return nullable({'type': 'string', 'maxLength': max_length})


LEAD_INPUT = {
    'title': {'type': 'string', 'maxLength': 200}, 'firm_id': ID, 'codename': _text(60), 'confidential': BOOL,
    'source': {'type': 'string', 'enum': list(SOURCES)},
    'industry_code': {**_text(130), 'description': 'GB/T 4754 code or name'},
    'platforms': {**id_list(), 'description': 'target platform ids'},
    'space_need_m2': DECIMAL_IN, 'space_use': nullable({'type': 'string', 'enum': ['', *UNIT_USES]}),
    'space_by': nullable(DATE), 'investment': {**DECIMAL_IN, 'description': '万元'},
    'annual_tax': {**DECIMAL_IN, 'description': '万元'},
    'jobs': nullable({'type': 'integer', 'minimum': 0, 'maximum': 1_000_000}),
    'priority': {'type': 'string', 'enum': list(PRIORITIES)},
    'collaborators': {**id_list(), 'description': 'officer user ids'},
    'next_follow_up': nullable(DATE), 'notes': _text(4000),
}
component('LeadCreate', obj(LEAD_INPUT, required=('title', 'firm_id', 'source')))
component('LeadUpdate', obj({**LEAD_INPUT, 'version': {**ID, 'description': 'the version edited (or If-Match)'}},
                            required=()))
component('StageMove', obj({
    'to_stage': {'type': 'string', 'enum': list(ALL_STAGES)},
    'lost_reason_id': {**nullable(ID), 'description': 'required for 流失 (see /lost-reasons)'},
    'note': {**_text(2000), 'description': 'required for 流失, and as the reason for a move back from 签约 or later'},
    'unit_id': {**nullable(ID), 'description': 'for 入驻: the unit moved into'},
    'confirm_skip': {**BOOL, 'description': 'a move forward past stages is refused (422 skip_unconfirmed) unless '
                                           'true; each passed stage is then logged as skipped'},
}, required=('to_stage',)))
component('ActivityCreate', obj({
    'kind': {'type': 'string', 'enum': list(ACTIVITY_KINDS)}, 'subject': {'type': 'string', 'maxLength': 200},
    'due_on': nullable(DATE), 'done': BOOL, 'outcome': _text(4000),
    'next_on': {**nullable(DATE), 'description': "the next follow-up's date, with a done one"},
}, required=('kind', 'subject')))
FORM_FIELDS = (*LEAD_FIELD_NAMES, 'platforms', 'collaborators')
LIST_FILTERS = (
    Param('stage', {'type': 'string', 'enum': list(ALL_STAGES)}),
    Param('source', {'type': 'string', 'enum': list(SOURCES)}),
    Param('owner', {'type': 'string', 'enum': ['me', 'pool']}, 'me: my leads; pool: unassigned'),
    Param('platform', ID, 'target platform id'),
    Param('industry', {'type': 'string', 'maxLength': 8, 'pattern': '^[A-Z0-9]*$'}, 'GB/T 4754 code prefix'),
    Param('overdue', {'type': 'string', 'enum': ['1']}, 'next follow-up before today (Beijing time)'),
    Param('due_today', {'type': 'string', 'enum': ['1']}, 'next follow-up today (Beijing time)'),
    Param('stale', {'type': 'string', 'enum': ['1']}, "no follow-up for longer than the stage's threshold"),
    Param('q', {'type': 'string', 'maxLength': 100}, 'part of the project name or codename'),
    Param('reached', {'type': 'string', 'enum': list(ALL_STAGES)}, 'ever reached this stage'),
    Param('signed', {'type': 'string', 'enum': ['1']}, 'signed at some time'),
    Param('signed_month', {'type': 'string', 'pattern': r'^\d{4}-(0[1-9]|1[0-2])$'}, 'first signed in YYYY-MM'),
    Param('lost_reason', ID), Param('owner_id', ID),
)


def _named(item) -> dict | None:
    return None if item is None else {'id': item.id, 'name': item.name}


def lead_row_json(row) -> dict:
    return {'id': row.id, 'name': row.display_name, 'stage': row.stage, 'probability': row.probability,
            'investment': dec(row.investment), 'next_follow_up': iso(row.next_follow_up),
            'stage_since': iso(row.stage_since), 'last_activity_at': iso(row.last_activity_at),
            'firm': row.firm_name, 'owner': row.owner_name, 'platforms': list(row.platform_names),
            'overdue': followups.is_overdue(row), 'due_today': followups.is_due_today(row),
            'stale': followups.is_stale(row)}


def _detail(lead: Lead, status: int = 200):
    history = db.session.scalars(select(StageChange).where(StageChange.lead_id == lead.id)
                                 .order_by(StageChange.at, StageChange.id)).all()
    body = {
        'id': lead.id, 'name': lead.display_name, 'title': lead.title, 'codename': lead.codename,
        'confidential': lead.confidential, 'firm': {'id': lead.firm.id, 'name': lead.firm.name},
        'source': lead.source, 'industry_code': lead.industry_code, 'space_need_m2': dec(lead.space_need_m2),
        'space_use': lead.space_use, 'space_by': iso(lead.space_by), 'investment': dec(lead.investment),
        'annual_tax': dec(lead.annual_tax), 'jobs': lead.jobs, 'priority': lead.priority, 'stage': lead.stage,
        'probability': lead.probability, 'stage_since': iso(lead.stage_since), 'signed_at': iso(lead.signed_at),
        'lost_reason': lead.lost_reason.name if lead.lost_reason else None,
        'next_follow_up': iso(lead.next_follow_up), 'last_activity_at': iso(lead.last_activity_at),
        'notes': lead.notes, 'owner': _named(lead.owner), 'collaborators': [_named(u) for u in lead.collaborators],
        'platforms': [_named(p) for p in lead.platforms], 'created_at': iso(lead.created_at),
        'updated_at': iso(lead.updated_at), 'version': lead.version,
        'stage_history': [{'from_stage': c.from_stage, 'to_stage': c.to_stage, 'at': iso(c.at), 'by_id': c.by_id,
                           'note': c.note, 'skipped': c.skipped} for c in history],
    }
    return with_etag(jsonify(body), lead.version), status


def activity_json(a: Activity) -> dict:
    return {'id': a.id, 'lead_id': a.lead_id, 'kind': a.kind, 'subject': a.subject, 'due_on': iso(a.due_on),
            'done_at': iso(a.done_at), 'owner_id': a.owner_id, 'outcome': a.outcome, 'created_at': iso(a.created_at)}


def _invalid(errors: dict):
    return api_error(422, 'invalid', _('Some fields are not valid.'), errors)


@operation('GET', '/leads', perm=Perm.LEADS_VIEW, tag='leads', response=page_of(LEAD_ROW),
           summary="Leads in scope, with the lead list's filters", query=(*LIST_FILTERS, *PAGE_PARAMS))
def leads():
    spec = LeadFilter.from_args(query_args())
    return jsonify(page_json(lead_page(spec, current_user.id, *page_params()), lead_row_json))


@operation('GET', '/leads/{lead_id}', perm=Perm.LEADS_VIEW, tag='leads', response=LEAD_DETAIL,
           summary='One lead with its stage history')
def lead(lead_id: int):
    return _detail(get_or_404(Lead, lead_id))


@operation('POST', '/leads', perm=Perm.LEADS_EDIT, tag='leads', response=LEAD_DETAIL, status=201,
           body='LeadCreate', summary='Create a lead for a firm in scope (officers own what they create)')
def lead_create(body: dict):
    form = LeadCreateForm(formdata=formdata({'priority': '中'}, body, FORM_FIELDS), meta={'csrf': False})
    offer_choices(form)
    if not form.validate():  # the firm too: live and in scope, as the web form offers it
        return _invalid(form_errors(form))
    try:
        item = services.create_lead(lead_data(form), owner_id=current_user.id if current_user.role_code == OFFICER
                                    else None, actor_id=current_user.id, platform_ids=form.platforms.data,
                                    collaborator_ids=form.collaborators.data)
    except FirmError as exc:
        return _invalid(rule_fields(exc, 'industry_code'))
    db.session.commit()
    return _detail(item, 201)


@operation('PATCH', '/leads/{lead_id}', perm=Perm.LEADS_EDIT, tag='leads', response=LEAD_DETAIL, body='LeadUpdate',
           if_match=True, summary="Change some of a lead's facts (not its stage); a stale version is 409")
def lead_update(lead_id: int, body: dict):
    item = get_or_404(Lead, lead_id)
    ensure('edit', item)
    version, failure = required_version(body)
    if failure:
        return failure
    current = {name: getattr(item, name) for name in LEAD_FIELD_NAMES}
    current.update(platforms=[p.id for p in item.platforms], collaborators=[u.id for u in item.collaborators])
    data = formdata(current, body, FORM_FIELDS)
    data['version'] = str(version)
    form = LeadForm(formdata=data, meta={'csrf': False})
    offer_choices(form, item)
    if not form.validate():  # a new firm must be live and in scope; the lead's own may stay
        return _invalid(form_errors(form))
    try:
        services.update_lead(item, lead_data(form), version=version, platform_ids=form.platforms.data,
                             collaborator_ids=form.collaborators.data)
    except FirmError as exc:
        return _invalid(rule_fields(exc, 'industry_code'))
    except EditConflict:
        return api_error(409, 'conflict', _('Someone else changed this record after you opened it.'),
                         current_version=item.version)
    db.session.commit()
    return _detail(item)


@operation('POST', '/leads/{lead_id}/stage', perm=Perm.LEADS_EDIT, tag='leads', response=LEAD_DETAIL,
           body='StageMove', summary='Move a lead to another stage (a skip needs confirm_skip; 流失 needs a reason '
                                     'and a note; a move back from 签约 or later needs a note)')
def lead_stage(lead_id: int, body: dict):
    item = get_or_404(Lead, lead_id)
    ensure('stage', item)
    form = StageForm(formdata=formdata({}, body, ('to_stage', 'lost_reason_id', 'note', 'unit_id', 'confirm_skip')),
                     meta={'csrf': False})
    form.lost_reason_id.choices = [(0, '—')] + [(r.id, r.name) for r in db.session.scalars(select(LostReason))]
    form.unit_id.offer(scoped(select(Unit.id), Unit))
    if not form.validate():
        return _invalid(form_errors(form))
    unit = db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None
    try:
        services.move_stage(item, form.to_stage.data, actor_id=current_user.id, note=form.note.data,
                            lost_reason_id=form.lost_reason_id.data or None, unit=unit,
                            confirm_skip=form.confirm_skip.data)
    except services.SkipNotConfirmed as exc:
        return rule_refused(exc, 'skip_unconfirmed', skipped=exc.skipped)
    except services.ReasonRequired as exc:
        return rule_refused(exc, 'reason_required')
    except services.LeadError as exc:
        return rule_refused(exc, 'stage_refused')
    db.session.commit()
    return _detail(item)


@operation('GET', '/leads/{lead_id}/activities', perm=Perm.LEADS_VIEW, tag='leads', response=page_of(ACTIVITY),
           summary="A lead's follow-ups, latest due first", query=PAGE_PARAMS)
def activities(lead_id: int):
    item = get_or_404(Lead, lead_id)
    stmt = (scoped(select(Activity), Activity).where(Activity.lead_id == item.id)
            .order_by(Activity.due_on.desc(), Activity.created_at.desc(), Activity.id.desc()))
    return jsonify(page_json(paginate(stmt, *page_params()), activity_json))


@operation('POST', '/leads/{lead_id}/activities', perm=Perm.LEADS_EDIT, tag='leads', response=ACTIVITY, status=201,
           body='ActivityCreate', summary='Plan or record a follow-up')
def activity_create(lead_id: int, body: dict):
    item = get_or_404(Lead, lead_id)
    ensure('activity', item)
    form = ActivityForm(formdata=formdata({}, body, ('kind', 'subject', 'due_on', 'done', 'outcome', 'next_on')),
                        meta={'csrf': False})
    if not form.validate():
        return _invalid(form_errors(form))
    activity = services.add_activity(item, kind=form.kind.data, subject=form.subject.data, due_on=form.due_on.data,
                                     owner_id=current_user.id, done=form.done.data, outcome=form.outcome.data,
                                     next_on=form.next_on.data)
    db.session.commit()
    return jsonify(activity_json(activity)), 201


MATCH = component('Match', obj({
    'lead': INT, 'industries': string_list(),
    'platforms': {'type': 'array', 'items': obj({'id': INT, 'name': STR, 'score': {'type': 'number'},
                                                 'reasons': string_list()})},
    'units': {'type': 'array', 'items': obj({'id': INT, 'building': STR, 'number': STR, 'area': DECIMAL,
                                             'rent': nullable(DECIMAL), 'score': {'type': 'number'},
                                             'reasons': string_list()})},
    'policies': {'type': 'array', 'items': obj({
        'id': INT, 'title': STR, 'level': STR, 'amount': STR, 'example': BOOL, 'reasons': string_list(),
        'conditions': {'type': 'array', 'items': obj({'text': STR, 'status': STR, 'used': nullable(STR)})}})},
    'commitments': {'type': 'array', 'items': {'type': 'object', 'required': ['id', 'text', 'citation'],
                                               'properties': {'id': INT, 'text': STR, 'citation': STR}}},
    'net_cost': {'type': 'array', 'items': {'type': 'object', 'required': ['year'], 'properties': {'year': INT}}},
}))


@operation('GET', '/leads/{lead_id}/match', perm=Perm.LEADS_VIEW, tag='leads', response=MATCH,
           summary='Platforms, units, policies and plan commitments for the lead, with reasons '
                   '(the output of `crm match --lead ID --json`)')
def lead_match(lead_id: int):
    return jsonify(match_json(get_or_404(Lead, lead_id), viewer=current_user))


LOST_REASON = component('LostReason', obj({'id': INT, 'name': STR, 'active': BOOL}))


@operation('GET', '/lost-reasons', perm=Perm.LEADS_VIEW, tag='leads', response={'type': 'array', 'items': LOST_REASON},
           summary='Reasons a lead can be marked 流失')
def lost_reasons():
    rows = db.session.scalars(select(LostReason).order_by(LostReason.id)).all()
    return jsonify([{'id': r.id, 'name': r.name, 'active': r.active} for r in rows])

