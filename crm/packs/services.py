"""Building packs: match → plain context → quote verification → PDF → content-addressed store → Pack row."""
from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import func, select

from config import ROOT
from crm.auth.models import User
from crm.core import audit, clock, hooks, queue
from crm.core.access import SYSTEM
from crm.core.i18n import in_language
from crm.core.labels import unit_use_label
from crm.core.links import external_url
from crm.core.rules import RuleError
from crm.db import db, utcnow
from crm.leads.models import Lead
from crm.matching.models import PIN
from crm.matching.services import (
    PACK_PLATFORMS,
    PACK_POLICIES,
    PACK_QUOTES,
    PACK_UNITS,
    for_pack,
    match_lead,
    unavailable_reason,
)
from crm.packs import content
from crm.packs.labels import helpers
from crm.packs.models import Pack, PackBuild, PackShare, PackShareAccess
from crm.packs.numbers import new_series, pack_number, series_of
from crm.packs.pdf import base_css, render_pdf_pages
from crm.plans.models import PlanParagraph
from crm.platforms.maps import pack_platform_map
from crm.platforms.models import Unit, UnitStatus
from crm.platforms.siteplan import pack_site_plans
from crm.policies.models import Policy
from crm.policies.services import policy_terms

ASSET_ROOT = ROOT / 'static'


class PackError(RuleError, RuntimeError):
    """The pack cannot be issued; the message says why (the lead's records are at fault, never one input, so no
    `field`). Still a RuntimeError, as callers have caught it."""


def store_folder() -> Path:
    folder = Path(current_app.instance_path) / 'packs'
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def pdf_path(sha256: str) -> Path:
    """Content-addressed location of a pack PDF."""
    return store_folder() / sha256[:2] / f'{sha256}.pdf'


def build_context(lead: Lead, *, lang: str = 'zh', author: str = '', number: str = '',
                  viewer: Any = SYSTEM, officer: Any = None, share_url: str | None = None) -> dict[str, Any]:
    """Plain data for the PDF template (no ORM objects reach the template), matched within `viewer`'s scope (the
    user the pack is built for; the whole district when the product builds it on its own). Its generated texts
    (conditions, amounts, dates) are in the pack's language; `notes` are lazy texts for the officer, read in the
    officer's. `officer` (a user) signs the contact section; `share_url` is the link its QR code opens."""
    with in_language(lang):
        return _context(lead, lang=lang, author=author, number=number, viewer=viewer, officer=officer,
                        share_url=share_url)


