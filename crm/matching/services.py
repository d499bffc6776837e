"""match(lead): platforms, units, policies and plan commitments, each with the reasons it was chosen.

Every kind of item is read through the viewer's scope (`crm.core.access.scoped`): a park manager's match offers
only their own platforms, units and vacancies. `viewer` defaults to the signed-in user; the job worker and the
command line pass `SYSTEM` (the whole district) or the user a pack is built for."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from crm.core import clock
from crm.core.access import scoped
from crm.core.industries import industries_of_code, industries_of_text
from crm.core.labels import UNIT_STATUSES, list_text, unit_use_label
from crm.db import db
from crm.leads.models import Lead
from crm.matching.cost import Line, landed_cost, yearly_rent
from crm.matching.models import DROP, KINDS, PIN, MatchChoice
from crm.plans.commitments import list_commitments
from crm.platforms.models import Building, Platform, Unit, UnitReservation, UnitStatus
from crm.policies.evaluate import NOT_ELIGIBLE, TERM_YEARS, PolicyResult, evaluate_policy
from crm.policies.models import Policy

AREA_TOLERANCE = Decimal('0.3')


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
    """What the evaluator may use: firm and lead data, and the unit the estimate is for (its area, its annual rent,
    its platform); missing values stay missing (unknown, never guessed)."""
    firm = lead.firm
    years = (clock.today() - firm.registered_on).days // 365 if firm.registered_on else None
    area = unit.area_gross if unit is not None else lead.space_need_m2
    rent = yearly_rent(unit) if unit is not None else None
    rd_spend = None
    platforms = [db.session.get(Platform, unit.platform_id).name] if unit is not None else \
        [p.name for p in lead.platforms]
    return {
        'industry_code': lead.industry_code or firm.industry_code, 'tags': firm.tags or None,
        'registered_district': firm.district, 'platform': platforms or None,
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


def rank_platforms(lead: Lead, wanted: set[str], limit: int = 5, *, viewer: Any = None) -> list[Scored]:
    """Platforms by fit: the project's own industries count most, and more for focused platforms (a platform
    stating one industry is a better home for it than one stating many); then the lead's targets and space."""
    primary = primary_industries(lead)
    area_by_platform = dict(db.session.execute(scoped(select(Unit.platform_id, func.sum(Unit.area_gross)), Unit, viewer)
                                               .where(Unit.status == UnitStatus.VACANT).group_by(Unit.platform_id)).all())
    targets = {p.id for p in lead.platforms}
    scored = []
    for platform in db.session.scalars(scoped(select(Platform), Platform, viewer).where(Platform.district == '拱墅区')):
        reasons, score = [], 0.0
        industries = platform_industries(platform)
        core, other = primary & industries, (wanted - primary) & industries
        if core:
            score += 3 * len(core) * (1 + 1 / len(industries))
        score += len(other)
        if core or other:
            reasons.append(_('Focus industries match the project: %(industries)s',
                             industries=list_text(sorted(core | other))))
        if platform.id in targets:
            score += 2
            reasons.append(_("The project's target platform"))
        space = area_by_platform.get(platform.id, Decimal(0))
        if space and lead.space_need_m2 and space >= lead.space_need_m2:
            score += 2  # a home with room now beats one without recorded vacancies
            reasons.append(_('Vacant units total %(space)s ㎡, enough for the %(need)s ㎡ needed',
                             space=f'{space:,.0f}', need=f'{lead.space_need_m2:,.0f}'))
        if score:
            scored.append(Scored(platform, score, reasons))
    return sorted(scored, key=lambda s: (-s.score, s.item.name))[:limit]


def promised_to(lead_id: int):
    """The ids of the units promised (意向) to this lead, as a subquery."""
    return select(UnitReservation.unit_id).where(UnitReservation.lead_id == lead_id,
                                                 UnitReservation.active.is_(True))


def offerable(lead_id: int):
    """Units a prospect can take: vacant, or promised (意向) to this very lead."""
    return or_(Unit.status == UnitStatus.VACANT, and_(Unit.status == UnitStatus.PROMISED, Unit.id.in_(promised_to(lead_id))))


