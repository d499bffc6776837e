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

from flask_babel import gettext as _, lazy_gettext as _l

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
    from crm.core.labels import list_text, value_label

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


def clause_yearly(clause, facts: dict[str, Any], term_years: int = TERM_YEARS) -> list[tuple[Decimal, Decimal | None]]:
    """(low, high) in 万元 for each year the clause pays within the term, yearly and total caps applied.

    A fixed amount is paid once (year 1); a percentage or a rate per ㎡ is one year's support; a schedule pays
    its years. An unknown base gives 0 at the low end and the yearly cap (None: no cap) at the high end."""
    cap_year, cap_total = _dec(clause.cap_year), _dec(clause.cap_total)
    if clause.formula == 'fixed':
        amount = max(Decimal(0), _cap(_cap(Decimal(str(clause.amount or 0)), cap_year), cap_total))
        return [(amount, amount)]
    if clause.formula == 'per_m2':
        area = _number(facts.get('leased_area'))
        values = [None if area is None else Decimal(str(clause.rate or 0)) * area / Decimal(10000)]
    else:
        base = _number(facts.get(clause.base or ''))  # 万元 per year
        shares = clause.schedule if clause.formula == 'schedule' else [clause.percent or 0]
        values = [None if base is None else base * Decimal(str(share)) / Decimal(100) for share in shares]
    yearly, paid_low, paid_high = [], Decimal(0), Decimal(0)
    for value in values[:term_years]:
        low = Decimal(0) if value is None else max(Decimal(0), _cap(value, cap_year))
        high = cap_year if value is None else low
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
    return ClauseResult(clause.kind, status, conditions, low, high, yearly, clause.note or '',
                        once=clause.formula == 'fixed')


def industry_names(words) -> set[str]:
    """The canonical industries named by words (a policy's or platform's labels)."""
    from crm.plans.parsing import DEFAULT_INDUSTRY_KEYWORDS

    text = ' '.join(words)
    return {name for name, keys in DEFAULT_INDUSTRY_KEYWORDS.items() if any(k and k in text for k in [name, *keys])}


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


def evaluate_policy(policy, facts: dict[str, Any], *, term_years: int = TERM_YEARS) -> PolicyResult:
    """The policy's level and estimate for a firm or lead. Its own platforms and industries must fit (else not
    eligible, with the reason); each clause's conditions decide the level (the best clause counts); unknowns give
    a range whose low end assumes they fail and whose high end assumes they hold."""
    scope = scope_conditions(policy, facts)
    clauses = [evaluate_clause(c, facts, term_years) for c in policy.clauses]
    order = {ELIGIBLE: 0, CONDITIONAL: 1, NOT_ELIGIBLE: 2}
    level = min((c.status for c in clauses), key=order.get) if clauses else CONDITIONAL
    scope_status = _status(scope)
    if scope_status == NOT_ELIGIBLE:
        level = NOT_ELIGIBLE
    elif scope_status == CONDITIONAL:
        level = max(level, CONDITIONAL, key=order.get)
        for clause in clauses:  # the policy itself may not apply: nothing is certain
            clause.yearly = [(Decimal(0), high) for _low, high in clause.yearly]
            clause.low = Decimal(0)
    result = PolicyResult(getattr(policy, 'id', None), policy.title, level, clauses, policy.amounts_public,
                          scope=scope, term_years=term_years)
    applicable = [c for c in clauses if c.status != NOT_ELIGIBLE]
    if not policy.amounts_public or not clauses or level == NOT_ELIGIBLE or not applicable:
        return result
    result.low = sum((c.low or Decimal(0) for c in applicable), Decimal(0))
    highs = [c.high for c in applicable]
    result.high = None if any(h is None for h in highs) else sum(highs, Decimal(0))
    result.years, result.once = _basis(applicable)
    return result