def _context(lead: Lead, *, lang: str, author: str, number: str, viewer: Any, officer: Any,
             share_url: str | None) -> dict[str, Any]:
    result = match_lead(lead, viewer=viewer)
    today = clock.today()
    valid_until = today + timedelta(days=content.validity_days())
    platforms = [{'name': s.item.name, 'kind': s.item.kind, 'positioning': s.item.positioning}
                 for s in for_pack(result, 'platform', PACK_PLATFORMS)]
    offered = for_pack(result, 'unit', PACK_UNITS)[:content.OFFERED_UNITS]
    units = [content.unit_sheet(s, 'recommended' if i == 0 else 'alternative') for i, s in enumerate(offered)]
    incentives, services = [], []
    for s in for_pack(result, 'policy', PACK_POLICIES):
        if content.has_amounts(s.item, s.data['result']):
            incentives.append(content.incentive(s, policy_terms(s.item)))
        else:
            services.append(content.service(s))
    pinned = {i for i, choice in result['choices']['commitment'].items() if choice == PIN}
    quotes = content.commitments(for_pack(result, 'commitment', PACK_QUOTES), pinned)
    firm = lead.firm

    site_plans = pack_site_plans(units, viewer)
    cost = result['cost']
    officer_name = officer.name if officer is not None else author
    demo = bool(lead.is_demo or firm.is_demo or any(u['demo'] for u in units)
                or any(p['example'] for p in incentives + services))
    return {'platform_map_svg': pack_platform_map(units, platforms, viewer),
            'site_plan_svg': site_plans.get(units[0]['id'], '') if units else '', 'site_plan_svgs': site_plans,
            'lang': lang, 'number': number, 'date': content.long_date(today), 'valid_until':
            content.long_date(valid_until), 'author': officer_name, 'demo': demo,
            'brand': content.brand(lang, ASSET_ROOT),
            'lead': {'name': lead.display_name, 'confidential': lead.confidential, 'need': lead.space_need_m2,
                     'investment': lead.investment, 'industries': result['industries']},
            'need': {'area': lead.space_need_m2, 'use': unit_use_label(lead.space_use) if lead.space_use else None,
                     'by': content.long_date(lead.space_by), 'headcount': lead.jobs or firm.headcount},
            'firm': {'name': firm.name if not lead.confidential else lead.codename or lead.display_name},
            'platforms': platforms, 'units': units, 'policies': incentives + services, 'incentives': incentives,
            'services': services, 'totals': content.incentive_totals(incentives), 'quotes': quotes,
            'net_cost': result['net_cost'], 'cost': cost, 'term_years': result['term_years'],
            'cost_levels': {p['id']: p['level'] for p in incentives},
            'cost_unit': result['unit_for_cost'].number if result['unit_for_cost'] else None,
            'cost_building': units[0]['building'] if result['unit_for_cost'] and units else None,
            'steps': content.next_steps(lead, units[0] if units else None, valid_until),
            'contact': content.contact(officer, share_url, lang),
            'notes': [n['text'] for n in result['notes']]}


def verify_quotes(quotes: list[dict]) -> None:
    """Every quote must stand verbatim in the stored paragraph it cites; otherwise the pack is not issued."""
    ids = [q['paragraph_id'] for q in quotes]
    texts = dict(db.session.execute(select(PlanParagraph.id, PlanParagraph.text).where(PlanParagraph.id.in_(ids))).all())
    for quote in quotes:
        if quote['text'] not in texts.get(quote['paragraph_id'], ''):
            raise PackError(_('A quotation differs from its source; the pack was not built: %(citation)s', citation=quote['citation']))


def render_html(context: dict[str, Any]) -> str:
    """The pack's HTML, every word in the pack's language."""
    with in_language(context['lang']):
        return render_template('packs/pdf/pack.html', c=context, base_css=base_css(), **helpers())


