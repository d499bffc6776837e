"""Firm pages: list with filters and export, profile, create/edit with duplicate guard, delete/restore, merge,
contacts and tenancies."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, or_, select

from crm.auth.models import FIRM
from crm.core import audit, export_jobs, export_views, pickers
from crm.core.access import Perm, can, ensure, get_or_404, has_permission, requires, scoped, visibility_clause
from crm.core.concurrency import canonical
from crm.core.forms import readable
from crm.core.import_views import import_page
from crm.core.pagination import page_args, paginate
from crm.core.validators import display_phone, record_id
from crm.db import db
from crm.firms import names, queries, services
from crm.firms.contact_import import import_contacts
from crm.firms.forms import FIRM_FIELD_NAMES, ContactForm, FirmCreateForm, FirmForm, TenancyForm, save_firm
from crm.firms.imports import import_firms
from crm.firms.models import FIRM_TAGS, Contact, Firm, Tenancy
from crm.leads.models import Lead
from crm.packs import queries as pack_queries
from crm.packs.models import PolicySummary
from crm.platforms.models import Building, Unit, UnitStatus

bp = Blueprint('firms', __name__, url_prefix='/firms')


def _list_filter() -> queries.FirmFilter:
    """The firm list's filter in this request's query string (administrators may ask for deleted firms)."""
    return queries.FirmFilter.from_args(request.args, may_see_deleted=current_user.role_code == 'admin')


@bp.get('/')
@requires(Perm.FIRMS_VIEW)
def index():
    """Firms within the user's scope: search by name or USCC, filter by industry and tag."""
    spec = _list_filter()
    page = paginate(queries.list_statement(spec), *page_args(50))
    return render_template('firms/index.html', page=page, tags=FIRM_TAGS, sort=spec.sort)


EXPORT_HEADER = ['企业名称', '统一社会信用代码', '法定代表人', '注册地址', '注册区', '所属行业', '注册资本(万元)', '营业收入',
                 '员工人数', '研发投入占比(%)', '成立日期', '标签', '曾用名', '备注']


def export_rows(firms):
    """Spreadsheet rows in the columns the firm import reads (so exports round-trip)."""
    return ([f.name, f.uscc, f.legal_rep, f.address, f.district, f.industry_code, f.registered_capital,
             f.revenue_band, f.headcount, f.rd_ratio, f.registered_on, '、'.join(f.tags), '、'.join(f.former_names),
             f.notes] for f in firms)


@export_jobs.register('firms')
def export_spec() -> export_jobs.ExportSpec:
    """Every firm in scope that the list's filters select, in the list's order (a firm's names and tags are its
    own columns: one statement per batch)."""
    return export_jobs.ExportSpec('企业名录', EXPORT_HEADER, queries.list_statement(_list_filter()),
                                  lambda result: export_rows(firm for (firm,) in result))


@bp.get('/export.<any(csv, xlsx):fmt>')
@requires(Perm.FIRMS_VIEW)
def export(fmt: str):
    """The current list as a spreadsheet (large ones are written in the background)."""
    return export_views.export_response('firms', fmt)


CONTACT_HEADER = ['企业名称', '统一社会信用代码', '联系人', '职务', '角色', '电话', '邮箱', '微信', '备注']


@export_jobs.register('contacts')
def contacts_export_spec() -> export_jobs.ExportSpec:
    """The contact people of every firm the list's filters select, in scope, with full phone numbers, in the columns
    the contact import reads."""
    firm_ids = queries.list_statement(_list_filter()).order_by(None).with_only_columns(Firm.id).scalar_subquery()
    statement = (scoped(select(Contact, Firm.name, Firm.uscc), Contact).join(Firm, Contact.firm_id == Firm.id)
                 .where(Contact.firm_id.in_(firm_ids)).order_by(Firm.name_key, Firm.id, Contact.name, Contact.id))

    def rows(result):
        return ([firm_name, uscc, c.name, c.title, c.role, display_phone(c.phone), c.email, c.wechat, c.notes]
                for c, firm_name, uscc in result)

    return export_jobs.ExportSpec('企业联系人', CONTACT_HEADER, statement, rows)


@bp.get('/contacts.<any(csv, xlsx):fmt>')
@requires(Perm.FIRMS_CONTACTS)
def contacts_export(fmt: str):
    """The contact people of the listed firms as a spreadsheet; who exported whose contacts is audited."""
    audit.log(db.session, 'export', 'contact', None, fmt=fmt, query=request.query_string.decode()[:500])
    db.session.commit()
    return export_views.export_response('contacts', fmt)


