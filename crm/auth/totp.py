"""Two-step sign-in: a time-based one-time code (TOTP, RFC 6238) after the password, and recovery codes.

- Enrolment: the account page shows a new secret (as text and as a QR code drawn here, no outside service) for
  any TOTP authenticator app (Microsoft or Google Authenticator, FreeOTP …). Until the user types back a code from
  the app, only a random nonce waits in the session cookie; the secret is derived from it with the server's key, so
  a copy of the cookie does not reveal it. Then the factor is stored and on. Ten single-use recovery
  codes are shown once; only their SHA-256 hashes are kept (80 random bits each, so a plain hash is enough).
- Sign-in: after the password, a code from the app (or a recovery code). A code is accepted for its 30 s step and
  one step either side (clock drift), and never twice: the last step used is stored. Wrong codes count in the
  database per account, like wrong passwords, and per address through Flask-Limiter.
- The roles in `TOTP_REQUIRED_ROLES` (administrators by default) must enrol: until they have, every page sends them
  to the enrolment page. Others may turn it on. An administrator can reset a user's factor (audited; the user's
  sessions end and they enrol again). API tokens are not affected: a token is its own credential.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import unicodedata
from datetime import datetime

import pyotp
import segno
from flask import current_app
from markupsafe import Markup
from sqlalchemy import ForeignKey, Integer, String, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from crm.auth.models import User
from crm.core import audit, clock
from crm.db import Base, db, utcnow

RECOVERY_CODES = 10
RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'  # no 0/o, 1/l/i: read off paper without doubt
STEP_SECONDS = 30
DRIFT_STEPS = 1


class TotpFactor(Base):
    """A user's authenticator secret (stored once a code from the app was typed back) and the last step used."""

    __tablename__ = 'user_totp'

    user_id: Mapped[int] = mapped_column(ForeignKey('user.id', ondelete='CASCADE'), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    enabled_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_step: Mapped[int] = mapped_column(Integer, default=0)


class RecoveryCode(Base):
    """One single-use recovery code (its hash)."""

    __tablename__ = 'user_recovery_code'

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey('user.id', ondelete='CASCADE'), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column()


# --- who needs it ---------------------------------------------------------------------------------

def required_for(user) -> bool:
    """Whether the user's role must sign in with a second factor."""
    return getattr(user, 'role_code', None) in current_app.config.get('TOTP_REQUIRED_ROLES', ())


def factor_of(user_id: int) -> TotpFactor | None:
    return db.session.get(TotpFactor, user_id)


def is_enrolled(user) -> bool:
    """Whether the user signs in with a code."""
    return factor_of(user.id) is not None


def remaining_recovery_codes(user_id: int) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(RecoveryCode.user_id == user_id,
                                                                 RecoveryCode.used_at.is_(None))).all())


# --- enrolment ------------------------------------------------------------------------------------

def new_secret() -> str:
    """A random 160-bit secret, in the base32 form authenticator apps take."""
    return pyotp.random_base32()


def enrolment_secret(user: User, nonce: str) -> str:
    """The secret offered for enrolment: derived from a random nonce (kept in the session) with the server's key."""
    key = current_app.config['SECRET_KEY'].encode()
    digest = hmac.new(key, f'totp-enrolment:{user.id}:{nonce}'.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:20]).decode()


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config['TOTP_ISSUER'])


def qr_svg(text: str) -> Markup:
    """`text` as an inline SVG QR code (drawn by segno from our own data: no user markup can get in)."""
    return Markup(segno.make(text, error='m').svg_inline(scale=4, border=2, dark='#111', light='#fff',
                                                         omitsize=False))


def confirm_enrolment(user: User, secret: str, code: str) -> list[str] | None:
    """Turn the factor on when `code` was made from `secret`; returns the new recovery codes (shown once)."""
    if is_enrolled(user):
        return None
    step = _matching_step(secret, code, after=0)
    if step is None:
        return None
    db.session.add(TotpFactor(user_id=user.id, secret=secret, enabled_at=utcnow(), last_step=step))
    db.session.flush()
    codes = new_recovery_codes(user, log=False)
    audit.log(db.session, 'totp_enabled', 'user', user.id)
    return codes


def enrol_with_secret(user: User, secret: str) -> None:
    """Set a known, confirmed secret (the demo administrator's published one; tests)."""
    db.session.execute(delete(TotpFactor).where(TotpFactor.user_id == user.id))
    db.session.add(TotpFactor(user_id=user.id, secret=secret, enabled_at=utcnow(), last_step=0))
    db.session.flush()


def new_recovery_codes(user: User, *, log: bool = True) -> list[str]:
    """Replace the user's recovery codes with ten new ones; returns them in clear text (only hashes are kept)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ['-'.join(''.join(secrets.choice(RECOVERY_ALPHABET) for _ in range(4)) for _ in range(4))
             for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    db.session.flush()
    if log:
        audit.log(db.session, 'recovery_codes_renewed', 'user', user.id)
    return codes


def remove(user: User, *, action: str) -> None:
    """Turn the factor off and drop the recovery codes (`action`: totp_disabled by the user, totp_reset by an
    administrator)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(TotpFactor).where(TotpFactor.user_id == user.id))
    audit.log(db.session, action, 'user', user.id)


# --- checking codes -------------------------------------------------------------------------------

def _normalise(code: str) -> str:
    return ''.join(unicodedata.normalize('NFKC', code or '').split()).lower()


def _hash(code: str) -> str:
    return hashlib.sha256(_normalise(code).replace('-', '').encode()).hexdigest()


def current_step() -> int:
    return int(clock.now().timestamp()) // STEP_SECONDS


def _matching_step(secret: str, code: str, *, after: int) -> int | None:
    """The time step (current ± drift, later than `after`) for which `secret` gives the six-digit `code`."""
    code = _normalise(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp, now = pyotp.TOTP(secret), current_step()
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if step > after and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _accept_code(factor: TotpFactor, code: str) -> bool:
    """A code for the current step (± drift) newer than the last one used: records its step, so it works once."""
    step = _matching_step(factor.secret, code, after=factor.last_step)
    if step is None:
        return False
    # Conditional UPDATE: two requests racing with the same code cannot both succeed.
    done = db.session.execute(update(TotpFactor).where(TotpFactor.user_id == factor.user_id,
                                                       TotpFactor.last_step < step)
                              .values(last_step=step).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        return False
    db.session.refresh(factor)
    return True


def verify(user: User, code: str) -> str | None:
    """Check a sign-in code: 'totp' or 'recovery_code' when accepted (a recovery code is used up), else None."""
    factor = factor_of(user.id)
    if factor is None:
        return None
    if _accept_code(factor, code):
        return 'totp'
    normalised = _normalise(code).replace('-', '')
    if len(normalised) == 16:
        used = db.session.execute(update(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                             RecoveryCode.code_hash == _hash(code),
                                                             RecoveryCode.used_at.is_(None))
                                  .values(used_at=utcnow()).execution_options(synchronize_session=False))
        if used.rowcount == 1:
            audit.log(db.session, 'recovery_code_used', 'user', user.id)
            return 'recovery_code'
    return None


def verify_current(user: User, code: str) -> bool:
    """A code from the app for a confirmation on the account page (turning off, new recovery codes)."""
    factor = factor_of(user.id)
    return factor is not None and _accept_code(factor, code)
