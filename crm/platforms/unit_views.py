"""Buildings, the 租控表 (rent-control grid), unit edits and the vacancy search."""
from __future__ import annotations

from itertools import groupby

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.core import export_jobs, export_views
from crm.core.access import Perm, can, ensure, get_or_404, requires, scoped
from crm.core.args import id_arg
from crm.core.forms import show_rule_error
from crm.core.import_views import import_page
from crm.core.pagination import page_args
from crm.core.validators import record_id
from crm.db import db
from crm.platforms import queries
from crm.platforms import units as service
from crm.platforms.forms import (
    BUILDING_FIELD_NAMES,
    UNIT_FIELD_NAMES,
    BuildingEditForm,
    BuildingForm,
    ImageForm,
    StatusForm,
    UnitCreateForm,
    UnitForm,
)
from crm.platforms.listing import platform_groups
from crm.platforms.media import MediaError, path_of, remove, store
from crm.platforms.models import UNIT_STATUSES, UNIT_USES, Building, MediaFile, Platform, Unit, UnitStatusChange
from crm.platforms.unit_import import import_units
from crm.platforms.views import bp


def _unit_data(form) -> dict:
    return {name: getattr(form, name).data for name in UNIT_FIELD_NAMES}


@bp.get('/buildings/<int:building_id>')
@requires(Perm.PLATFORMS_VIEW)
def building(building_id: int):
    """A building's 租控表: floors × units coloured by status, with area and rent."""
    return _building_page(get_or_404(Building, building_id))


def _building_page(item: Building, media_form: ImageForm | None = None) -> str:
    """The building's page; `media_form`: a refused floor plan, its error beside the file input."""
    units = db.session.scalars(select(Unit).where(Unit.building_id == item.id)
                               .order_by(Unit.floor.desc(), Unit.number)).all()
    floors = [(floor, list(group)) for floor, group in groupby(units, key=lambda u: u.floor)]
    summary = service.vacancy_summary(Unit.building_id == item.id)
    plans = db.session.scalars(scoped(select(MediaFile), MediaFile).where(
        MediaFile.building_id == item.id, MediaFile.unit_id.is_(None))).all()
    return render_template('platforms/building.html', building=item, floors=floors, summary=summary,
                           statuses=UNIT_STATUSES, can_edit=can(current_user, 'edit', item), plans=plans,
                           media_form=media_form or ImageForm(formdata=None))


@bp.route('/<int:platform_id>/buildings/new', methods=['GET', 'POST'])
@requires(Perm.PLATFORMS_EDIT)
def building_new(platform_id: int):
    """Add a building to one's platform."""
    platform = get_or_404(Platform, platform_id)
    ensure('edit', platform)
    form = BuildingForm()
    if form.validate_on_submit():
        item = service.create_building(platform, _building_data(form))
        db.session.commit()
        flash(_('Building %(name)s added.', name=item.name), 'success')
        return redirect(url_for('platforms.building', building_id=item.id))
    return render_template('platforms/building_form.html', form=form, platform=platform, building=None), \
        422 if form.errors else 200


def _building_data(form) -> dict:
    return {name: getattr(form, name).data for name in BUILDING_FIELD_NAMES}


def _building_labels() -> dict[str, str]:
    return {'name': _('Building name'), 'address': _('Address'), 'floors': _('Floors'),
            'gfa': _('Gross floor area (㎡)'), 'operator': _('Owner / operator')}


@bp.route('/buildings/<int:building_id>/edit', methods=['GET', 'POST'])
@requires(Perm.PLATFORMS_EDIT)
def building_edit(building_id: int):
    """Edit a building; a save based on an old version is refused and both versions are shown."""
    item = get_or_404(Building, building_id)
    ensure('edit', item)
    form = BuildingEditForm.editing(item)
    if form.save(item, lambda version: service.update_building(item, _building_data(form), version=version),
                 labels=_building_labels()):
        db.session.commit()
        flash(_('Building %(name)s saved.', name=item.name), 'success')
        return redirect(url_for('platforms.building', building_id=item.id))
    return render_template('platforms/building_form.html', form=form, platform=item.platform, building=item,
                           conflict=form.conflict), form.http_status


