"""match(lead): platforms, units, policies and plan commitments, each with the reasons it was chosen."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from crm.core import clock
from crm.db import db
from crm.leads.models import Lead
from crm.matching.models import DROP, KINDS, PIN, MatchChoice
from crm.plans.commitments import list_commitments
from crm.plans.parsing import DEFAULT_INDUSTRY_KEYWORDS
from crm.platforms.models import Building, Platform, Unit
from crm.policies.evaluate import NOT_ELIGIBLE, evaluate_policy
from crm.policies.models import Policy

# GB/T 4754 code prefixes → the industry vocabulary the plans and platforms use (longest prefix wins).
CODE_INDUSTRIES = {
    '64': '数字经济', '65': '数字经济', '63': '数字经济', '726': '人力资源服务', '529': '跨境电商', '5292': '跨境电商',
    '51': '商贸', '52': '商贸', '66': '金融', '67': '金融', '68': '金融', '69': '金融', '86': '文创', '87': '文创',
    '877': '电竞数娱', '88': '文创', '89': '体育', '90': '电竞数娱', '73': '科技服务', '75': '科技服务',
    '27': '生物医药', '34': '智能制造', '35': '智能制造', '84': '健康', '85': '健康', '58': '物流', '59': '物流',
    '61': '旅游', '72': '总部经济',
}
AREA_TOLERANCE = Decimal('0.3')
TERM_YEARS = 3


def industries_of_text(text: str) -> set[str]:
    """Canonical industries whose keywords occur in a text (names, titles, focus labels)."""
    return {name for name, words in DEFAULT_INDUSTRY_KEYWORDS.items() if any(w and w in text for w in [name, *words])}


def industries_of_code(code: str | None) -> set[str]:
    if not code:
        return set()
    for length in range(len(code), 1, -1):
        if code[:length] in CODE_INDUSTRIES:
            return {CODE_INDUSTRIES[code[:length]]}
    return set()


def primary_industries(lead: Lead) -> set[str]:
    """What the project itself is about: its own industry code and the keywords of its title."""
    return industries_of_code(lead.industry_code) | industries_of_text(lead.title or '')


def lead_industries(lead: Lead) -> set[str]:
    """Everything the lead relates to: the project's industries plus the firm's code, notes and name."""
    return (primary_industries(lead) | industries_of_code(lead.firm.industry_code)
            | industries_of_text(' '.join(filter(None, [lead.notes, lead.firm.name]))))


def platform_industries(platform: Platform) -> set[str]:
    labels = ' '.join([platform.name, *platform.focus_industries, platform.positioning or ''])
    return industries_of_text(labels)


def lead_facts(lead: Lead, *, unit: Unit | None = None) -> dict[str, Any]:
    """What the evaluator may use: firm and lead data; missing values stay missing (unknown, never guessed)."""
    firm = lead.firm
    years = (clock.today() - firm.registered_on).days // 365 if firm.registered_on else None
    area = lead.space_need_m2 or (unit.area_gross if unit else None)
    rent = (unit.rent * unit.area_gross * 365 / Decimal(10000)) if unit is not None and unit.rent else None
    rd_spend = None
    return {
        'industry_code': lead.industry_code or firm.industry_code, 'tags': firm.tags or None,
        'registered_district': firm.district, 'platform': [p.name for p in lead.platforms] or None,
        'years_registered': years, 'revenue': None, 'headcount': firm.headcount,
        'rd_ratio': firm.rd_ratio, 'investment': lead.investment, 'leased_area': area,
        'industry': sorted(lead_industries(lead)) or None, 'rent': rent, 'rd_spend': rd_spend,
        'fiscal_contribution': lead.annual_tax,
    }


@dataclass
class Scored:
    """An item with its score and the reasons behind it."""

    item: Any
    score: float
    reasons: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


def rank_platforms(lead: Lead, wanted: set[str], limit: int = 5) -> list[Scored]:
    """Platforms by fit: the project's own industries count most, and more for focused platforms (a platform
    stating one industry is a better home for it than one stating many); then the lead's targets and space."""
    primary = primary_industries(lead)
    area_by_platform = dict(db.session.execute(select(Unit.platform_id, func.sum(Unit.area_gross))
                                               .where(Unit.status == '空置').group_by(Unit.platform_id)).all())
    targets = {p.id for p in lead.platforms}
    scored = []
    for platform in db.session.scalars(select(Platform).where(Platform.district == '拱墅区')):
        reasons, score = [], 0.0
        industries = platform_industries(platform)
        core, other = primary & industries, (wanted - primary) & industries
        if core:
            score += 3 * len(core) * (1 + 1 / len(industries))
        score += len(other)
        if core or other:
            reasons.append(f'主导产业与项目方向一致：{"、".join(sorted(core | other))}')
        if platform.id in targets:
            score += 2
            reasons.append('项目的目标平台')
        space = area_by_platform.get(platform.id, Decimal(0))
        if space and lead.space_need_m2 and space >= lead.space_need_m2:
            score += 2  # a home with room now beats one without recorded vacancies
            reasons.append(f'空置房源合计 {space:,.0f} ㎡，满足 {lead.space_need_m2:,.0f} ㎡ 需求')
        if score:
            scored.append(Scored(platform, score, reasons))
    return sorted(scored, key=lambda s: (-s.score, s.item.name))[:limit]


