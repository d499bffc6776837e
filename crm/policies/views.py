"""Policy register: list, detail with its sources and a preview against a firm or lead, and the editors."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.auth.models import FIRM
from crm.core import clock, queue
from crm.core.access import Perm, ensure, get_or_404, requires, scoped, visibility_clause
from crm.core.args import id_arg
from crm.core.concurrency import EditConflict
from crm.core.errors import rule_fields
from crm.core.forms import show_rule_error
from crm.core.pagination import page_args, paginate
from crm.core.validators import record_id
from crm.db import db
from crm.firms.models import Firm
from crm.leads.models import Lead
from crm.matching.models import PIN, MatchChoice
from crm.packs.models import PolicySummary
from crm.packs.push import PushError, request_push
from crm.packs.summaries import evaluate_for_subject
from crm.plans.models import PlanDocument, PlanParagraph
from crm.platforms.models import Platform
from crm.policies import payments, queries, services  # payments: 兑现 records move along when firms are merged
from crm.policies.clauses import GUIDE_LABELS
from crm.policies.eligibility import last_push, policy_firms
from crm.policies.evaluate import FIELD_LABELS, OP_LABELS
from crm.policies.forms import (
    CLAUSE_FIELD_NAMES,
    GUIDE_KEYS,
    POLICY_FIELD_NAMES,
    ClauseCreateForm,
    ClauseForm,
    GuideForm,
    PaymentForm,
    PaymentStepForm,
    PolicyCreateForm,
    PolicyForm,
    PolicyImportForm,
    SourceForm,
    schedule_values,
    show_condition_value,
    show_tiers,
    split_list,
    tier_values,
)
from crm.policies.imports import PolicyImportError, accept_clause, import_policy_text, reject_clause
from crm.policies.models import CLAUSE_KINDS, LEVELS, Policy, PolicyClause, PolicyPayment, PolicyPush

bp = Blueprint('policies', __name__, url_prefix='/policies')


@bp.get('/')
@requires(Perm.POLICIES_VIEW)
def index():
    """Every policy, filterable by words, level, kind, status and expiry."""
    page = paginate(queries.list_statement(queries.PolicyFilter.from_args(request.args)), *page_args(50))
    return render_template('policies/index.html', page=page, kinds=CLAUSE_KINDS, levels=LEVELS,
                           expiring=services.expiring, expired=services.expired)


def _firm_user() -> bool:
    return current_user.role_code == FIRM


def _staff_only() -> None:
    """Firm users read policies; a policy's list of firms is for the office."""
    if _firm_user():
        abort(403)


def _preview(policy: Policy):
    """The firm or lead chosen for the preview (through the viewer's scope) and the policy's evaluation for it;
    a firm user sees it for their own firm."""
    if _firm_user() and not request.args.get('lead') and not request.args.get('firm'):
        firm = db.session.get(Firm, current_user.firm_id) if current_user.firm_id else None
        return (firm.name, evaluate_for_subject(policy, firm=firm)) if firm else (None, None)

    lead_id, firm_id = id_arg('lead'), id_arg('firm')
    if lead_id:
        lead = get_or_404(Lead, lead_id)
        return lead.display_name, evaluate_for_subject(policy, lead=lead)
    if firm_id:
        firm = get_or_404(Firm, firm_id)
        return firm.name, evaluate_for_subject(policy, firm=firm)
    return None, None


@bp.get('/<int:policy_id>')
@requires(Perm.POLICIES_VIEW)
def detail(policy_id: int):
    """A policy's facts, sources, clauses, who relies on it, and a preview of its evaluation."""
    return _detail_page(get_or_404(Policy, policy_id))