@bp.route('/buildings/<int:building_id>/units/new', methods=['GET', 'POST'])
@requires(Perm.PLATFORMS_EDIT)
def unit_new(building_id: int):
    """Add a unit to a building."""
    item = get_or_404(Building, building_id)
    ensure('edit', item)
    form = UnitCreateForm()
    if form.validate_on_submit():
        try:
            unit = service.create_unit(item, _unit_data(form), actor_id=current_user.id)
        except service.UnitError as exc:
            show_rule_error(form, exc, form.number)
        else:
            db.session.commit()
            flash(_('Unit %(number)s added.', number=unit.number), 'success')
            return redirect(url_for('platforms.building', building_id=item.id))
    return render_template('platforms/unit_form.html', form=form, building=item, unit=None), \
        422 if form.errors else 200


@bp.route('/units/<int:unit_id>', methods=['GET', 'POST'])
@requires(Perm.PLATFORMS_EDIT)
def unit_edit(unit_id: int):
    """Edit a unit; a save based on an old version is refused and both versions are shown."""
    unit = get_or_404(Unit, unit_id)
    ensure('edit', unit)
    form = UnitForm.editing(unit)
    labels = {'status': _('Status'), 'rent': _('Rent (yuan/㎡/day)'), 'area_gross': _('Gross area (㎡)'),
              'available_from': _('Available from'), 'note': _('Note')}
    if form.save(unit, lambda version: service.update_unit(unit, _unit_data(form), version=version,
                                                           actor_id=current_user.id),
                 labels=labels, errors={service.UnitError: form.number}):
        db.session.commit()
        flash(_('Unit %(number)s saved.', number=unit.number), 'success')
        return redirect(url_for('platforms.building', building_id=unit.building_id))
    return _unit_page(unit, form), form.http_status


def _unit_page(unit: Unit, form: UnitForm, media_form: ImageForm | None = None) -> str:
    """The unit's edit page with its photos; `media_form`: a refused photo, its error beside the file input."""
    history = db.session.scalars(select(UnitStatusChange).where(UnitStatusChange.unit_id == unit.id)
                                 .order_by(UnitStatusChange.at.desc())).all()
    photos = db.session.scalars(select(MediaFile).where(MediaFile.unit_id == unit.id)).all()
    return render_template('platforms/unit_form.html', form=form, building=unit.building, unit=unit,
                           conflict=form.conflict, history=history, photos=photos,
                           media_form=media_form or ImageForm(formdata=None))


@bp.post('/units/<int:unit_id>/status')
@requires(Perm.PLATFORMS_EDIT)
def unit_status(unit_id: int):
    """Quick status change from the 租控表."""
    unit = get_or_404(Unit, unit_id)
    ensure('edit', unit)
    form = StatusForm()
    if not form.validate_on_submit():
        flash(_('The status change was not valid.'), 'error')
    elif form.version.data != unit.version:
        flash(_('Unit %(number)s was changed by someone else meanwhile; nothing was overwritten. Check it and try '
                'again.', number=unit.number), 'error')
    else:
        service.set_status(unit, form.status.data, actor_id=current_user.id, note=form.status_note.data)
        db.session.commit()
        flash(_('Unit %(number)s is now %(status)s.', number=unit.number, status=unit.status), 'success')
    return redirect(url_for('platforms.building', building_id=unit.building_id))


@bp.get('/vacancies')
@requires(Perm.PLATFORMS_VIEW)
def vacancies():
    """Vacant units across the platforms one may see: area, rent, use, availability, platform, building."""
    spec = queries.VacancyFilter.from_args(request.args)
    page = queries.vacancy_page(spec, *page_args(50))
    return render_template('platforms/vacancies.html', page=page, filters=spec, sort=spec.sort, uses=UNIT_USES,
                           platforms=platform_groups())


EXPORT_HEADER = ['平台', '楼宇', '楼层', '房号', '建筑面积(㎡)', '使用面积(㎡)', '用途', '装修', '租金(元/㎡·天)',
                 '月租金(元)', '物业费(元/㎡·月)', '可租日期', '状态', '备注']


@export_jobs.register('vacancies')
def vacancies_export_spec() -> export_jobs.ExportSpec:
    """The vacancy search's own statement: every matching unit with its building and platform names."""
    return export_jobs.ExportSpec('空置房源', EXPORT_HEADER,
                                  queries.vacancy_statement(queries.VacancyFilter.from_args(request.args)),
                                  _unit_rows)


@bp.get('/vacancies.<any(csv, xlsx):fmt>')
@requires(Perm.PLATFORMS_VIEW)
def vacancies_export(fmt: str):
    """The same search as a spreadsheet, every matching unit (formula-like text stays text)."""
    return export_views.export_response('vacancies', fmt)