def rank_units(lead: Lead, platform_ids: list[int], limit: int = 10) -> list[Scored]:
    """Vacant units on the chosen platforms by fit: area within ±30 % of the need, use, date, rent."""
    need, today = lead.space_need_m2, clock.today()
    stmt = (select(Unit, Building.name).join(Building, Unit.building_id == Building.id)
            .where(Unit.status == '空置', Unit.platform_id.in_(platform_ids)))
    if need:
        stmt = stmt.where(Unit.area_gross.between(need * (1 - AREA_TOLERANCE), need * (1 + AREA_TOLERANCE)))
    scored = []
    for unit, building_name in db.session.execute(stmt.limit(500)).all():
        reasons, score = [], 1.0
        if need:
            closeness = 1 - abs(unit.area_gross - need) / need
            score += float(closeness) * 2
            reasons.append(f'面积 {unit.area_gross:,.0f} ㎡（需求 {need:,.0f} ㎡）')
        if lead.space_use and unit.use == lead.space_use:
            score += 1
            reasons.append(f'用途相符：{unit.use}')
        if unit.available_from is None or unit.available_from <= (lead.space_by or today):
            score += 0.5
            reasons.append('可按时入驻' if lead.space_by else '现可入驻')
        if unit.rent is not None:
            score += max(0.0, 1 - float(unit.rent) / 10)
            reasons.append(f'租金 {unit.rent} 元/㎡·天')
        scored.append(Scored(unit, score, reasons, {'building': building_name}))
    return sorted(scored, key=lambda s: (-s.score, s.item.id))[:limit]


def relevant_policies(lead: Lead, wanted: set[str], platform_names: list[str], unit: Unit | None) -> list[Scored]:
    """Policies evaluated against the lead (expired and not-eligible ones are left out, with reasons kept)."""
    facts = lead_facts(lead, unit=unit)
    scored = []
    for policy in db.session.scalars(select(Policy)):
        if policy.expires_on and policy.expires_on < clock.today():
            continue
        reasons, score = [], 0.0
        overlap = wanted & industries_of_text(' '.join([*policy.industries, policy.title]))
        if overlap:
            score += 2
            reasons.append(f'适用产业：{"、".join(sorted(overlap))}')
        places = set(policy.platform_names) & set(platform_names)
        if places:
            score += 2
            reasons.append(f'适用平台：{"、".join(sorted(places))}')
        result = evaluate_policy(policy, facts)
        if policy.clauses:
            score += {'eligible': 3, 'conditional': 1}.get(result.level, 0)
        if result.level == NOT_ELIGIBLE or not score:
            continue
        if policy.expires_on and (policy.expires_on - clock.today()).days <= 90:
            reasons.append(f'将于 {policy.expires_on} 到期')
        scored.append(Scored(policy, score, reasons, {'result': result}))
    return sorted(scored, key=lambda s: (-s.score, s.item.title))[:12]


def net_cost(unit: Unit, lead: Lead, policies: list[Scored], years: int = TERM_YEARS) -> list[dict]:
    """Rent × area × year minus the rent subsidies estimated for each year (万元), with the assumptions."""
    if unit.rent is None:
        return []
    yearly_rent = unit.rent * unit.area_gross * 365 / Decimal(10000)
    rows = []
    for year in range(years):
        low = high = Decimal(0)
        for scored in policies:
            for clause in scored.data['result'].clauses:
                if clause.kind == '房租补助' and clause.status != NOT_ELIGIBLE and year < len(clause.yearly):
                    c_low, c_high = clause.yearly[year]
                    low += c_low or 0
                    high += c_high or 0
        rows.append({'year': year + 1, 'rent': yearly_rent.quantize(Decimal('0.01')),
                     'subsidy_low': low.quantize(Decimal('0.01')), 'subsidy_high': high.quantize(Decimal('0.01')),
                     'net_high': (yearly_rent - low).quantize(Decimal('0.01')),
                     'net_low': (yearly_rent - high).quantize(Decimal('0.01'))})
    return rows