@bp.get('/industries')
@requires(Perm.FIRMS_VIEW)
def industries():
    """Suggestions for an industry input (GB/T 4754-2017 groups and classes): <option>s for its <datalist>, or the
    JSON of a searchable picker when JSON is asked for. The text comes as `q`, or under the input's own name when
    the form's picker asks (htmx sends the field)."""
    text = request.args.get('q') or next((v for k, v in request.args.items() if k != 'q' and v), '')
    if request.accept_mimetypes.best == 'application/json':  # a searchable picker asks (static/js/picker.js)
        found = services.industry_suggestions(text, limit=pickers.LIMIT + 1)
        return pickers.picker_json([{'id': f'{code} {name}', 'text': f'{code} {name}'} for code, name in found],
                                   _('More classes match: type more of the code or the name.'))
    return render_template('firms/_industry_options.html', options=services.industry_suggestions(text))


@bp.get('/picker')
@requires(Perm.FIRMS_VIEW)
def picker():
    """Firms for a searchable picker, as JSON: live firms in the user's scope whose name, core name or credit code
    matches what was typed (names starting with it first), pickers.LIMIT at most and whether there are more."""
    text = ' '.join(request.args.get('q', '').split())[:100]
    stmt = scoped(select(Firm.id, Firm.name, Firm.uscc, Firm.district), Firm).where(Firm.deleted_at.is_(None))
    if exclude := request.args.get('exclude', type=record_id):
        stmt = stmt.where(Firm.id != exclude)
    order = [Firm.name_key, Firm.id]
    if text:
        matches = [Firm.name.contains(text, autoescape=True), Firm.uscc.startswith(text.upper(), autoescape=True)]
        if core := names.core_name(text):
            matches.append(Firm.name_core.contains(core, autoescape=True))
        stmt = stmt.where(or_(*matches))
        order.insert(0, case((Firm.name.startswith(text, autoescape=True), 0), else_=1))
    rows = db.session.execute(stmt.order_by(*order).limit(pickers.LIMIT + 1)).all()
    return pickers.picker_json([{'id': r.id, 'text': r.name, 'hint': r.uscc or r.district or ''} for r in rows],
                       _('More firms match: type more of the name or the credit code.'))


@bp.before_request
def _redirect_merged_away():
    """The pages of a firm merged into another move permanently to the same pages of the surviving firm."""
    firm_id = (request.view_args or {}).get('firm_id')
    if firm_id is None or request.method not in ('GET', 'HEAD') or not current_user.is_authenticated:
        return None
    survivor = queries.merged_away_target(firm_id)
    if survivor is None:
        return None
    return redirect(url_for(request.endpoint, **{**request.view_args, 'firm_id': survivor.id}, **request.args), 301)


@bp.get('/<int:firm_id>')
@requires(Perm.FIRMS_VIEW)
def detail(firm_id: int):
    """A firm's profile: identity, contacts (phones masked), where it sits, its leads, packs and 政策摘要 (each as
    far as the user may see them), possibly duplicate firms and its history."""
    firm = get_or_404(Firm, firm_id)
    contacts = db.session.scalars(scoped(select(Contact), Contact).where(Contact.firm_id == firm.id)).all()
    tenancies = db.session.scalars(scoped(select(Tenancy), Tenancy).where(Tenancy.firm_id == firm.id)
                                   .order_by(Tenancy.start_date.desc())).all()
    leads = db.session.scalars(scoped(select(Lead), Lead).where(Lead.firm_id == firm.id)
                               .order_by(Lead.updated_at.desc(), Lead.id.desc())).all() \
        if has_permission(current_user, Perm.LEADS_VIEW) else []
    packs = db.session.scalars(pack_queries.list_statement(pack_queries.PackFilter(firm_id=firm.id))).all() \
        if has_permission(current_user, Perm.PACKS_VIEW) else []
    summaries = db.session.scalars(select(PolicySummary).where(PolicySummary.firm_id == firm.id)
                                   .order_by(PolicySummary.created_at.desc())).all()
    duplicates = [] if firm.deleted_at or current_user.role_code == FIRM else services.find_duplicates(
        firm.name, firm.uscc, exclude_id=firm.id, visible=visibility_clause(Firm))  # firm users see their own only
    merged_from = db.session.execute(select(Firm.id, Firm.name).where(Firm.merged_into_id == firm.id)
                                     .order_by(Firm.id)).all()
    return render_template('firms/detail.html', firm=firm, contacts=contacts, tenancies=tenancies, summaries=summaries,
                           leads=leads, packs=packs, duplicates=duplicates, merged_from=merged_from,
                           may_merge=can(current_user, 'edit', firm) and not firm.deleted_at,
                           display_phone=display_phone, industry=services.industry_name(firm.industry_code))


