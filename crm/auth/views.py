"""Sign-in (password, then a one-time code where enrolled), logout, password change, two-step sign-in set-up and
language choice."""
from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from crm.auth import services, totp
from crm.auth.forms import (
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    SignInCodeForm,
    TokenForm,
    TotpCodeForm,
    TotpOffForm,
)
from crm.auth.models import LEADER, OFFICER, ROLES, User
from crm.auth.sessions import (
    MFA,
    PENDING,
    begin_second_factor,
    end_session,
    pending_second_factor,
    revoke_all_sessions,
    start_session,
)
from crm.auth.tokens import ApiToken, TokenError, create_token, revoke_token, tokens_of
from crm.core import audit, pickers
from crm.core.access import Perm, deny, has_permission, public, requires
from crm.core.i18n import LANG_COOKIE
from crm.db import db
from crm.extensions import limiter

bp = Blueprint('auth', __name__)


def safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login; anything else goes home."""
    if not target:
        return url_for('main.home')
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith('/') or target.startswith('//') or '\\' in target:
        return url_for('main.home')
    return target


def _login_limit() -> str:
    return current_app.config['LOGIN_IP_LIMIT']


@bp.route('/login', methods=['GET', 'POST'])
@limiter.limit(_login_limit, methods=['POST'])
@public
def login():
    """Sign in. Unknown e-mail and wrong password get the same answer."""
    if current_user.is_authenticated and request.method == 'GET':
        return redirect(safe_next(request.args.get('next')))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        result = services.authenticate(form.email.data, form.password.data)
        if result.user is not None:
            if totp.is_enrolled(result.user):
                begin_second_factor(result.user, safe_next(request.args.get('next')))
                db.session.commit()
                return redirect(url_for('auth.login_code'))
            start_session(result.user)
            db.session.commit()
            if totp.required_for(result.user):
                return redirect(url_for('auth.two_factor'))
            return redirect(safe_next(request.args.get('next')))
        db.session.commit()  # keep the failure count and the audit entry
        if result.throttled:
            status = 429
            form.form_errors.append(_('Too many failed attempts. Please wait a minute and try again.'))
        else:
            form.form_errors.append(_('E-mail or password is not correct.'))
    return render_template('auth/login.html', form=form), status


def _code_limit() -> str:
    return current_app.config['TOTP_IP_LIMIT']


@bp.route('/login/code', methods=['GET', 'POST'])
@limiter.limit(_code_limit, methods=['POST'])
@public
def login_code():
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for('main.home'))
    user, next_url = pending_second_factor()
    if user is None:
        session.pop(PENDING, None)
        flash(_('Sign in with your e-mail and password first (the code step waits 5 minutes).'), 'info')
        return redirect(url_for('auth.login'))
    form = SignInCodeForm()
    status = 200
    if form.validate_on_submit():
        result = services.check_sign_in_code(user, form.code.data)
        if result.user is not None:
            start_session(user, second_factor=True)
            db.session.commit()
            left = totp.remaining_recovery_codes(user.id)
            if left <= 3:
                flash(_('Only %(n)s recovery codes are left: make new ones on the two-step sign-in page.', n=left),
                      'warning')
            return redirect(safe_next(next_url))
        db.session.commit()  # keep the failure count and the audit entry
        if result.throttled:
            status = 429
            form.form_errors.append(_('Too many wrong codes. Please wait a minute and try again.'))
        else:
            form.code.errors.append(_('The code is not correct, or was already used. Codes change every 30 seconds.'))
    return render_template('auth/login_code.html', form=form), status


@bp.post('/logout')
@requires(Perm.ACCOUNT)
def logout():
    """End this session."""
    audit.log(db.session, 'logout', 'user', current_user.id)
    end_session()
    db.session.commit()
    flash(_('You have signed out.'), 'info')
    return redirect(url_for('auth.login'))


@bp.post('/logout-all')
@requires(Perm.ACCOUNT)
def logout_all():
    """End every session of this account, on every device."""
    user = current_user._get_current_object()
    revoke_all_sessions(user)
    audit.log(db.session, 'logout_all', 'user', user.id)
    end_session()
    db.session.commit()
    flash(_('You have signed out on every device.'), 'info')
    return redirect(url_for('auth.login'))


def _account_page(form=None, token_form=None, new_token: str | None = None, status: int = 200):
    return render_template('auth/password.html', form=form or PasswordChangeForm(formdata=None),
                           token_form=token_form or TokenForm(formdata=None), tokens=tokens_of(current_user.id),
                           new_token=new_token), status


@bp.route('/account/password', methods=['GET', 'POST'])
@requires(Perm.ACCOUNT)
def change_password():
    """Change one's own password; other sessions end. The page also lists the account's API tokens."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user._get_current_object(), form.current.data, form.new.data)
        except services.AccountError as exc:
            form.current.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_('Password changed. Other sessions have been signed out.'), 'success')
            return redirect(url_for('main.home'))
    return _account_page(form)


