"""Plan documents: list, reader with outline, search, commitments with curation, import."""
from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from crm.auth.views import safe_next
from crm.core.access import Perm, has_permission, requires
from crm.core.args import id_arg
from crm.core.concurrency import EditConflict
from crm.core.forms import show_rule_error
from crm.core.pagination import Page, page_args
from crm.db import db
from crm.plans import commitments as commitment_service
from crm.plans.forms import CorrectionForm, CurationForm, ImportForm, split_tags
from crm.plans.models import Commitment, PlanDocument, PlanHeading, PlanParagraph, PlanTable
from crm.plans.parsing.build import STRAY_REASON, TAIL_REASON
from crm.plans.parsing.spam import AFTER_OPENING_REASON, CORE_REASON, OPENING_REASON, SPLICE_REASON
from crm.plans.search import count_hits
from crm.plans.search import search as run_search
from crm.plans.services import PlanError, correct_document, document_counts, import_document

bp = Blueprint('plans', __name__, url_prefix='/plans')

# What the import report calls each kind of removal and the parser's fixed reasons (stored in English).
REMOVAL_KINDS = {
    'spam': _l('Injected text'), 'markup': _l('Markup'), 'stray-symbol': _l('Stray symbol'),
    'html': _l('HTML residue'), 'metadata': _l('Page metadata'), 'navigation': _l('Site navigation'),
    'script': _l('Script residue'), 'toc': _l('Table of contents'), 'title': _l('Title line'),
    'repeated-header': _l('Repeated table header'), 'duplicate-block': _l('Repeated copy'),
}
REMOVAL_REASONS = {
    'injected string that does not belong to the sentence': _l('injected string that does not belong to the sentence'),
    'marked as injected by an administrator': _l('marked as injected by an administrator'),
    'markdown bold marker': _l('markdown bold marker'), 'markdown rule line': _l('markdown rule line'),
    'stray asterisk inside the text': _l('stray asterisk inside the text'),
    'stray English word between Chinese words': _l('stray English word between Chinese words'),
    'HTML tag or entity': _l('HTML tag or entity'), 'script or style residue': _l('script or style residue'),
    'page metadata key/value': _l('page metadata key/value'), 'page metadata with URL': _l('page metadata with URL'),
    'web post date': _l('web post date'), 'attachment label': _l('attachment label'), 'breadcrumb': _l('breadcrumb'),
    'comment counter': _l('comment counter'), 'item separator': _l('item separator'),
    'site disclaimer': _l('site disclaimer'), 'site navigation or footer': _l('site navigation or footer'),
    'page furniture between two copies of the text': _l('page furniture between two copies of the text'),
    'site tag prefix of an article title': _l('site tag prefix of an article title'),
    'issuer or date of the document': _l('issuer or date of the document'),
    'value of a metadata label': _l('value of a metadata label'),
    'text outside the articles of a web page': _l('text outside the articles of a web page'),
    'table header repeated at a page break': _l('table header repeated at a page break'),
    'table of contents line': _l('table of contents line'),
    'document title line (see detected_title)': _l('document title line (kept as the title)'),
    'distribution list or issuing note at the end': _l('distribution list or issuing note at the end'),
    'editorial note': _l('editorial note'),
    'link to the previous or next article': _l('link to the previous or next article'),
    'page controls': _l('page controls (print, close, share, font size)'),
    'reads as advertising or web fiction inserted into the sentence':
        _l('reads as advertising or web fiction inserted into the sentence'),
    STRAY_REASON: _l('a line of no sentence standing alone where no heading or paragraph fits, reading as junk'),
    TAIL_REASON: _l("words of no sentence after a heading's title, where its clauses end, read as junk as well as "
                    'prose'),
    CORE_REASON: _l('reads as advertising or web fiction inserted into the sentence; where it begins or ends is '
                    'unsure, so only the words every reading takes are cut, and the string is listed for review'),
    OPENING_REASON: _l('words opening the sentence read as advertising or web fiction, and the sentence reads on '
                       'without them'),
    SPLICE_REASON: _l('breaks a phrase of the document: the words either side of it join as the documents write them, '
                      'and it reads as advertising or web fiction'),
    AFTER_OPENING_REASON: _l('stands after the words opening the sentence, which are its own, and reads as '
                             'advertising or web fiction; the sentence reads on without it'),
}
WARNINGS = (
    (r'table without body: (?P<caption>.*) \(line (?P<line>\d+)\)',
     _l('table without body: %(caption)s (line %(line)s)')),
    (r'table kept as text, structure not recovered: (?P<caption>.*) \(line (?P<line>\d+)\)',
     _l('table kept as text, its structure could not be recovered: %(caption)s (line %(line)s)')),
    (r'document body repeated: lines (?P<first>\d+)-(?P<last>\d+) dropped as a duplicate',
     _l('the document body is repeated: lines %(first)s–%(last)s dropped as a copy')),
    (r'repeated text: lines (?P<first>\d+)-(?P<last>\d+) dropped as a copy of lines (?P<kept_first>\d+)-(?P<kept_last>\d+)',
     _l('repeated text: lines %(first)s–%(last)s dropped as a copy of lines %(kept_first)s–%(kept_last)s')),
    (r'repeated text: the heading of line (?P<line>\d+) dropped as a copy of line (?P<first>\d+)',
     _l('repeated text: the heading of line %(line)s dropped as a copy of the one of line %(first)s')),
    (r'the published text says it is abridged: (?P<note>.*) \(line (?P<line>\d+)\)',
     _l('the published text says it is abridged: %(note)s (line %(line)s)')),
    (r'(?P<caption>.*): indicator row (?P<row>.*): one value for several columns, placed by rule',
     _l('%(caption)s: indicator row %(row)s has one value for several columns, placed by rule')),
    (r'too much text reads as junk: not judged from line (?P<line>\d+) on',
     _l('too much text reads as advertising: the rest, from line %(line)s, was not checked for it')),
)


