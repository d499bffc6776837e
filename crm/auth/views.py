"""Login, logout, password change and language choice."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.auth import services
from crm.auth.forms import LoginForm, PasswordChangeForm
from crm.auth.sessions import end_session, revoke_all_sessions, start_session
from crm.core import audit
from crm.core.access import Perm, public, requires
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
            start_session(result.user)
            db.session.commit()
            return redirect(safe_next(request.args.get('next')))
        db.session.commit()  # keep the failure count and the audit entry
        if result.throttled:
            status = 429
            form.form_errors.append(_('Too many failed attempts. Please wait a minute and try again.'))
        else:
            form.form_errors.append(_('E-mail or password is not correct.'))
    return render_template('auth/login.html', form=form), status


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


@bp.route('/account/password', methods=['GET', 'POST'])
@requires(Perm.ACCOUNT)
def change_password():
    """Change one's own password; other sessions end."""
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
    return render_template('auth/password.html', form=form)


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
