"""Platform catalogue pages (extended with buildings and units by the platforms workspace)."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.core.access import Perm, can, get_or_404, requires, scoped
from crm.core.labels import FACT_LABELS
from crm.core.pagination import page_args, paginate
from crm.core.pickers import picker_json
from crm.db import db
from crm.plans.commitments import list_commitments
from crm.platforms import queries
from crm.platforms.listing import platform_suggestions
from crm.platforms.maps import platform_map_svg
from crm.platforms.models import Building, Platform, Unit
from crm.platforms.units import vacancy_summary

bp = Blueprint('platforms', __name__, url_prefix='/platforms')


@bp.get('/')
@requires(Perm.PLATFORMS_VIEW)
def index():
    """The platforms the user may see, filterable by district and kind."""
    spec = queries.PlatformFilter.from_args(request.args)
    page = paginate(queries.platform_statement(spec), *page_args())
    return render_template('platforms/index.html', page=page, district=spec.district, kind=spec.kind)


@bp.get('/picker')
@requires(Perm.PLATFORMS_VIEW)
def picker():
    """Platforms for a searchable picker, as JSON: those the user may see whose name, alias, pinyin or initials
    match what was typed, grouped by district and in pinyin order."""
    return picker_json(platform_suggestions(request.args.get('q', '')[:60]),
                       _('More platforms match: type more of the name.'))


@bp.get('/<int:platform_id>')
@requires(Perm.PLATFORMS_VIEW)
def detail(platform_id: int):
    """One platform's profile; outside the user's scope it does not exist (404)."""
    platform = get_or_404(Platform, platform_id)
    children = db.session.scalars(scoped(select(Platform), Platform).where(Platform.parent_id == platform.id)
                                  .order_by(Platform.name)).all()
    commitments = list_commitments(platform=platform.name, limit=15)
    buildings = db.session.scalars(scoped(select(Building), Building).where(Building.platform_id == platform.id)
                                   .order_by(Building.name)).all()
    summary = vacancy_summary(Unit.platform_id == platform.id)

    return render_template('platforms/detail.html', platform=platform, children=children, commitments=commitments,
                           fact_labels=FACT_LABELS, buildings=buildings, summary=summary,
                           can_edit=can(current_user, 'edit', platform), map_svg=platform_map_svg(platform))
