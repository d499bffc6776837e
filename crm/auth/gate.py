"""Roles that must sign in with a second factor cannot use anything until they have one.

An administrator (any role in `TOTP_REQUIRED_ROLES`) whose session did not pass a code is sent to the enrolment
page on every request, except signing out, the language switch and public pages. One who is enrolled but whose
session never gave a code (a session from before enrolment became required) is signed out and signs in again.
Requests authenticated by an API token are not concerned: the token is the credential.
"""
from __future__ import annotations

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.auth import totp
from crm.auth.sessions import MFA, end_session
from crm.core.access import PUBLIC
from crm.core.errors import api_error
from crm.core.transactions import commit_with_response

EXEMPT = frozenset({'static', 'auth.two_factor', 'auth.logout', 'auth.set_locale'})


def require_second_factor():
    """before_request: send a signed-in user who owes a second factor to enrolment (or to sign in again)."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in EXEMPT:
        return None
    if getattr(current_app.view_functions.get(endpoint), 'required_permission', None) == PUBLIC:
        return None
    if not current_user.is_authenticated or getattr(g, 'api_token', None) is not None:
        return None
    if session.get(MFA) or not totp.required_for(current_user):
        return None
    if request.path.startswith('/api/'):
        return api_error(401, 'second_factor_required', _('Your account must sign in with a one-time code first: '
                                                          'sign in again in the browser, or use an API token.'))
    if totp.is_enrolled(current_user):
        end_session()
        commit_with_response()  # no view runs after this answer to commit the ended session
        flash(_('Sign in again with your one-time code.'), 'info')
        return redirect(url_for('auth.login'))
    flash(_('Your role signs in with a one-time code as well as the password. Set up an authenticator app to '
            'continue.'), 'warning')
    return redirect(url_for('auth.two_factor'))


def init_app(app: Flask) -> None:
    app.before_request(require_second_factor)
