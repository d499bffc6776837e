"""Evaluating policies against what is known of a firm and a lead.

Each condition is met, unmet or unknown (the data is missing) and says which value it used. A policy is
eligible when every condition of a clause is met, conditionally eligible when only unknowns remain, and not
eligible when a condition is unmet. Amounts come from the clause formula and its caps; an unknown input gives
a range (never a guess), and a policy whose amounts are not public gives no amount at all.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from crm.core.industries import industry_names
from crm.core.labels import list_text, value_label

MET, UNMET, UNKNOWN = 'met', 'unmet', 'unknown'
TERM_YEARS = 3  # the term a lead's estimates and landed cost cover
ELIGIBLE, CONDITIONAL, NOT_ELIGIBLE = 'eligible', 'conditional', 'not_eligible'
FIELD_LABELS = {
    'industry_code': _l('Industry code'), 'tags': _l('Firm tags'),
    'registered_district': _l('District of registration'), 'platform': _l('Platform settled on'),
    'years_registered': _l('Years since registration'), 'revenue': _l('Revenue (10k yuan)'),
    'headcount': _l('Headcount'), 'rd_ratio': _l('R&D share of revenue, in percent'),
    'investment': _l('Investment amount (10k yuan)'), 'leased_area': _l('Leased area (㎡)'),
    'industry': _l('Industry focus'), 'policy_platforms': _l('Platforms covered'),
    'policy_industries': _l('Industries covered'),
    'fiscal_contribution': _l('Local fiscal contribution (10k yuan)'),
    'registered_capital': _l('Registered capital (10k yuan)'), 'rd_spend': _l('R&D spend (10k yuan)'),
    'land_yield': _l('Tax per mu (10k yuan)'), 'certification': _l('Certification'),
}
SCOPE_FIELDS = ('policy_platforms', 'policy_industries')
OPS = ('eq', 'neq', 'in', 'prefix', 'gte', 'lte', 'between', 'has', 'has_any')
OP_LABELS = {'eq': _l('is'), 'neq': _l('is not'), 'in': _l('is one of'), 'prefix': _l('starts with'),
             'gte': _l('at least'), 'lte': _l('at most'), 'between': _l('between'), 'has': _l('includes'),
             'has_any': _l('includes one of')}


@dataclass
class ConditionResult:
    field: str
    op: str
    value: Any
    status: str
    used: Any

    @property
    def text(self) -> str:
        """The condition as a sentence in the current language (租用面积(㎡)不低于200, Leased area (㎡) at least 200)."""
        label = str(FIELD_LABELS.get(self.field, self.field))
        if self.field in SCOPE_FIELDS:
            return _('%(field)s: %(value)s', field=label, value=_show(self.value))
        return _('%(field)s %(op)s %(value)s', field=label, op=str(OP_LABELS.get(self.op, self.op)),
                 value=_show(self.value))

    @property
    def reason(self) -> str:
        """The condition with the value it was checked against (for 'not eligible because …')."""
        if self.used is None:
            return self.text
        return _('%(condition)s (this project: %(value)s)', condition=self.text, value=_show(self.used))


@dataclass
class ClauseResult:
    kind: str
    status: str
    conditions: list[ConditionResult]
    low: Decimal | None = None     # 万元 over the term
    high: Decimal | None = None    # 万元 over the term
    yearly: list[tuple[Decimal, Decimal | None]] = field(default_factory=list)  # per year of the term
    note: str = ''
    once: bool = False             # a one-off amount (paid in year 1)
    cash: bool = True              # False for a measure without money (一事一议, priority, honours)


@dataclass
class PolicyResult:
    """The one evaluation of a policy for a firm or lead: every page, PDF and API answer shows this."""

    policy_id: int | None
    title: str
    level: str
    clauses: list[ClauseResult]
    amounts_public: bool
    low: Decimal | None = None
    high: Decimal | None = None
    scope: list[ConditionResult] = field(default_factory=list)  # the policy's own platforms and industries
    term_years: int = TERM_YEARS
    years: int = 0                 # years of the term the estimate covers (0: no estimate)
    once: bool = False             # every applicable clause pays once
    cash: bool = True              # False when only measures without money apply

    @property
    def basis(self) -> str:
        """What the estimate covers, in the current language: 一次性 / 按 1 年计 / N 年合计."""
        if not self.years:
            return ''
        if self.once:
            return _('one-off')
        return _('for 1 year') if self.years <= 1 else _('%(years)s years in total', years=self.years)

    @property
    def reasons(self) -> list[str]:
        """Why the policy does not apply (its own restrictions first, then the unmet clause conditions)."""
        unmet = [c for c in self.scope if c.status == UNMET]
        unmet += [c for clause in self.clauses for c in clause.conditions if c.status == UNMET]
        return [c.reason for c in unmet]

    @property
    def amount_text(self) -> str:
        """The estimate as one text in the current language (约 131.40 万元（3 年合计）)."""
        if not self.amounts_public:
            return _('amounts not public')
        if self.level == NOT_ELIGIBLE:
            return '—'
        if not self.cash:
            return _('support without money')
        if self.low is None and self.high is None:
            return _('cannot be estimated')
        if self.low == self.high:
            text = _('about %(amount)s × 10k yuan', amount=f'{self.low:,.2f}')
        elif self.high is None:
            text = _('at least %(amount)s × 10k yuan', amount=f'{self.low:,.2f}')
        else:
            text = _('%(low)s – %(high)s × 10k yuan', low=f'{(self.low or 0):,.2f}', high=f'{self.high:,.2f}')
        return text + _(' (%(text)s)', text=self.basis) if self.basis else text

    def yearly_of(self, kind: str | None = None) -> list[tuple[Decimal, Decimal | None]]:
        """Per year of the term, the (low, high) of this policy's clauses (of one kind) that may apply."""
        rows = [(Decimal(0), Decimal(0)) for _ in range(self.term_years)]
        if not self.amounts_public or self.level == NOT_ELIGIBLE:
            return rows
        for clause in self.clauses:
            if (kind is not None and clause.kind != kind) or clause.status == NOT_ELIGIBLE:
                continue
            for year, (low, high) in enumerate(clause.yearly[:self.term_years]):
                total_low, total_high = rows[year]
                rows[year] = (total_low + low, None if high is None or total_high is None else total_high + high)
        return rows


