"""Lead pages: list with filters and export, lead page with timeline, create/edit, stage moves, activities,
assignment and the officer's day."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import aliased, contains_eager, joinedload, lazyload, selectinload

from crm.api.spec import form_errors
from crm.auth.listing import active_officers
from crm.auth.models import OFFICER, User
from crm.core import clock, export_jobs, export_views
from crm.core.access import Perm, can, deny, ensure, get_or_404, has_permission, requires, scoped
from crm.core.args import id_arg
from crm.core.errors import api_error, rule_refused
from crm.core.forms import show_rule_error
from crm.core.labels import lost_reason_label, stage_label
from crm.core.pagination import Sort, page_args, paginate
from crm.core.validators import MAX_RECORD_ID, record_id
from crm.db import db
from crm.firms.models import Firm
from crm.firms.services import DuplicateFirm, FirmError, create_firm_unless_known, resolve_industry
from crm.leads import followups, services
from crm.leads import pool as pool_rules
from crm.leads.dashboard import dashboard as figures
from crm.leads.forms import (
    NEW_FIRM_FIELD_NAMES,
    ActivityForm,
    DoneForm,
    LeadCreateForm,
    LeadForm,
    PromiseForm,
    StageForm,
    lead_data,
    offer_choices,
)
from crm.leads.models import (
    ALL_STAGES,
    SOURCES,
    Activity,
    Increment,
    Lead,
    LostReason,
    SavedFilter,
    StageChange,
    lead_collaborator,
    lead_platform,
)
from crm.leads.pool import timeline_events
from crm.leads.queries import (
    MAX_SELECTED,
    LeadFilter,
    active_lost_reasons,
    clean_tag,
    filtered_leads,
    lead_page,
    saved_filters,
    selected_ids,
)
from crm.matching.models import KINDS
from crm.matching.services import match_lead, set_choice
from crm.packs import queries as pack_queries
from crm.packs.models import PackBuild
from crm.packs.reliance import relied_policy_ids
from crm.packs.services import stale_reasons
from crm.plans.models import Commitment
from crm.platforms.listing import platform_groups
from crm.platforms.models import Platform, Unit, UnitReservation
from crm.platforms.units import UnitError, promise_unit
from crm.policies.models import Policy
from crm.policies.services import expiring_policies

bp = Blueprint('leads', __name__, url_prefix='/leads')


LIST_LOADING = (
    joinedload(Lead.firm).load_only(Firm.name, Firm.deleted_at),
    joinedload(Lead.owner).load_only(User.name).options(lazyload(User.memberships)),
    selectinload(Lead.platforms).load_only(Platform.name),
    lazyload(Lead.collaborators), lazyload(Lead.lost_reason),
)

# The lead page names its platforms and collaborators: read with the lead in one statement (a lead has a few of
# each), the collaborators' names only. Plain left joins, not the nested ones a joined eager load writes for a
# secondary table: SQLite answers those by scanning every lead's platforms and collaborators.
_COLLABORATOR = aliased(User, name='collaborator')
DETAIL_STATEMENT = (
    select(Lead)
    .outerjoin(lead_platform, lead_platform.c.lead_id == Lead.id)
    .outerjoin(Platform, Platform.id == lead_platform.c.platform_id)
    .outerjoin(lead_collaborator, lead_collaborator.c.lead_id == Lead.id)
    .outerjoin(_COLLABORATOR, _COLLABORATOR.id == lead_collaborator.c.user_id)
    .options(contains_eager(Lead.platforms), contains_eager(Lead.collaborators.of_type(_COLLABORATOR))
             .load_only(_COLLABORATOR.name))
    .order_by(Platform.name, Platform.id, _COLLABORATOR.id)  # the relationship's order, then one for collaborators
)


def _filtered():
    """The list query (whole leads, for the board): scoped and filtered as the list is."""
    return filtered_leads(LeadFilter.from_args(request.args), current_user.id).options(*LIST_LOADING)


@bp.get('/<int:lead_id>/match')
@requires(Perm.LEADS_VIEW)
def match(lead_id: int):
    """Platforms, units, policies and plan commitments for this lead, each with its reasons."""
    return _match_page(get_or_404(Lead, lead_id))


def _match_page(lead: Lead, promised: tuple[Unit, PromiseForm] | None = None) -> str:
    """The match page; `promised`: a refused promise of a unit, its reason as typed and the refusal beside it."""
    return render_template('leads/match.html', lead=lead, result=match_lead(lead, viewer=current_user),
                           editable=has_permission(current_user, Perm.LEADS_EDIT) and can(current_user, 'edit', lead),
                           refused_unit=promised[0] if promised else None,
                           promise_form=promised[1] if promised else None)


@bp.post('/<int:lead_id>/match/choices')
@requires(Perm.LEADS_EDIT)
def match_choice(lead_id: int):
    """Pin a match item for the pack, drop it, or undo either."""
    lead = get_or_404(Lead, lead_id)
    ensure('edit', lead)
    kind, item_id = request.form.get('kind'), request.form.get('item_id', type=record_id)
    choice = {'pin': 'pin', 'drop': 'drop', 'clear': None}.get(request.form.get('choice', ''), '')
    if kind not in KINDS or item_id is None or choice == '':
        abort(400)
    if choice is not None and not _match_item_visible(kind, item_id):  # clearing a stale choice is always fine
        abort(404)
    set_choice(lead, kind, item_id, choice, user_id=current_user.id)
    db.session.commit()
    return redirect(url_for('leads.match', lead_id=lead.id) + f'#{kind}-{item_id}')


def _match_item_visible(kind: str, item_id: int) -> bool:
    """Whether the viewer may see the platform, unit, policy or plan commitment a match choice names."""
    model = {'platform': Platform, 'unit': Unit, 'policy': Policy, 'commitment': Commitment}[kind]
    stmt = select(model.id).where(model.id == item_id)
    if model is not Commitment:  # the plans are read district-wide
        stmt = scoped(stmt, model)
    return db.session.scalar(stmt) is not None


@bp.post('/<int:lead_id>/promise/<int:unit_id>')
@requires(Perm.LEADS_EDIT)
def promise(lead_id: int, unit_id: int):
    """Mark a unit 意向 for this lead (a unit already promised elsewhere needs a recorded reason); a refusal comes
    back on the match page beside that unit's reason input, the reason as typed (422)."""
    lead, unit = get_or_404(Lead, lead_id), get_or_404(Unit, unit_id)
    ensure('edit', lead)
    form = PromiseForm()
    if not form.validate_on_submit():
        return _match_page(lead, (unit, form)), 422
    try:
        promise_unit(unit, lead, actor_id=current_user.id, override_reason=form.override_reason.data)
    except UnitError as exc:
        show_rule_error(form, exc)
        return _match_page(lead, (unit, form)), 422
    db.session.commit()
    flash(_('Unit %(number)s is now promised to this lead.', number=unit.number), 'success')
    return redirect(url_for('leads.detail', lead_id=lead.id))