@bp.route('/new', methods=['GET', 'POST'])
@requires(Perm.FIRMS_EDIT)
def new():
    """Create a firm; the same USCC is refused and similar names must be confirmed."""
    form, candidates = FirmCreateForm(), []
    if form.validate_on_submit():
        firm, candidates = save_firm(form, None)
        if firm is not None:
            db.session.commit()
            flash(_('Firm %(name)s created.', name=firm.name), 'success')
            return redirect(url_for('firms.detail', firm_id=firm.id))
    failed = form.errors or form.form_errors
    return render_template('firms/form.html', form=form, firm=None, candidates=candidates), 422 if failed else 200


@bp.route('/<int:firm_id>/edit', methods=['GET', 'POST'])
@requires(Perm.FIRMS_EDIT)
def edit(firm_id: int):
    """Edit a firm; a save from a stale form merges (only this user's changes apply) or asks."""
    firm = get_or_404(Firm, firm_id)
    ensure('edit', firm)
    form = FirmForm.editing(firm)
    candidates = []

    def save(version: int) -> bool:
        nonlocal candidates
        saved, candidates = save_firm(form, firm, version)
        return saved is not None

    if form.save(firm, save):
        db.session.commit()
        flash(_('Firm %(name)s saved.', name=firm.name), 'success')
        return redirect(url_for('firms.detail', firm_id=firm.id))
    return render_template('firms/form.html', form=form, firm=firm, candidates=candidates, conflict=form.conflict), form.http_status


@bp.post('/<int:firm_id>/delete')
@requires(Perm.FIRMS_EDIT)
def delete(firm_id: int):
    """Soft-delete: the firm disappears from lists, search, exports, matching and packs."""
    firm = get_or_404(Firm, firm_id)
    ensure('edit', firm)
    services.soft_delete(firm, actor_id=current_user.id)
    db.session.commit()
    flash(_('Firm %(name)s deleted. An administrator can restore it.', name=firm.name), 'success')
    return redirect(url_for('firms.index'))


@bp.post('/<int:firm_id>/restore')
@requires(Perm.FIRMS_RESTORE)
def restore(firm_id: int):
    """Administrators bring a deleted firm back."""
    firm = db.session.get(Firm, firm_id) or abort(404)
    try:
        services.restore(firm)
    except services.FirmError as exc:
        flash(str(exc), 'error')
    else:
        db.session.commit()
        flash(_('Firm %(name)s restored.', name=firm.name), 'success')
    return redirect(url_for('firms.detail', firm_id=firm.id))


@bp.get('/<int:firm_id>/merge')
@requires(Perm.FIRMS_EDIT)
def merge_choose(firm_id: int):
    """与…合并: pick the other firm (possible duplicates are offered first, any firm through the picker)."""
    firm = get_or_404(Firm, firm_id)
    ensure('edit', firm)
    if other_id := request.args.get('other', type=record_id):
        return redirect(url_for('firms.merge', firm_id=firm.id, other_id=other_id))
    duplicates = services.find_duplicates(firm.name, firm.uscc, exclude_id=firm.id, visible=visibility_clause(Firm))
    return render_template('firms/merge_choose.html', firm=firm, duplicates=duplicates)


def merge_rows(firm: Firm, other: Firm) -> list[dict]:
    """The fields of two firms side by side as people read them, and whether they differ."""
    shown = {f.id: FirmCreateForm(formdata=None, obj=f, meta={'csrf': False}) for f in (firm, other)}
    rows = []
    for name in FIRM_FIELD_NAMES:
        mine, theirs = getattr(firm, name), getattr(other, name)
        field = shown[firm.id][name]
        mine_text, theirs_text = (readable(field, v) for v in (mine, theirs))
        if name == 'industry_code':
            mine_text, theirs_text = (f'{v} {services.industry_name(v)}' if v else '—' for v in (mine, theirs))
        empty = (None, '', [])
        rows.append({'name': name, 'label': str(field.label.text), 'this': mine_text or '—',
                     'other': theirs_text or '—', 'same': canonical(mine, unordered=True) == canonical(theirs, unordered=True),
                     'default': 'other' if mine in empty and theirs not in empty else 'this'})
    return rows