def unavailable_reason(unit: Unit, lead_id: int):
    """Why this unit cannot be offered to the lead (None when it can): a lazy text, read in the language of the
    page or pack that shows it."""
    if unit.status == UnitStatus.VACANT:
        return None
    status = UNIT_STATUSES.get(unit.status, unit.status)
    if unit.status == UnitStatus.PROMISED:
        if db.session.scalar(promised_to(lead_id).where(UnitReservation.unit_id == unit.id).limit(1)):
            return None
        return _l('currently %(status)s, promised to another project', status=status)
    return _l('currently %(status)s', status=status)


def rank_units(lead: Lead, platform_ids: list[int], limit: int = 10, *, viewer: Any = None) -> list[Scored]:
    """Units the prospect can take on the chosen platforms, by fit: area within ±30 % of the need, use, date,
    rent."""
    need, today = lead.space_need_m2, clock.today()
    stmt = (scoped(select(Unit, Building.name), Unit, viewer).join(Building, Unit.building_id == Building.id)
            .where(offerable(lead.id), Unit.platform_id.in_(platform_ids)))
    if need:
        stmt = stmt.where(Unit.area_gross.between(need * (1 - AREA_TOLERANCE), need * (1 + AREA_TOLERANCE)))
    scored = []
    for unit, building_name in db.session.execute(stmt.limit(500)).all():
        reasons, score = [], 1.0
        if need:
            closeness = 1 - abs(unit.area_gross - need) / need
            score += float(closeness) * 2
            reasons.append(_('Area %(area)s ㎡ (need %(need)s ㎡)', area=f'{unit.area_gross:,.0f}',
                             need=f'{need:,.0f}'))
        if lead.space_use and unit.use == lead.space_use:
            score += 1
            reasons.append(_('Use matches: %(use)s', use=unit_use_label(unit.use)))
        if unit.available_from is None or unit.available_from <= (lead.space_by or today):
            score += 0.5
            reasons.append(_('Available in time') if lead.space_by else _('Available now'))
        if unit.rent is not None:
            score += max(0.0, 1 - float(unit.rent) / 10)
            reasons.append(_('Rent %(rent)s yuan/㎡/day', rent=unit.rent))
        scored.append(Scored(unit, score, reasons, {'building': building_name}))
    return sorted(scored, key=lambda s: (-s.score, s.item.id))[:limit]


def relevant_policies(wanted: set[str], platform_names: list[str], facts: dict[str, Any], *,
                      viewer: Any = None) -> list[Scored]:
    """Policies evaluated against the lead (expired and not-eligible ones are left out, with reasons kept)."""
    scored = []
    for policy in db.session.scalars(scoped(select(Policy), Policy, viewer)):
        if policy.expires_on and policy.expires_on < clock.today():
            continue
        reasons, score = [], 0.0
        overlap = wanted & industries_of_text(' '.join([*policy.industries, policy.title]))
        if overlap:
            score += 2
            reasons.append(_('Industries covered: %(industries)s', industries=list_text(sorted(overlap))))
        places = set(policy.platform_names) & set(platform_names)
        if places:
            score += 2
            reasons.append(_('Platforms covered: %(platforms)s', platforms=list_text(sorted(places))))
        result = evaluate_policy(policy, facts)
        if policy.accepted_clauses:
            score += {'eligible': 3, 'conditional': 1}.get(result.level, 0)
        if result.level == NOT_ELIGIBLE or not score:
            continue
        if policy.expires_on and (policy.expires_on - clock.today()).days <= 90:
            reasons.append(_('Expires on %(date)s', date=policy.expires_on))
        scored.append(Scored(policy, score, reasons, {'result': result}))
    return sorted(scored, key=lambda s: (-s.score, s.item.title))[:12]


def net_cost(unit: Unit, policies: list[Scored], years: int = TERM_YEARS) -> dict | None:
    """The landed cost of the unit with the rent subsidies of these (the pack's) policies, year by year."""
    lines = [Line(s.item.id, s.item.title, bool(s.item.highest_only), s.data['result']) for s in policies
             if s.data['result'].level != NOT_ELIGIBLE and any(
                 high is None or high > 0 for _low, high in s.data['result'].yearly_of('房租补助'))]
    return landed_cost(unit, lines, years)


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


def _chosen() -> str:
    return _('Chosen by the officer')


