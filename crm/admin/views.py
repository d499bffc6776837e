"""User management (admins) and the audit log (admins and leaders)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange, Optional

from crm.auth import services, totp
from crm.auth.forms import PasswordResetForm, UserCreateForm, UserForm
from crm.auth.models import OFFICER, Role, User, UserSession
from crm.auth.sessions import revoke_all_sessions
from crm.auth.tokens import ApiToken, revoke_token, tokens_of
from crm.core import audit, denials
from crm.core.access import Perm, requires
from crm.core.audit import AuditEvent
from crm.core.forms import BaseForm
from crm.core.pagination import page_args, paginate
from crm.core.validators import record_id
from crm.db import db, utcnow
from crm.leads import followups, pool
from crm.leads.models import SOURCES
from crm.platforms.listing import platform_groups
from crm.platforms.models import Platform

bp = Blueprint('admin', __name__, url_prefix='/admin')


def _choices(form: UserForm) -> None:
    roles = db.session.scalars(select(Role).order_by(Role.rank))
    form.role.choices = [(r.code, r.label) for r in roles]
    form.platforms.choices = platform_groups()  # by district, in pinyin order


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get('/users')
@requires(Perm.USERS_MANAGE)
def users():
    """All accounts, filterable by role, status and text."""
    stmt = select(User).order_by(User.role_code, User.name)
    role, q, status = request.args.get('role', ''), request.args.get('q', '').strip(), request.args.get('status', '')
    if role:
        stmt = stmt.where(User.role_code == role)
    if q:
        like = f'%{q.replace("%", "").replace("_", "")}%'
        stmt = stmt.where(or_(User.name.like(like), User.email.like(like)))
    if status in {'active', 'inactive'}:
        stmt = stmt.where(User.is_active.is_(status == 'active'))
    page = paginate(stmt, *page_args())
    roles = list(db.session.scalars(select(Role).order_by(Role.rank)))
    denied = denials.counts_since(utcnow() - denials.WINDOW, [u.id for u in page.items])
    return render_template('admin/users.html', page=page, roles=roles, role=role, q=q, status=status, denied=denied)


@bp.route('/users/new', methods=['GET', 'POST'])
@requires(Perm.USERS_MANAGE)
def user_new():
    """Create an account."""
    form = UserCreateForm()
    _choices(form)
    if form.validate_on_submit():
        try:
            user = services.create_user(email=form.email.data, name=form.name.data, role=form.role.data,
                                        password=form.password.data, platform_ids=form.platforms.data,
                                        phone=form.phone.data, is_active=form.is_active.data,
                                        firm_id=form.firm_id(), contact=form.contact())
        except services.AccountError as exc:
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_('Account %(email)s created.', email=user.email), 'success')
            return redirect(url_for('admin.users'))
    return render_template('admin/user_form.html', form=form, user=None), 422 if form.errors else 200


def _load_user(form, user) -> None:
    form.role.data, form.platforms.data = user.role_code, sorted(user.platform_ids)
    form.firm.data = str(user.firm_id) if user.firm_id else ''


@bp.route('/users/<int:user_id>', methods=['GET', 'POST'])
@requires(Perm.USERS_MANAGE)
def user_edit(user_id: int):
    """Edit an account; a stale form is refused with the other change shown."""
    user = _user_or_404(user_id)
    form = UserForm.editing(user, load=_load_user)
    _choices(form)
    labels = {'email': _('E-mail'), 'name': _('Name'), 'role_code': _('Role'), 'phone': _('Phone')}
    if form.save(user, lambda version: services.update_user(
            user, version=version, email=form.email.data, name=form.name.data, role=form.role.data,
            platform_ids=form.platforms.data, phone=form.phone.data, is_active=form.is_active.data,
            firm_id=form.firm_id(), contact=form.contact()), labels=labels, errors={services.AccountError: None}):
        db.session.commit()
        flash(_('Account %(email)s saved.', email=user.email), 'success')
        return redirect(url_for('admin.users'))
    return _edit_page(user, form), form.http_status


def _edit_page(user: User, form: UserForm, reset_form: PasswordResetForm | None = None) -> str:
    """The account's page: its form, sessions, tokens, two-step sign-in, and the password form (`reset_form`: a
    refused new password, the refusal beside its input)."""
    sessions = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id,
                                                            UserSession.revoked_at.is_(None))
                                  .order_by(UserSession.created_at.desc()).limit(20)).all()
    return render_template('admin/user_form.html', form=form, user=user, conflict=form.conflict, sessions=sessions,
                           reset_form=reset_form or PasswordResetForm(formdata=None), tokens=tokens_of(user.id),
                           totp_factor=totp.factor_of(user.id), totp_required=totp.required_for(user))


@bp.post('/users/<int:user_id>/password')
@requires(Perm.USERS_MANAGE)
def user_password(user_id: int):
    """Set a new password for an account; its sessions end. A refused password comes back on the account's page
    beside the password input (422; a password is never written back into the page)."""
    user = _user_or_404(user_id)
    form = PasswordResetForm()
    form.account = user
    if form.validate_on_submit():
        services.reset_password(user, form.password.data)
        db.session.commit()
        flash(_('New password set for %(email)s; their sessions were ended.', email=user.email), 'success')
        return redirect(url_for('admin.user_edit', user_id=user.id))
    account = UserForm(formdata=None, obj=user)  # the account's form as stored, opened now
    _load_user(account, user)
    _choices(account)
    account.opened.data = account.opened_token()
    return _edit_page(user, account, form), 422


@bp.post('/users/<int:user_id>/two-factor/reset')
@requires(Perm.USERS_MANAGE)
def user_totp_reset(user_id: int):
    """Reset an account's two-step sign-in (a lost phone): its codes stop working and its sessions end."""
    user = _user_or_404(user_id)
    if not totp.is_enrolled(user):
        flash(_('%(email)s has no two-step sign-in to reset.', email=user.email), 'info')
    else:
        services.reset_second_factor(user)
        db.session.commit()
        flash(_('Two-step sign-in of %(email)s was reset and their sessions ended; they set it up again at their '
                'next sign-in.', email=user.email), 'success')
    return redirect(url_for('admin.user_edit', user_id=user.id))


