"""政策摘要: the policies a firm qualifies for or may qualify for, what is missing, deadlines and contacts."""
from __future__ import annotations

import hashlib
from typing import Any

from flask import render_template
from sqlalchemy import func, select

from crm.auth.models import User
from crm.core import audit, clock
from crm.core.console import SystemActor
from crm.core.i18n import in_language
from crm.core.industries import industries_of_code, industries_of_text
from crm.db import db
from crm.firms.models import Firm, Tenancy
from crm.matching.services import evaluate_for_lead
from crm.packs.content import brand, contact
from crm.packs.labels import helpers
from crm.packs.models import PolicySummary
from crm.packs.numbers import new_series, series_of, summary_number
from crm.packs.pdf import base_css, render_pdf_pages
from crm.packs.push import request_push, run_push
from crm.packs.services import ASSET_ROOT, pdf_path
from crm.policies.eligibility import policy_firms
from crm.policies.evaluate import NOT_ELIGIBLE, UNKNOWN, PolicyResult, evaluate_policy
from crm.policies.models import Policy
from crm.policies.services import policy_terms


def firm_facts(firm: Firm) -> dict[str, Any]:
    """What the evaluator may use about a landed firm (from its record and its tenancies)."""
    tenancies = db.session.scalars(select(Tenancy).where(Tenancy.firm_id == firm.id)).all()
    platforms = sorted({t.unit.building.platform.name for t in tenancies})
    area = sum((t.area or 0 for t in tenancies), 0) or None
    years = (clock.today() - firm.registered_on).days // 365 if firm.registered_on else None
    industries = industries_of_code(firm.industry_code) | industries_of_text(firm.name)
    return {'industry_code': firm.industry_code, 'tags': firm.tags or None, 'registered_district': firm.district,
            'platform': platforms or None, 'years_registered': years, 'headcount': firm.headcount,
            'rd_ratio': firm.rd_ratio, 'leased_area': area, 'industry': sorted(industries) or None,
            'registered_capital': firm.registered_capital, 'rent': None, 'rd_spend': None, 'investment': None,
            'revenue': None}


def evaluate_for_subject(policy: Policy, *, lead=None, firm: Firm | None = None) -> PolicyResult:
    """The one evaluation of a policy for a lead (as its match page and pack show it) or for a firm (as its
    政策摘要 shows it); the policy page and the API show the same."""
    if lead is not None:
        return evaluate_for_lead(policy, lead)
    return evaluate_policy(policy, firm_facts(firm))


SHOWN = 20  # policies printed in each part; the rest are counted and the reader told how to get them


def summary_context(firm: Firm, *, number: str, author: str, lang: str = 'zh',
                    officer: User | None = None) -> dict[str, Any]:
    """Plain data for the summary template, its generated texts (amounts, what is missing) in `lang`; the officer
    who issues it is the contact printed (as on a pack)."""
    with in_language(lang):
        context = _summary_context(firm, number=number, author=author)
        context.update(contact=contact(officer, None, lang), brand=brand(lang, ASSET_ROOT))
        return context


def _summary_context(firm: Firm, *, number: str, author: str) -> dict[str, Any]:
    facts = firm_facts(firm)
    wanted = set(facts['industry'] or [])
    rows = []
    for policy in db.session.scalars(select(Policy).order_by(Policy.is_example.desc(), Policy.id)):
        if policy.expires_on and policy.expires_on < clock.today():
            continue
        result = evaluate_policy(policy, facts)
        relevant = wanted & industries_of_text(' '.join([*policy.industries, policy.title])) or \
            set(policy.platform_names) & set(facts['platform'] or [])
        if result.level == NOT_ELIGIBLE or (not policy.accepted_clauses and not relevant):
            continue
        missing = [c.text for c in [*result.scope, *(c for cl in result.clauses for c in cl.conditions)]
                   if c.status == UNKNOWN]
        rows.append({'id': policy.id, 'version': policy.version, 'title': policy.title, 'level': result.level,
                     'amount': result.amount_text, 'missing': missing, 'deadline': policy.expires_on,
                     'example': policy.is_example, 'source': policy.facts[0] if policy.facts else None,
                     'clauses': len(policy.accepted_clauses),
                     **policy_terms(policy)})
    # Policies whose text grants an amount come first; those only named (amounts not public) are listed after
    # them, briefly. Neither part is cut without saying how many more there are.
    granted = [r for r in rows if r['clauses']]
    named = [r for r in rows if not r['clauses']]
    return {'number': number, 'date': clock.today().isoformat(), 'author': author, 'firm': firm.name,
            'platforms': facts['platform'] or [], 'policies': granted[:SHOWN], 'others': named[:SHOWN],
            'omitted': max(0, len(granted) - SHOWN) + max(0, len(named) - SHOWN)}