def _pinned_platforms(viewer: Any) -> Callable[[list[int]], list[Scored]]:
    def load(ids: list[int]) -> list[Scored]:
        return [Scored(p, 0.0, [_chosen()]) for p in db.session.scalars(
            scoped(select(Platform), Platform, viewer).where(Platform.id.in_(ids)))]
    return load


def _pinned_units(lead: Lead, notes: list[dict], viewer: Any) -> Callable[[list[int]], list[Scored]]:
    """Pinned units the prospect can still take; the others are left out with a note for the officer."""
    def load(ids: list[int]) -> list[Scored]:
        rows = db.session.execute(scoped(select(Unit, Building.name), Unit, viewer)
                                  .join(Building, Unit.building_id == Building.id)
                                  .where(Unit.id.in_(ids)).order_by(Unit.id)).all()
        kept = []
        for unit, name in rows:
            reason = unavailable_reason(unit, lead.id)
            if reason:
                notes.append({'kind': 'unit', 'id': unit.id,
                              'text': _l('%(building)s unit %(number)s is %(reason)s; left out of the pack',
                                         building=name, number=unit.number, reason=reason)})
            else:
                kept.append(Scored(unit, 0.0, [_chosen()], {'building': name}))
        return kept
    return load


def _pinned_policies(facts: dict[str, Any], notes: list[dict], viewer: Any) -> Callable[[list[int]], list[Scored]]:
    """Pinned policies still in force; an expired one is left out with a note for the officer."""
    def load(ids: list[int]) -> list[Scored]:
        kept = []
        for p in db.session.scalars(scoped(select(Policy), Policy, viewer).where(Policy.id.in_(ids))
                                    .order_by(Policy.id)):
            if p.expires_on and p.expires_on < clock.today():
                notes.append({'kind': 'policy', 'id': p.id,
                              'text': _l('Policy “%(title)s” expired on %(date)s; left out of the pack',
                                         title=p.title, date=p.expires_on)})
            else:
                kept.append(Scored(p, 0.0, [_chosen()], {'result': evaluate_policy(p, facts)}))
        return kept
    return load


def _pinned_commitments(ids: list[int]) -> list:
    return list_commitments(ids=ids, include_rejected=True)


@dataclass
class Offers:
    """Where a lead could land: platforms, the units it can take, and the unit its estimates are for."""

    wanted: set[str]
    platforms: list[Scored]
    dropped_platforms: list[Scored]
    chosen: list[Platform]
    units: list[Scored]
    dropped_units: list[Scored]
    notes: list[dict]  # {kind, id, text (lazy: read in the viewer's language)}: pinned items no longer offered

    @property
    def cost_unit(self) -> Unit | None:
        """The unit the landed cost and the policy estimates are for: the pack's first unit."""
        return self.units[0].item if self.units else None


def lead_offers(lead: Lead, choices: dict[str, dict[int, str]] | None = None, *, viewer: Any = None) -> Offers:
    """Platforms and units for the lead with the officer's choices applied (pinned first, dropped set aside,
    pinned units nobody can offer any more left out with a note), all within the viewer's scope."""
    choices = lead_choices(lead.id) if choices is None else choices
    wanted, notes = lead_industries(lead), []
    platforms, dropped_platforms = _apply_choices(rank_platforms(lead, wanted, viewer=viewer), choices['platform'],
                                                  lambda s: s.item.id, _pinned_platforms(viewer))
    pinned_platforms = [s.item for s in platforms if choices['platform'].get(s.item.id) == PIN]
    chosen = (pinned_platforms or [s.item for s in platforms[:2]]
              or [s.item for s in _pinned_platforms(viewer)([p.id for p in lead.platforms])])  # targets in scope
    units, dropped_units = _apply_choices(rank_units(lead, [p.id for p in chosen], viewer=viewer), choices['unit'],
                                          lambda s: s.item.id, _pinned_units(lead, notes, viewer))
    return Offers(wanted, platforms, dropped_platforms, chosen, units, dropped_units, notes)


def evaluate_for_lead(policy: Policy, lead: Lead, *, viewer: Any = None) -> PolicyResult:
    """The evaluation of one policy for a lead, exactly as its match page and pack show it (to this viewer)."""
    return evaluate_policy(policy, lead_facts(lead, unit=lead_offers(lead, viewer=viewer).cost_unit))