@bp.route('/account/profile', methods=['GET', 'POST'])
@requires(Perm.PROFILE)
def profile():
    """One's own contact details printed on promotion packs: job title, mobile, WeChat and office address (staff
    accounts; a firm user's account is kept by the administrators)."""
    user = current_user._get_current_object()
    form = ProfileForm.editing(user)
    if form.save(user, lambda version: services.update_own_contact(
            user, version=version, phone=form.phone.data, contact=form.contact())):
        db.session.commit()
        flash(_('Your contact details are saved.'), 'success')
        return redirect(url_for('auth.profile'))
    return render_template('auth/profile.html', form=form, conflict=form.conflict), 422 if form.errors or form.conflict is not None else 200


def _two_factor_page(form=None, *, codes: list[str] | None = None, off_form=None, status: int = 200):
    user = current_user._get_current_object()
    factor = totp.factor_of(user.id)
    context = {'factor': factor, 'required': totp.required_for(user), 'codes': codes,
               'form': form or TotpCodeForm(formdata=None), 'off_form': off_form or TotpOffForm(formdata=None)}
    if factor is None:
        nonce = session.get(ENROLMENT_NONCE)
        if not nonce:
            nonce = session[ENROLMENT_NONCE] = secrets.token_urlsafe(16)
        secret = totp.enrolment_secret(user, nonce)
        uri = totp.provisioning_uri(user, secret)
        context.update(secret=' '.join(secret[i:i + 4] for i in range(0, len(secret), 4)), qr=totp.qr_svg(uri),
                       uri=uri)
    else:
        context['recovery_left'] = totp.remaining_recovery_codes(user.id)
    return render_template('auth/two_factor.html', **context), status


ENROLMENT_NONCE = 'totp_enrolment'  # the secret offered for enrolment is derived from it (crm.auth.totp)


@bp.route('/account/two-factor', methods=['GET', 'POST'])
@requires(Perm.ACCOUNT)
def two_factor():
    """Two-step sign-in: enrol an authenticator app (secret and QR code, then a code to confirm), see how many
    recovery codes are left. The ten recovery codes are shown once, right after enrolment."""
    user = current_user._get_current_object()
    form = TotpCodeForm()
    if request.method == 'POST':
        if totp.is_enrolled(user):
            return redirect(url_for('auth.two_factor'))
        if form.validate_on_submit():
            nonce = session.get(ENROLMENT_NONCE)
            codes = totp.confirm_enrolment(user, totp.enrolment_secret(user, nonce), form.code.data) if nonce else None
            if codes is not None:
                session.pop(ENROLMENT_NONCE, None)
                session[MFA] = True
                db.session.commit()
                flash(_('Two-step sign-in is on. From now on you sign in with a code from the app.'), 'success')
                return _two_factor_page(codes=codes)
            form.code.errors.append(_('The code does not match. Check that the app shows this account and that '
                                      'the phone\'s clock is right, then type the current code.'))
        return _two_factor_page(form, status=422)
    return _two_factor_page()


