"""Issuing packs from a lead, the pack page with its citations and staleness, and the PDF download."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.core.access import Perm, ensure, get_or_404, requires
from crm.db import db
from crm.leads.models import Lead
from crm.packs import services
from crm.packs.models import Pack

bp = Blueprint('packs', __name__)


@bp.post('/leads/<int:lead_id>/packs')
@requires(Perm.PACKS_BUILD)
def build(lead_id: int):
    """Generate a new version of the lead's pack (quotes verified before it is issued)."""
    lead = get_or_404(Lead, lead_id)
    ensure('edit', lead)
    lang = request.form.get('lang') if request.form.get('lang') in ('zh', 'en') else 'zh'
    try:
        pack = services.build_pack(lead, lang=lang, author_id=current_user.id, author_name=current_user.name)
    except services.PackError as exc:
        flash(str(exc), 'error')
        return redirect(url_for('leads.detail', lead_id=lead.id))
    db.session.commit()
    flash(_('Pack %(number)s issued.', number=pack.number), 'success')
    return redirect(url_for('packs.detail', pack_id=pack.id))


@bp.get('/packs/<int:pack_id>')
@requires(Perm.PACKS_VIEW)
def detail(pack_id: int):
    """A pack's facts: number, version, fingerprint, what it cites, and whether it is stale."""
    pack = get_or_404(Pack, pack_id)
    others = db.session.scalars(select(Pack).where(Pack.lead_id == pack.lead_id).order_by(Pack.version.desc())).all()
    return render_template('packs/detail.html', pack=pack, stale=services.stale_reasons(pack), versions=others)


@bp.get('/packs/<int:pack_id>.pdf')
@requires(Perm.PACKS_VIEW)
def download(pack_id: int):
    """The stored PDF, exactly as issued."""
    pack = get_or_404(Pack, pack_id)
    return send_file(services.pdf_path(pack.sha256), mimetype='application/pdf', as_attachment=True,
                     download_name=f'{pack.number}.pdf')