def match_lead(lead: Lead, *, choices: dict[str, dict[int, str]] | None = None, viewer: Any = None) -> dict[str, Any]:
    """Everything the match tab and the promotion pack need, as objects with reasons, within the viewer's scope.

    The officer's choices apply: pinned items come first (a pinned platform decides where units are searched),
    dropped items are set aside under `dropped`; `notes` says which pinned items can no longer be offered.
    """
    choices = lead_choices(lead.id) if choices is None else choices
    offers = lead_offers(lead, choices, viewer=viewer)
    wanted, chosen, best_unit = offers.wanted, offers.chosen, offers.cost_unit
    facts = lead_facts(lead, unit=best_unit)
    policies, dropped_policies = _apply_choices(relevant_policies(wanted, [p.name for p in chosen], facts,
                                                                  viewer=viewer),
                                                choices['policy'], lambda s: s.item.id,
                                                _pinned_policies(facts, offers.notes, viewer))
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
    result = {'industries': sorted(wanted), 'platforms': offers.platforms, 'units': offers.units,
              'policies': policies, 'commitments': commitments, 'unit_for_cost': best_unit, 'choices': choices,
              'notes': offers.notes, 'term_years': TERM_YEARS,
              'dropped': {'platform': offers.dropped_platforms, 'unit': offers.dropped_units,
                          'policy': dropped_policies, 'commitment': dropped_commitments}}
    cost = net_cost(best_unit, for_pack(result, 'policy', PACK_POLICIES)) if best_unit else None
    result['cost'], result['net_cost'] = cost, cost['rows'] if cost else []
    return result


PACK_PLATFORMS, PACK_UNITS, PACK_POLICIES, PACK_QUOTES = 2, 8, 8, 10


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


def match_json(lead: Lead, *, viewer: Any = None) -> dict[str, Any]:
    """The JSON shape of `crm match --lead ID --json` (each item says whether the officer pinned it)."""
    result = match_lead(lead, viewer=viewer)
    pins = result['choices']
    return {
        'lead': lead.id, 'industries': result['industries'],
        'platforms': [{'id': s.item.id, 'name': s.item.name, 'score': s.score, 'reasons': s.reasons,
                       'pinned': pins['platform'].get(s.item.id) == PIN} for s in result['platforms']],
        'units': [{'id': s.item.id, 'building': s.data['building'], 'number': s.item.number,
                   'area': str(s.item.area_gross), 'rent': str(s.item.rent) if s.item.rent is not None else None,
                   'score': round(s.score, 3), 'reasons': s.reasons, 'pinned': pins['unit'].get(s.item.id) == PIN}
                  for s in result['units']],
        'policies': [{'id': s.item.id, 'title': s.item.title, **evaluation_json(s.data['result']),
                      'example': s.item.is_example, 'reasons': s.reasons,
                      'pinned': pins['policy'].get(s.item.id) == PIN,
                      'conditions': condition_json(s.data['result'])}
                     for s in result['policies']],
        'commitments': [{**v.as_dict(), 'pinned': pins['commitment'].get(v.commitment.id) == PIN}
                        for v in result['commitments']],
        'dropped': {kind: [v.commitment.id if kind == 'commitment' else v.item.id for v in items]
                    for kind, items in result['dropped'].items()},
        'net_cost': _plain(result['net_cost']), 'notes': [str(n['text']) for n in result['notes']],
        'cost_unit': result['unit_for_cost'].id if result['unit_for_cost'] else None,
    }


def _plain(value: Any) -> Any:
    """Decimals as exact text, through lists and dicts (the JSON shape of money)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def condition_json(result: PolicyResult) -> list[dict[str, Any]]:
    return [{'text': c.text, 'status': c.status, 'used': str(c.used) if c.used is not None else None}
            for c in [*result.scope, *(c for cl in result.clauses for c in cl.conditions)]]


def evaluation_json(result: PolicyResult) -> dict[str, Any]:
    """The JSON shape of one policy evaluation (the API and `crm match --json` alike)."""
    def money(value: Decimal | None) -> str | None:
        return None if value is None else str(value.quantize(Decimal('0.01')) + 0)

    return {'level': result.level, 'amount': result.amount_text, 'low': money(result.low),
            'high': money(result.high), 'basis': result.basis, 'years': result.years,
            'term_years': result.term_years,
            'yearly': [[money(low), money(high)] for low, high in result.yearly_of()],
            'not_eligible_because': result.reasons}
