"""Account operations. Services flush and write audit events; the caller commits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.auth import passwords, totp
from crm.auth.models import ROLE_CODES, ROLES, LoginThrottle, PlatformMembership, Role, User, user_by_email
from crm.auth.sessions import revoke_all_sessions
from crm.core import audit
from crm.core.concurrency import check_version
from crm.db import db, utcnow

_hashers: dict[bool, PasswordHasher] = {}


class AccountError(ValueError):
    """A rule about accounts was broken; the message is shown to the user."""


def _hasher() -> PasswordHasher:
    fast = has_app_context() and current_app.config.get('PASSWORD_HASH_FAST', False)
    if fast not in _hashers:
        # Tests use cheap parameters; everything else argon2id's defaults (t=3, m=64 MiB, p=4).
        _hashers[fast] = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if fast else PasswordHasher()
    return _hashers[fast]


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher().hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """Check a password; with no user, burn the same time so timing does not reveal accounts."""
    hasher = _hasher()
    if user is None:
        try:
            hasher.verify(_dummy_hash(), password + 'x')
        except VerificationError:
            pass
        return False
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


_dummy: dict[int, str] = {}


def _dummy_hash() -> str:
    key = id(_hasher())
    if key not in _dummy:
        _dummy[key] = _hasher().hash('not-a-real-password')
    return _dummy[key]


@dataclass
class LoginResult:
    """Outcome of a login attempt."""

    user: User | None = None
    throttled: bool = False


def _throttle(key: str) -> tuple[LoginThrottle | None, bool]:
    """The failure counter under `key` (its window restarted when over) and whether it is at the limit."""
    throttle = db.session.get(LoginThrottle, key)
    now = utcnow()
    window = timedelta(seconds=current_app.config['LOGIN_FAILURE_WINDOW_SECONDS'])
    if throttle and now - throttle.window_started_at >= window:
        throttle.failures, throttle.window_started_at = 0, now
    return throttle, bool(throttle and throttle.failures >= current_app.config['LOGIN_MAX_FAILURES'])


def _count_failure(key: str, throttle: LoginThrottle | None) -> None:
    if throttle is None:
        throttle = LoginThrottle(key=key, failures=0, window_started_at=utcnow())
        db.session.add(throttle)
    throttle.failures += 1
    db.session.flush()


def authenticate(email: str, password: str) -> LoginResult:
    """Check credentials with a per-login-name failure counter (known and unknown names alike). For an account that
    signs in with a code as well, the password alone is recorded as accepted, not as a sign-in."""
    email = (email or '').strip().lower()
    key = f'login:{email}'[:300]
    throttle, throttled = _throttle(key)
    if throttled:
        audit.log(db.session, 'login_throttled', 'user', None, email=email)
        return LoginResult(throttled=True)
    user = user_by_email(email)
    if user is not None and user.is_active and verify_password(user, password):
        if throttle:
            db.session.delete(throttle)
        audit.log(db.session, 'login_password_ok' if totp.is_enrolled(user) else 'login', 'user', user.id)
        return LoginResult(user=user)
    if user is None or not user.is_active:
        verify_password(None, password)
    _count_failure(key, throttle)
    audit.log(db.session, 'login_failed', 'user', user.id if user else None, email=email)
    db.session.flush()
    return LoginResult()


def check_sign_in_code(user: User, code: str) -> LoginResult:
    """The second step of a sign-in: a code from the authenticator app or a recovery code, with the same failure
    counter per account as passwords (so guessing six digits is throttled, whichever address it comes from)."""
    key = f'code:{user.id}'
    throttle, throttled = _throttle(key)
    if throttled:
        audit.log(db.session, 'login_throttled', 'user', user.id, step='code')
        return LoginResult(throttled=True)
    method = totp.verify(user, code)
    if method is not None:
        if throttle:
            db.session.delete(throttle)
        audit.log(db.session, 'login', 'user', user.id, second_factor=method)
        return LoginResult(user=user)
    _count_failure(key, throttle)
    audit.log(db.session, 'login_code_failed', 'user', user.id)
    db.session.flush()
    return LoginResult()


def ensure_roles() -> None:
    """Insert the five roles if missing (idempotent)."""
    existing = set(db.session.scalars(select(Role.code)))
    for code, zh, en, rank in ROLES:
        if code not in existing:
            db.session.add(Role(code=code, name_zh=zh, name_en=en, rank=rank))
    db.session.flush()


def _set_platforms(user: User, platform_ids: list[int]) -> None:
    wanted = set(platform_ids or [])
    user.memberships = [m for m in user.memberships if m.platform_id in wanted]
    have = {m.platform_id for m in user.memberships}
    user.memberships.extend(PlatformMembership(platform_id=pid) for pid in sorted(wanted - have))


def _check_role(role: str, platform_ids: list[int]) -> None:
    if role not in ROLE_CODES:
        raise AccountError(_l('Unknown role.'))
    if role == 'park_manager' and not platform_ids:
        raise AccountError(_l('A park manager must be linked to at least one platform.'))


def require_strong_password(password: str, *, email: str | None, name: str | None) -> None:
    """Refuse a password that breaks the rule of `crm.auth.passwords`, saying why."""
    reason = passwords.check(password, email=email, name=name)
    if reason is not None:
        raise AccountError(reason)


def create_user(*, email: str, name: str, role: str, password: str, platform_ids: list[int] | None = None,
                phone: str | None = None, is_active: bool = True, check_password: bool = True,
                firm_id: int | None = None, contact: dict[str, str | None] | None = None) -> User:
    """Create an account; e-mail addresses are unique (case-insensitive); a firm user is linked to their firm. The
    password must pass the password rule (`check_password=False` only for the demo accounts, whose passwords are
    published)."""
    email = email.strip().lower()
    _check_role(role, platform_ids or [])
    if check_password:
        require_strong_password(password, email=email, name=name)
    if user_by_email(email) is not None:
        raise AccountError(_l('Another account already uses this e-mail address.'))
    user = User(email=email, name=name.strip(), role_code=role, password_hash=hash_password(password),
                phone=phone or None, is_active=is_active, firm_id=firm_id if role == 'firm' else None)
    _set_platforms(user, platform_ids or [])
    _set_contact(user, contact)
    db.session.add(user)
    db.session.flush()
    return user


CONTACT_FIELDS = ('job_title', 'wechat', 'office_address')  # printed in the contact section of promotion packs


def _set_contact(user: User, contact: dict[str, str | None] | None) -> None:
    for key in CONTACT_FIELDS:
        if contact is not None and key in contact:
            setattr(user, key, (contact[key] or '').strip() or None)


def update_user(user: User, *, version: int, email: str, name: str, role: str, platform_ids: list[int],
                phone: str | None, is_active: bool, firm_id: int | None = None,
                contact: dict[str, str | None] | None = None) -> User:
    """Edit an account; deactivating it, changing its role or the firm it acts for ends its sessions at once."""
    check_version(user, version)
    email = email.strip().lower()
    _check_role(role, platform_ids)
    other = user_by_email(email)
    if other is not None and other.id != user.id:
        raise AccountError(_l('Another account already uses this e-mail address.'))
    firm_id = firm_id if role == 'firm' else None
    end_sessions = (user.is_active and not is_active) or user.role_code != role or user.firm_id != firm_id
    user.email, user.name, user.role_code, user.phone, user.is_active = email, name, role, phone or None, is_active
    user.firm_id = firm_id
    _set_contact(user, contact)
    _set_platforms(user, platform_ids)
    db.session.flush()
    if end_sessions:
        revoke_all_sessions(user)
    return user


def update_own_contact(user: User, *, version: int, phone: str | None,
                       contact: dict[str, str | None]) -> User:
    """One's own contact details (job title, mobile, WeChat, office address) as promotion packs print them; the
    change is in the audit trail like any change of an account."""
    check_version(user, version)
    user.phone = (phone or '').strip() or None
    _set_contact(user, contact)
    db.session.flush()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Change one's own password: every other session ends."""
    if not verify_password(user, current):
        raise AccountError(_l('The current password is not correct.'))
    require_strong_password(new, email=user.email, name=user.name)
    user.password_hash = hash_password(new)
    revoke_all_sessions(user, keep_current=True)
    audit.log(db.session, 'password_changed', 'user', user.id)


def reset_second_factor(user: User) -> None:
    """An administrator resets a user's second factor (lost phone): the codes stop working, every session ends,
    and a role that requires one enrols again at the next sign-in."""
    totp.remove(user, action='totp_reset')
    revoke_all_sessions(user)


def reset_password(user: User, new: str) -> None:
    """An administrator sets a new password: all of the user's sessions end."""
    require_strong_password(new, email=user.email, name=user.name)
    user.password_hash = hash_password(new)
    revoke_all_sessions(user)
    audit.log(db.session, 'password_reset', 'user', user.id)
