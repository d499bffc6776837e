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

MET, UNMET, UNKNOWN = 'met', 'unmet', 'unknown'
ELIGIBLE, CONDITIONAL, NOT_ELIGIBLE = 'eligible', 'conditional', 'not_eligible'
FIELD_LABELS = {
    'industry_code': '行业代码', 'tags': '企业标签', 'registered_district': '注册地', 'platform': '落户平台',
    'years_registered': '成立年限', 'revenue': '营业收入(万元)', 'headcount': '员工人数', 'rd_ratio': '研发投入占比(%)',
    'investment': '投资额(万元)', 'leased_area': '租用面积(㎡)', 'industry': '产业方向',
}
OPS = ('eq', 'neq', 'in', 'prefix', 'gte', 'lte', 'between', 'has', 'has_any')
OP_LABELS = {'eq': '等于', 'neq': '不等于', 'in': '属于', 'prefix': '以…开头', 'gte': '不低于', 'lte': '不高于',
             'between': '介于', 'has': '包含', 'has_any': '包含其一'}


@dataclass
class ConditionResult:
    field: str
    op: str
    value: Any
    status: str
    used: Any

    @property
    def text(self) -> str:
        label = FIELD_LABELS.get(self.field, self.field)
        return f'{label}{OP_LABELS.get(self.op, self.op)}{_show(self.value)}'


@dataclass
class ClauseResult:
    kind: str
    status: str
    conditions: list[ConditionResult]
    low: Decimal | None = None     # 万元
    high: Decimal | None = None    # 万元
    yearly: list[tuple[Decimal | None, Decimal | None]] = field(default_factory=list)
    note: str = ''


@dataclass
class PolicyResult:
    policy_id: int | None
    title: str
    level: str
    clauses: list[ClauseResult]
    amounts_public: bool
    low: Decimal | None = None
    high: Decimal | None = None

    @property
    def amount_text(self) -> str:
        if not self.amounts_public:
            return '金额未公开'
        if self.low is None and self.high is None:
            return '无法估算'
        if self.low == self.high:
            return f'约 {self.low:,.2f} 万元'
        return f'{(self.low or 0):,.2f} – {self.high:,.2f} 万元' if self.high is not None else f'不少于 {self.low:,.2f} 万元'


def _show(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return '、'.join(str(v) for v in value)
    return str(value)


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


def clause_amount(clause, facts: dict[str, Any]) -> tuple[Decimal | None, Decimal | None, list]:
    """(low, high, yearly) in 万元 from the formula and caps; unknown bases give a range from 0 to the cap."""
    formula = clause.formula
    if formula == 'fixed':
        amount = _cap(Decimal(clause.amount or 0), clause.cap_total)
        return amount, amount, [(amount, amount)]
    if formula == 'per_m2':
        area = _number(facts.get('leased_area'))
        if area is None:
            return Decimal(0), clause.cap_year, [(Decimal(0), clause.cap_year)]
        yearly = _cap(Decimal(clause.rate or 0) * area / Decimal(10000), clause.cap_year)
        total = _cap(yearly, clause.cap_total)
        return total, total, [(total, total)]
    base = _number(facts.get(clause.base or ''))  # 万元 per year
    shares = [Decimal(str(p)) for p in clause.schedule] if formula == 'schedule' else [Decimal(clause.percent or 0)]
    yearly, low_total, high_total = [], Decimal(0), Decimal(0)
    for share in shares:
        if base is None:
            high = clause.cap_year
            yearly.append((Decimal(0), high))
            high_total = None if high is None or high_total is None else high_total + high
            continue
        value = _cap(base * share / Decimal(100), clause.cap_year)
        yearly.append((value, value))
        low_total += value
        high_total = None if high_total is None else high_total + value
    if clause.cap_total is not None:
        low_total = min(low_total, clause.cap_total)
        high_total = clause.cap_total if high_total is None else min(high_total, clause.cap_total)
    return low_total, high_total, yearly


def evaluate_clause(clause, facts: dict[str, Any]) -> ClauseResult:
    """Conditions and estimated amount of one clause."""
    conditions = [evaluate_condition(c, facts) for c in clause.conditions or []]
    status = _status(conditions)
    low, high, yearly = clause_amount(clause, facts)
    if status == CONDITIONAL:
        low = Decimal(0)  # a condition may still fail: the floor is nothing
    return ClauseResult(clause.kind, status, conditions, low, high, yearly, clause.note or '')


def evaluate_policy(policy, facts: dict[str, Any]) -> PolicyResult:
    """The policy's level (best clause) and summed estimate over the clauses that may apply."""
    clauses = [evaluate_clause(c, facts) for c in policy.clauses]
    order = {ELIGIBLE: 0, CONDITIONAL: 1, NOT_ELIGIBLE: 2}
    level = min((c.status for c in clauses), key=order.get) if clauses else CONDITIONAL
    result = PolicyResult(getattr(policy, 'id', None), policy.title, level, clauses, policy.amounts_public)
    if not policy.amounts_public or not clauses:
        return result
    applicable = [c for c in clauses if c.status != NOT_ELIGIBLE]
    if applicable:
        result.low = sum((c.low or Decimal(0) for c in applicable), Decimal(0))
        highs = [c.high for c in applicable]
        result.high = None if any(h is None for h in highs) else sum(highs, Decimal(0))
    return result
