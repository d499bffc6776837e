"""Issuing packs from a lead, the pack page with its citations and staleness, and the PDF download."""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from crm.core import audit, queue
from crm.core.access import Perm, ensure, get_or_404, public, requires, scoped
from crm.core.links import external_url
from crm.core.security import stateless
from crm.db import db, utcnow
from crm.extensions import limiter
from crm.firms.models import Firm
from crm.leads.models import Lead
from crm.packs import queries, services
from crm.packs.models import Pack, PackBuild, PackShare, PackShareAccess, PolicySummary
from crm.packs.summaries import build_summary
from crm.policies.services import expiring_policies

bp = Blueprint('packs', __name__)


@bp.post('/leads/<int:lead_id>/packs')
@requires(Perm.PACKS_BUILD)
def build(lead_id: int):
    """Generate a new version of the lead's pack (quotes verified before it is issued)."""
    lead = get_or_404(Lead, lead_id)
    ensure('edit', lead)
    lang = request.form.get('lang') if request.form.get('lang') in ('zh', 'en') else 'zh'
    build = services.request_build(lead, lang=lang, user_id=current_user.id)
    db.session.commit()  # the worker must see the queued build
    if not queue.enqueue_or_fail('build_pack', build):
        db.session.commit()  # the progress page says why nothing is coming
    return redirect(url_for('packs.build_progress', build_id=build.id))


@bp.get('/packs/builds/<int:build_id>')
@requires(Perm.PACKS_BUILD)
def build_progress(build_id: int):
    """A queued pack build: its progress, then the pack and its download (or why it failed)."""
    build = get_or_404(PackBuild, build_id)
    lead = get_or_404(Lead, build.lead_id)
    pack = db.session.get(Pack, build.pack_id) if build.pack_id else None
    return render_template('packs/build.html', build=build, lead=lead, pack=pack)


@bp.get('/packs/builds/<int:build_id>/status')
@requires(Perm.PACKS_BUILD)
def build_status(build_id: int):
    """The progress fragment the build page polls."""
    build = get_or_404(PackBuild, build_id)
    pack = db.session.get(Pack, build.pack_id) if build.pack_id else None
    return render_template('packs/_build_status.html', build=build, pack=pack)


@bp.get('/packs/<int:pack_id>')
@requires(Perm.PACKS_VIEW)
def detail(pack_id: int):
    """A pack's facts: number, version, fingerprint, what it cites, and whether it is stale."""
    pack = get_or_404(Pack, pack_id)
    # only the versions the viewer may open (a firm: its own)
    others = db.session.scalars(queries.list_statement(queries.PackFilter(lead_id=pack.lead_id))).all()
    shares = db.session.execute(select(PackShare, func.count(PackShareAccess.id))
                                .outerjoin(PackShareAccess, PackShareAccess.share_id == PackShare.id)
                                .where(PackShare.pack_id == pack.id).group_by(PackShare.id)
                                .order_by(PackShare.created_at.desc())).all()
    expiring = expiring_policies(policy_id for policy_id, _version in pack.snapshot.get('policies', []))
    lead = None if current_user.role_code == 'firm' else \
        db.session.scalar(scoped(select(Lead), Lead).where(Lead.id == pack.lead_id))  # for the crumbs
    return render_template('packs/detail.html', pack=pack, lead=lead, stale=services.stale_reasons(pack),
                           versions=others, shares=shares, expiring=expiring)


@bp.get('/packs/<int:pack_id>.pdf')
@requires(Perm.PACKS_VIEW)
def download(pack_id: int):
    """The stored PDF, exactly as issued."""
    pack = get_or_404(Pack, pack_id)
    return send_file(services.pdf_path(pack.sha256), mimetype='application/pdf', as_attachment=True,
                     download_name=f'{pack.number}.pdf')


