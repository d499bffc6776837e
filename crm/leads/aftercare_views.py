"""Pages for the life of a project after signing: the 三未 lists, promised versus actual, and 督办 tasks."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl, urlsplit

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from crm.auth.models import OFFICER, User
from crm.core import clock
from crm.core.access import Perm, can, ensure, get_or_404, has_permission, requires, scoped
from crm.core.forms import show_rule_error
from crm.core.import_views import import_page
from crm.core.pagination import MAX_PER_PAGE, page_args, paginate
from crm.core.validators import record_id
from crm.db import db
from crm.leads import aftercare
from crm.leads.actuals_import import import_actuals
from crm.leads.aftercare import SupervisionTask
from crm.leads.forms import TaskForm
from crm.leads.models import Lead

bp = Blueprint('projects', __name__, url_prefix='/projects')


def _officers():
    return db.session.execute(select(User.id, User.name).where(User.role_code == OFFICER, User.is_active.is_(True))
                              .order_by(User.name)).all()


@bp.get('/unfinished')
@requires(Perm.LEADS_VIEW)
def unfinished():
    """三未: 签约未注册, 注册未入驻, 入驻未投产, longest waiting first, with days waited."""
    kind = request.args.get('list', 'signed')
    if kind not in aftercare.UNFINISHED:
        abort(404)
    return _unfinished_page(kind, *page_args(), back=request.full_path)


def _unfinished_page(kind: str, page_no: int, per_page: int, *, back: str,
                     refused: tuple[Lead, TaskForm] | None = None) -> str:
    """One of the 三未 lists; `back`: its address, where a task form returns; `refused`: a refused task, shown in its
    project's form (above the list when the project is not on this page) with the input kept and each refusal
    beside its input."""
    counts = {key: db.session.scalar(scoped(select(func.count(Lead.id)), Lead).select_from(Lead)
                                     .where(Lead.stage == stage)) or 0
              for key, (stage, _next) in aftercare.UNFINISHED.items()}
    page = paginate(scoped(aftercare.unfinished_stmt(kind), Lead), page_no, per_page)
    open_tasks = {}
    if page.items:
        for task in db.session.scalars(scoped(select(SupervisionTask), SupervisionTask).where(
                SupervisionTask.lead_id.in_([lead.id for lead in page.items]), SupervisionTask.done_at.is_(None))):
            open_tasks.setdefault(task.lead_id, []).append(task)
    return render_template('projects/unfinished.html', kind=kind, lists=aftercare.UNFINISHED, counts=counts,
                           page=page, today=clock.today(), days_waited=aftercare.days_waited, open_tasks=open_tasks,
                           officers=_officers() if has_permission(current_user, Perm.LEADS_ASSIGN) else None,
                           back=back, refused_lead=refused[0] if refused else None,
                           task_form=refused[1] if refused else None)


def _decimal(value: str) -> Decimal | None:
    value = (value or '').replace(',', '').replace('，', '').strip()
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise aftercare.AftercareError(_('Amounts are numbers in 10k yuan, e.g. 1,250.5.')) from None
    if not number.is_finite():
        raise aftercare.AftercareError(_('Amounts are numbers in 10k yuan, e.g. 1,250.5.'))
    return number


def _whole(value: str, message: str) -> int | None:
    value = (value or '').replace(',', '').replace('，', '').strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 9:
        raise aftercare.AftercareError(message)
    return int(value)


@bp.get('/<int:lead_id>/performance')
@requires(Perm.LEADS_VIEW)
def performance(lead_id: int):
    """Promised investment, tax and jobs against each year's actuals (with their source); shortfalls flagged."""
    lead = get_or_404(Lead, lead_id)
    return _performance_page(lead)


def _performance_page(lead: Lead, *, error: str | None = None, entered: dict | None = None):
    may_enter = has_permission(current_user, Perm.LEADS_EDIT) and can(current_user, 'edit', lead)
    return render_template('projects/performance.html', lead=lead, rows=aftercare.performance(lead),
                           may_enter=may_enter, error=error, entered=entered or {},
                           this_year=clock.today().year), 422 if error else 200


@bp.post('/<int:lead_id>/actuals')
@requires(Perm.LEADS_EDIT)
def actual_new(lead_id: int):
    """Enter (or correct) a year's actual investment, tax and jobs with their source."""
    lead = get_or_404(Lead, lead_id)
    ensure('edit', lead)
    entered = request.form.to_dict()
    entered.pop('csrf_token', None)
    try:
        year = _whole(entered.get('year', ''), _('Enter the year as four digits, e.g. 2025.'))
        if year is None:
            raise aftercare.AftercareError(_('Enter the year as four digits, e.g. 2025.'))
        aftercare.record_actual(
            lead, year=year, investment=_decimal(entered.get('investment', '')), tax=_decimal(entered.get('tax', '')),
            jobs=_whole(entered.get('jobs', ''), _('Jobs are a whole number of people.')),
            source=entered.get('source', ''), actor_id=current_user.id)
    except aftercare.AftercareError as exc:
        return _performance_page(lead, error=str(exc), entered=entered)
    db.session.commit()
    flash(_('Actual figures for %(year)s saved.', year=year), 'success')
    return redirect(url_for('projects.performance', lead_id=lead.id))