def _detail_page(policy: Policy, source_form: SourceForm | None = None) -> str:
    """The policy page; `source_form`: a refused document upload, shown with its error beside the file input."""
    subject, result = _preview(policy)
    words = '' if _firm_user() else request.args.get('who', '').strip()[:60]
    candidates = []
    if words:
        candidates = db.session.scalars(scoped(select(Firm), Firm).where(Firm.name.contains(words, autoescape=True))
                                        .order_by(Firm.name).limit(10)).all()
    pinned_by = db.session.scalars(scoped(select(Lead), Lead).join(MatchChoice, MatchChoice.lead_id == Lead.id)
                                   .where(MatchChoice.kind == 'policy', MatchChoice.item_id == policy.id,
                                          MatchChoice.choice == PIN).limit(50)).all()
    articles = {a.anchor: a for a in policy.articles} if policy.import_report else {}
    paid = next((row for row in payment_totals()['by_policy'] if row['id'] == policy.id), None)
    return render_template('policies/detail.html', policy=policy, subject=subject, result=result,
                           candidates=candidates, words=words, pinned_by=pinned_by, articles=articles, paid=paid,
                           guide_labels=GUIDE_LABELS,
                           expiring=services.expiring(policy), expired=services.expired(policy),
                           show_value=show_condition_value, sources=_sources(policy), field_labels=FIELD_LABELS,
                           op_labels=OP_LABELS, source_form=source_form or SourceForm(formdata=None))


def _sources(policy: Policy) -> list[dict]:
    """The policy's quotes with the plan paragraph that holds each (for a link to the reader)."""
    rows = []
    for fact in policy.facts or []:
        found = db.session.scalar(  # the citation is computed from the paragraph's document, not a column
            select(PlanParagraph).join(PlanDocument, PlanParagraph.document_id == PlanDocument.id)
            .where(PlanDocument.slug == fact.get('doc'), PlanDocument.is_current.is_(True),
                   PlanParagraph.text.contains(fact.get('quote') or '\x00', autoescape=True)).limit(1))
        rows.append({'quote': fact.get('quote'), 'doc': fact.get('doc'),
                     'document_id': found.document_id if found else None, 'anchor': found.anchor if found else None,
                     'citation': found.citation if found else None})
    return rows


def _platform_choices(form) -> None:
    names = db.session.scalars(select(Platform.name).order_by(Platform.name)).all()
    form.platform_names.choices = [(n, n) for n in names]


def _policy_data(form) -> dict:
    data = {name: getattr(form, name).data for name in POLICY_FIELD_NAMES}
    data['industries'] = split_list(form.industries.data)
    for name in ('issuer', 'doc_number', 'district', 'summary'):
        data[name] = data[name] or None
    return data


_POLICY_LABELS = {'title': 'Title', 'expires_on': 'Expires on', 'effective_from': 'Effective from',
                  'status': 'Status', 'summary': 'Summary'}


@bp.route('/new', methods=['GET', 'POST'])
@requires(Perm.POLICIES_EDIT)
def new():
    """Register a policy (its clauses are added on its page)."""
    form = PolicyCreateForm()
    _platform_choices(form)
    if request.method == 'GET':
        form.level.data, form.district.data, form.status.data = '区', '拱墅区', 'active'
    if form.validate_on_submit():
        policy = services.save_policy(None, _policy_data(form))
        db.session.commit()
        flash(_('Policy saved. Add its clauses below.'), 'success')
        return redirect(url_for('policies.detail', policy_id=policy.id))
    return render_template('policies/form.html', form=form, policy=None, conflict=None), 422 if form.errors else 200


def _load_policy(form, policy: Policy) -> None:
    form.industries.data = '、'.join(policy.industries or [])


@bp.route('/<int:policy_id>/edit', methods=['GET', 'POST'])
@requires(Perm.POLICIES_EDIT)
def edit(policy_id: int):
    """Edit a policy's facts; a save based on an old version is refused and both versions are shown."""
    policy = get_or_404(Policy, policy_id)
    form = PolicyForm.editing(policy, load=_load_policy)
    _platform_choices(form)
    if form.save(policy, lambda version: services.save_policy(policy, _policy_data(form), version=version),
                 labels={k: _(v) for k, v in _POLICY_LABELS.items()}):
        db.session.commit()
        flash(_('Policy saved.'), 'success')
        return redirect(url_for('policies.detail', policy_id=policy.id))
    return render_template('policies/form.html', form=form, policy=policy, conflict=form.conflict), form.http_status


def _clause_data(form) -> dict:
    data = {name: getattr(form, name).data for name in CLAUSE_FIELD_NAMES}
    data['base'] = data['base'] or None
    data['note'] = data['note'] or None
    data['unit'] = data['unit'] or None
    data['uncapped'] = bool(data['uncapped'])
    data['schedule'] = schedule_values(form.schedule.data) if form.formula.data == 'schedule' else []
    data['tiers'] = tier_values(form.tiers.data, form.tier_field.data) if form.formula.data == 'tiers' else None
    data['conditions'] = form.condition_rows()
    return data