@bp.get('/board')
@requires(Perm.LEADS_VIEW)
def board():
    """Kanban by stage: drag a card to move the lead (through the same rules as the stage form)."""
    columns = []
    for stage_name in ALL_STAGES:
        stmt = _filtered().where(Lead.stage == stage_name)
        total = db.session.scalar(stmt.with_only_columns(func.count(Lead.id)).order_by(None))
        columns.append((stage_name, total, db.session.scalars(stmt.limit(30)).all()))
    return render_template('leads/board.html', columns=columns)


@bp.get('/dashboard')
@requires(Perm.LEADS_VIEW)
def dashboard():
    """Pipeline, signings, lost reasons, overdue follow-ups and vacancy — within the viewer's scope."""
    scope = (current_user.role_code, current_user.id if current_user.role_code != 'leader' else 0,
             '-'.join(map(str, sorted(current_user.platform_ids))))
    data = figures(cache_key=None if request.args.get('fresh') == '1' else scope)
    return render_template('leads/dashboard.html', **dashboard_context(data))


def dashboard_context(data: dict) -> dict:
    """What the dashboard template shows of the figures, in the viewer's language."""
    data = dict(data)
    targets = data.pop('targets')  # shown as rows, not charted
    data.update(funnel=[dict(row, label=stage_label(row['stage'])) for row in data['funnel']],
                labels={'projects': _('Projects'), 'investment': _('Investment (10k yuan)'),
                        'projects_axis': _('Projects'), 'investment_axis': _('10k yuan')})
    zone = clock.utc_offset_label()
    return {'data': data, 'targets': targets, 'zone_label': _('Beijing time') if zone == '北京时间' else zone,
            'computed_at': datetime.fromisoformat(data['generated_at'])}


