"""兑现 records: a firm applies under a policy clause, the claim is approved, then paid — amounts in 万元 and the
date of each step, in that order. Totals per policy, per platform (of the firms' tenancies) and per firm."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from crm.core import audit
from crm.core.access import scoped
from crm.core.concurrency import check_version
from crm.core.i18n import gettext as _
from crm.core.rules import RuleError
from crm.db import db
from crm.firms.models import Firm, Tenancy
from crm.platforms.models import Platform
from crm.policies.models import Policy, PolicyClause, PolicyPayment

MAX_AMOUNT = Decimal(10_000_000)  # 万元


class PaymentError(RuleError):
    """The step cannot be recorded; the message says why, in the user's language, beside `field` when one input is
    at fault (the amount, the date or the clause)."""


def _amount(value, label: str) -> Decimal:
    if value is None:
        raise PaymentError(_('Fill in the %(label)s', label=label), field='amount')
    value = Decimal(str(value))
    if not value.is_finite() or value < 0:
        raise PaymentError(_('The %(label)s cannot be negative', label=label), field='amount')
    if value > MAX_AMOUNT:
        raise PaymentError(_('The %(label)s is at most %(most)s (10k yuan)', label=label, most=MAX_AMOUNT),
                           field='amount')
    return value


def apply(firm: Firm, clause: PolicyClause, *, amount, on: date, note: str | None = None,
          actor_id: int | None = None) -> PolicyPayment:
    """Record a firm's application under an accepted clause."""
    if not clause.counts:
        raise PaymentError(_('Payments can only be applied for under an accepted policy clause'), field='clause')
    payment = PolicyPayment(firm_id=firm.id, policy_id=clause.policy_id, clause_id=clause.id, status='applied',
                            applied_amount=_amount(amount, _('amount applied for')), applied_on=on, note=note or None,
                            recorded_by_id=actor_id)
    db.session.add(payment)
    db.session.flush()
    audit.log(db.session, 'payment_applied', 'firm', firm.id, payment=payment.id, policy=clause.policy_id)
    return payment


def advance(payment: PolicyPayment, *, amount, on: date, version: int | None = None) -> PolicyPayment:
    """The next step: approved (at most the amount applied for), then paid (at most the amount approved), never
    dated before the step it follows."""
    check_version(payment, version)
    if payment.status == 'applied':
        value = _amount(amount, _('amount approved'))
        if value > payment.applied_amount:
            raise PaymentError(_('The amount approved cannot exceed the amount applied for'), field='amount')
        if on < payment.applied_on:
            raise PaymentError(_('The approval date cannot be before the application date'), field='on')
        payment.status, payment.approved_amount, payment.approved_on = 'approved', value, on
    elif payment.status == 'approved':
        value = _amount(amount, _('amount paid'))
        if value > payment.approved_amount:
            raise PaymentError(_('The amount paid cannot exceed the amount approved'), field='amount')
        if on < payment.approved_on:
            raise PaymentError(_('The payment date cannot be before the approval date'), field='on')
        payment.status, payment.paid_amount, payment.paid_on = 'paid', value, on
    else:
        raise PaymentError(_('This payment has been paid in full'))
    db.session.flush()
    audit.log(db.session, f'payment_{payment.status}', 'firm', payment.firm_id, payment=payment.id)
    return payment


def _sums():
    return (func.count(PolicyPayment.id), func.coalesce(func.sum(PolicyPayment.applied_amount), 0),
            func.coalesce(func.sum(PolicyPayment.approved_amount), 0),
            func.coalesce(func.sum(PolicyPayment.paid_amount), 0))


def _rows(stmt) -> list[dict]:
    return [{'id': row[0], 'name': row[1], 'count': row[2], 'applied': Decimal(row[3]), 'approved': Decimal(row[4]),
             'paid': Decimal(row[5])} for row in db.session.execute(stmt)]


def _paid_firm_in(firms):
    """The payment's firm is one of `firms` (a condition on Firm: the viewer's scope), checked per payment. Not
    `firm_id IN (SELECT id FROM firm WHERE …)`: SQLite builds that list from every firm first (20,000 firms:
    about 12 ms per total, with no payments at all)."""
    return select(Firm.id).where(Firm.id == PolicyPayment.firm_id, firms).correlate(PolicyPayment).exists()


def totals_by_policy(firms=None) -> list[dict]:
    """Per policy: claims, and the amounts applied for, approved and paid (万元); `firms`: a condition on the firm
    (the viewer's scope)."""
    stmt = select(Policy.id, Policy.title, *_sums()).join(PolicyPayment, PolicyPayment.policy_id == Policy.id) \
        .group_by(Policy.id, Policy.title).order_by(Policy.title)
    if firms is not None:
        stmt = stmt.where(_paid_firm_in(firms))
    return _rows(stmt)


def totals_by_platform(firms=None) -> list[dict]:
    """Per platform the paying firms are housed on (a firm on two platforms counts under both)."""
    housed = select(Tenancy.firm_id, Tenancy.platform_id).distinct().subquery()
    stmt = select(Platform.id, Platform.name, *_sums()).join(housed, housed.c.platform_id == Platform.id) \
        .join(PolicyPayment, PolicyPayment.firm_id == housed.c.firm_id).group_by(Platform.id, Platform.name) \
        .order_by(Platform.name)
    if firms is not None:
        stmt = stmt.where(_paid_firm_in(firms))
    return _rows(scoped(stmt, Platform))  # only the platforms the viewer may see


def of_firm(firm_id: int) -> list[PolicyPayment]:
    return list(db.session.scalars(select(PolicyPayment).where(PolicyPayment.firm_id == firm_id)
                                   .order_by(PolicyPayment.applied_on.desc(), PolicyPayment.id.desc())))
