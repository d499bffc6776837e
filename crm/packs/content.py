"""What a promotion pack says, section by section, as plain data for its template: the cover and the district's
branding, the one-page summary for the prospect, a property sheet per offered unit (with its photos and floor plan
downscaled for print), the incentives as a package, the services without public amounts, the district's
commitments with their footnotes, and the officer's contact with the QR code of the pack's share link.

Every text is generated in the language the caller set (`crm.core.i18n.in_language`); stored Chinese (names, plan
quotes, guide texts) stays as written and is marked `lang="zh-CN"` by the template."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import segno
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from phonenumbers import NumberParseException
from sqlalchemy import select

from crm.core import clock
from crm.core.labels import DISTRICTS, fitout_label, unit_use_label
from crm.core.settings import get_setting
from crm.core.validators import display_phone
from crm.db import db
from crm.platforms.media import FEW_COLOURS, media_folder, print_data_uri
from crm.platforms.models import MediaFile

# Settings (crm.core.settings, key → value) that brand the packs; each has an `_en` twin for the English edition.
BRAND_NAME = 'pack_brand_name'          # 杭州市拱墅区
BRAND_OFFICE = 'pack_brand_office'      # the issuing office
BRAND_LOGO = 'pack_brand_logo'          # a file name under static/brand/ (PNG, JPEG or SVG)
OFFICE_ADDRESS = 'pack_office_address'  # used when the officer's profile has none
VALIDITY_DAYS = 'pack_validity_days'    # how long the offer and the pack's share link hold (days)
DEFAULT_VALIDITY_DAYS = 30
OFFERED_UNITS = 3                       # the recommended unit and up to two alternatives
PHOTOS_PER_UNIT = 2
MAX_COMMITMENTS, MIN_COMMITMENTS = 4, 2
PHOTO_PIXELS, PLAN_PIXELS = 900, 1400   # longest side after downscaling (about 150 dpi at the printed size)
CURRENT_FROM = 2021                     # 十四五 and later

SOURCE_KINDS = {'规划纲要': _l('development plan'), '年度计划报告': _l('annual plan report'),
                '政府工作报告': _l('government work report'), '政策文件': _l('policy document'),
                '网页汇编': _l('news report'), '其他': _l('other document')}
MERGED_DISTRICTS = {'下城区': '拱墅区'}  # merged in the 2021 redistricting of Hangzhou


def _setting(key: str, lang: str) -> str | None:
    value = get_setting(f'{key}_en', cached=True) if lang == 'en' else None
    return value or get_setting(key, cached=True)


def long_date(value: date | None) -> str:
    """A date as the document's language writes it: 2026年12月6日, December 6, 2026."""
    return format_date(value, 'long') if value else ''


def validity_days() -> int:
    try:
        return max(1, min(90, int(get_setting(VALIDITY_DAYS, cached=True) or DEFAULT_VALIDITY_DAYS)))
    except ValueError:
        return DEFAULT_VALIDITY_DAYS


def brand(lang: str, asset_root: Path) -> dict[str, Any]:
    """The district's name, the issuing office and its emblem (a file under static/brand/, when one is set)."""
    logo = _setting(BRAND_LOGO, lang)
    path = asset_root / 'brand' / logo if logo else None
    return {'name': _setting(BRAND_NAME, lang) or _('Gongshu District, Hangzhou'),
            'office': _setting(BRAND_OFFICE, lang) or _('Investment Promotion Office'),
            'logo': f'brand/{logo}' if path is not None and path.is_file() and '/' not in logo else None}


# --- images ---------------------------------------------------------------------------------------------------------

def print_image(media, pixels: int) -> str | None:
    """The stored upload of a MediaFile ready for the PDF (None when its file has gone missing): a JPEG, or a PNG for
    an image of few colours and for a transparent floor plan (line drawings stay sharp)."""
    lossless = FEW_COLOURS + ('RGBA',) if pixels == PLAN_PIXELS else FEW_COLOURS
    return print_data_uri(media_folder() / media.stored_name, pixels, lossless_modes=lossless)


def unit_images(unit) -> tuple[list[str], str | None]:
    """Up to two photos of the unit and its floor plan (the unit's own, else the building's)."""
    media = db.session.scalars(select(MediaFile).where(MediaFile.building_id == unit.building_id,
                                                       (MediaFile.unit_id == unit.id) | MediaFile.unit_id.is_(None))
                               .order_by(MediaFile.created_at, MediaFile.id)).all()
    photos = [m for m in media if m.kind == 'photo' and m.unit_id == unit.id][:PHOTOS_PER_UNIT]
    plans = sorted((m for m in media if m.kind == 'floor_plan'), key=lambda m: m.unit_id is None)
    images = [uri for uri in (print_image(m, PHOTO_PIXELS) for m in photos) if uri]
    return images, next((uri for uri in (print_image(m, PLAN_PIXELS) for m in plans[:1]) if uri), None)