@bp.get('/')
@requires(Perm.LEADS_VIEW)
def index():
    """Leads within the user's scope, filterable by stage, source, owner, platform, industry and overdue."""
    spec = LeadFilter.from_args(request.args)
    page = lead_page(spec, current_user.id, *page_args(50))
    officers = active_officers() if has_permission(current_user, Perm.LEADS_ASSIGN) else []
    return render_template('leads/index.html', **list_context(page, saved_filters(current_user.id), spec.sort),
                           bulk_officers=officers)


def list_context(page, saved, sort: Sort) -> dict:
    """What the lead list template needs besides the page of rows."""
    is_stale, is_overdue = followups.row_checks()
    return {'page': page, 'saved': saved, 'sort': sort, 'stages': ALL_STAGES, 'sources': SOURCES, 'platforms': platform_groups(),
            'is_stale': is_stale, 'is_overdue': is_overdue}


@bp.post('/filters')
@requires(Perm.LEADS_VIEW)
def filter_save():
    """Keep the current list filters under a name."""
    name = request.form.get('name', '').strip()[:60]
    allowed = ('q', 'stage', 'source', 'platform', 'owner', 'overdue', 'due_today', 'stale', 'industry', 'reached',
               'signed',
               'signed_month', 'lost_reason', 'owner_id')
    query = urlencode([(k, v) for k, v in request.form.items() if k in allowed and v])
    if not name:
        flash(_('Give the filter a name.'), 'error')
    else:
        db.session.add(SavedFilter(user_id=current_user.id, name=name, query=query[:1000]))
        db.session.commit()
        flash(_('Filter saved.'), 'success')
    return redirect(url_for('leads.index') + ('?' + query if query else ''))


@bp.post('/filters/<int:filter_id>/delete')
@requires(Perm.LEADS_VIEW)
def filter_delete(filter_id: int):
    """Forget a saved filter (one's own only)."""
    item = db.session.get(SavedFilter, filter_id)
    if item is None:
        abort(404)
    if item.user_id != current_user.id:
        deny(404, 'saved_filter', filter_id)
    db.session.delete(item)
    db.session.commit()
    return redirect(url_for('leads.index'))


EXPORT_HEADER = ['项目', '企业', '阶段', '来源', '行业', '目标平台', '计划投资(万元)', '预计年税收(万元)', '就业', '负责人',
                 '下次跟进']
_NAMES = '\x1f'
_EXPORT_PLATFORMS = (select(func.aggregate_strings(Platform.name, _NAMES))
                     .join(lead_platform, lead_platform.c.platform_id == Platform.id)
                     .where(lead_platform.c.lead_id == Lead.id).scalar_subquery())
# PostgreSQL runs a per-lead subquery as a hash join built afresh for every lead (45 µs a lead: 5.0 of the 6.2 s
# its server spent on 100,000 leads); it joins the names aggregated per lead in one pass instead (1.6 s). SQLite
# keeps the per-lead subquery, which it answers from the index (the joined aggregate is slower there).
_PLATFORM_NAMES_BY_LEAD = (select(lead_platform.c.lead_id, func.aggregate_strings(Platform.name, _NAMES).label('names'))
                           .join(Platform, Platform.id == lead_platform.c.platform_id)
                           .group_by(lead_platform.c.lead_id).subquery('platform_names'))