def _fill_clause_form(form, clause: PolicyClause) -> None:
    form.schedule.data = '/'.join(f'{v:g}' for v in clause.schedule or [])
    form.tiers.data = show_tiers(clause.tiers)
    form.tier_field.data = (clause.tiers or [{}])[0].get('field') or ''
    form.unit.data = clause.unit or ''
    form.uncapped.data = bool(clause.uncapped)
    for entry, condition in zip(form.conditions.entries, clause.conditions or []):
        entry.form.field.data = condition.get('field')
        entry.form.op.data = condition.get('op')
        entry.form.value.data = show_condition_value(condition.get('value'), condition.get('op'))


@bp.route('/<int:policy_id>/clauses/new', methods=['GET', 'POST'])
@requires(Perm.POLICIES_EDIT)
def clause_new(policy_id: int):
    """Add a benefit clause to a policy."""
    policy = get_or_404(Policy, policy_id)
    form = ClauseCreateForm()
    if form.validate_on_submit():
        services.save_clause(policy, None, _clause_data(form))
        db.session.commit()
        flash(_('Clause saved.'), 'success')
        return redirect(url_for('policies.detail', policy_id=policy.id) + '#clauses')
    return render_template('policies/clause_form.html', form=form, policy=policy, clause=None,
                           conflict=None), 422 if form.errors else 200


@bp.route('/clauses/<int:clause_id>/edit', methods=['GET', 'POST'])
@requires(Perm.POLICIES_EDIT)
def clause_edit(clause_id: int):
    """Edit a clause; a stale save is refused with both versions shown."""
    clause = get_or_404(PolicyClause, clause_id)
    form = ClauseForm.editing(clause, load=_fill_clause_form)
    labels = {'kind': _('Kind'), 'formula': _('Formula'), 'amount': _('Fixed amount (10k yuan)'),
              'percent': _('Percentage of the base'), 'cap_year': _('Cap per year (10k yuan)'),
              'cap_total': _('Cap in total (10k yuan)')}
    if form.save(clause, lambda version: services.save_clause(clause.policy, clause, _clause_data(form),
                                                              version=version), labels=labels):
        db.session.commit()
        flash(_('Clause saved.'), 'success')
        if clause.review == 'candidate':
            return redirect(url_for('policies.review', policy_id=clause.policy_id) + f'#clause-{clause.id}')
        return redirect(url_for('policies.detail', policy_id=clause.policy_id) + '#clauses')
    return render_template('policies/clause_form.html', form=form, policy=clause.policy, clause=clause,
                           conflict=form.conflict), form.http_status


@bp.post('/clauses/<int:clause_id>/delete')
@requires(Perm.POLICIES_EDIT)
def clause_delete(clause_id: int):
    """Remove a clause (recorded in the audit log)."""
    clause = get_or_404(PolicyClause, clause_id)
    policy_id = clause.policy_id
    services.delete_clause(clause)
    db.session.commit()
    flash(_('Clause removed.'), 'success')
    return redirect(url_for('policies.detail', policy_id=policy_id) + '#clauses')


# --- the policy's own text: import, review of the clauses read from it, 申兑指南 ----------------------------------

def _import_form_page(form, policy):
    return render_template('policies/import.html', form=form, policy=policy), 422 if form.errors else 200


def _import(policy: Policy | None):
    form = PolicyImportForm()
    if not form.validate_on_submit():
        return _import_form_page(form, policy)
    upload = form.file.data
    data = upload.read(services.SOURCE_MAX_BYTES + 1)
    meta = {'title': form.title.data, 'issuer': form.issuer.data, 'doc_number': form.doc_number.data,
            'date': form.date.data}
    try:
        result = import_policy_text(data, upload.filename or 'policy.txt', policy=policy, meta=meta,
                                    actor_id=current_user.id)
    except PolicyImportError as exc:
        show_rule_error(form, exc, form.file)
        return _import_form_page(form, policy)
    db.session.commit()
    if not result.changed:
        flash(_('This file was imported before; nothing changed.'), 'info')
    else:
        flash(_('Policy text read: %(articles)s articles, %(clauses)s clauses to review.',
                articles=(result.policy.import_report or {}).get('articles', 0),
                clauses=(result.policy.import_report or {}).get('candidates', 0)), 'success')
    return redirect(url_for('policies.review', policy_id=result.policy.id))


