"""Platform catalogue pages (extended with buildings and units by the platforms workspace)."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from crm.core.access import Perm, get_or_404, requires, scoped
from crm.core.pagination import page_args, paginate
from crm.platforms.models import Platform

bp = Blueprint('platforms', __name__, url_prefix='/platforms')


@bp.get('/')
@requires(Perm.PLATFORMS_VIEW)
def index():
    """The platforms the user may see, filterable by district and kind."""
    stmt = scoped(select(Platform), Platform).order_by(Platform.district, Platform.name)
    district, kind = request.args.get('district', ''), request.args.get('kind', '')
    if district:
        stmt = stmt.where(Platform.district == district)
    if kind:
        stmt = stmt.where(Platform.kind == kind)
    page = paginate(stmt, *page_args())
    return render_template('platforms/index.html', page=page, district=district, kind=kind)


@bp.get('/<int:platform_id>')
@requires(Perm.PLATFORMS_VIEW)
def detail(platform_id: int):
    """One platform's profile; outside the user's scope it does not exist (404)."""
    platform = get_or_404(Platform, platform_id)
    return render_template('platforms/detail.html', platform=platform)