@export_jobs.register('leads')
def export_spec(spec: LeadFilter | None = None) -> export_jobs.ExportSpec:
    """Every lead in the viewer's scope that the list's filters select (`spec`, by default the query string's), in the
    list's order, as plain rows with the firm, platforms and owner read in the same statement (no query per lead)."""
    joined = db.dialect == 'postgresql'
    stmt = (filtered_leads(LeadFilter.from_args(request.args) if spec is None else spec, current_user.id)
            .with_only_columns(Lead.title, Lead.codename, Lead.confidential, Firm.name, Lead.stage, Lead.source,
                               Lead.industry_code, _PLATFORM_NAMES_BY_LEAD.c.names if joined else _EXPORT_PLATFORMS,
                               Lead.investment, Lead.annual_tax, Lead.jobs, User.name, Lead.next_follow_up,
                               maintain_column_froms=False)
            .join(Firm, Firm.id == Lead.firm_id).outerjoin(User, User.id == Lead.owner_id))
    if joined:
        stmt = stmt.outerjoin(_PLATFORM_NAMES_BY_LEAD, _PLATFORM_NAMES_BY_LEAD.c.lead_id == Lead.id)

    def rows(result):
        return ([codename if confidential and codename else title, firm, stage, source, industry,
                 '、'.join(sorted(platforms.split(_NAMES))) if platforms else '', investment, tax, jobs,
                 owner or '公共池', follow_up]
                for title, codename, confidential, firm, stage, source, industry, platforms, investment, tax, jobs,
                owner, follow_up in result)

    return export_jobs.ExportSpec('招商项目', EXPORT_HEADER, stmt, rows, columns_only=True)


@bp.get('/export.<any(csv, xlsx):fmt>')
@requires(Perm.LEADS_VIEW)
def export(fmt: str):
    """The filtered list as a spreadsheet (large ones are written in the background, see crm.core.export_jobs)."""
    return export_views.export_response('leads', fmt)


@dataclass
class FirmOffer:
    """Firms already on record that match the new firm typed on the lead form."""

    firms: list[Firm]
    same_code: bool


@bp.route('/new', methods=['GET', 'POST'])
@requires(Perm.LEADS_EDIT)
def new():
    """Create a lead for a firm on record, or for a new firm entered on the form: the firm is created in the same
    transaction, unless a firm with the same credit code or a similar name exists (then that one is offered)."""
    form = LeadCreateForm(firm_id=id_arg('firm'))
    offer_choices(form)
    choice = request.form.get('firm_choice', '') if request.method == 'POST' else ''
    if choice.isdigit():  # an offered firm on record was chosen instead of the new one; the rest is kept
        form.firm_id.data = int(choice)
        for name in NEW_FIRM_FIELD_NAMES:
            getattr(form, name).data = ''
    known: FirmOffer | None = None
    if form.validate_on_submit():
        try:
            data = lead_data(form)
        except FirmError as exc:
            show_rule_error(form, exc, form.industry_code)
        else:
            firm, known = _prospect_firm(form, data, different=choice == 'new')
            if firm is not None:
                data['firm_id'] = firm.id
                lead = services.create_lead(data, owner_id=current_user.id if current_user.role_code == OFFICER
                                            else None, actor_id=current_user.id, platform_ids=form.platforms.data,
                                            collaborator_ids=form.collaborators.data)
                db.session.commit()
                flash(_('Lead %(name)s created for %(firm)s.', name=lead.title, firm=firm.name), 'success')
                return redirect(url_for('leads.detail', lead_id=lead.id))
    failed = form.errors or form.form_errors
    return (render_template('leads/form.html', form=form, lead=None, firms=_firm_choices(form), known=known),
            422 if failed else 200)


def _prospect_firm(form, data: dict, *, different: bool) -> tuple[Firm | None, FirmOffer | None]:
    """The chosen firm, or the new one created through the firm service's checks (`different`: the user confirmed
    it is not one of the similar firms offered); errors go on the form."""
    if form.firm_id.data:
        firm = get_or_404(Firm, form.firm_id.data)
        if firm.deleted_at is not None:  # administrators see deleted firms, but new leads need a live one
            abort(404)
        return firm, None
    if not has_permission(current_user, Perm.FIRMS_EDIT):
        form.new_firm_name.errors.append(_('You may not create firms; choose a firm on record.'))
        return None, None
    try:
        industry = resolve_industry(form.new_firm_industry.data)
    except FirmError as exc:
        form.new_firm_industry.errors.append(str(exc))
        return None, None
    firm_data = {'name': form.new_firm_name.data, 'uscc': form.new_firm_uscc.data or None, 'industry_code': industry}
    try:
        firm = create_firm_unless_known(firm_data, allow_similar_name=different)
    except DuplicateFirm as exc:
        form.form_errors.append(_('A firm with this credit code is already on record: choose it for the lead.')
                                if exc.same_code else
                                _('A firm with the same or a similar name is already on record: choose it, or '
                                  'confirm the new firm is a different one.'))
        return None, FirmOffer(exc.firms, exc.same_code)
    data['industry_code'] = data['industry_code'] or firm.industry_code
    return firm, None