def _show(value: Any) -> str:
    """A condition's value as people read it: industries, tags and districts in the current language, lists
    joined as the language joins them."""
    if isinstance(value, (list, tuple)):
        return list_text(value)
    return value_label(value)


def _number(value: Any) -> Decimal | None:
    if value is None or value == '':
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def evaluate_condition(condition: dict, facts: dict[str, Any]) -> ConditionResult:
    """met / unmet / unknown for one {field, op, value} against the facts."""
    name, op, expected = condition['field'], condition['op'], condition.get('value')
    actual = facts.get(name)
    if actual is None or actual == [] or actual == '':
        return ConditionResult(name, op, expected, UNKNOWN, None)
    ok = _check(op, actual, expected)
    return ConditionResult(name, op, expected, MET if ok else UNMET, actual)


def _check(op: str, actual: Any, expected: Any) -> bool:
    if op in ('eq', 'neq'):
        return (str(actual) == str(expected)) == (op == 'eq')
    if op == 'in':
        return str(actual) in [str(v) for v in expected]
    if op == 'prefix':
        return any(str(actual).startswith(str(p)) for p in (expected if isinstance(expected, list) else [expected]))
    if op in ('has', 'has_any'):
        have = set(actual if isinstance(actual, (list, tuple, set)) else [actual])
        wanted = expected if isinstance(expected, list) else [expected]
        return all(w in have for w in wanted) if op == 'has' else any(w in have for w in wanted)
    number = _number(actual)
    if op == 'gte':
        return number is not None and number >= Decimal(str(expected))
    if op == 'lte':
        return number is not None and number <= Decimal(str(expected))
    if op == 'between':
        low, high = (Decimal(str(v)) for v in expected)
        return number is not None and low <= number <= high
    raise ValueError(f'unknown operator {op}')


def _status(results: list[ConditionResult]) -> str:
    if any(r.status == UNMET for r in results):
        return NOT_ELIGIBLE
    if any(r.status == UNKNOWN for r in results):
        return CONDITIONAL
    return ELIGIBLE


def _cap(value: Decimal, cap: Decimal | None) -> Decimal:
    return min(value, cap) if cap is not None else value


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


_PERIODS = {'天': 365, '日': 365, '月': 12, '年': 1}


def _rate_factor(unit: str | None) -> Decimal:
    """万元 per year for a rate of 1 in `unit` (元/㎡·天 → 365/10000; 万元/人 → 1; no unit: 元 per year)."""
    unit = unit or ''
    period = next((n for word, n in _PERIODS.items() if unit.endswith(f'·{word}') or unit.endswith(f'/{word}')), 1)
    return Decimal(period) / (Decimal(1) if unit.startswith('万元') else Decimal(10000))


