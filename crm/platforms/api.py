"""Platforms, buildings and units (with the vacancy search), and a park manager's unit status changes."""
from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from crm.api.spec import (
    DATE,
    DATETIME,
    DECIMAL,
    ID,
    INT,
    PAGE_PARAMS,
    STR,
    Param,
    api_error,
    component,
    dec,
    form_errors,
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
from crm.core.errors import rule_refused
from crm.core.pagination import paginate
from crm.db import db
from crm.platforms import queries
from crm.platforms import units as service
from crm.platforms.forms import StatusForm
from crm.platforms.models import (
    PLATFORM_KINDS,
    UNIT_STATUSES,
    UNIT_USES,
    Building,
    Platform,
    Unit,
    UnitStatusChange,
)

NUM = {'type': 'number', 'minimum': 0, 'maximum': 1_000_000}
VACANCY = component('VacancySummary', obj({
    'units': INT, 'vacant_units': INT, 'area': DECIMAL, 'vacant_area': DECIMAL, 'vacancy_rate': {'type': 'number'},
    'rent_min': nullable(DECIMAL), 'rent_max': nullable(DECIMAL)}))
PLATFORM = {'id': INT, 'key': STR, 'name': STR, 'kind': STR, 'district': STR, 'parent_id': nullable(INT),
            'focus_industries': string_list(), 'managing_body': nullable(STR)}
PLATFORM_SUMMARY = component('Platform', obj(PLATFORM))
PLATFORM_DETAIL = component('PlatformDetail', obj({
    **PLATFORM, 'former_district': nullable(STR), 'aliases': string_list(), 'positioning': nullable(STR),
    'children': {'type': 'array', 'items': obj({'id': INT, 'name': STR})},
    'facts': {'type': 'array', 'items': obj({'field': STR, 'value': STR, 'unit': nullable(STR),
                                              'year': nullable(INT), 'document': STR, 'quote': STR})},
    'vacancy': VACANCY, 'version': INT}))
BUILDING = {'id': INT, 'platform_id': INT, 'name': STR, 'kind': STR, 'address': nullable(STR), 'floors': nullable(INT),
            'gfa': nullable(DECIMAL), 'operator': nullable(STR)}
BUILDING_SUMMARY = component('Building', obj(BUILDING))
BUILDING_DETAIL = component('BuildingDetail', obj({**BUILDING, 'vacancy': VACANCY, 'version': INT}))
UNIT = {'id': INT, 'building_id': INT, 'building': STR, 'platform_id': INT, 'platform': STR, 'floor': INT,
        'number': STR, 'area_gross': DECIMAL, 'area_usable': nullable(DECIMAL), 'use': STR, 'fitout': STR,
        'rent': nullable(DECIMAL), 'monthly_rent': nullable(DECIMAL), 'property_fee': nullable(DECIMAL),
        'available_from': nullable(DATE), 'status': STR, 'note': nullable(STR), 'version': INT}
UNIT_SUMMARY = component('Unit', obj(UNIT))
UNIT_DETAIL = component('UnitDetail', obj({**UNIT, 'history': {'type': 'array', 'items': obj({
    'from_status': nullable(STR), 'to_status': STR, 'at': DATETIME, 'by_id': nullable(INT), 'note': nullable(STR)})}}))
component('UnitStatusChange', obj({
    'status': {'type': 'string', 'enum': list(UNIT_STATUSES)},
    'note': nullable({'type': 'string', 'maxLength': 200}),
    'version': {**ID, 'description': 'the version being edited (or send If-Match)'},
}, required=('status',)))
UNIT_FILTERS = (
    Param('area_min', NUM, 'gross area at least (㎡)'), Param('area_max', NUM, 'gross area at most (㎡)'),
    Param('rent_min', NUM, 'rent at least (元/㎡·天)'), Param('rent_max', NUM, 'rent at most (元/㎡·天)'),
    Param('use', {'type': 'string', 'enum': list(UNIT_USES)}), Param('platform_id', ID), Param('building_id', ID),
    Param('available_by', DATE, 'available on or before this date'),
    Param('sort', {'type': 'string', 'enum': list(queries.API_SORTS)}, 'order (area, -area, rent, -rent, available, '
                                                                   'building)'),
)


def _vacancy_json(summary: service.VacancySummary) -> dict:
    return {'units': summary.units, 'vacant_units': summary.vacant_units, 'area': dec(summary.area),
            'vacant_area': dec(summary.vacant_area), 'vacancy_rate': round(summary.vacancy_rate, 4),
            'rent_min': dec(summary.rent_min), 'rent_max': dec(summary.rent_max)}


def platform_json(p: Platform) -> dict:
    return {'id': p.id, 'key': p.key, 'name': p.name, 'kind': p.kind, 'district': p.district,
            'parent_id': p.parent_id, 'focus_industries': list(p.focus_industries or []),
            'managing_body': p.managing_body}


def building_json(b: Building) -> dict:
    return {'id': b.id, 'platform_id': b.platform_id, 'name': b.name, 'kind': b.kind, 'address': b.address,
            'floors': b.floors, 'gfa': dec(b.gfa), 'operator': b.operator}


def unit_json(u: Unit, building: str, platform: str) -> dict:
    return {'id': u.id, 'building_id': u.building_id, 'building': building, 'platform_id': u.platform_id,
            'platform': platform, 'floor': u.floor, 'number': u.number, 'area_gross': dec(u.area_gross),
            'area_usable': dec(u.area_usable), 'use': u.use, 'fitout': u.fitout, 'rent': dec(u.rent),
            'monthly_rent': dec(u.monthly_rent), 'property_fee': dec(u.property_fee),
            'available_from': iso(u.available_from), 'status': u.status, 'note': u.note, 'version': u.version}


@operation('GET', '/platforms', perm=Perm.PLATFORMS_VIEW, tag='platforms', response=page_of(PLATFORM_SUMMARY),
           summary='Platforms the caller may see', query=(
               Param('district', {'type': 'string', 'maxLength': 40}),
               Param('kind', {'type': 'string', 'enum': list(PLATFORM_KINDS)}), *PAGE_PARAMS))
def platforms():
    stmt = queries.platform_statement(queries.PlatformFilter.from_args(query_args()))
    return jsonify(page_json(paginate(stmt, *page_params()), platform_json))


@operation('GET', '/platforms/{platform_id}', perm=Perm.PLATFORMS_VIEW, tag='platforms', response=PLATFORM_DETAIL,
           summary='One platform with its cited facts, sub-platforms and vacancy')
def platform(platform_id: int):
    item = get_or_404(Platform, platform_id)
    children = db.session.scalars(scoped(select(Platform), Platform).where(Platform.parent_id == item.id)
                                  .order_by(Platform.name)).all()
    return with_etag(jsonify({
        **platform_json(item), 'former_district': item.former_district, 'aliases': list(item.aliases or []),
        'positioning': item.positioning, 'children': [{'id': c.id, 'name': c.name} for c in children],
        'facts': [{'field': f.field, 'value': f.value, 'unit': f.unit, 'year': f.year, 'document': f.doc_slug,
                   'quote': f.quote} for f in item.facts],
        'vacancy': _vacancy_json(service.vacancy_summary(Unit.platform_id == item.id)), 'version': item.version,
    }), item.version)


@operation('GET', '/buildings', perm=Perm.PLATFORMS_VIEW, tag='platforms', response=page_of(BUILDING_SUMMARY),
           summary='Buildings on the platforms the caller may see', query=(Param('platform_id', ID), *PAGE_PARAMS))
def buildings():
    stmt = queries.building_statement(query_args().get('platform_id'))
    return jsonify(page_json(paginate(stmt, *page_params()), building_json))


@operation('GET', '/buildings/{building_id}', perm=Perm.PLATFORMS_VIEW, tag='platforms', response=BUILDING_DETAIL,
           summary='One building with its vacancy summary')
def building(building_id: int):
    item = get_or_404(Building, building_id)
    return with_etag(jsonify({**building_json(item), 'vacancy': _vacancy_json(
        service.vacancy_summary(Unit.building_id == item.id)), 'version': item.version}), item.version)


def _units_json(page) -> dict:
    """The page of the vacancy search (plain rows, in order) with each unit's full record."""
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_([r.id for r in page.items])))}
    page.items = [(units[r.id], r.building_name, r.platform_name) for r in page.items if r.id in units]
    return page_json(page, lambda row: unit_json(*row))