def _firm_choices(form):
    """The firm chosen on the form, if any: the firm picker loads the others as one types (firms.picker)."""
    if not isinstance(form.firm_id.data, int) or not 0 < form.firm_id.data <= MAX_RECORD_ID:
        return []
    return db.session.execute(scoped(select(Firm.id, Firm.name), Firm).where(Firm.id == form.firm_id.data)).all()


def _load_lead(form, lead: Lead) -> None:
    """What the edit form shows beyond the lead's columns."""
    form.platforms.data = [p.id for p in lead.platforms]
    form.collaborators.data = [u.id for u in lead.collaborators]


@bp.route('/<int:lead_id>/edit', methods=['GET', 'POST'])
@requires(Perm.LEADS_EDIT)
def edit(lead_id: int):
    """Edit a lead's facts; a save from a stale form merges (only this user's changes apply) or asks."""
    lead = get_or_404(Lead, lead_id)
    ensure('edit', lead)
    form = LeadForm.editing(lead, load=_load_lead)
    offer_choices(form, lead)
    labels = {'title': _('Project name'), 'notes': _('Notes'), 'next_follow_up': _('Next follow-up')}
    if form.save(lead, lambda version: services.update_lead(lead, lead_data(form), version=version,
                                                            platform_ids=form.platforms.data,
                                                            collaborator_ids=form.collaborators.data),
                 labels=labels, errors={FirmError: form.industry_code}):
        db.session.commit()
        flash(_('Lead saved.'), 'success')
        return redirect(url_for('leads.detail', lead_id=lead.id))
    return render_template('leads/form.html', form=form, lead=lead, conflict=form.conflict,
                           firms=_firm_choices(form)), form.http_status


@bp.get('/<int:lead_id>')
@requires(Perm.LEADS_VIEW)
def detail(lead_id: int):
    """The lead with its timeline: stage changes, activities, increments."""
    lead = get_or_404(Lead, lead_id, statement=DETAIL_STATEMENT)
    changes = db.session.scalars(select(StageChange).where(StageChange.lead_id == lead.id)  # newest first when
                                 .order_by(StageChange.id.desc())).all()  # a skip logs several at one instant
    activities = db.session.scalars(select(Activity).where(Activity.lead_id == lead.id)  # their lead is this one
                                    .options(lazyload(Activity.lead))).all()
    increments = db.session.scalars(select(Increment).where(Increment.lead_id == lead.id)).all()
    timeline = sorted([('stage', c.at, c) for c in changes]
                      + [('activity', a.done_at or a.created_at, a) for a in activities]
                      + [('pool', e.at, e) for e in timeline_events(lead.id)], key=lambda t: t[1], reverse=True)
    stage_form = g.pop('stage_form', None) or StageForm()  # a refused move comes back with its input
    stage_form.offer_stages_from(lead.stage)
    stage_form.lost_reason_id.choices = [(0, '—')] + [(r.id, lost_reason_label(r.name)) for r in active_lost_reasons()]
    officers = active_officers()
    packs = db.session.scalars(pack_queries.list_statement(pack_queries.PackFilter(lead_id=lead.id))).all()
    promised = db.session.execute(scoped(select(UnitReservation, Unit), Unit)  # a park manager: on their platforms
                                  .join(Unit, Unit.id == UnitReservation.unit_id)
                                  .where(UnitReservation.lead_id == lead.id, UnitReservation.active.is_(True))).all()
    building = db.session.scalar(select(PackBuild).where(PackBuild.lead_id == lead.id,
                                                         PackBuild.status.in_(('queued', 'running'))).limit(1))
    # the lead's packs, newest version first: all of them, since a viewer who sees the lead sees its packs
    latest = packs[0].snapshot if packs else {}
    return render_template('leads/detail.html', lead=lead, timeline=timeline, increments=increments, packs=packs,
                           promised=promised, expiring=expiring_policies(relied_policy_ids(lead.id, latest=latest)),
                           pack_stale=stale_reasons(packs[0]) if packs else [], pack_building=building,
                           stage_form=stage_form, activity_form=g.pop('activity_form', None) or ActivityForm(),
                           officers=officers, refused_done=g.pop('done_form', None),
                           time_in_stages=services.time_in_stages(lead.id, changes=changes), stale=followups.is_stale(lead),
                           can_edit=can(current_user, 'edit', lead), can_assign=can(current_user, 'assign', lead),
                           can_claim=lead.owner_id is None and current_user.role_code == OFFICER,
                           can_release=lead.owner_id is not None and (
                               lead.owner_id == current_user.id or can(current_user, 'assign', lead)),
                           can_supervise=has_permission(current_user, Perm.LEADS_ASSIGN), today=clock.today())