@bp.route('/<int:firm_id>/merge/<int:other_id>', methods=['GET', 'POST'])
@requires(Perm.FIRMS_EDIT)
def merge(firm_id: int, other_id: int):
    """Merge two firms: choose which one stays and, field by field, which value it keeps; the other's leads,
    tenancies, contacts, packs, 政策摘要 and accounts move to it, and its address leads to it from then on."""
    firm, other = get_or_404(Firm, firm_id), get_or_404(Firm, other_id)
    if not services.can_merge(current_user, firm, other):
        abort(403)
    rows = merge_rows(firm, other)
    if request.method == 'POST':  # CSRFProtect has checked the token of this hand-built form
        keep_this = request.form.get('survivor', 'this') != 'other'
        survivor, duplicate = (firm, other) if keep_this else (other, firm)
        chosen = {row['name']: getattr(other if request.form.get(row['name']) == 'other' else firm, row['name'])
                  for row in rows if request.form.get(row['name'], row['default']) in ('this', 'other')}
        try:
            services.merge(survivor, duplicate, chosen=chosen, actor_id=current_user.id)
        except services.FirmError as exc:
            flash(str(exc), 'error')
        else:
            db.session.commit()
            flash(_('%(other)s was merged into %(name)s.', other=duplicate.name, name=survivor.name), 'success')
            return redirect(url_for('firms.detail', firm_id=survivor.id))
    return render_template('firms/merge.html', firm=firm, other=other, rows=rows), 200 if request.method == 'GET' else 422


@bp.route('/<int:firm_id>/contacts/new', methods=['GET', 'POST'])
@bp.route('/contacts/<int:contact_id>', methods=['GET', 'POST'])
@requires(Perm.FIRMS_CONTACTS)
def contact(firm_id: int | None = None, contact_id: int | None = None):
    """Add or edit a contact person (firm users may keep their own firm's contacts current)."""
    item = get_or_404(Contact, contact_id) if contact_id else None
    firm = get_or_404(Firm, item.firm_id if item else firm_id)
    ensure('edit_contacts', firm)
    form = ContactForm(obj=item)
    if request.method == 'GET' and item and item.phone:
        form.phone.data = display_phone(item.phone)
    if form.validate_on_submit():
        item = item or Contact(firm_id=firm.id)
        form.populate_obj(item)
        item.phone, item.email = form.phone.data or None, form.email.data or None
        db.session.add(item)
        db.session.commit()
        flash(_('Contact %(name)s saved.', name=item.name), 'success')
        return redirect(url_for('firms.detail', firm_id=firm.id))
    return render_template('firms/contact_form.html', form=form, firm=firm, contact=item), 422 if form.errors else 200


@bp.route('/<int:firm_id>/tenancies/new', methods=['GET', 'POST'])
@requires(Perm.FIRMS_EDIT)
def tenancy(firm_id: int):
    """Record that the firm moved into a unit (入驻)."""
    firm = get_or_404(Firm, firm_id)
    ensure('tenancy', firm)
    form = TenancyForm()
    free = Unit.status.in_((UnitStatus.VACANT, UnitStatus.PROMISED))
    units = db.session.execute(scoped(select(Unit.id, Unit.number, Unit.area_gross, Building.name), Unit)
                               .join(Building, Unit.building_id == Building.id)
                               .where(free).order_by(Building.name, Unit.number).limit(500)).all()
    form.unit_id.offer(scoped(select(Unit.id), Unit).where(free))
    if form.validate_on_submit():
        unit = get_or_404(Unit, form.unit_id.data)
        services.record_tenancy(firm, unit, start_date=form.start_date.data, end_date=form.end_date.data,
                                area=form.area.data, rent=form.rent.data, actor_id=current_user.id)
        db.session.commit()
        flash(_('Tenancy recorded; the unit is now let.'), 'success')
        return redirect(url_for('firms.detail', firm_id=firm.id))
    return render_template('firms/tenancy_form.html', form=form, firm=firm, units=units), 422 if form.errors else 200


@bp.route('/import', methods=['GET', 'POST'])
@requires(Perm.FIRMS_EDIT)
def import_firms_page():
    """Upload → check (dry run, every bad row explained) → confirm; re-importing changes nothing."""
    return import_page(
        kind='firm', title=_('Import firms'), back_url=url_for('firms.index'), done_url=url_for('firms.index'),
        description=_('CSV (UTF-8 or GB18030) or Excel .xlsx. Usual headers such as 企业名称, 统一社会信用代码, '
                      '所属行业, 注册资本, 法定代表人, 注册地址, 员工人数 and 营业收入 are recognised. Rows match an existing '
                      'firm by credit code, else by name; importing the same file again changes nothing.'),
        run=lambda table, dry_run, filename: import_firms(table, dry_run=dry_run, filename=filename))


@bp.route('/contacts/import', methods=['GET', 'POST'])
@requires(Perm.FIRMS_EDIT)
def import_contacts_page():
    """Upload → check → confirm for contact people of existing firms."""
    return import_page(
        kind='contact', title=_('Import contacts'), back_url=url_for('firms.index'), done_url=url_for('firms.index'),
        description=_('Each row names its firm by credit code or name (the firm must exist). Contacts match by firm '
                      'and phone, else by firm and name; phones are checked as Chinese mobile or landline numbers.'),
        run=lambda table, dry_run, filename: import_contacts(table, dry_run=dry_run, filename=filename))