@bp.route('/import', methods=['GET', 'POST'])
@requires(Perm.POLICIES_EDIT)
def import_new():
    """Register a policy from its own text: articles, metadata, clauses to review and the 申兑指南."""
    return _import(None)


@bp.route('/<int:policy_id>/import', methods=['GET', 'POST'])
@requires(Perm.POLICIES_EDIT)
def import_into(policy_id: int):
    """Read a policy's text into it (a new file replaces the articles and the clauses waiting for review)."""
    return _import(get_or_404(Policy, policy_id))


@bp.get('/<int:policy_id>/review')
@requires(Perm.POLICIES_EDIT)
def review(policy_id: int):
    """Every article of the imported text beside the clauses read from it: accept, edit or reject each."""
    policy = get_or_404(Policy, policy_id)
    by_article: dict[str | None, list[PolicyClause]] = {}
    for clause in policy.clauses:
        by_article.setdefault(clause.article, []).append(clause)
    texts = {a.anchor: a.text for a in policy.articles}
    missing = {c.id for c in policy.clauses if c.quote and c.quote not in texts.get(c.article, '')}
    return render_template('policies/review.html', policy=policy, articles=policy.articles, by_article=by_article,
                           report=policy.import_report or {}, missing=missing, field_labels=FIELD_LABELS,
                           op_labels=OP_LABELS, show_value=show_condition_value)


@bp.post('/clauses/<int:clause_id>/accept')
@requires(Perm.POLICIES_EDIT)
def clause_accept(clause_id: int):
    """Accept a clause read from the text: from now on it counts wherever the policy is evaluated."""
    clause = get_or_404(PolicyClause, clause_id)
    accept_clause(clause)
    db.session.commit()
    flash(_('Clause accepted.'), 'success')
    return redirect(url_for('policies.review', policy_id=clause.policy_id) + f'#clause-{clause.id}')


@bp.post('/clauses/<int:clause_id>/reject')
@requires(Perm.POLICIES_EDIT)
def clause_reject(clause_id: int):
    """Reject a clause read from the text (it stays listed, with its quote, and is not proposed again)."""
    clause = get_or_404(PolicyClause, clause_id)
    reject_clause(clause)
    db.session.commit()
    flash(_('Clause rejected.'), 'success')
    return redirect(url_for('policies.review', policy_id=clause.policy_id) + f'#clause-{clause.id}')


@bp.post('/<int:policy_id>/review/accept-all')
@requires(Perm.POLICIES_EDIT)
def accept_all(policy_id: int):
    """Accept every clause still waiting for review."""
    policy = get_or_404(Policy, policy_id)
    waiting = list(policy.candidates)
    for clause in waiting:
        accept_clause(clause)
    db.session.commit()
    flash(_('%(n)s clauses accepted.', n=len(waiting)), 'success')
    return redirect(url_for('policies.review', policy_id=policy.id))


def _load_guide(form, policy: Policy) -> None:
    for key in GUIDE_KEYS:
        getattr(form, key).data = ((policy.guide or {}).get(key) or {}).get('text') or ''


@bp.route('/<int:policy_id>/guide', methods=['GET', 'POST'])
@requires(Perm.POLICIES_EDIT)
def guide_edit(policy_id: int):
    """Correct the 申兑指南 read from the text (or write it for a policy without one)."""
    policy = get_or_404(Policy, policy_id)
    form = GuideForm.editing(policy, load=_load_guide)
    if form.save(policy, lambda version: services.save_guide(
            policy, {key: getattr(form, key).data for key in GUIDE_KEYS}, version=version)):
        db.session.commit()
        flash(_('Application guide saved.'), 'success')
        return redirect(url_for('policies.detail', policy_id=policy.id) + '#guide')
    return render_template('policies/guide_form.html', form=form, policy=policy, conflict=form.conflict), \
        form.http_status


# --- from a policy to its firms ---------------------------------------------------------------------------------

@bp.get('/<int:policy_id>/firms')
@requires(Perm.POLICIES_VIEW)
def firms(policy_id: int):
    """The firms on the platforms and of open leads this policy fits (within the viewer's scope)."""
    _staff_only()
    policy = get_or_404(Policy, policy_id)
    return _firms_page(policy, policy_firms(policy))