@operation('GET', '/units', perm=Perm.PLATFORMS_VIEW, tag='platforms', response=page_of(UNIT_SUMMARY),
           summary='Units in scope, any status unless `status` is given, with the vacancy filters',
           query=(Param('status', {'type': 'string', 'enum': list(UNIT_STATUSES)}), *UNIT_FILTERS, *PAGE_PARAMS))
def units():
    args = query_args()
    page = queries.vacancy_page(queries.VacancyFilter.from_args(args, status=args.get('status', queries.ANY_STATUS)),
                                *page_params())
    return jsonify(_units_json(page))


@operation('GET', '/vacancies', perm=Perm.PLATFORMS_VIEW, tag='platforms', response=page_of(UNIT_SUMMARY),
           summary='The vacancy search: vacant (空置) units in scope, as on the vacant-units page',
           query=(*UNIT_FILTERS, *PAGE_PARAMS))
def vacancies():
    page = queries.vacancy_page(queries.VacancyFilter.from_args(query_args()), *page_params())
    return jsonify(_units_json(page))


def _unit_detail(unit: Unit):
    building_name, platform_name = db.session.execute(
        select(Building.name, Platform.name).join(Platform, Platform.id == Building.platform_id)
        .where(Building.id == unit.building_id)).one()
    history = db.session.scalars(select(UnitStatusChange).where(UnitStatusChange.unit_id == unit.id)
                                 .order_by(UnitStatusChange.at.desc(), UnitStatusChange.id.desc())).all()
    return with_etag(jsonify({**unit_json(unit, building_name, platform_name), 'history': [
        {'from_status': h.from_status, 'to_status': h.to_status, 'at': iso(h.at), 'by_id': h.by_id, 'note': h.note}
        for h in history]}), unit.version)