def _tier_pair(clause, facts: dict[str, Any]) -> tuple[Decimal, Decimal | None]:
    """What a tiered clause grants: the tier the measured quantity falls in (the higher tier at a boundary); an
    unknown quantity gives nothing up to the highest tier."""
    tiers = list(getattr(clause, 'tiers', None) or [])
    if not tiers:
        return Decimal(0), None
    measured = _number(facts.get(tiers[0].get('field') or ''))
    base = _number(facts.get(clause.base or '')) if clause.base else None

    def pair(tier: dict) -> tuple[Decimal, Decimal | None]:
        if tier.get('amount') is not None:
            amount = Decimal(str(tier['amount']))
            return amount, amount
        if base is None:
            return Decimal(0), None
        value = base * Decimal(str(tier.get('percent') or 0)) / Decimal(100)
        return value, value

    if measured is None:
        highs = [pair(t)[1] for t in tiers]
        return Decimal(0), None if any(h is None for h in highs) else max(highs)
    for tier in sorted(tiers, key=lambda t: Decimal(str(t['min'])) if t.get('min') is not None else Decimal(-1),
                       reverse=True):
        low_ok = tier.get('min') is None or measured >= Decimal(str(tier['min']))
        high_ok = tier.get('max') is None or measured < Decimal(str(tier['max'])) or tier.get('min') is None \
            and measured <= Decimal(str(tier['max']))
        if low_ok and high_ok:
            return pair(tier)
    return Decimal(0), Decimal(0)


def _raw_yearly(clause, facts: dict[str, Any]) -> list[tuple[Decimal, Decimal | None]]:
    """(low, high) per year before caps; high None: unbounded (an input is unknown)."""
    formula = clause.formula
    if formula == 'none':
        return []
    if formula == 'up_to':  # 给予最高…: only the maximum is stated (the caps bound it)
        return [(Decimal(0), None)]
    if formula == 'fixed':
        amount = Decimal(str(clause.amount or 0))
        return [(amount, amount)]
    if formula in ('per_m2', 'per_unit'):
        count = _number(facts.get('leased_area' if formula == 'per_m2' else clause.base or ''))
        if count is None:
            return [(Decimal(0), None)]
        value = Decimal(str(clause.rate or 0)) * count * _rate_factor(getattr(clause, 'unit', None))
        return [(value, value)]
    if formula == 'tiers':
        return [_tier_pair(clause, facts)]
    base = _number(facts.get(clause.base or ''))  # 万元 per year
    shares = clause.schedule if formula == 'schedule' else [clause.percent or 0]
    out = []
    for share in shares:
        value = None if base is None else base * Decimal(str(share)) / Decimal(100)
        out.append((Decimal(0), None) if value is None else (value, value))
    return out


def clause_yearly(clause, facts: dict[str, Any], term_years: int = TERM_YEARS) -> list[tuple[Decimal, Decimal | None]]:
    """(low, high) in 万元 for each year the clause pays within the term, yearly and total caps applied.

    A fixed amount is paid once (year 1); a percentage, a rate or a tier is one year's support; a schedule pays
    its years. An unknown input gives 0 at the low end and the yearly cap (None: no cap) at the high end; a measure
    without money pays nothing."""
    cap_year, cap_total = _dec(clause.cap_year), _dec(clause.cap_total)
    yearly, paid_low, paid_high = [], Decimal(0), Decimal(0)
    for raw_low, raw_high in _raw_yearly(clause, facts)[:term_years]:
        low = max(Decimal(0), _cap(raw_low, cap_year))
        high = cap_year if raw_high is None else max(Decimal(0), _cap(raw_high, cap_year))
        if cap_total is not None:
            low = max(Decimal(0), min(low, cap_total - paid_low))
            high = max(Decimal(0), cap_total - paid_high) if high is None else \
                max(Decimal(0), min(high, cap_total - paid_high))
        paid_low += low
        paid_high = paid_high + high if high is not None else paid_high
        yearly.append((low, high))
    return yearly


def evaluate_clause(clause, facts: dict[str, Any], term_years: int = TERM_YEARS) -> ClauseResult:
    """Conditions and estimated amount of one clause; while a condition is unknown the low end is nothing."""
    conditions = [evaluate_condition(c, facts) for c in clause.conditions or []]
    status = _status(conditions)
    yearly = clause_yearly(clause, facts, term_years)
    if status == CONDITIONAL:
        yearly = [(Decimal(0), high) for _low, high in yearly]
    low = sum((y[0] for y in yearly), Decimal(0))
    high = None if any(y[1] is None for y in yearly) else sum((y[1] for y in yearly), Decimal(0))
    once = clause.formula in ('fixed', 'up_to') or clause.formula == 'tiers' and all(
        t.get('amount') is not None for t in getattr(clause, 'tiers', None) or [])
    return ClauseResult(clause.kind, status, conditions, low, high, yearly, clause.note or '', once=once,
                        cash=clause.formula != 'none')