# --- property sheets ------------------------------------------------------------------------------------------------

def _num(value) -> str:
    text = f'{Decimal(str(value)):,.2f}'
    return text.rstrip('0').rstrip('.')


def unit_sheet(scored, role: str) -> dict[str, Any]:
    """One offered unit: what the prospect gets, only the facts on record."""
    unit = scored.item
    building = unit.building
    rows: list[tuple[str, str]] = [(_('Floor'), _('Floor %(n)s', n=unit.floor)),
                                   (_('Gross area'), f'{_num(unit.area_gross)} ㎡')]
    if unit.area_usable:
        rows.append((_('Usable area'), f'{_num(unit.area_usable)} ㎡'))
    rows.append((_('Use'), unit_use_label(unit.use)))
    rows.append((_('Fit-out'), fitout_label(unit.fitout)))
    if unit.ceiling_height is not None:
        rows.append((_('Clear ceiling height'), f'{_num(unit.ceiling_height)} m'))
    if unit.floor_load is not None:
        rows.append((_('Floor load'), f'{_num(unit.floor_load)} kN/㎡'))
    if unit.power_kva is not None:
        rows.append((_('Power supply'), f'{unit.power_kva:,} kVA'))
    rent = None
    if unit.rent is not None:
        rent = _('%(rent)s yuan/㎡/day (about %(monthly)s yuan a month)', rent=_num(unit.rent),
                 monthly=f'{unit.monthly_rent:,}')
        rows.append((_('Rent'), rent))
    if unit.property_fee is not None:
        rows.append((_('Property fee'), _('%(fee)s yuan/㎡/month', fee=_num(unit.property_fee))))
    if unit.deposit_months is not None:
        rows.append((_('Deposit'), _('%(n)s months of rent', n=unit.deposit_months)))
    if unit.rent_free_months:
        rows.append((_('Rent-free period'), _('%(n)s months', n=unit.rent_free_months)))
    if unit.lease_term_years:
        rows.append((_('Lease term'), _('%(n)s years', n=unit.lease_term_years)))
    if building.parking_spaces is not None:
        parking = _('%(n)s spaces', n=f'{building.parking_spaces:,}')
        if building.parking_fee is not None:
            parking += _(', %(fee)s yuan per space a month', fee=_num(building.parking_fee))
        rows.append((_('Parking'), parking))
    today = clock.today()
    available = unit.available_from
    available = long_date(available) if available and available > today else _('Available now')
    rows.append((_('Available from'), available))
    photos, plan = unit_images(unit)
    return {'id': unit.id, 'version': unit.version, 'role': role, 'building': building.name,
            'address': building.address, 'platform': building.platform.name, 'number': unit.number,
            'floor': unit.floor, 'area': unit.area_gross, 'rows': rows, 'use': unit_use_label(unit.use),
            'rent': rent, 'available': available, 'photos': photos, 'plan': plan,
            'demo': bool(unit.is_demo or building.is_demo)}


# --- incentives -----------------------------------------------------------------------------------------------------

def _guide_text(policy, key: str) -> str | None:
    return ((policy.guide or {}).get(key) or {}).get('text') or None


def has_amounts(policy, result) -> bool:
    """A policy whose support can be put in figures for this prospect (else it is a service, not an incentive)."""
    return bool(policy.amounts_public and result.cash and (result.low is not None or result.high is not None))


def incentive(scored, terms: dict) -> dict[str, Any]:
    """One policy as a package: its 文号, what the firm gets, the conditions met and still to prove, payment,
    handler and stacking."""
    policy, result = scored.item, scored.data['result']
    conditions = [*result.scope, *(c for clause in result.clauses for c in clause.conditions)]
    stacking = _guide_text(policy, 'stacking')  # as the text states it; else the template says 就高不重复
    return {'id': policy.id, 'version': policy.version, 'title': policy.title, 'doc_number': policy.doc_number,
            'issuer': policy.issuer, 'level': result.level, 'amount': result.amount_text, 'low': result.low,
            'high': result.high, 'highest_only': bool(policy.highest_only),
            'kinds': sorted({c.kind for c in policy.accepted_clauses}),
            'met': [c.text for c in conditions if c.status == 'met'],
            'to_prove': [c.text for c in conditions if c.status not in ('met', 'unmet')],
            'unmet': [c.text for c in conditions if c.status == 'unmet'],
            'payment': _guide_text(policy, 'payment'), 'handler': _guide_text(policy, 'department') or policy.issuer,
            'apply_period': _guide_text(policy, 'apply_period'), 'stacking': stacking,
            'expires': long_date(policy.expires_on), 'example': bool(policy.is_example),
            'source': policy.facts[0] if policy.facts else None, 'terms': terms['terms'][:2]}