@bp.post('/<int:lead_id>/stage')
@requires(Perm.LEADS_EDIT)
def stage(lead_id: int):
    """Move the lead to another stage (the kanban's drag and drop posts here too)."""
    lead = get_or_404(Lead, lead_id)
    ensure('stage', lead)
    form = StageForm()
    form.lost_reason_id.choices = [(0, '—')] + [(r.id, lost_reason_label(r.name))
                                                for r in db.session.scalars(select(LostReason))]
    form.unit_id.offer(scoped(select(Unit.id), Unit))
    wants_json = request.headers.get('X-Requested-With') == 'fetch'
    if not form.validate_on_submit():
        if wants_json:  # the API's answer to an invalid form, and beside it what the board's script reads
            message = _('The stage change was not valid.')
            return api_error(422, 'invalid', _('Some fields are not valid.'), form_errors(form),
                             beside={'ok': False, 'message': message})
        g.stage_form = form  # the lead page again, the stage, note and reason as entered, the refusal beside them
        return detail(lead.id), 422
    unit = get_or_404(Unit, form.unit_id.data) if form.unit_id.data else None
    try:
        services.move_stage(lead, form.to_stage.data, actor_id=current_user.id, note=form.note.data,
                            lost_reason_id=form.lost_reason_id.data or None, unit=unit,
                            confirm_skip=form.confirm_skip.data)
    except services.LeadError as exc:
        if wants_json:  # the board asks for the confirmation or the reason, then posts again
            return _board_refused(exc, form.to_stage.data)
        show_rule_error(form, exc)
        g.stage_form = form
        return detail(lead.id), 422
    db.session.commit()
    if wants_json:
        return jsonify(ok=True, stage=lead.stage, message=_('Moved to %(stage)s.', stage=lead.stage))
    flash(_('Moved to %(stage)s.', stage=lead.stage), 'success')
    return redirect(request.form.get('next') if request.form.get('next', '').startswith('/leads')
                    else url_for('leads.detail', lead_id=lead.id))


def _board_refused(exc: services.LeadError, to_stage: str):
    """A move refused on the board: the API's 422 body (its code and the input at fault under `fields`, as
    crm.leads.api answers), and beside it `ok`, `message`, `needs` and `question`, which the board's script reads."""
    beside = {'ok': False, 'message': str(exc), 'needs': _needs(exc), 'question': None}
    if isinstance(exc, services.SkipNotConfirmed):
        beside['question'] = _('Skip %(stages)s and move to %(stage)s?', stage=stage_label(to_stage),
                               stages=_(', ').join(map(stage_label, exc.skipped)))
        return rule_refused(exc, 'skip_unconfirmed', beside=beside, skipped=exc.skipped)
    return rule_refused(exc, 'reason_required' if isinstance(exc, services.ReasonRequired) else 'stage_refused',
                        beside=beside)


def _needs(exc: services.LeadError) -> str | None:
    """What a refused move lacks, for the board: 'confirm_skip', 'reason' or None (another rule)."""
    if isinstance(exc, services.SkipNotConfirmed):
        return 'confirm_skip'
    return 'reason' if isinstance(exc, services.ReasonRequired) else None


@bp.post('/<int:lead_id>/assign')
@requires(Perm.LEADS_ASSIGN)
def assign(lead_id: int):
    """Leaders assign a lead to an officer or back to the pool."""
    lead = get_or_404(Lead, lead_id)
    owner_id = request.form.get('owner_id', type=record_id) or None
    if owner_id and db.session.scalar(select(User.id).where(User.id == owner_id, User.role_code == OFFICER)) is None:
        abort(400)
    services.assign(lead, owner_id, actor_id=current_user.id)
    db.session.commit()
    flash(_('Lead assigned.'), 'success')
    return redirect(url_for('leads.detail', lead_id=lead.id))