def scope_conditions(policy, facts: dict[str, Any]) -> list[ConditionResult]:
    """The policy's own platforms and industries against the firm's or lead's (unknown when the facts lack them)."""
    results = []
    platforms = list(getattr(policy, 'platform_names', None) or [])
    if platforms:
        have = facts.get('platform')
        status = UNKNOWN if not have else (MET if set(platforms) & set(have) else UNMET)
        results.append(ConditionResult('policy_platforms', 'has_any', platforms, status, have or None))
    industries = list(getattr(policy, 'industries', None) or [])
    if industries:
        have = facts.get('industry')
        wanted = set(industries) | industry_names(industries)
        status = UNKNOWN if not have else (MET if wanted & set(have) else UNMET)
        results.append(ConditionResult('policy_industries', 'has_any', industries, status, have or None))
    return results


def _basis(clauses: list[ClauseResult]) -> tuple[int, bool]:
    """(years the estimate covers, paid once)."""
    if clauses and all(c.once for c in clauses):
        return 1, True
    return max((sum(1 for low, high in c.yearly if high is None or high > 0 or low > 0) or 1 for c in clauses),
               default=0), False


def counted_clauses(policy) -> list:
    """The policy's clauses the evaluator uses: not imported candidates waiting for review, nor rejected ones."""
    return [c for c in policy.clauses if getattr(c, 'review', None) not in ('candidate', 'rejected')]


_ORDER = {ELIGIBLE: 0, CONDITIONAL: 1, NOT_ELIGIBLE: 2}


def policy_level(scope: list[ConditionResult], statuses: list[str], cash: list[bool]) -> str:
    """A policy's level from its own restrictions and its clauses' levels: the best clause with money counts (a
    measure without money decides only when the policy grants no money at all); the policy's own platforms and
    industries must fit."""
    deciding = [s for s, c in zip(statuses, cash) if c] or statuses
    level = min(deciding, key=_ORDER.get) if deciding else CONDITIONAL
    scope_status = _status(scope)
    if scope_status == NOT_ELIGIBLE:
        return NOT_ELIGIBLE
    if scope_status == CONDITIONAL:
        return max(level, CONDITIONAL, key=_ORDER.get)
    return level


def evaluate_policy(policy, facts: dict[str, Any], *, term_years: int = TERM_YEARS) -> PolicyResult:
    """The policy's level and estimate for a firm or lead. Its own platforms and industries must fit (else not
    eligible, with the reason); each clause's conditions decide the level (the best clause counts); unknowns give
    a range whose low end assumes they fail and whose high end assumes they hold."""
    scope = scope_conditions(policy, facts)
    clauses = [evaluate_clause(c, facts, term_years) for c in counted_clauses(policy)]
    level = policy_level(scope, [c.status for c in clauses], [c.cash for c in clauses])
    if _status(scope) == CONDITIONAL:
        for clause in clauses:  # the policy itself may not apply: nothing is certain
            clause.yearly = [(Decimal(0), high) for _low, high in clause.yearly]
            clause.low = Decimal(0)
    result = PolicyResult(getattr(policy, 'id', None), policy.title, level, clauses, policy.amounts_public,
                          scope=scope, term_years=term_years)
    applicable = [c for c in clauses if c.status != NOT_ELIGIBLE and c.cash]
    if clauses and not any(c.cash for c in clauses):
        result.cash = False
    if not policy.amounts_public or not clauses or level == NOT_ELIGIBLE or not applicable:
        return result
    result.low = sum((c.low or Decimal(0) for c in applicable), Decimal(0))
    highs = [c.high for c in applicable]
    result.high = None if any(h is None for h in highs) else sum(highs, Decimal(0))
    result.years, result.once = _basis(applicable)
    return result


def eligibility(policy, facts: dict[str, Any], clauses: list | None = None) -> tuple[str, list[ConditionResult]]:
    """The level `evaluate_policy` gives (the same conditions, the same rule) and the conditions whose data is
    missing, without estimating amounts: for checking one policy against many firms."""
    scope = scope_conditions(policy, facts)
    clauses = counted_clauses(policy) if clauses is None else clauses
    results = [[evaluate_condition(c, facts) for c in clause.conditions or []] for clause in clauses]
    level = policy_level(scope, [_status(r) for r in results], [c.formula != 'none' for c in clauses])
    missing = [c for c in scope if c.status == UNKNOWN]
    if level != NOT_ELIGIBLE:
        missing += [c for clause, r in zip(clauses, results) if _status(r) != NOT_ELIGIBLE for c in r
                    if c.status == UNKNOWN]
    return level, missing