@bp.post('/users/<int:user_id>/sessions/revoke')
@requires(Perm.USERS_MANAGE)
def user_revoke_sessions(user_id: int):
    """End every session of an account."""
    user = _user_or_404(user_id)
    revoke_all_sessions(user)
    audit.log(db.session, 'sessions_revoked', 'user', user.id)
    db.session.commit()
    flash(_('All sessions of %(email)s were ended.', email=user.email), 'success')
    return redirect(url_for('admin.user_edit', user_id=user.id))


@bp.post('/users/<int:user_id>/tokens/<int:token_id>/revoke')
@requires(Perm.USERS_MANAGE)
def user_revoke_token(user_id: int, token_id: int):
    """Revoke one API token of an account; it stops working at once."""
    user = _user_or_404(user_id)
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        abort(404)
    revoke_token(row, actor_id=current_user.id)
    db.session.commit()
    flash(_('Token %(name)s revoked.', name=row.name), 'success')
    return redirect(url_for('admin.user_edit', user_id=user.id))


@bp.get('/denials', endpoint='denials')
@requires(Perm.USERS_MANAGE)
def denials_page():
    """越权访问记录: refused requests per user in the last 24 hours (most first), then every refusal, newest first."""
    since = utcnow() - denials.WINDOW
    stmt = select(denials.AccessDenial).order_by(denials.AccessDenial.id.desc())
    user_id = request.args.get('user_id', type=record_id)
    if user_id:
        stmt = stmt.where(denials.AccessDenial.user_id == user_id)
    page = paginate(stmt, *page_args())
    names = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_({row.user_id for row in page.items if row.user_id})))}
    return render_template('admin/denials.html', summary=denials.summary_since(since), page=page, users=names,
                           user_id=user_id, alert=denials.ALERT_COUNT)


@bp.get('/audit', endpoint='audit')
@requires(Perm.AUDIT_VIEW)
def audit_log():
    """The audit trail, newest first, filterable by object and action."""
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc())
    object_type, object_id = request.args.get('object_type', ''), request.args.get('object_id', '')
    action = request.args.get('action', '')
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditEvent.object_id == object_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    page = paginate(stmt, *page_args())
    return render_template('admin/audit.html', page=page, object_type=object_type, object_id=object_id,
                           action=action)


def _follow_up_rules_form():
    """One whole-days field per chased stage (empty: never flag that stage)."""
    message = _('Enter whole days from 1 to 3650, or leave empty to never flag this stage.')

    class FollowUpRulesForm(BaseForm):
        pass

    for n, stage in enumerate(followups.CHASED_STAGES):
        setattr(FollowUpRulesForm, f'days_{n}', IntegerField(stage, validators=[
            Optional(), NumberRange(min=1, max=3650, message=message)]))
    return FollowUpRulesForm()


@bp.route('/follow-up-rules', methods=['GET', 'POST'])
@requires(Perm.SETTINGS_EDIT)
def follow_up_rules():
    """The days without a follow-up after which a lead in each stage is flagged stale."""
    form = _follow_up_rules_form()
    stages = followups.CHASED_STAGES
    if form.validate_on_submit():
        followups.set_stale_thresholds({stage: form[f'days_{n}'].data for n, stage in enumerate(stages)},
                                       actor_id=current_user.id)
        db.session.commit()
        flash(_('Follow-up rules saved.'), 'success')
        return redirect(url_for('admin.follow_up_rules'))
    if request.method == 'GET':
        for n, days in enumerate(followups.stale_thresholds(cached=False).values()):
            form[f'days_{n}'].data = days
    return render_template('admin/follow_up_rules.html', form=form, stages=stages,
                           defaults=followups.DEFAULT_STALE_DAYS, closed=followups.CLOSED_STAGES), \
        422 if form.errors else 200


