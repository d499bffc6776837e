"""Firms: list and profile in the caller's scope; create and edit through the firm form and services
(统一社会信用代码 check, duplicate guard, version check)."""
from __future__ import annotations

from flask import jsonify, redirect, request
from flask_babel import gettext as _
from sqlalchemy import select

from crm.api.spec import (
    BOOL,
    DATE,
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
from crm.core.access import Perm, ensure, get_or_404, scoped
from crm.core.concurrency import EditConflict, conflicting_fields
from crm.core.pagination import paginate
from crm.core.validators import display_phone
from crm.db import db
from crm.firms import queries, services
from crm.firms.forms import FIRM_FIELD_NAMES, FirmCreateForm, FirmForm, save_firm
from crm.firms.models import FIRM_TAGS, REVENUE_BANDS, Contact, Firm, Tenancy

FIRM = {'id': INT, 'name': STR, 'uscc': nullable(STR), 'industry_code': nullable(STR), 'district': nullable(STR),
        'registered_capital': nullable(DECIMAL), 'headcount': nullable(INT), 'revenue_band': nullable(STR),
        'tags': string_list()}
FIRM_SUMMARY = component('Firm', obj(FIRM))
FIRM_DETAIL = component('FirmDetail', obj({
    **FIRM, 'industry_name': STR, 'former_names': string_list(), 'legal_rep': nullable(STR),
    'address': nullable(STR), 'rd_ratio': nullable(DECIMAL), 'registered_on': nullable(DATE),
    'notes': nullable(STR), 'version': INT,
    'contacts': {'type': 'array', 'items': obj({'id': INT, 'name': STR, 'title': nullable(STR),
                                                'role': nullable(STR), 'phone': STR, 'email': nullable(STR),
                                                'wechat': nullable(STR)})},
    'tenancies': {'type': 'array', 'items': obj({'id': INT, 'unit_id': INT, 'platform_id': INT, 'start_date': DATE,
                                                 'end_date': nullable(DATE), 'area': nullable(DECIMAL),
                                                 'rent': nullable(DECIMAL)})},
}))


def _text(max_length: int) -> dict:
    return nullable({'type': 'string', 'maxLength': max_length})


FIRM_INPUT = {
    'name': {'type': 'string', 'maxLength': 200},
    'uscc': {**_text(30), 'description': '统一社会信用代码 (18 characters, check character verified)'},
    'legal_rep': _text(60), 'address': _text(300), 'district': _text(40),
    'industry_code': {**_text(130), 'description': 'GB/T 4754 code or name'},
    'registered_capital': {**DECIMAL_IN, 'description': '万元'},
    'revenue_band': nullable({'type': 'string', 'enum': ['', *REVENUE_BANDS]}),
    'headcount': nullable({'type': 'integer', 'minimum': 0, 'maximum': 10_000_000}),
    'rd_ratio': {**DECIMAL_IN, 'description': 'percent'},
    'registered_on': nullable(DATE),
    'tags': {'type': 'array', 'items': {'type': 'string', 'enum': list(FIRM_TAGS)}, 'maxItems': 20},
    'notes': _text(4000),
    'confirm_similar': {**BOOL, 'description': 'confirm the firm differs from the similar ones reported'},
}
component('FirmCreate', obj(FIRM_INPUT, required=('name',)))
component('FirmUpdate', obj({**FIRM_INPUT, 'version': {**ID, 'description': 'the version edited (or If-Match)'}},
                            required=()))
FORM_FIELDS = (*FIRM_FIELD_NAMES, 'confirm_similar')


def firm_json(f: Firm) -> dict:
    return {'id': f.id, 'name': f.name, 'uscc': f.uscc, 'industry_code': f.industry_code, 'district': f.district,
            'registered_capital': dec(f.registered_capital), 'headcount': f.headcount,
            'revenue_band': f.revenue_band, 'tags': list(f.tags or [])}


def _detail(firm: Firm):
    contacts = db.session.scalars(scoped(select(Contact), Contact).where(Contact.firm_id == firm.id)
                                  .order_by(Contact.id)).all()
    tenancies = db.session.scalars(scoped(select(Tenancy), Tenancy).where(Tenancy.firm_id == firm.id)
                                   .order_by(Tenancy.start_date.desc(), Tenancy.id)).all()
    return with_etag(jsonify({
        **firm_json(firm), 'industry_name': services.industry_name(firm.industry_code),
        'former_names': list(firm.former_names or []), 'legal_rep': firm.legal_rep, 'address': firm.address,
        'rd_ratio': dec(firm.rd_ratio), 'registered_on': iso(firm.registered_on), 'notes': firm.notes,
        'version': firm.version,
        'contacts': [{'id': c.id, 'name': c.name, 'title': c.title, 'role': c.role,
                      'phone': display_phone(c.phone, masked=True), 'email': c.email, 'wechat': c.wechat}
                     for c in contacts],
        'tenancies': [{'id': t.id, 'unit_id': t.unit_id, 'platform_id': t.platform_id,
                       'start_date': iso(t.start_date), 'end_date': iso(t.end_date), 'area': dec(t.area),
                       'rent': dec(t.rent)} for t in tenancies],
    }), firm.version)


@operation('GET', '/firms', perm=Perm.FIRMS_VIEW, tag='firms', response=page_of(FIRM_SUMMARY),
           summary='Firms in scope: search by name or credit code, filter by industry and tag', query=(
               Param('q', {'type': 'string', 'maxLength': 100}, 'part of the name, or the whole credit code'),
               Param('industry', {'type': 'string', 'maxLength': 8, 'pattern': '^[A-Z0-9]*$'},
                     'GB/T 4754 code prefix'),
               Param('tag', {'type': 'string', 'enum': list(FIRM_TAGS)}), *PAGE_PARAMS))
def firms():
    return jsonify(page_json(paginate(queries.list_statement(queries.FirmFilter.from_args(query_args())),
                                     *page_params()), firm_json))


def _moved(firm_id: int):
    """A 308 to the same address of the firm that `firm_id` was merged into (when the caller may see it)."""
    survivor = queries.merged_away_target(firm_id)
    if survivor is None:
        return None
    return redirect(request.path.rsplit('/', 1)[0] + f'/{survivor.id}', 308)


@operation('GET', '/firms/{firm_id}', perm=Perm.FIRMS_VIEW, tag='firms', response=FIRM_DETAIL, moved=True,
           summary='One firm with its contacts (phones masked) and tenancies')
def firm(firm_id: int):
    return _moved(firm_id) or _detail(get_or_404(Firm, firm_id))


def _save(form, item: Firm | None):
    """Run the firm page's save step; map its outcome to an answer (or None after a successful save)."""
    if not form.validate():
        return None, api_error(422, 'invalid', _('Some fields are not valid.'), form_errors(form))
    try:
        saved, candidates = save_firm(form, item, form.version.data if item is not None else None)
    except EditConflict:
        conflict = conflicting_fields(item, form.data, dict.fromkeys(('name', 'uscc', 'notes'), ''))
        return None, api_error(409, 'conflict', _('Someone else changed this record after you opened it.'),
                               current_version=item.version, conflicting=[c['field'] for c in conflict])
    if saved is None and candidates:
        return None, api_error(422, 'similar_firms', form_errors(form).get('_form', [''])[0], form_errors(form),
                               candidates=[{'id': c.id, 'name': c.name, 'uscc': c.uscc} for c in candidates])
    if saved is None:
        return None, api_error(422, 'invalid', _('Some fields are not valid.'), form_errors(form))
    db.session.commit()
    return saved, None


@operation('POST', '/firms', perm=Perm.FIRMS_EDIT, tag='firms', response=FIRM_DETAIL, status=201, body='FirmCreate',
           summary='Create a firm; a taken credit code is refused, similar names need confirm_similar')
def firm_create(body: dict):
    form = FirmCreateForm(formdata=formdata({}, body, FORM_FIELDS), meta={'csrf': False})
    saved, failure = _save(form, None)
    if failure:
        return failure
    response = _detail(saved)
    return response, 201


@operation('PATCH', '/firms/{firm_id}', perm=Perm.FIRMS_EDIT, tag='firms', response=FIRM_DETAIL, body='FirmUpdate',
           if_match=True, moved=True, summary='Change some fields of a firm (version check: a stale write is 409)')
def firm_update(firm_id: int, body: dict):
    if moved := _moved(firm_id):
        return moved
    item = get_or_404(Firm, firm_id)
    ensure('edit', item)
    version, refused = required_version(body)
    if refused is not None:
        return refused
    current = {name: getattr(item, name) for name in FIRM_FIELD_NAMES}
    data = formdata(current, body, FORM_FIELDS)
    data['version'] = str(version)
    form = FirmForm(formdata=data, meta={'csrf': False})
    saved, failure = _save(form, item)
    return failure or _detail(saved)