@bp.post('/<int:lead_id>/activities')
@requires(Perm.LEADS_EDIT)
def activity_new(lead_id: int):
    """Plan or record a follow-up."""
    lead = get_or_404(Lead, lead_id)
    ensure('activity', lead)
    form = ActivityForm()
    if form.validate_on_submit():
        services.add_activity(lead, kind=form.kind.data, subject=form.subject.data, due_on=form.due_on.data,
                              owner_id=current_user.id, done=form.done.data, outcome=form.outcome.data,
                              next_on=form.next_on.data)
        db.session.commit()
        flash(_('Follow-up saved.'), 'success')
        return redirect(url_for('leads.detail', lead_id=lead.id))
    g.activity_form = form  # the lead page again, the follow-up as entered, the refusal beside its input
    return detail(lead.id), 422


@bp.post('/activities/<int:activity_id>/done')
@requires(Perm.LEADS_EDIT)
def activity_done(activity_id: int):
    """Mark a follow-up done, optionally with the date of the next one; a refused date comes back beside its input
    on the page it was typed on (the lead page, or My day), as typed (422)."""
    activity = get_or_404(Activity, activity_id)
    ensure('activity', activity.lead)
    form = DoneForm()
    if not form.validate_on_submit():
        form.next_on.id = f'next_on-{activity.id}'  # one such input per open follow-up on the page
        g.done_form = (activity, form)
        on_my_day = (form.next.data == url_for('leads.my_day') and activity.owner_id == current_user.id
                     and activity.due_on is not None and activity.due_on <= clock.today())
        return (my_day() if on_my_day else detail(activity.lead_id)), 422
    services.complete_activity(activity, outcome=(form.outcome.data or '')[:4000] or None,
                               next_on=form.next_on.data, actor_id=current_user.id)
    db.session.commit()
    flash(_('Follow-up done.'), 'success')
    return redirect(form.next.data if (form.next.data or '').startswith('/leads')
                    else url_for('leads.detail', lead_id=activity.lead_id))


@bp.get('/my-day')
@requires(Perm.LEADS_EDIT)
def my_day():
    """The signed-in user's leads to follow up today, overdue and stale (the same definitions as the dashboard,
    the list filters and the digest), and their own open follow-ups due by today."""
    today = clock.today()
    mine = scoped(select(Lead), Lead).where(Lead.owner_id == current_user.id)
    due_today = db.session.scalars(mine.where(followups.clause('due_today', today)).order_by(Lead.id)).all()
    overdue = db.session.scalars(mine.where(followups.clause('overdue', today))
                                 .order_by(Lead.next_follow_up, Lead.id)).all()
    stale = db.session.scalars(mine.where(followups.clause('stale', today)).order_by(Lead.stage_since, Lead.id)).all()
    tasks = db.session.scalars(scoped(select(Activity), Activity).where(
        Activity.owner_id == current_user.id, Activity.done_at.is_(None), Activity.due_on <= today)
        .order_by(Activity.due_on, Activity.id)).all()
    return render_template('leads/my_day.html', due_today=due_today, overdue=overdue, stale=stale, tasks=tasks,
                           today=today, thresholds=followups.stale_thresholds(), followups=followups,
                           refused_done=g.pop('done_form', None))


# --- the shared pool (公海) ---------------------------------------------------------------------------------------

@bp.get('/pool')
@requires(Perm.LEADS_VIEW)
def pool():
    """Leads nobody owns, in the viewer's scope, oldest first; officers claim them within the daily limit."""
    stmt = (scoped(select(Lead), Lead).where(Lead.owner_id.is_(None), Lead.stage.not_in(followups.CLOSED_STAGES))
            .options(*LIST_LOADING).order_by(Lead.updated_at, Lead.id))
    page = paginate(stmt, *page_args())
    limit = pool_rules.rules()['claim_limit']
    claimed = pool_rules.claims_today(current_user.id) if current_user.role_code == OFFICER else None
    return render_template('leads/pool.html', page=page, limit=limit, claimed=claimed,
                           can_claim=current_user.role_code == OFFICER)


