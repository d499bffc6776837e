"""The workbench each role lands on, and a health check."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from flask_login import current_user
from sqlalchemy import func, select, text

from crm.core import clock
from crm.core.access import Perm, public, requires, scoped
from crm.db import db
from crm.leads.digest import Digest
from crm.main import workbench
from crm.main.search import MAX_QUERY, PER_KIND, search_everything
from crm.platforms.models import Platform

bp = Blueprint('main', __name__)


@bp.get('/')
@requires(Perm.HOME)
def home():
    """Role-specific workbench: the signed-in user's own work first (crm.main.workbench)."""
    return render_template('main/home.html', **home_context())


def home_context() -> dict:
    """What the workbench shows the signed-in user."""
    platforms, counts = [], {}
    if current_user.role_code == 'admin':
        platforms = db.session.scalars(scoped(select(Platform), Platform).order_by(Platform.name).limit(12)).all()
        counts = {'platforms': db.session.scalar(scoped(select(func.count(Platform.id)), Platform)) or 0}
    digest = None
    if current_user.role_code in ('officer', 'leader'):
        digest = db.session.scalar(select(Digest).where(Digest.user_id == current_user.id)
                                   .order_by(Digest.day.desc()).limit(1))
    return {'platforms': platforms, 'counts': counts, 'digest': digest, 'today': clock.today(),
            **workbench.for_current_user()}


@bp.get('/healthz')
@public
def healthz():
    """Liveness and database reachability, for the process supervisor."""
    db.session.execute(text('SELECT 1'))
    return jsonify(status='ok')


@bp.get('/search')
@requires(Perm.LEADS_VIEW)
def search():
    """The header's search box: leads, firms, platforms, units, policies and plan paragraphs in the viewer's scope,
    a few of each, saying when a kind has more (with a link to its list)."""
    q = ' '.join(request.args.get('q', '').split())[:MAX_QUERY]
    return render_template('main/search.html', q=q, groups=search_everything(q), per_kind=PER_KIND)