def lead_choices(lead_id: int) -> dict[str, dict[int, str]]:
    """{kind: {item id: 'pin' | 'drop'}} for one lead."""
    choices: dict[str, dict[int, str]] = {kind: {} for kind in KINDS}
    for kind, item_id, choice in db.session.execute(select(MatchChoice.kind, MatchChoice.item_id, MatchChoice.choice)
                                                    .where(MatchChoice.lead_id == lead_id)):
        choices.setdefault(kind, {})[item_id] = choice
    return choices


def _apply_choices(ranked: list, choices: dict[int, str], key: Callable[[Any], int],
                   load_pinned: Callable[[list[int]], list]) -> tuple[list, list]:
    """Pinned items first (also those the ranking left out), dropped items set aside: (kept, dropped)."""
    present = {key(s) for s in ranked}
    missing = [i for i, c in choices.items() if c == PIN and i not in present]
    ranked = ranked + (load_pinned(missing) if missing else [])
    kept = [s for s in ranked if choices.get(key(s)) != DROP]
    kept.sort(key=lambda s: choices.get(key(s)) != PIN)  # stable: pinned first, ranking order kept
    return kept, [s for s in ranked if choices.get(key(s)) == DROP]


_CHOSEN = '专员选定'


def _pinned_platforms(ids: list[int]) -> list[Scored]:
    return [Scored(p, 0.0, [_CHOSEN]) for p in db.session.scalars(select(Platform).where(Platform.id.in_(ids)))]


def _pinned_units(ids: list[int]) -> list[Scored]:
    rows = db.session.execute(select(Unit, Building.name).join(Building, Unit.building_id == Building.id)
                              .where(Unit.id.in_(ids))).all()
    return [Scored(unit, 0.0, [_CHOSEN] + ([f'当前状态：{unit.status}'] if unit.status != '空置' else []),
                   {'building': name}) for unit, name in rows]


def _pinned_policies(lead: Lead, unit: Unit | None) -> Callable[[list[int]], list[Scored]]:
    def load(ids: list[int]) -> list[Scored]:
        facts = lead_facts(lead, unit=unit)
        return [Scored(p, 0.0, [_CHOSEN] + ([f'已于 {p.expires_on} 到期'] if p.expires_on and p.expires_on < clock.today()
                                             else []), {'result': evaluate_policy(p, facts)})
                for p in db.session.scalars(select(Policy).where(Policy.id.in_(ids)))]
    return load


def _pinned_commitments(ids: list[int]) -> list:
    return list_commitments(ids=ids, include_rejected=True)


def match_lead(lead: Lead, *, choices: dict[str, dict[int, str]] | None = None) -> dict[str, Any]:
    """Everything the match tab and the promotion pack need, as objects with reasons.

    The officer's choices apply: pinned items come first (a pinned platform decides where units are searched),
    dropped items are set aside under `dropped`.
    """
    choices = lead_choices(lead.id) if choices is None else choices
    wanted = lead_industries(lead)
    platforms, dropped_platforms = _apply_choices(rank_platforms(lead, wanted), choices['platform'],
                                                  lambda s: s.item.id, _pinned_platforms)
    pinned_platforms = [s.item for s in platforms if choices['platform'].get(s.item.id) == PIN]
    chosen = pinned_platforms or [s.item for s in platforms[:2]] or list(lead.platforms)
    units, dropped_units = _apply_choices(rank_units(lead, [p.id for p in chosen]), choices['unit'],
                                          lambda s: s.item.id, _pinned_units)
    best_unit = units[0].item if units else None
    policies, dropped_policies = _apply_choices(relevant_policies(lead, wanted, [p.name for p in chosen], best_unit),
                                                choices['policy'], lambda s: s.item.id,
                                                _pinned_policies(lead, best_unit))
    commitments = []
    for platform in chosen[:1]:
        commitments += list_commitments(platform=platform.name, limit=8)
    for industry in sorted(primary_industries(lead) or wanted)[:2]:
        commitments += list_commitments(industry=industry, limit=4)
    seen, unique = set(), []
    for view in commitments:
        if view.commitment.id not in seen:
            seen.add(view.commitment.id)
            unique.append(view)
    commitments, dropped_commitments = _apply_choices(unique[:12], choices['commitment'], lambda v: v.commitment.id,
                                                      _pinned_commitments)
    return {'industries': sorted(wanted), 'platforms': platforms, 'units': units, 'policies': policies,
            'commitments': commitments, 'net_cost': net_cost(best_unit, lead, policies) if best_unit else [],
            'unit_for_cost': best_unit, 'choices': choices,
            'dropped': {'platform': dropped_platforms, 'unit': dropped_units, 'policy': dropped_policies,
                        'commitment': dropped_commitments}}


