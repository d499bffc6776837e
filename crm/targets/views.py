"""The targets page: each plan target with its quote, plan value, actual, progress against time, trend and the
records counted; officers link targets to measures or enter actuals."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.core import clock
from crm.core.access import Perm, requires, scoped
from crm.core.concurrency import EditConflict
from crm.core.errors import rule_fields
from crm.core.forms import show_rule_error
from crm.db import db
from crm.firms.models import FIRM_TAGS, Firm, Tenancy
from crm.leads.models import STAGE_NAMES, Lead
from crm.plans.models import PlanDocument, Target
from crm.plans.parsing import DEFAULT_INDUSTRY_KEYWORDS
from crm.platforms.models import Building, Platform
from crm.targets import measures, services
from crm.targets.forms import ActualForm
from crm.targets.models import TrackedTarget

bp = Blueprint('targets', __name__, url_prefix='/targets')


def _tracked_or_404(target_id: int) -> TrackedTarget:
    return db.session.get(TrackedTarget, target_id) or abort(404)


@bp.get('/')
@requires(Perm.TARGETS_VIEW)
def index():
    """Every tracked target with its progress, and the plan targets that could be added."""
    tracked = db.session.scalars(select(TrackedTarget).order_by(TrackedTarget.document_slug, TrackedTarget.id)).all()
    candidates = db.session.execute(select(Target, PlanDocument.title).join(PlanDocument)
                                    .where(PlanDocument.is_current.is_(True), Target.year.is_not(None))
                                    .order_by(Target.document_id, Target.id).limit(300)).all()
    rows = [services.progress(t) for t in tracked]
    return render_template('targets/index.html', rows=[r for r in rows if not r.past],
                           past_rows=[r for r in rows if r.past], candidates=candidates,
                           candidates_total=db.session.scalar(
                               select(func.count(Target.id)).join(PlanDocument)
                               .where(PlanDocument.is_current.is_(True), Target.year.is_not(None))))


@bp.post('/track/<int:target_id>')
@requires(Perm.TARGETS_EDIT)
def track(target_id: int):
    """Add an extracted plan target to the register."""
    target = db.session.get(Target, target_id) or abort(404)
    tracked = services.track(target)
    db.session.commit()
    flash(_('Target added to the register.'), 'success')
    return redirect(url_for('targets.detail', target_id=tracked.id))


RECORDS_SHOWN = 500


def _records(measure: dict) -> tuple[list[tuple[str, str]], int]:
    """The records a measure counts (the first RECORDS_SHOWN of them, by id) and how many there are."""
    all_ids = measures.record_ids(measure)
    ids, total = sorted(all_ids)[:RECORDS_SHOWN], len(all_ids)
    return _named_records(measure, ids), total


def _named_records(measure: dict, ids: list[int]) -> list[tuple[str, str]]:
    entity = measure['entity']
    if entity == 'firms':
        return [(f.name, url_for('firms.detail', firm_id=f.id)) for f in db.session.scalars(
            scoped(select(Firm), Firm).where(Firm.id.in_(ids)))]
    if entity == 'tenancies':
        return [(f'{t.firm.name} · {t.unit.number}', url_for('firms.detail', firm_id=t.firm_id))
                for t in db.session.scalars(scoped(select(Tenancy), Tenancy).where(Tenancy.id.in_(ids)))]
    if entity == 'leads':
        return [(lead.display_name, url_for('leads.detail', lead_id=lead.id))
                for lead in db.session.scalars(scoped(select(Lead), Lead).where(Lead.id.in_(ids)))]
    return [(b.name, url_for('platforms.building', building_id=b.id))
            for b in db.session.scalars(scoped(select(Building), Building).where(Building.id.in_(ids)))]


@bp.get('/<int:target_id>')
@requires(Perm.TARGETS_VIEW)
def detail(target_id: int):
    """One target: quote and citation, plan value, actual, progress, trend by year, the records counted."""
    return _detail_page(_tracked_or_404(target_id), ActualForm(date=clock.today()))


def _detail_page(tracked: TrackedTarget, actual_form: ActualForm, posted: dict | None = None) -> str:
    """The target's page, with the form for an actual as given (the user's input and its errors after a refusal);
    `posted`: a refused measure ({'measure', 'note', 'errors'}) shown instead of the stored one."""
    platforms = db.session.scalars(select(Platform.name).order_by(Platform.name)).all()
    records, records_total = _records(services.period_measure(tracked)) if tracked.measure else ([], 0)
    return render_template('targets/detail.html', row=services.progress(tracked, trend=True),
                           records=records, records_total=records_total, records_shown=RECORDS_SHOWN,
                           platforms=platforms,
                           industries=list(DEFAULT_INDUSTRY_KEYWORDS), tags=FIRM_TAGS, stages=STAGE_NAMES,
                           actual_form=actual_form, posted=posted)


@bp.post('/<int:target_id>/measure')
@requires(Perm.TARGETS_EDIT)
def measure(target_id: int):
    """Link the target to a measure defined by the form (or unlink it); a refused measure shows the page again
    with the choices kept and the reason beside the input at fault."""
    tracked = _tracked_or_404(target_id)
    definition, note = _posted_measure(request.form), request.form.get('note', '').strip()[:500] or None
    try:
        services.set_measure(tracked, definition, version=request.form.get('version', type=int), note=note)
    except services.TargetError as exc:
        posted = {'measure': definition, 'note': note, 'errors': rule_fields(exc)}
        return _detail_page(tracked, ActualForm(date=clock.today()), posted), 422
    except EditConflict:
        flash(_('Someone else changed this target meanwhile; nothing was overwritten.'), 'error')
    else:
        db.session.commit()
        flash(_('Measure saved.'), 'success')
    return redirect(url_for('targets.detail', target_id=tracked.id))


def _posted_measure(form) -> dict | None:
    """The measure the form defines (None: not computed)."""
    if not form.get('entity'):
        return None
    filters = {key: form.get(key) for key in ('platform', 'industry', 'stage_reached', 'since', 'until')
               if form.get(key)}
    if form.getlist('tags'):
        filters['tags'] = form.getlist('tags')
    definition = {'entity': form['entity'], 'agg': form.get('agg', 'count'), 'filters': filters}
    if form.get('field'):
        definition['field'] = form['field']
    return definition


@bp.post('/<int:target_id>/actuals')
@requires(Perm.TARGETS_EDIT)
def actual(target_id: int):
    """Enter an actual by hand, with its source and date; a refusal shows the page again, the input kept and the
    reason beside the input at fault."""
    tracked = _tracked_or_404(target_id)
    form = ActualForm()
    if form.validate_on_submit():
        try:
            services.add_actual(tracked, value=form.value.data or '', on=form.date.data, source=form.source.data or '')
        except services.TargetError as exc:
            show_rule_error(form, exc)
        else:
            db.session.commit()
            flash(_('Actual saved.'), 'success')
            return redirect(url_for('targets.detail', target_id=tracked.id))
    return _detail_page(tracked, form), 422