@bp.post('/<int:lead_id>/claim')
@requires(Perm.LEADS_EDIT)
def claim(lead_id: int):
    """An officer takes a lead from the pool (within the daily limit); audited."""
    if current_user.role_code != OFFICER:  # leaders assign; only officers take leads from the pool
        deny(403, 'lead', lead_id)
    lead = get_or_404(Lead, lead_id)
    try:
        pool_rules.claim(lead, current_user)
    except pool_rules.PoolError as exc:
        flash(str(exc), 'error')
        return redirect(url_for('leads.pool'))
    db.session.commit()
    flash(_('Lead claimed: it is yours now.'), 'success')
    return redirect(url_for('leads.detail', lead_id=lead.id))


@bp.post('/<int:lead_id>/release')
@requires(Perm.LEADS_EDIT)
def release(lead_id: int):
    """The owner (or a leader) puts a lead back into the pool; audited."""
    lead = get_or_404(Lead, lead_id)
    if not (lead.owner_id == current_user.id or can(current_user, 'assign', lead)):
        deny(403, 'lead', lead.id)
    try:
        pool_rules.release(lead, actor_id=current_user.id)
    except pool_rules.PoolError as exc:
        flash(str(exc), 'error')
        return redirect(url_for('leads.detail', lead_id=lead.id))
    db.session.commit()
    flash(_('Lead put back into the pool.'), 'success')
    return redirect(url_for('leads.detail', lead_id=lead.id))


# --- bulk actions on the list ---------------------------------------------------------------------------------

@bp.post('/bulk')
@requires(Perm.LEADS_VIEW)
def bulk():
    """Assign, tag or move to the pool the leads ticked on the list: only leads in the viewer's scope on which the
    action is allowed are changed; the rest are counted and reported."""
    back = request.form.get('next', '')
    back = back if back.startswith('/leads/') and not back.startswith('//') else url_for('leads.index')
    ids, action = selected_ids(request.form), request.form.get('action', '')
    if not ids:
        flash(_('Tick at least one lead first.'), 'error')
        return redirect(back)
    if len(request.form.getlist('id')) > MAX_SELECTED:
        flash(_('At most %(n)s leads at a time: tick fewer.', n=MAX_SELECTED), 'error')
        return redirect(back)
    if request.form.get('export') in ('xlsx', 'csv'):  # the ticked leads as a spreadsheet (in scope: the list's)

        return export_jobs.download(export_spec(LeadFilter(ids=tuple(ids))), request.form['export'])
    if not has_permission(current_user, Perm.LEADS_EDIT) or (
            action == 'assign' and not has_permission(current_user, Perm.LEADS_ASSIGN)):
        deny(403)
    owner_id = tag = None
    if action == 'assign':
        owner_id = request.form.get('owner_id', type=record_id)
        if not owner_id or db.session.scalar(select(User.id).where(
                User.id == owner_id, User.role_code == OFFICER, User.is_active.is_(True))) is None:
            flash(_('Choose the officer to assign the leads to.'), 'error')
            return redirect(back)
    elif action == 'tag':
        tag = clean_tag(request.form.get('tag', ''))
        if not tag:
            flash(_('Enter a tag of up to %(n)s characters.', n=20), 'error')
            return redirect(back)
    elif action != 'pool':
        flash(_('Choose what to do with the ticked leads.'), 'error')
        return redirect(back)
    leads = db.session.scalars(scoped(select(Lead), Lead).where(Lead.id.in_(ids))).unique().all()
    done = 0
    for lead in leads:
        if action == 'assign':
            if lead.owner_id != owner_id:
                services.assign(lead, owner_id, actor_id=current_user.id)
                done += 1
        elif action == 'tag':
            if can(current_user, 'edit', lead) and services.add_tag(lead, tag):
                done += 1
        elif lead.owner_id is not None and (lead.owner_id == current_user.id or can(current_user, 'assign', lead)):
            pool_rules.release(lead, actor_id=current_user.id)
            done += 1
    db.session.commit()
    skipped = len(ids) - done
    message = _('%(n)s leads changed.', n=done)
    if skipped:
        message += ' ' + _('%(n)s left as they were (already so, or not yours to change).', n=skipped)
    flash(message, 'success' if done else 'info')
    return redirect(back)
