"""Plan documents: list, reader with outline, search, commitments with curation, import."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from crm.auth.views import safe_next
from crm.core.access import Perm, has_permission, requires
from crm.core.concurrency import EditConflict
from crm.core.pagination import Page, page_args
from crm.db import db
from crm.plans import commitments as commitment_service
from crm.plans.forms import CurationForm, ImportForm, split_tags
from crm.plans.models import Commitment, PlanDocument, PlanHeading, PlanParagraph, PlanTable
from crm.plans.search import count_hits, search as run_search
from crm.plans.services import document_counts, import_document

bp = Blueprint('plans', __name__, url_prefix='/plans')


def _document_or_404(document_id: int) -> PlanDocument:
    document = db.session.get(PlanDocument, document_id)
    if document is None:
        abort(404)
    return document


def _current_documents() -> list[PlanDocument]:
    return list(db.session.scalars(select(PlanDocument).where(PlanDocument.is_current.is_(True))
                                   .order_by(PlanDocument.date.desc().nulls_last())))


@bp.get('/')
@requires(Perm.PLANS_VIEW)
def index():
    """Imported documents, current versions first."""
    documents = db.session.scalars(select(PlanDocument).order_by(PlanDocument.is_current.desc(),
                                                                 PlanDocument.date.desc().nulls_last())).all()
    counts = dict(db.session.execute(select(PlanParagraph.document_id, func.count(PlanParagraph.id))
                                     .group_by(PlanParagraph.document_id)).all())
    commitments = dict(db.session.execute(select(Commitment.document_id, func.count(Commitment.id))
                                          .group_by(Commitment.document_id)).all())
    return render_template('plans/index.html', documents=documents, counts=counts, commitments=commitments)


@bp.get('/<int:document_id>')
@requires(Perm.PLANS_VIEW)
def reader(document_id: int):
    """The document as clean paragraphs with its outline; every paragraph has a linkable anchor."""
    document = _document_or_404(document_id)
    headings = db.session.scalars(select(PlanHeading).where(PlanHeading.document_id == document.id)
                                  .order_by(PlanHeading.position)).all()
    paragraphs = db.session.scalars(select(PlanParagraph).where(PlanParagraph.document_id == document.id)
                                    .order_by(PlanParagraph.seq)).all()
    flow = sorted([(h.position, 'heading', h) for h in headings] + [(p.position, 'paragraph', p) for p in paragraphs],
                  key=lambda item: (item[0], item[1] == 'paragraph'))
    tables = db.session.scalars(select(PlanTable).where(PlanTable.document_id == document.id)
                                .order_by(PlanTable.seq)).all()
    return render_template('plans/reader.html', document=document, headings=headings, flow=flow, tables=tables,
                           counts=document_counts(document))


@bp.get('/<int:document_id>/report')
@requires(Perm.PLANS_VIEW)
def report(document_id: int):
    """What the import removed (junk, repeated copies) and its warnings, for review."""
    document = _document_or_404(document_id)
    return render_template('plans/report.html', document=document, report=document.report or {})


@bp.get('/search')
@requires(Perm.PLANS_VIEW)
def search():
    """Full-text search: every term must occur; two-character terms work."""
    q = request.args.get('q', '').strip()
    filters = {'document_id': request.args.get('doc', type=int),
               'platform': request.args.get('platform', '').strip() or None,
               'kind': request.args.get('kind') or None}
    page_no, per_page = page_args(20)
    hits = run_search(q, limit=per_page, offset=(page_no - 1) * per_page, **filters) if q else []
    page = Page(items=hits, page=page_no, per_page=per_page, total=count_hits(q, **filters) if q else 0)
    return render_template('plans/search.html', q=q, page=page, filters=filters, documents=_current_documents())


@bp.get('/commitments')
@requires(Perm.PLANS_VIEW)
def commitments():
    """Commitments filterable by platform, industry, document, kind and review status."""
    filters = {'platform': request.args.get('platform', '').strip() or None,
               'industry': request.args.get('industry', '').strip() or None,
               'document_id': request.args.get('doc', type=int),
               'kind': request.args.get('kind') or None,
               'status': request.args.get('status') or None}
    page_no, per_page = page_args(30)
    stmt = commitment_service.commitments_statement(**filters)
    total = db.session.scalar(stmt.order_by(None).with_only_columns(func.count(Commitment.id))) or 0
    rows = db.session.execute(stmt.limit(per_page).offset((page_no - 1) * per_page)).all()
    views = [commitment_service.CommitmentView(c, cur) for c, cur in rows]
    page = Page(items=views, page=page_no, per_page=per_page, total=total)
    return render_template('plans/commitments.html', page=page, filters=filters, documents=_current_documents(),
                           can_curate=has_permission(current_user, Perm.PLANS_CURATE), form=CurationForm())


@bp.post('/commitments/<int:commitment_id>/curate')
@requires(Perm.PLANS_CURATE)
def curate(commitment_id: int):
    """Confirm, reject, retag or annotate one commitment."""
    commitment = db.session.get(Commitment, commitment_id) or abort(404)
    form = CurationForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), 'error')
        return redirect(safe_next(request.form.get('next')))
    try:
        commitment_service.curate(commitment, status=form.status.data, platforms=split_tags(form.platforms.data),
                                  industries=split_tags(form.industries.data), note=form.note.data or '',
                                  actor_id=current_user.id)
    except EditConflict:
        flash(_('Someone else reviewed this commitment meanwhile; please check and try again.'), 'error')
        return redirect(safe_next(request.form.get('next')))
    db.session.commit()
    flash(_('Review saved.'), 'success')
    return redirect(safe_next(request.form.get('next')))


@bp.route('/import', methods=['GET', 'POST'])
@requires(Perm.PLANS_IMPORT)
def upload():
    """Upload a plan text; the same file twice changes nothing, a new version keeps the old one."""
    form = ImportForm()
    if form.validate_on_submit():
        raw = form.file.data.read()
        if b'\x00' in raw[:65536]:
            form.file.errors.append(_('This is not a text file.'))
            return render_template('plans/import.html', form=form), 422
        meta = {key: getattr(form, key).data for key in ('slug', 'title', 'issuer', 'doc_number', 'date', 'kind',
                                                         'period', 'district')}
        try:
            result = import_document(raw, form.file.data.filename or 'upload.txt', meta, actor_id=current_user.id)
        except UnicodeDecodeError:
            form.file.errors.append(_('The file is neither UTF-8 nor GB18030 text.'))
        else:
            db.session.commit()
            if result.created:
                flash(_('Imported: %(n)s paragraphs, %(c)s commitments.', n=result.counts['paragraphs'],
                        c=result.counts['commitments']), 'success')
            else:
                flash(_('This exact file was imported before; nothing changed.'), 'info')
            return redirect(url_for('plans.report', document_id=result.document.id))
    return render_template('plans/import.html', form=form), 422 if form.errors else 200
