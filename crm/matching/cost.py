"""Net landed cost of a unit over the term: rent, 物业费, the rent subsidies of the pack's policies, and the net.

The one place these figures are computed; the match page, the pack PDF and the API show what this returns.
Money stays possible: a subsidy never exceeds the rent it subsidises (nor do the subsidies together), a policy
marked 就高不重复 is never added to another (the higher option is taken), and the net is never negative. Where a
condition is still unknown every figure is a range: the low end assumes it fails, the high end that it holds.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from crm.policies.evaluate import PolicyResult

RENT_SUBSIDY = '房租补助'  # the clause kind (stored in Chinese)
CENT = Decimal('0.01')
# Why a subsidy cell is less than the policy pays, in the language of the page or pack that shows the table.
NOT_STACKED = _l('highest only, not combined')
CAPPED = _l("capped at the year's rent")


@dataclass
class Line:
    """One policy's rent subsidy for the cost table."""

    policy_id: int | None
    title: str
    highest_only: bool
    result: PolicyResult


def yearly_rent(unit) -> Decimal | None:
    """Listed rent (元/㎡·天) × gross area × 365, in 万元."""
    if unit.rent is None:
        return None
    return Decimal(unit.rent) * Decimal(unit.area_gross) * 365 / Decimal(10000)


def yearly_property_fee(unit) -> Decimal | None:
    """物业费 (元/㎡·月) × gross area × 12, in 万元; None when the unit has none on record."""
    if unit.property_fee is None:
        return None
    return Decimal(unit.property_fee) * Decimal(unit.area_gross) * 12 / Decimal(10000)


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT) + 0  # + 0: never a '-0.00'


def _apply(amounts: list[Decimal], exclusive: list[bool], cap: Decimal) -> list[Decimal]:
    """What each line grants for one year at one end: the stackable lines together, or one 就高不重复 line alone,
    whichever pays more; in order, never more than what is left of the rent."""
    options = [[i for i, ex in enumerate(exclusive) if not ex]] + [[i] for i, ex in enumerate(exclusive) if ex]
    best = max(options, key=lambda option: min(cap, sum((amounts[i] for i in option), Decimal(0))))
    granted, left = [Decimal(0)] * len(amounts), cap
    for i in best:
        granted[i] = max(Decimal(0), min(amounts[i], left))
        left -= granted[i]
    return granted


def landed_cost(unit, lines: list[Line], years: int) -> dict | None:
    """Per year of the term: rent, 物业费, each line's subsidy (low, high), their total and the net (万元)."""
    rent = yearly_rent(unit)
    if rent is None:
        return None
    fee = yearly_property_fee(unit)
    rent_q, fee_q = _q(rent), (_q(fee) if fee is not None else None)
    cost_q = rent_q + (fee_q or Decimal(0))
    exclusive = [line.highest_only for line in lines]
    per_line = [line.result.yearly_of(RENT_SUBSIDY) for line in lines]
    rows = []
    for year in range(years):
        raw_low = [_q(min(p[year][0], rent)) for p in per_line]
        raw_high = [_q(rent if p[year][1] is None else min(p[year][1], rent)) for p in per_line]
        low = _apply(raw_low, exclusive, rent_q)
        high = _apply(raw_high, exclusive, rent_q)
        subsidies = []
        for i, line in enumerate(lines):
            a, b = sorted((_q(low[i]), _q(high[i])))
            note = ''
            if b < raw_high[i]:
                note = str(NOT_STACKED if line.highest_only or any(exclusive) else CAPPED)
            subsidies.append({'policy_id': line.policy_id, 'title': line.title, 'low': a, 'high': b, 'note': note})
        subsidy_low, subsidy_high = sum(low, Decimal(0)), sum(high, Decimal(0))
        rows.append({'year': year + 1, 'rent': rent_q, 'property_fee': fee_q, 'cost': cost_q,
                     'subsidies': subsidies, 'subsidy_low': subsidy_low, 'subsidy_high': subsidy_high,
                     'net_low': max(Decimal(0), cost_q - subsidy_high),
                     'net_high': max(Decimal(0), cost_q - subsidy_low)})
    return {'rows': rows, 'years': years, 'has_fee': fee is not None, 'totals': _totals(rows, lines)}


def _totals(rows: list[dict], lines: list[Line]) -> dict:
    def total(key: str) -> Decimal:
        return sum((r[key] for r in rows if r[key] is not None), Decimal(0))

    return {'rent': total('rent'), 'property_fee': total('property_fee') if rows and rows[0]['property_fee']
            is not None else None, 'cost': total('cost'),
            'subsidies': [{'low': sum((r['subsidies'][i]['low'] for r in rows), Decimal(0)),
                           'high': sum((r['subsidies'][i]['high'] for r in rows), Decimal(0))}
                          for i in range(len(lines))],
            'subsidy_low': total('subsidy_low'), 'subsidy_high': total('subsidy_high'),
            'net_low': total('net_low'), 'net_high': total('net_high')}