@bp.post('/account/two-factor/recovery-codes')
@requires(Perm.ACCOUNT)
def recovery_codes():
    """Ten new recovery codes (the old ones stop working), confirmed with a current code from the app."""
    user = current_user._get_current_object()
    form = TotpCodeForm()
    if not totp.is_enrolled(user):
        return redirect(url_for('auth.two_factor'))
    if form.validate_on_submit():
        if totp.verify_current(user, form.code.data):
            codes = totp.new_recovery_codes(user)
            db.session.commit()
            flash(_('New recovery codes made; the old ones no longer work.'), 'success')
            return _two_factor_page(codes=codes)
        db.session.commit()
        form.code.errors.append(_('The code is not correct, or was already used. Codes change every 30 seconds.'))
    return _two_factor_page(form, status=422)


@bp.post('/account/two-factor/off')
@requires(Perm.ACCOUNT)
def two_factor_off():
    """Turn two-step sign-in off (with the password); refused for roles that require it."""
    user = current_user._get_current_object()
    form = TotpOffForm()
    if totp.required_for(user):
        flash(_('Your role must sign in with a one-time code; an administrator can reset it if the phone is lost.'),
              'error')
        return redirect(url_for('auth.two_factor'))
    if form.validate_on_submit():
        if services.verify_password(user, form.password.data):
            totp.remove(user, action='totp_disabled')
            session.pop(MFA, None)
            db.session.commit()
            flash(_('Two-step sign-in is off.'), 'success')
            return redirect(url_for('auth.two_factor'))
        form.password.errors.append(_('The password is not correct.'))
    return _two_factor_page(off_form=form, status=422)


@bp.post('/account/tokens')
@requires(Perm.ACCOUNT)
def token_create():
    """Create an API token; the page shows it once (only its hash is kept)."""
    form = TokenForm()
    if form.validate_on_submit():
        try:
            _row, text = create_token(current_user._get_current_object(), form.name.data, days=form.days.data)
        except TokenError as exc:
            form.name.errors.append(str(exc))
        else:
            db.session.commit()
            return _account_page(new_token=text)
    return _account_page(token_form=form, status=422)


@bp.post('/account/tokens/<int:token_id>/revoke')
@requires(Perm.ACCOUNT)
def token_revoke(token_id: int):
    """Revoke one of one's own API tokens; it stops working at once."""
    row = db.session.get(ApiToken, token_id)
    if row is None:
        abort(404)
    if row.user_id != current_user.id:
        deny(404, 'api_token', token_id)
    revoke_token(row, actor_id=current_user.id)
    db.session.commit()
    flash(_('Token %(name)s revoked.', name=row.name), 'success')
    return redirect(url_for('auth.change_password'))


@bp.post('/locale')
@public
def set_locale():
    """Switch the interface language (cookie; also saved on the account when signed in)."""
    chosen = request.form.get('lang', '')
    if chosen not in current_app.config['LANGUAGES']:
        chosen = current_app.config['BABEL_DEFAULT_LOCALE']
    if current_user.is_authenticated:
        current_user.locale = chosen
        db.session.commit()
    response = make_response(redirect(safe_next(request.form.get('next'))))
    response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, samesite='Lax', httponly=True,
                        secure=current_app.config['SESSION_COOKIE_SECURE'])
    return response


@bp.get('/users/picker')
@requires(Perm.LEADS_EDIT)
def users_picker():
    """Active accounts for a searchable picker, as JSON: those of `role` (default: officers, who own and work
    leads, or leaders; administrators any role) whose name or e-mail contains what was typed."""
    role = request.args.get('role', OFFICER)
    allowed = {r[0] for r in ROLES} if has_permission(current_user, Perm.USERS_MANAGE) else {OFFICER, LEADER}
    if role not in allowed:
        role = OFFICER
    text = ' '.join(request.args.get('q', '').split())[:60]
    stmt = select(User.id, User.name, User.email).where(User.is_active.is_(True), User.role_code == role)
    if text:
        stmt = stmt.where(or_(User.name.contains(text, autoescape=True), User.email.contains(text, autoescape=True)))
    rows = db.session.execute(stmt.order_by(User.name, User.id).limit(pickers.LIMIT + 1)).all()
    return pickers.picker_json([{'id': r.id, 'text': r.name, 'hint': r.email} for r in rows],
                               _('More people match: type more of the name.'))