def _firms_page(policy: Policy, found, *, chosen: set[int] | None = None, lang: str = 'zh',
                errors: dict[str, list[str]] | None = None) -> str:
    """The policy's firm list; after a refused push, with the user's choices and the reason beside the list."""
    return render_template('policies/firms.html', policy=policy, found=found, last=last_push(policy), chosen=chosen,
                           lang=lang, errors=errors or {})


@bp.post('/<int:policy_id>/push')
@requires(Perm.PACKS_BUILD)
def push(policy_id: int):
    """Issue 政策摘要 to the chosen firms in one step (a background job with progress)."""
    policy = get_or_404(Policy, policy_id)
    found = policy_firms(policy)
    listed = {f.id for f in found.eligible} | {f.id for f, _m in found.maybe}
    chosen = [i for i in request.form.getlist('firm', type=record_id) if i]
    outside = [i for i in chosen if i not in listed]
    if outside:
        flash(_('Some chosen firms are not on this policy\'s list; nothing was issued.'), 'error')
        return redirect(url_for('policies.firms', policy_id=policy.id))
    lang = request.form.get('lang') if request.form.get('lang') in ('zh', 'en') else 'zh'
    try:
        queued = request_push(policy, chosen, eligible_ids=[f.id for f in found.eligible], lang=lang,
                              user_id=current_user.id)
    except PushError as exc:
        return _firms_page(policy, found, chosen=set(chosen), lang=lang, errors=rule_fields(exc)), 422
    db.session.commit()  # the worker must see the queued push
    if not queue.enqueue_or_fail('push_summaries', queued):
        db.session.commit()  # the progress page says why nothing is coming
    return redirect(url_for('policies.push_progress', push_id=queued.id))


def _push_or_404(push_id: int):
    queued = db.session.get(PolicyPush, push_id) or abort(404)
    get_or_404(Policy, queued.policy_id)
    return queued


@bp.get('/pushes/<int:push_id>')
@requires(Perm.PACKS_BUILD)
def push_progress(push_id: int):
    """A push of 政策摘要: its progress, then the summaries issued."""
    queued = _push_or_404(push_id)
    return render_template('policies/push.html', push=queued, policy=db.session.get(Policy, queued.policy_id),
                           summaries=_push_summaries(queued))


@bp.get('/pushes/<int:push_id>/status')
@requires(Perm.PACKS_BUILD)
def push_status(push_id: int):
    """The progress fragment the push page polls."""
    queued = _push_or_404(push_id)
    return render_template('policies/_push_status.html', push=queued, summaries=_push_summaries(queued))


def _push_summaries(queued) -> list:
    if queued.status != 'done' or not queued.summary_ids:
        return []
    return db.session.execute(select(PolicySummary, Firm.name).join(Firm, Firm.id == PolicySummary.firm_id)
                              .where(PolicySummary.id.in_(queued.summary_ids)).order_by(PolicySummary.id)).all()


@bp.post('/<int:policy_id>/source')
@requires(Perm.POLICIES_EDIT)
def source_upload(policy_id: int):
    """Attach the policy's own document (PDF or text) as its source; a refused file comes back beside the input
    (422)."""
    policy = get_or_404(Policy, policy_id)
    form = SourceForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(services.SOURCE_MAX_BYTES + 1)
        try:
            if not data:
                raise services.SourceError(_('Choose the policy document to upload.'), field='file')
            services.attach_source(policy, data, upload.filename or '')
        except services.SourceError as exc:
            show_rule_error(form, exc, form.file)
        else:
            db.session.commit()
            flash(_('Policy document kept.'), 'success')
            return redirect(url_for('policies.detail', policy_id=policy.id))
    return _detail_page(policy, form), 422


@bp.get('/<int:policy_id>/source')
@requires(Perm.POLICIES_VIEW)
def source_download(policy_id: int):
    """The uploaded policy document, as it was uploaded."""
    policy = get_or_404(Policy, policy_id)
    if not policy.source_sha256 or not services.source_path(policy).exists():
        abort(404)
    return send_file(services.source_path(policy), mimetype=policy.source_type, as_attachment=True,
                     download_name=policy.source_name or 'policy')