@bp.post('/packs/<int:pack_id>/shares')
@requires(Perm.PACKS_BUILD)
def share_create(pack_id: int):
    """Create a read-only link for the prospect; the address is shown once."""
    pack = get_or_404(Pack, pack_id)
    token = services.create_share(pack, days=request.form.get('days', 14, type=int), actor_id=current_user.id)
    db.session.commit()
    flash(_('Share link (shown once, copy it now): %(url)s', url=external_url('packs.shared', token=token)), 'success')
    return redirect(url_for('packs.detail', pack_id=pack.id))


@bp.post('/packs/shares/<int:share_id>/revoke')
@requires(Perm.PACKS_BUILD)
def share_revoke(share_id: int):
    """End a share link at once."""
    share = db.session.get(PackShare, share_id) or abort(404)
    get_or_404(Pack, share.pack_id)
    share.revoked_at = utcnow()
    audit.log(db.session, 'share_revoked', 'pack', share.pack_id, share=share.id)
    db.session.commit()
    flash(_('Share link revoked.'), 'success')
    return redirect(url_for('packs.detail', pack_id=share.pack_id))


def _open_share(token: str, what: str):
    """(pack, share, newer pack, its link, serving the newer one) behind a token; a link that has ended gets its
    own page (410), a token that never existed is a 404.

    With ?current=1 the newest version of the same pack is served instead, once the officer has shared it."""
    share, state = services.open_share(token, what=what, ip=request.remote_addr,
                                       user_agent=request.user_agent.string)
    if share is None:
        abort(404)
    db.session.commit()
    if state != 'ok':
        abort(make_response(render_template('packs/share_gone.html', state=state, share=share), 410))
    pack = db.session.get(Pack, share.pack_id)
    newer = services.current_pack(pack)
    newer_share = services.active_share(newer) if newer is not None else None
    if request.args.get('current') and newer_share is not None:
        return newer, newer_share, None, None, True
    return pack, share, newer, newer_share, False


@bp.get('/s/<token>')
@limiter.limit('60 per minute')
@public
@stateless
def shared(token: str):
    """The prospect's read-only view of a shared pack (logged); says so at the top when it is no longer current."""
    pack, share, newer, newer_share, serving_current = _open_share(token, 'page')
    return render_template('packs/shared.html', pack=pack, token=token, share=share, newer=newer,
                           newer_shared=newer_share is not None, serving_current=serving_current,
                           changed=services.stale_reasons(pack))


@bp.get('/s/<token>/pack.pdf')
@limiter.limit('60 per minute')
@public
@stateless
def shared_pdf(token: str):
    """The shared pack's PDF (logged); ?current=1 gives the newest version once the officer has shared it."""
    pack = _open_share(token, 'pdf')[0]
    return send_file(services.pdf_path(pack.sha256), mimetype='application/pdf', download_name=f'{pack.number}.pdf')


@bp.post('/firms/<int:firm_id>/summaries')
@requires(Perm.PACKS_BUILD)
def summary_build(firm_id: int):
    """Issue a 政策摘要 for a firm."""
    firm = get_or_404(Firm, firm_id)
    if firm.deleted_at is not None:  # only administrators reach a deleted firm; matching leaves it out
        flash(_('A deleted firm gets no policy summary; restore it first.'), 'error')
        return redirect(url_for('firms.detail', firm_id=firm.id))
    lang = request.form.get('lang') if request.form.get('lang') in ('zh', 'en') else 'zh'
    summary = build_summary(firm, author_id=current_user.id, author_name=current_user.name, lang=lang)
    db.session.commit()
    flash(_('Policy summary %(number)s issued.', number=summary.number), 'success')
    return redirect(url_for('firms.detail', firm_id=firm.id))


@bp.get('/summaries/<int:summary_id>.pdf')
@requires(Perm.PACKS_VIEW)
def summary_download(summary_id: int):
    """A stored 政策摘要 (for whoever may see the firm)."""
    summary = db.session.get(PolicySummary, summary_id) or abort(404)
    get_or_404(Firm, summary.firm_id)
    return send_file(services.pdf_path(summary.sha256), mimetype='application/pdf', as_attachment=True,
                     download_name=f'{summary.number}.pdf')
