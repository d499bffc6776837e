"""A building's floor plan as the 租控表: units coloured by status, clickable; park managers draw unit outlines."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.core.access import Perm, can, ensure, get_or_404, requires, scoped
from crm.core.errors import rule_refused
from crm.core.validators import record_id
from crm.db import db
from crm.platforms import siteplan
from crm.platforms.models import UNIT_STATUSES, Building, MediaFile, Unit, UnitOutline
from crm.platforms.views import bp


def _floor_plan(media_id: int) -> MediaFile:
    media = get_or_404(MediaFile, media_id)
    if media.kind != 'floor_plan':
        abort(404)
    return media


@bp.get('/plans/<int:media_id>')
@requires(Perm.PLATFORMS_VIEW)
def floor_plan(media_id: int):
    """The floor plan with each drawn unit coloured by status (a click opens the unit); editors draw outlines."""
    media = _floor_plan(media_id)
    building = db.session.get(Building, media.building_id)
    editable = can(current_user, 'edit', media)

    def unit_href(unit: Unit) -> str:
        if editable:
            return url_for('platforms.unit_edit', unit_id=unit.id)
        return url_for('platforms.building', building_id=unit.building_id, _anchor=f'unit-{unit.id}')

    svg = siteplan.site_plan_svg(media, image_href=url_for('platforms.media_file', media_id=media.id),
                                 unit_href=unit_href)
    units = db.session.scalars(scoped(select(Unit), Unit).where(Unit.building_id == media.building_id)
                               .order_by(Unit.floor, Unit.number)).all()
    drawn = set(db.session.scalars(scoped(select(UnitOutline.unit_id), UnitOutline)
                                   .where(UnitOutline.media_id == media.id)))
    width, height = siteplan.image_size(media)
    return render_template('platforms/floor_plan.html', media=media, building=building, svg=svg, units=units,
                           drawn=drawn, can_edit=editable, width=width, height=height, statuses=UNIT_STATUSES)


@bp.post('/plans/<int:media_id>/outlines')
@requires(Perm.PLATFORMS_EDIT)
def outline_save(media_id: int):
    """Save one unit's outline on the plan (JSON answer for the drawing page): {ok} or 422 with the reason, the
    input at fault named as in every API refusal."""
    media = _floor_plan(media_id)
    ensure('edit', media)
    try:
        unit = get_or_404(Unit, record_id(request.form.get('unit_id', '')))
    except ValueError:
        return _refused(siteplan.OutlineError(_('Choose the unit this outline belongs to.'), field='unit_id'))
    if unit.building_id != media.building_id:
        return _refused(siteplan.OutlineError(_('That unit is not in this building.'), field='unit_id'))
    ensure('edit', unit)
    try:
        points = siteplan.parse_points(request.form.get('points', ''), siteplan.image_size(media))
    except siteplan.OutlineError as exc:
        return _refused(exc)
    siteplan.save_outline(media, unit, points, actor_id=current_user.id)
    db.session.commit()
    return jsonify(ok=True, unit=unit.number, points=points,
                   message=_('Outline of unit %(number)s saved.', number=unit.number))


def _refused(exc: siteplan.OutlineError):
    """A refused outline: the API's 422 body ({"error": {…, "fields"}}), and beside it `ok` and `message`, which the
    drawing page's script shows."""
    return rule_refused(exc, 'outline_refused', beside={'ok': False, 'message': str(exc)})


@bp.post('/plans/<int:media_id>/outlines/<int:unit_id>/delete')
@requires(Perm.PLATFORMS_EDIT)
def outline_delete(media_id: int, unit_id: int):
    """Remove a unit's outline from the plan (to draw it again)."""
    media = _floor_plan(media_id)
    ensure('edit', media)
    unit = get_or_404(Unit, unit_id)
    outline = db.session.scalar(scoped(select(UnitOutline), UnitOutline).where(
        UnitOutline.media_id == media.id, UnitOutline.unit_id == unit.id))
    if outline is not None:
        ensure('edit', outline)
        siteplan.remove_outline(outline)
        db.session.commit()
        flash(_('Outline of unit %(number)s removed.', number=unit.number), 'success')
    return redirect(url_for('platforms.floor_plan', media_id=media.id))