def summary_html(context: dict[str, Any], lang: str) -> str:
    """The summary's HTML, every word in `lang`."""
    with in_language(lang):
        return render_template('packs/pdf/summary.html', c=context, base_css=base_css(), lang=lang, **helpers())


def build_summary(firm: Firm, *, author_id: int | None = None, author_name: str = '',
                  lang: str = 'zh') -> PolicySummary:
    """Render, store and record a new 政策摘要 for the firm, in Chinese or (lang='en') English."""
    count = db.session.scalar(select(func.count(PolicySummary.id)).where(PolicySummary.firm_id == firm.id)) or 0
    earlier = db.session.scalar(select(PolicySummary.number).where(PolicySummary.firm_id == firm.id)
                                .order_by(PolicySummary.id.desc()).limit(1))
    series = series_of(earlier, 'ZC') or new_series(lambda code: db.session.scalar(
        select(PolicySummary.id).where(PolicySummary.number.like(f'ZC-%-{code}-%')).limit(1)) is not None)
    number = summary_number(clock.today().year, series, count + 1)  # the firm's own count, never its id
    officer = db.session.get(User, author_id) if author_id else None
    context = summary_context(firm, number=number, author=author_name, lang=lang, officer=officer)
    pdf, pages = render_pdf_pages(summary_html(context, lang), asset_root=ASSET_ROOT)
    sha = hashlib.sha256(pdf).hexdigest()
    path = pdf_path(sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(pdf)
    summary = PolicySummary(number=number, firm_id=firm.id, sha256=sha, size=len(pdf),
                            pages=pages, author_id=author_id,
                            snapshot={'policies': [[p['id'], p['version']]
                                                   for p in [*context['policies'], *context['others']]]})
    db.session.add(summary)
    db.session.flush()
    audit.log(db.session, 'summary_issued', 'firm', firm.id, summary=summary.id, sha256=sha)
    return summary


def demo_summary(firm_id: int | None, *, author: User | None = None) -> dict[str, int]:
    """The demo firm user's 政策摘要, issued the way an officer does it: from the list of firms an example policy
    fits, pushed to the demo firm (none when the firm has one already)."""
    firm = db.session.get(Firm, firm_id) if firm_id else None
    if firm is None or db.session.scalar(select(PolicySummary.id).where(PolicySummary.firm_id == firm.id).limit(1)):
        return {'demo_summaries': 0}
    examples = db.session.scalars(select(Policy).where(Policy.is_example.is_(True)).order_by(Policy.id)).all()
    if not examples:
        build_summary(firm, author_id=author.id if author else None, author_name=author.name if author else '')
        return {'demo_summaries': 1}
    facts = firm_facts(firm)
    policy = next((p for p in examples if evaluate_policy(p, facts).level != NOT_ELIGIBLE), examples[0])
    eligible = [f.id for f in policy_firms(policy, user=SystemActor()).eligible]
    push = request_push(policy, [firm.id], eligible_ids=eligible, user_id=author.id if author else None)
    run_push(push.id, checkpoint=db.session.flush, raise_errors=True)
    return {'demo_summaries': len(push.summary_ids)}
