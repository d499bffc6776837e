"""Login sessions: a signed cookie pointing at a revocable server-side session row.

The cookie holds Flask-Login's id `"<user id>:<session epoch>"` and our session id.
A request is authenticated only when the user is active, the epoch still matches
(bumped by logout-everywhere, password change and deactivation), the session row is
not revoked, it is younger than the absolute lifetime and the user was not idle too long.
"""
from __future__ import annotations

import functools
import secrets
import time

from flask import current_app, request, session
from flask_login import login_user, logout_user
from sqlalchemy import bindparam, select, update

from crm.auth.models import User, UserSession
from crm.db import db, utcnow

SID = 'sid'
SEEN = 'seen'
MFA = 'mfa'  # this session's sign-in passed the second factor (or enrolled in it)
PENDING = 'mfa_pending'  # password accepted, code not yet: {'uid', 'epoch', 'at', 'next'}
SEEN_RESOLUTION = 30  # seconds: the idle timeout is measured to within this


@functools.cache
def _session_user():
    """The user with this session row (built once: it runs on every request)."""
    return (select(User, UserSession.revoked_at, UserSession.created_at)
            .join(UserSession, UserSession.user_id == User.id)
            .where(User.id == bindparam('user_id'), UserSession.id == bindparam('sid')))


def load_user(user_key: str) -> User | None:
    """Flask-Login user loader: check epoch, session row, absolute and idle timeouts."""
    try:
        user_id, epoch = (int(part) for part in user_key.split(':'))
    except ValueError:
        return None
    found = db.session.execute(_session_user(), {'user_id': user_id, 'sid': session.get(SID, '')}).first()
    if found is None:
        return None
    user, revoked_at, created_at = found
    if not user.is_active or user.session_epoch != epoch or revoked_at is not None:
        return None
    if utcnow() - created_at > current_app.config['PERMANENT_SESSION_LIFETIME']:
        return None
    now, seen = int(time.time()), int(session.get(SEEN, 0))
    if now - seen > current_app.config['SESSION_IDLE_MINUTES'] * 60:
        return None
    if now - seen >= SEEN_RESOLUTION:  # re-signing the cookie on every request would cost more than it tells
        session[SEEN] = now
    return user


def start_session(user: User, *, second_factor: bool = False) -> None:
    """Log `user` in on a fresh session (new cookie contents, new server-side row); `second_factor`: the sign-in
    included a code."""
    session.clear()
    row = UserSession(id=secrets.token_urlsafe(32), user_id=user.id, ip=request.remote_addr,
                      user_agent=(request.user_agent.string or '')[:255])
    db.session.add(row)
    # A plain UPDATE: two logins of one account at the same moment must not trip the user's edit version.
    db.session.execute(update(User).where(User.id == user.id).values(last_login_at=utcnow()))
    session.permanent = True
    session[SID] = row.id
    session[SEEN] = int(time.time())
    if second_factor:
        session[MFA] = True
    login_user(user)


def begin_second_factor(user: User, next_url: str) -> None:
    """The password was right and the account signs in with a code: remember who, for a few minutes, on a fresh
    session that is not signed in yet."""
    session.clear()
    session[PENDING] = {'uid': user.id, 'epoch': user.session_epoch, 'at': int(time.time()), 'next': next_url}


def pending_second_factor() -> tuple[User | None, str]:
    """The user whose password was accepted on this browser and who still owes a code (None when there is none,
    it is too old, or the account changed since), and where to go afterwards."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None, ''
    if int(time.time()) - int(pending.get('at', 0)) > current_app.config['TOTP_PENDING_SECONDS']:
        return None, ''
    user = db.session.get(User, pending.get('uid'))
    if user is None or not user.is_active or user.session_epoch != pending.get('epoch'):
        return None, ''
    return user, pending.get('next') or '/'


def end_session() -> None:
    """Log out: revoke this session's row and clear the cookie."""
    sid = session.get(SID)
    if sid:
        db.session.execute(update(UserSession).where(UserSession.id == sid).values(revoked_at=utcnow()))
    logout_user()
    session.clear()


def revoke_all_sessions(user: User, *, keep_current: bool = False) -> None:
    """End every session of `user` (optionally keeping this one) by bumping the epoch."""
    stmt = update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    if keep_current and session.get(SID):
        stmt = stmt.where(UserSession.id != session[SID])
    db.session.execute(stmt.values(revoked_at=utcnow()))
    user.session_epoch += 1
    db.session.flush()
    if keep_current:
        login_user(user)  # re-issue the cookie id with the new epoch