def service(scored) -> dict[str, Any]:
    """A policy without public amounts: one line in 营商服务与配套政策."""
    policy = scored.item
    return {'id': policy.id, 'version': policy.version, 'title': policy.title, 'doc_number': policy.doc_number,
            'summary': (policy.summary or '').strip()[:140] or None, 'handler': _guide_text(policy, 'department'),
            'example': bool(policy.is_example)}


def incentive_totals(incentives: list[dict]) -> dict[str, int]:
    """How many policies the firm gets for sure, and how many once it proves their conditions. (Their amounts are
    not added up: they pay for the same costs in part, and the rent subsidies are capped by the rent; the cost
    table carries those, capped and combined as the policies allow.)"""
    confirmed = sum(1 for i in incentives if i['level'] == 'eligible')
    return {'confirmed': confirmed, 'conditional': len(incentives) - confirmed}


# --- the district's commitments -------------------------------------------------------------------------------------

def _currency(view) -> tuple:
    document = view.commitment.paragraph.document
    return (document.district != '拱墅区', (document.period_end or document.period_start or 0) < CURRENT_FROM,
            document.kind == '网页汇编', -(document.date.toordinal() if document.date else 0))


def commitments(views: list, pinned: set[int]) -> list[dict[str, Any]]:
    """Two to four commitments, the officer's pinned ones first, then the most current documents (拱墅区, 十四五 and
    later, plans before news); each with its footnote number, the kind of source and, for a document of a district
    since merged, a note saying so."""
    ranked = sorted(views, key=lambda v: (v.commitment.id not in pinned, *_currency(v)))
    current = [v for v in ranked if v.commitment.id in pinned or not any(_currency(v)[:3])]
    chosen = (current if len(current) >= MIN_COMMITMENTS else ranked)[:MAX_COMMITMENTS]
    quotes = []
    for n, view in enumerate(chosen, 1):
        c, document = view.commitment, view.commitment.paragraph.document
        district = document.district or ''
        merged_into = MERGED_DISTRICTS.get(district)
        kind = str(SOURCE_KINDS.get(document.kind, SOURCE_KINDS['其他']))
        place = str(DISTRICTS.get(district, district)) if district else _('the district')
        if document.kind == '网页汇编':
            lead_in = _('A %(kind)s on %(district)s says:', kind=kind, district=place)
        else:
            lead_in = _('The %(kind)s of %(district)s commits:', kind=kind, district=place)
        note = _('%(old)s was merged into %(new)s in 2021; the document is cited under its original name.',
                 old=str(DISTRICTS.get(district, district)), new=str(DISTRICTS.get(merged_into, merged_into))) \
            if merged_into else ''
        quotes.append({'n': n, 'text': c.text, 'commitment_id': c.id, 'paragraph_id': c.paragraph_id,
                       'anchor': c.paragraph.anchor, 'citation': c.paragraph.citation, 'lead_in': lead_in,
                       'kind': kind, 'issuer': document.issuer, 'year': document.date.year if document.date else None,
                       'district': district, 'note': note})
    return quotes


# --- contact and next steps -----------------------------------------------------------------------------------------

def qr_data_uri(url: str) -> str:
    """The QR code of a link as an SVG data: URI (segno, no image library)."""
    return segno.make(url, error='m').svg_data_uri(scale=4, border=2, dark='#163a69')


def _printed_phone(phone: str | None) -> str | None:
    """A stored number as people write it (138 1234 5678); a number stored before it was checked, as it is."""
    try:
        return display_phone(phone) or None
    except NumberParseException:
        return phone


def contact(officer, share_url: str | None, lang: str) -> dict[str, Any]:
    """The officer as the prospect reaches them; the office address falls back to the district's setting."""
    return {'name': officer.name if officer else None, 'title': getattr(officer, 'job_title', None),
            'mobile': _printed_phone(getattr(officer, 'phone', None)), 'email': getattr(officer, 'email', None),
            'wechat': getattr(officer, 'wechat', None),
            'address': getattr(officer, 'office_address', None) or _setting(OFFICE_ADDRESS, lang),
            'share_url': share_url, 'qr': qr_data_uri(share_url) if share_url else None}


def next_steps(lead, unit: dict | None, valid_until: date) -> list[tuple[str, str]]:
    """What happens next, with dates: a site visit, confirming the unit and terms while the offer holds, the policy
    applications, moving in."""
    today = clock.today()
    visit = lead.next_follow_up if lead.next_follow_up and lead.next_follow_up >= today else today + timedelta(7)
    steps = []
    if unit:
        steps.append((long_date(min(visit, valid_until)),
                      _('Site visit to %(building)s, unit %(number)s', building=unit['building'],
                        number=unit['number'])))
    steps.append((long_date(valid_until), _('Confirm the unit and the lease terms (this offer holds until then)')))
    steps.append((_('after signing'), _('Apply for the incentives with our help; we check the conditions still to '
                                        'prove with you')))
    if lead.space_by:
        steps.append((long_date(lead.space_by), _('Move in')))
    return steps