def removal_reason(reason: str) -> str:
    """The parser's reason for a removal, in the reader's language (two reasons carry numbers and a title)."""
    if reason in REMOVAL_REASONS:
        return str(REMOVAL_REASONS[reason])
    if m := re.fullmatch(r'repeat of lines (\d+)-(\d+) \((\d+) lines\)', reason):
        return _('repeat of lines %(first)s–%(last)s (%(n)s lines)', first=m[1], last=m[2], n=m[3])
    if m := re.fullmatch(r'(repeat|earlier copy) of lines (\d+)-(\d+)(, which carry less foreign text)? '
                         r'\((\d+) characters(?:, (\d+) of them only in this copy)?\)', reason):
        text = (_('repeat of lines %(first)s–%(last)s', first=m[2], last=m[3]) if m[1] == 'repeat' else
                _('earlier copy of lines %(first)s–%(last)s, which carry less foreign text', first=m[2], last=m[3]))
        detail = (_('%(n)s characters, %(extra)s of them only in this copy', n=m[5], extra=m[6]) if m[6] else
                  _('%(n)s characters', n=m[5]))
        return f'{text}（{detail}）'
    if m := re.fullmatch(r'same heading as the one of line (\d+), out of its numbering', reason):
        return _('same heading as the one of line %(line)s, out of its numbering', line=m[1])
    if m := re.fullmatch(r'near-identical copy of item (\d+) (.*)', reason):
        return _('near-identical copy of article %(n)s %(title)s', n=m[1], title=m[2])
    return reason


def warning_text(warning: str) -> str:
    """A parser warning in the reader's language (unknown ones are shown as written)."""
    for pattern, message in WARNINGS:
        if m := re.fullmatch(pattern, warning):
            return str(message) % m.groupdict()
    return warning


def _flash_errors(form) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), 'error')


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
    return _report_page(_document_or_404(document_id))


def _report_page(document: PlanDocument, form: CorrectionForm | None = None) -> str:
    """The import report; `form`: a refused correction, shown in the report's own correction form with its text as
    typed and the refusal beside it."""
    return render_template('plans/report.html', document=document, report=document.report or {},
                           can_correct=document.is_current and has_permission(current_user, Perm.PLANS_IMPORT),
                           form=form or CorrectionForm(formdata=None), kinds=REMOVAL_KINDS, reason=removal_reason,
                           warning=warning_text)


@bp.post('/<int:document_id>/corrections')
@requires(Perm.PLANS_IMPORT)
def correct(document_id: int):
    """Remove a string left in the text as injected junk, or keep one the detector removed; the file is parsed
    again with the correction into a new version (the corrected one is kept and linked). A refusal comes back on
    the report beside the text input, the text as typed (422)."""
    document = _document_or_404(document_id)
    form = CorrectionForm()
    if not form.validate_on_submit():
        return _report_page(document, form), 422
    try:
        result = correct_document(document, form.action.data, form.text.data, actor_id=current_user.id)
    except PlanError as exc:
        show_rule_error(form, exc)
        return _report_page(document, form), 422
    db.session.commit()
    flash(_('Correction saved: the document was parsed again as a new version (%(n)s paragraphs); the previous '
            'version is kept.', n=result.counts.get('paragraphs', 0)), 'success')
    return redirect(url_for('plans.report', document_id=result.document.id))


@bp.get('/search')
@requires(Perm.PLANS_VIEW)
def search():
    """Full-text search: every term must occur; two-character terms work."""
    q = request.args.get('q', '').strip()
    filters = {'document_id': id_arg('doc'),
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
               'document_id': id_arg('doc'),
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
        _flash_errors(form)
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