# --- the shared pool's rules ------------------------------------------------------------------------------------

def _pool_rules_form():
    """Recall days per stage before 洽谈 (empty: never) and the daily claim limit."""
    class PoolRulesForm(BaseForm):
        claim_limit = IntegerField(_('Claims per officer per day'), validators=[
            InputRequired(message=_('Enter the number of leads an officer may claim per day (0 to 1000).')),
            NumberRange(min=0, max=1000, message=_('Enter the number of leads an officer may claim per day (0 to 1000).'))])

    message = _('Enter whole days from 1 to 3650, or leave empty to never return leads of this stage.')
    for n, stage in enumerate(pool.RECALL_STAGES):
        setattr(PoolRulesForm, f'days_{n}', IntegerField(stage, validators=[
            Optional(), NumberRange(min=1, max=3650, message=message)]))
    return PoolRulesForm()


def _rule_choices():
    officers = db.session.execute(select(User.id, User.name).where(User.role_code == OFFICER, User.is_active.is_(True))
                                  .order_by(User.name)).all()
    return officers, platform_groups(), SOURCES


def _render_pool_rules(form, status: int = 200, rule_error: str | None = None, rule_input: dict | None = None):
    rules = db.session.scalars(select(pool.AssignmentRule).order_by(pool.AssignmentRule.position,
                                                                    pool.AssignmentRule.id)).all()
    names = dict(db.session.execute(select(User.id, User.name)).all())
    platforms = dict(db.session.execute(select(Platform.id, Platform.name)).all())
    officers, groups, sources = _rule_choices()
    return render_template('admin/pool_rules.html', form=form, stages=pool.RECALL_STAGES,
                           defaults=pool.DEFAULT_RECALL_DAYS, rules=rules, names=names, platforms=platforms,
                           officers=officers, platform_groups=groups, sources=sources, rule_error=rule_error,
                           rule_input=rule_input or {}), status


@bp.route('/pool-rules', methods=['GET', 'POST'])
@requires(Perm.SETTINGS_EDIT)
def pool_rules():
    """公海规则: recall days per stage, the claim limit, and the assignment rules."""
    form = _pool_rules_form()
    if form.validate_on_submit():
        pool.set_rules({stage: form[f'days_{n}'].data for n, stage in enumerate(pool.RECALL_STAGES)},
                       form.claim_limit.data, actor_id=current_user.id)
        db.session.commit()
        flash(_('Pool rules saved.'), 'success')
        return redirect(url_for('admin.pool_rules'))
    if request.method == 'GET':
        current = pool.rules(cached=False)
        for n, stage in enumerate(pool.RECALL_STAGES):
            form[f'days_{n}'].data = current['recall_days'][stage]
        form.claim_limit.data = current['claim_limit']
    return _render_pool_rules(form, 422 if form.errors else 200)


@bp.post('/pool-rules/assignment')
@requires(Perm.SETTINGS_EDIT)
def pool_rule_new():
    """Add an assignment rule: platform, industry prefix and source (each optional) → a team in turn."""
    officers, _groups, sources = _rule_choices()
    officer_ids = {o.id for o in officers}
    team = [uid for uid in (record_id(v) for v in request.form.getlist('team')) if uid in officer_ids]
    platform_id = request.form.get('platform_id', type=record_id) or None
    prefix = request.form.get('industry_prefix', '').strip()
    source = request.form.get('source', '') or None
    error = None
    if platform_id and db.session.get(Platform, platform_id) is None:
        error = _('Choose a platform from the list.')
    elif prefix and not (prefix.isdigit() and len(prefix) <= 4):
        error = _('The industry code is one to four digits of GB/T 4754 (e.g. 65 or 6510).')
    elif source and source not in sources:
        error = _('Choose a source from the list.')
    elif not team:
        error = _('Choose at least one officer for the team.')
    if error:
        form = _pool_rules_form()
        current = pool.rules(cached=False)
        for n, stage in enumerate(pool.RECALL_STAGES):
            form[f'days_{n}'].data = current['recall_days'][stage]
        form.claim_limit.data = current['claim_limit']
        return _render_pool_rules(form, 422, error, {'platform_id': platform_id, 'industry_prefix': prefix,
                                                     'source': source, 'team': team})
    pool.add_rule(platform_id=platform_id, industry_prefix=prefix or None, source=source, team=team,
                  position=request.form.get('position', type=int) or 0)
    db.session.commit()
    flash(_('Assignment rule added.'), 'success')
    return redirect(url_for('admin.pool_rules'))


@bp.post('/pool-rules/assignment/<int:rule_id>/delete')
@requires(Perm.SETTINGS_EDIT)
def pool_rule_delete(rule_id: int):
    """Remove an assignment rule."""
    rule = db.session.get(pool.AssignmentRule, rule_id)
    if rule is None:
        abort(404)
    pool.delete_rule(rule)
    db.session.commit()
    flash(_('Assignment rule removed.'), 'success')
    return redirect(url_for('admin.pool_rules'))