def _unit_rows(result):
    return ([platform, building_name, u.floor, u.number, u.area_gross, u.area_usable, u.use, u.fitout, u.rent,
             u.monthly_rent, u.property_fee, u.available_from, u.status, u.note]
            for u, building_name, platform in result)


@export_jobs.register('units')
def units_export_spec() -> export_jobs.ExportSpec:
    """Every unit in scope whatever its status, narrowed to a platform, a building or a status when asked; the
    columns are the vacancy export's, so the file goes back in through the unit import."""
    status = request.args.get('status')
    statement = queries.unit_statement(id_arg('platform_id'), id_arg('building_id'),
                                       status if status in UNIT_STATUSES else None)
    return export_jobs.ExportSpec('租控表', EXPORT_HEADER, statement, _unit_rows)


@bp.get('/units.<any(csv, xlsx):fmt>')
@requires(Perm.PLATFORMS_VIEW)
def units_export(fmt: str):
    """The 租控表 of a building, a platform or every platform one may see, as a spreadsheet."""
    return export_views.export_response('units', fmt)


@bp.route('/units/import', methods=['GET', 'POST'])
@requires(Perm.PLATFORMS_EDIT)
def units_import():
    """Upload → check (dry run, every bad row explained) → confirm; re-importing changes nothing."""
    actor = current_user._get_current_object()
    return import_page(
        kind='unit', title=_('Import units'), back_url=url_for('platforms.vacancies'),
        done_url=url_for('platforms.vacancies'),
        description=_('CSV (UTF-8 or GB18030) or Excel .xlsx with the columns of the vacancy export: platform, '
                      'building, floor, unit number and gross area are required. Rows are matched on platform + '
                      'building + unit number; importing the same file again changes nothing.'),
        run=lambda table, dry_run, filename: import_units(table, actor, dry_run=dry_run, filename=filename))


@bp.post('/buildings/<int:building_id>/media')
@requires(Perm.PLATFORMS_EDIT)
def media_upload(building_id: int):
    """Upload a floor plan for a building, or a photo of one of its units; a refused file comes back on the page it
    was chosen on, beside the file input (422)."""
    item = get_or_404(Building, building_id)
    ensure('edit', item)
    raw = request.form.get('unit_id', '').strip()
    try:  # a photo of one of the building's units (its id, or nothing: the building's floor plan)
        unit = get_or_404(Unit, record_id(raw)) if raw else None
    except ValueError:
        abort(404)
    if unit is not None and unit.building_id != item.id:
        abort(404)
    form = ImageForm()
    if form.validate_on_submit():
        try:
            store(form.file.data.read(), form.file.data.filename, building=item, unit=unit,
                  kind='photo' if unit else 'floor_plan', actor_id=current_user.id)
        except MediaError as exc:
            show_rule_error(form, exc, form.file)
        else:
            db.session.commit()
            flash(_('Image uploaded.'), 'success')
            if unit is not None:
                return redirect(url_for('platforms.unit_edit', unit_id=unit.id))
            return redirect(url_for('platforms.building', building_id=item.id))
    if unit is None:
        return _building_page(item, form), 422
    unit_form = UnitForm(formdata=None, obj=unit)
    unit_form.opened.data = unit_form.opened_token()  # the unit's own form, as opening it shows it
    return _unit_page(unit, unit_form, form), 422


@bp.get('/media/<int:media_id>')
@requires(Perm.PLATFORMS_VIEW)
def media_file(media_id: int):
    """Serve an image to those who may see its platform (404 for everyone else)."""
    media = get_or_404(MediaFile, media_id)
    response = send_file(path_of(media), mimetype=media.content_type, max_age=0)
    response.headers['Content-Disposition'] = 'inline'
    return response


@bp.post('/media/<int:media_id>/delete')
@requires(Perm.PLATFORMS_EDIT)
def media_delete(media_id: int):
    """Remove an image."""
    media = get_or_404(MediaFile, media_id)
    ensure('edit', media)
    building_id, unit_id = media.building_id, media.unit_id
    remove(media)
    db.session.commit()
    flash(_('Image removed.'), 'success')
    if unit_id:
        return redirect(url_for('platforms.unit_edit', unit_id=unit_id))
    return redirect(url_for('platforms.building', building_id=building_id))
