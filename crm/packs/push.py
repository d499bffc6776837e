"""Issuing 政策摘要 to the firms an officer chose from a policy's list, in one step: a queued job that builds one
summary per firm (each lists every policy the firm may use, this one included) and reports its progress."""
from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import select

from crm.auth.models import User
from crm.core import audit, queue
from crm.core.i18n import gettext as _
from crm.core.rules import RuleError
from crm.db import db, utcnow
from crm.firms.models import Firm
from crm.policies.models import Policy, PolicyPush

MAX_FIRMS = 500


class PushError(RuleError):
    """The push cannot be queued; the message says why, in the user's language (`field`: the firm choice)."""


def request_push(policy: Policy, firm_ids: list[int], *, eligible_ids: list[int], lang: str = 'zh',
                 user_id: int | None = None) -> PolicyPush:
    """Queue 政策摘要 for the chosen firms (already checked against the officer's scope and the policy's list)."""
    firm_ids = list(dict.fromkeys(int(i) for i in firm_ids))
    if not firm_ids:
        raise PushError(_('First tick the firms to send a policy summary to'), field='firm')
    if len(firm_ids) > MAX_FIRMS:
        raise PushError(_('At most %(count)s firms at a time', count=MAX_FIRMS), field='firm')
    push = PolicyPush(policy_id=policy.id, policy_version=policy.version, lang=lang if lang in ('zh', 'en') else 'zh',
                      firm_ids=firm_ids, eligible_ids=sorted(eligible_ids), summary_ids=[], total=len(firm_ids),
                      done=0, status='queued', requested_by_id=user_id)
    db.session.add(push)
    db.session.flush()
    audit.log(db.session, 'summaries_queued', 'policy', policy.id, push=push.id, firms=len(firm_ids))
    return push


@queue.handles('push_summaries', checkpoint=True)
def run_push(push_id: int, *, checkpoint: Callable[[], None], raise_errors: bool = False) -> PolicyPush | None:
    """What the worker does: one 政策摘要 per firm. The caller owns the transactions: it passes `checkpoint`, called
    when the push starts and after each firm (the job commits there, so the page shows the progress), and commits
    the outcome. Inline callers (the demo) pass a flush and `raise_errors=True`: a failure is theirs to handle."""
    from crm.packs.summaries import build_summary  # summaries imports this module to queue pushes

    push = db.session.get(PolicyPush, push_id)
    if push is None or push.status not in ('queued', 'running'):
        return push
    push.status, push.started_at = 'running', utcnow()
    checkpoint()
    author = db.session.get(User, push.requested_by_id) if push.requested_by_id else None
    issued = list(push.summary_ids or [])
    try:
        firms = {f.id: f for f in db.session.scalars(select(Firm).where(Firm.id.in_(push.firm_ids)))}
        for firm_id in push.firm_ids[push.done:]:
            firm = firms.get(firm_id)
            if firm is not None and firm.deleted_at is None:
                summary = build_summary(firm, author_id=author.id if author else None,
                                        author_name=author.name if author else '', lang=push.lang)
                issued.append(summary.id)
            push.done += 1
            push.summary_ids = list(issued)
            checkpoint()
    except Exception:  # the worker keeps running; the officer sees how far it got and why it stopped
        if raise_errors:
            raise
        logging.getLogger(__name__).exception('policy push %s failed', push_id)
        db.session.rollback()
        push = db.session.get(PolicyPush, push_id)
        push.status, push.error = 'failed', '生成政策摘要时出现内部错误，已生成的摘要保留；请稍后重试或联系管理员。'
    else:
        push.status = 'done'
        audit.log(db.session, 'summaries_issued', 'policy', push.policy_id, push=push.id, summaries=len(issued))
    push.finished_at = utcnow()
    db.session.flush()
    return push