@bp.route('/actuals/import', methods=['GET', 'POST'])
@requires(Perm.LEADS_EDIT)
def actuals_import():
    """Upload → check (every problem of every row) → confirm: yearly actuals of signed projects, with their source."""

    actor = current_user._get_current_object()
    return import_page(
        kind='project_actual', title=_('Import actual figures'), back_url=url_for('projects.unfinished'),
        done_url=url_for('projects.unfinished'),
        description=_('CSV (UTF-8 or GB18030) or Excel .xlsx, one row per project and year: 项目编号 (the number on the '
                      'project page) or 项目名称, 年份, 实际投资(万元), 实际税收(万元), 实际就业(人) and 数据来源, which is '
                      'required. A row for a year already entered corrects it; importing the same file again changes '
                      'nothing.'),
        run=lambda table, dry_run, filename: import_actuals(table, actor, dry_run=dry_run, filename=filename))


@bp.get('/tasks')
@requires(Perm.LEADS_VIEW)
def tasks():
    """督办 tasks in the viewer's scope: open ones first (overdue flagged), then those done."""
    show = request.args.get('show', 'open')
    stmt = scoped(select(SupervisionTask), SupervisionTask)
    if show == 'open':
        stmt = stmt.where(SupervisionTask.done_at.is_(None)).order_by(SupervisionTask.due_on, SupervisionTask.id)
    elif show == 'overdue':
        stmt = stmt.where(SupervisionTask.done_at.is_(None), SupervisionTask.due_on < clock.today()).order_by(
            SupervisionTask.due_on, SupervisionTask.id)
    else:
        show = 'done'
        stmt = stmt.where(SupervisionTask.done_at.is_not(None)).order_by(SupervisionTask.done_at.desc())
    page = paginate(stmt, *page_args())
    return render_template('projects/tasks.html', page=page, show=show, today=clock.today(),
                           can_done=lambda task: has_permission(current_user, Perm.LEADS_EDIT)
                           and can(current_user, 'done', task))


@bp.post('/<int:lead_id>/tasks')
@requires(Perm.LEADS_ASSIGN)
def task_new(lead_id: int):
    """A leader assigns a 督办 task on a project to an officer, with a due date; a refusal comes back on the list
    it was given from, beside the title, officer or due date input, the input kept (422)."""
    lead = get_or_404(Lead, lead_id)
    form = TaskForm()
    form.offer(_officers())
    back = form.next.data if (form.next.data or '').startswith('/projects/') else url_for('projects.tasks')
    if form.validate_on_submit():
        try:
            aftercare.assign_task(lead, assignee_id=int(form.assignee_id.data), title=form.title.data,
                                  due_on=form.due_on.data, actor_id=current_user.id)
        except aftercare.AftercareError as exc:
            show_rule_error(form, exc)
        else:
            db.session.commit()
            flash(_('Supervision task assigned.'), 'success')
            return redirect(back)
    return _refused_task(lead, form, back), 422


def _refused_task(lead: Lead, form: TaskForm, back: str) -> str:
    """The 三未 list the task was given from (its tab and page read from `back`), the refused form in it."""
    args = MultiDict(parse_qsl(urlsplit(back).query) if back.startswith('/projects/unfinished') else [])
    kind = args.get('list', 'signed') if args.get('list') in aftercare.UNFINISHED else 'signed'
    page_no = args.get('page', 1, type=record_id) or 1
    per_page = min(args.get('per_page', 50, type=record_id) or 50, MAX_PER_PAGE)
    g.list_address = ('projects.unfinished', {'list': kind, **({'per_page': per_page} if 'per_page' in args else {})})
    return _unfinished_page(kind, page_no, per_page, back=back, refused=(lead, form))


@bp.post('/tasks/<int:task_id>/done')
@requires(Perm.LEADS_EDIT)
def task_done(task_id: int):
    """The officer (or a leader) marks a 督办 task done, with a note."""
    task = get_or_404(SupervisionTask, task_id)
    ensure('done', task)
    try:
        aftercare.complete_task(task, note=request.form.get('note'), actor_id=current_user.id)
    except aftercare.AftercareError as exc:
        flash(str(exc), 'error')
        return redirect(url_for('projects.tasks'))
    db.session.commit()
    flash(_('Supervision task done.'), 'success')
    return redirect(url_for('projects.tasks'))