# --- 兑现 records -----------------------------------------------------------------------------------------------

def _clause_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(select(PolicyClause.id, Policy.title, PolicyClause.citation, PolicyClause.kind)
                              .join(Policy, Policy.id == PolicyClause.policy_id)
                              .where(PolicyClause.review == 'accepted', PolicyClause.formula != 'none')
                              .order_by(Policy.title, PolicyClause.id)).all()
    return [(i, f'{title} · {citation + " " if citation else ""}{kind}') for i, title, citation, kind in rows]


@bp.route('/payments/new/<int:firm_id>', methods=['GET', 'POST'])
@requires(Perm.FIRMS_EDIT)
def payment_new(firm_id: int):
    """Record a firm's application under a policy clause (兑现申报)."""
    firm = get_or_404(Firm, firm_id)
    ensure('edit', firm)
    form = PaymentForm()
    form.clause.choices = _clause_choices()
    if request.method == 'GET':
        form.on.data = clock.today()
    if form.validate_on_submit():
        try:
            payments.apply(firm, db.session.get(PolicyClause, form.clause.data), amount=form.amount.data,
                           on=form.on.data, note=form.note.data, actor_id=current_user.id)
        except payments.PaymentError as exc:
            show_rule_error(form, exc)
        else:
            db.session.commit()
            flash(_('Application recorded.'), 'success')
            return redirect(url_for('firms.detail', firm_id=firm.id) + '#payments')
    return render_template('policies/payment_form.html', form=form, firm=firm, payment=None), \
        422 if form.errors or form.form_errors else 200


@bp.route('/payments/<int:payment_id>', methods=['GET', 'POST'])
@requires(Perm.FIRMS_EDIT)
def payment_step(payment_id: int):
    """Record the next step of a 兑现 record: its approval, then its payment."""
    payment = db.session.get(PolicyPayment, payment_id) or abort(404)
    firm = get_or_404(Firm, payment.firm_id)
    ensure('edit', firm)
    form = PaymentStepForm()
    if request.method == 'GET':
        form.on.data, form.version.data = clock.today(), str(payment.version)
        form.amount.data = payment.approved_amount if payment.status == 'approved' else payment.applied_amount
    status = 200
    if form.validate_on_submit():
        try:
            payments.advance(payment, amount=form.amount.data, on=form.on.data,
                             version=int(form.version.data) if (form.version.data or '').isdigit() else None)
        except payments.PaymentError as exc:
            show_rule_error(form, exc)
        except EditConflict:
            form.form_errors.append(_('Someone else recorded a step of this claim meanwhile; reload the page.'))
            status = 409
        else:
            db.session.commit()
            flash(_('Step recorded.'), 'success')
            return redirect(url_for('firms.detail', firm_id=firm.id) + '#payments')
    if form.errors or form.form_errors:
        status = max(status, 422) if status != 409 else 409
    return render_template('policies/payment_form.html', form=form, firm=firm, payment=payment,
                           policy=db.session.get(Policy, payment.policy_id)), status


def firm_payments(firm) -> dict:
    """The 兑现 records of a firm with their totals and each policy's 追回规定 (for the firm page)."""

    rows = payments.of_firm(firm.id)
    policies = {p.id: p for p in db.session.scalars(select(Policy).where(Policy.id.in_({r.policy_id for r in rows})))}
    clauses = {c.id: c for c in db.session.scalars(select(PolicyClause).where(
        PolicyClause.id.in_({r.clause_id for r in rows if r.clause_id})))}
    clawback = {pid: (p.guide or {}).get('clawback') for pid, p in policies.items() if (p.guide or {}).get('clawback')}
    total = {key: sum((getattr(r, f'{key}_amount') or 0 for r in rows), 0) for key in ('applied', 'approved', 'paid')}
    return {'rows': rows, 'policies': policies, 'clauses': clauses, 'clawback': clawback, 'total': total}


def payment_totals() -> dict:
    """兑现 totals per policy and per platform, over the firms the viewer may see (for the dashboard)."""
    clause = visibility_clause(Firm)
    return {'by_policy': payments.totals_by_policy(clause), 'by_platform': payments.totals_by_platform(clause)}


@bp.app_context_processor
def _payment_helpers() -> dict:
    return {'firm_payments': firm_payments, 'payment_totals': payment_totals}