@operation('GET', '/units/{unit_id}', perm=Perm.PLATFORMS_VIEW, tag='platforms', response=UNIT_DETAIL,
           summary='One unit with its status history')
def unit(unit_id: int):
    return _unit_detail(get_or_404(Unit, unit_id))


@operation('POST', '/units/{unit_id}/status', perm=Perm.PLATFORMS_EDIT, tag='platforms', response=UNIT_DETAIL,
           body='UnitStatusChange', if_match=True,
           summary="Change a unit's status (park managers, on their own platforms)")
def unit_status(unit_id: int, body: dict):
    item = get_or_404(Unit, unit_id)
    ensure('edit', item)
    version, refused = required_version(body)
    if refused is not None:
        return refused
    form = StatusForm(formdata=MultiDict([('status', body.get('status') or ''), ('status_note', body.get('note') or ''),
                                          ('version', str(version))]), meta={'csrf': False})
    if not form.validate():
        errors = form_errors(form)
        if 'status_note' in errors:
            errors['note'] = errors.pop('status_note')
        return api_error(422, 'invalid', _('Some fields are not valid.'), errors)
    if version != item.version:
        return api_error(409, 'conflict', _('Someone else changed this record after you opened it.'),
                         current_version=item.version)
    try:
        service.set_status(item, form.status.data, actor_id=current_user.id, note=form.status_note.data)
    except service.UnitError as exc:
        return rule_refused(exc)
    db.session.commit()
    return _unit_detail(item)