def for_pack(result: dict[str, Any], kind: str, limit: int) -> list:
    """What the pack uses of one kind: the pinned items when the officer pinned any, else the top matches."""
    plural = {'platform': 'platforms', 'unit': 'units', 'policy': 'policies', 'commitment': 'commitments'}[kind]
    key = (lambda v: v.commitment.id) if kind == 'commitment' else (lambda s: s.item.id)
    items, pins = result[plural], result['choices'][kind]
    pinned = [item for item in items if pins.get(key(item)) == PIN]
    return pinned if pinned else items[:limit]


def set_choice(lead: Lead, kind: str, item_id: int, choice: str | None, *, user_id: int | None) -> None:
    """Pin, drop or clear (None) one match item of a lead."""
    if kind not in KINDS or choice not in (PIN, DROP, None):
        raise ValueError(kind)
    row = db.session.scalar(select(MatchChoice).where(MatchChoice.lead_id == lead.id, MatchChoice.kind == kind,
                                                      MatchChoice.item_id == item_id))
    if choice is None:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(MatchChoice(lead_id=lead.id, kind=kind, item_id=item_id, choice=choice, user_id=user_id))
    else:
        row.choice, row.user_id = choice, user_id
    db.session.flush()


def match_json(lead: Lead) -> dict[str, Any]:
    """The JSON shape of `crm match --lead ID --json` (each item says whether the officer pinned it)."""
    result = match_lead(lead)
    pins = result['choices']
    return {
        'lead': lead.id, 'industries': result['industries'],
        'platforms': [{'id': s.item.id, 'name': s.item.name, 'score': s.score, 'reasons': s.reasons,
                       'pinned': pins['platform'].get(s.item.id) == PIN} for s in result['platforms']],
        'units': [{'id': s.item.id, 'building': s.data['building'], 'number': s.item.number,
                   'area': str(s.item.area_gross), 'rent': str(s.item.rent) if s.item.rent is not None else None,
                   'score': round(s.score, 3), 'reasons': s.reasons, 'pinned': pins['unit'].get(s.item.id) == PIN}
                  for s in result['units']],
        'policies': [{'id': s.item.id, 'title': s.item.title, 'level': s.data['result'].level,
                      'amount': s.data['result'].amount_text, 'example': s.item.is_example, 'reasons': s.reasons,
                      'pinned': pins['policy'].get(s.item.id) == PIN,
                      'conditions': [{'text': c.text, 'status': c.status, 'used': str(c.used) if c.used is not None
                                      else None} for cl in s.data['result'].clauses for c in cl.conditions]}
                     for s in result['policies']],
        'commitments': [{**v.as_dict(), 'pinned': pins['commitment'].get(v.commitment.id) == PIN}
                        for v in result['commitments']],
        'dropped': {kind: [v.commitment.id if kind == 'commitment' else v.item.id for v in items]
                    for kind, items in result['dropped'].items()},
        'net_cost': [{k: str(v) if isinstance(v, Decimal) else v for k, v in row.items()}
                     for row in result['net_cost']],
    }


def relied_policy_ids(lead_id: int) -> set[int]:
    """The policies a lead relies on: pinned on its match, or cited by its latest pack."""
    from crm.packs.models import Pack

    ids = set(db.session.scalars(select(MatchChoice.item_id).where(MatchChoice.lead_id == lead_id,
                                                                   MatchChoice.kind == 'policy',
                                                                   MatchChoice.choice == PIN)))
    latest = db.session.scalar(select(Pack.snapshot).where(Pack.lead_id == lead_id).order_by(Pack.version.desc())
                               .limit(1))
    ids.update(policy_id for policy_id, _version in (latest or {}).get('policies', []))
    return ids