def build_pack(lead: Lead, *, lang: str = 'zh', author_id: int | None = None, author_name: str = '',
               progress: Callable[[str, int], None] | None = None, viewer: Any = SYSTEM) -> Pack:
    """Generate, verify and store a new version of the lead's pack (never for a deleted firm), matched within
    `viewer`'s scope; `progress(step, percent)` hears each step."""
    if lead.firm.deleted_at is not None:
        raise PackError(_('The firm is deleted, so no pack can be built; an administrator can restore the firm first'))
    report = progress or (lambda _step, _percent: None)
    version = (db.session.scalar(select(func.max(Pack.version)).where(Pack.lead_id == lead.id)) or 0) + 1
    number = pack_number(clock.today().year, _pack_series(lead.id), version)
    report('匹配平台、房源与政策', 10)

    officer = db.session.get(User, author_id) if author_id else None
    token = new_share_token()  # the pack's own link, printed as its QR code; stored with the pack below
    context = build_context(lead, lang=lang, author=author_name, number=number, viewer=viewer, officer=officer,
                            share_url=external_url('packs.shared', token=token))
    report('核对规划引文', 35)
    verify_quotes(context['quotes'])
    report('排版生成 PDF', 50)
    pdf, pages = render_pdf_pages(render_html(context), asset_root=ASSET_ROOT)
    report('存档', 90)
    sha = hashlib.sha256(pdf).hexdigest()
    path = pdf_path(sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(pdf)
    snapshot = {'policies': [[p['id'], p['version']] for p in context['policies']],
                'units': [[u['id'], u['version']] for u in context['units']],
                'quotes': [{'commitment': q['commitment_id'], 'anchor': q['anchor'], 'citation': q['citation'],
                            'text': q['text']} for q in context['quotes']],
                'notes': _officer_notes(context['notes'], author_id)}
    pack = Pack(number=number, lead_id=lead.id, firm_id=lead.firm_id, version=version, lang=lang, sha256=sha,
                size=len(pdf), pages=pages, snapshot=snapshot, author_id=author_id)
    db.session.add(pack)
    db.session.flush()
    audit.log(db.session, 'pack_issued', 'lead', lead.id, pack=pack.id, number=number, sha256=sha)
    create_share(pack, days=content.validity_days(), actor_id=author_id, token=token, in_pdf=True)
    pack.snapshot = dict(snapshot, qr_share=db.session.scalar(select(PackShare.id).where(
        PackShare.token_hash == hashlib.sha256(token.encode()).hexdigest())))
    return pack


def _officer_notes(notes: list, author_id: int | None) -> list[str]:
    """The pinned items a pack leaves out, as the officer who asked for it reads them (the notes are kept in the
    pack's record; the pack itself may be in the other language)."""
    author = db.session.get(User, author_id) if author_id else None
    if author is None or not author.locale:
        return [str(note) for note in notes]
    with in_language('en' if author.locale == 'en' else 'zh'):
        return [str(note) for note in notes]


def _pack_series(lead_id: int) -> str:
    """The lead's series code: its earlier packs', or a new random one no other lead's packs carry."""
    earlier = db.session.scalar(select(Pack.number).where(Pack.lead_id == lead_id).order_by(Pack.version.desc())
                                .limit(1))
    return series_of(earlier, 'GS') or new_series(lambda code: db.session.scalar(
        select(Pack.id).where(Pack.number.like(f'GS-%-{code}-%')).limit(1)) is not None)


def stale_reasons(pack: Pack) -> list[str]:
    """Why a pack no longer reflects the records (in the viewer's language): a cited policy changed or expired, an
    offered unit was let."""
    reasons = []
    for policy_id, version in pack.snapshot.get('policies', []):
        policy = db.session.get(Policy, policy_id)
        if policy is None or policy.version != version:
            reasons.append(_('Policy changed: %(title)s', title=policy.title if policy else policy_id))
        elif policy.expires_on and policy.expires_on < clock.today():
            reasons.append(_('Policy expired: %(title)s', title=policy.title))

    for unit_id, _version in pack.snapshot.get('units', []):
        unit = db.session.get(Unit, unit_id)
        if unit is None or unit.status == UnitStatus.LET:
            reasons.append(_('Unit let: %(number)s', number=unit.number if unit else unit_id))
        elif (reason := unavailable_reason(unit, pack.lead_id)):
            reasons.append(_('Unit no longer available: %(number)s (%(reason)s)', number=unit.number, reason=reason))
    return reasons


def current_pack(pack: Pack) -> Pack | None:
    """The latest version of the pack's lead for the same firm, when it is newer than this pack (after the lead's
    firm was corrected, the packs issued to the other firm are not this prospect's versions)."""
    latest = db.session.scalar(select(Pack).where(Pack.lead_id == pack.lead_id, Pack.firm_id == pack.firm_id)
                               .order_by(Pack.version.desc()).limit(1))
    return latest if latest is not None and latest.version > pack.version else None


def new_share_token() -> str:
    return secrets.token_urlsafe(24)


def create_share(pack: Pack, *, days: int, actor_id: int | None, token: str | None = None,
                 in_pdf: bool = False) -> str:
    """A new share link token (returned once; only its hash is kept). A pack's own link, the one its QR code
    opens, is made with the token printed in it."""
    token = token or new_share_token()
    share = PackShare(pack_id=pack.id, token_hash=hashlib.sha256(token.encode()).hexdigest(), created_by_id=actor_id,
                      expires_at=utcnow() + timedelta(days=max(1, min(days, 90))), in_pdf=in_pdf)
    db.session.add(share)
    db.session.flush()
    audit.log(db.session, 'share_created', 'pack', pack.id, share=share.id, expires=share.expires_at)
    return token


def open_share(token: str, *, what: str, ip: str | None, user_agent: str | None):
    """(share, state) behind a token: state 'ok' (the access is logged), 'expired' or 'revoked'; (None, None)
    for a token that never existed."""
    share = db.session.scalar(select(PackShare).where(PackShare.token_hash == hashlib.sha256(token.encode())
                                                      .hexdigest()))
    if share is None:
        return None, None
    if share.revoked_at is not None:
        return share, 'revoked'
    if share.expires_at < utcnow():
        return share, 'expired'
    db.session.add(PackShareAccess(share_id=share.id, what=what, ip=ip, user_agent=(user_agent or '')[:255]))
    db.session.flush()
    hooks.announce('share_opened', share, db.session.get(Pack, share.pack_id), what)
    return share, 'ok'


def active_share(pack: Pack):
    """The pack's newest link that is neither revoked nor expired (None when the officer has not shared it: the
    pack's own link, printed in it, does not count until the pack itself is sent)."""
    return db.session.scalar(select(PackShare).where(PackShare.pack_id == pack.id, PackShare.revoked_at.is_(None),
                                                     PackShare.in_pdf.is_(False),
                                                     PackShare.expires_at >= utcnow())
                             .order_by(PackShare.created_at.desc()).limit(1))


def request_build(lead: Lead, *, lang: str, user_id: int | None) -> PackBuild:
    """Queue a pack build for the worker (an identical build already waiting is reused)."""
    waiting = db.session.scalar(select(PackBuild).where(PackBuild.lead_id == lead.id, PackBuild.lang == lang,
                                                        PackBuild.status.in_(('queued', 'running'))))
    if waiting is not None:
        return waiting
    build = PackBuild(lead_id=lead.id, lang=lang, requested_by_id=user_id, step='排队等待', percent=0)
    db.session.add(build)
    db.session.flush()
    return build


@queue.handles('build_pack', checkpoint=True)
def run_build(build_id: int, *, checkpoint: Callable[[], None]) -> PackBuild | None:
    """What the worker does for one queued build. The job owns the transactions: it passes `checkpoint`, called
    when the build starts, after each step and when it ends (the job commits there, so the progress page shows each
    step); the build's outcome and what its listeners wrote are left for the job to commit."""
    build = db.session.get(PackBuild, build_id)
    if build is None or build.status not in ('queued', 'running'):
        return build
    build.status, build.started_at = 'running', utcnow()
    checkpoint()

    def progress(step: str, percent: int) -> None:
        build.step, build.percent = step, percent
        checkpoint()

    lead = db.session.get(Lead, build.lead_id)
    author = db.session.get(User, build.requested_by_id) if build.requested_by_id else None
    try:
        pack = build_pack(lead, lang=build.lang, author_id=author.id if author else None,
                          author_name=author.name if author else '', progress=progress, viewer=author or SYSTEM)
    except PackError as exc:
        db.session.rollback()
        build.status, build.error = 'failed', str(exc)[:500]
    except Exception:  # the worker keeps running; the officer sees a clear failure and the log has the trace
        logging.getLogger(__name__).exception('pack build %s failed', build_id)
        db.session.rollback()
        build.status, build.error = 'failed', '生成推介包时出现内部错误，请稍后重试或联系管理员。'
    else:
        build.status, build.pack_id, build.step, build.percent = 'done', pack.id, '完成', 100
    build.finished_at = utcnow()
    checkpoint()
    hooks.announce('pack_build_finished', build)
    db.session.flush()
    return build
