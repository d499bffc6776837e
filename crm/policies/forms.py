"""Policy and clause forms. A clause's numbers are checked against its formula: caps are never negative, a
percentage is 0–100, a schedule is a list of yearly percentages, and each condition's value fits its operator."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from crm.core import labels
from crm.core.forms import BaseForm, DecimalField, VersionedForm, clean_text
from crm.policies.clauses import GUIDE_LABELS
from crm.policies.evaluate import FIELD_LABELS, OP_LABELS
from crm.policies.models import BASES, CLAUSE_KINDS, LEVELS

STATUSES = (('named', _l('named in a plan (amounts not public)')), ('described', _l('described, no formula')),
            ('active', _l('in force, with formula')), ('example', _l('example')))
FORMULA_LABELS = (('fixed', _l('fixed amount')), ('up_to', _l('up to a stated maximum')),
                  ('percent', _l('percentage of a base')), ('per_m2', _l('rate per ㎡ per year')),
                  ('per_unit', _l('rate per person or mu')),
                  ('schedule', _l('multi-year schedule')), ('tiers', _l('tiers')),
                  ('none', _l('support without money')))
BASE_LABELS = (('rent', _l('annual rent')), ('rd_spend', _l('R&D spend')),
               ('fiscal_contribution', _l('local fiscal contribution')), ('investment', _l('investment')),
               ('leased_area', _l('leased area (㎡)')), ('headcount', _l('headcount')),
               ('persons', _l('persons qualifying')), ('land_area', _l('land area (mu)')),
               ('equipment', _l('equipment units bought')))
NUMERIC_FIELDS = ('years_registered', 'revenue', 'headcount', 'rd_ratio', 'investment', 'leased_area',
                  'fiscal_contribution', 'registered_capital', 'rd_spend', 'land_yield')
LIST_FIELDS = ('tags', 'platform', 'industry', 'certification')
TEXT_FIELDS = ('industry_code', 'registered_district')
OPS_BY_FIELD = {**{f: ('gte', 'lte', 'between', 'eq', 'neq') for f in NUMERIC_FIELDS},
                **{f: ('has', 'has_any') for f in LIST_FIELDS},
                'industry_code': ('prefix', 'eq', 'in'), 'registered_district': ('eq', 'neq', 'in')}
_LIST_SPLIT = re.compile(r'[,，、;；\s]+')
_RANGE_SPLIT = re.compile(r'\s*(?:~|～|–|—|至|到|,|，)\s*')


def split_list(text: str) -> list[str]:
    return [part for part in _LIST_SPLIT.split(text or '') if part]


def _number(text: str) -> int | float:
    try:
        value = Decimal(text.replace(',', '').strip())
    except (InvalidOperation, AttributeError):
        raise ValidationError(_l('“%(value)s” is not a number.', value=text)) from None
    if not value.is_finite():
        raise ValidationError(_l('“%(value)s” is not a number.', value=text))
    return int(value) if value == value.to_integral_value() else float(value)


def parse_condition_value(field: str, op: str, text: str) -> Any:
    """The stored value of a condition typed as text, or ValidationError with a message for the officer."""
    text = (text or '').strip()
    if not text:
        raise ValidationError(_l('Enter the value to compare with.'))
    if op not in OPS_BY_FIELD.get(field, ()):
        raise ValidationError(_l('%(op)s cannot be used with %(field)s.', op=OP_LABELS.get(op, op),
                                 field=FIELD_LABELS.get(field, field)))
    if op in ('gte', 'lte') or (op in ('eq', 'neq') and field in NUMERIC_FIELDS):
        value = _number(text)
        if value < 0:
            raise ValidationError(_l('The value cannot be negative.'))
        if field == 'rd_ratio' and value > 100:
            raise ValidationError(_l('A percentage is between 0 and 100.'))
        return value
    if op == 'between':
        parts = [p for p in _RANGE_SPLIT.split(text) if p]
        if len(parts) != 2:
            raise ValidationError(_l('Give a range as two numbers, e.g. 100~500.'))
        low, high = _number(parts[0]), _number(parts[1])
        if low < 0 or high < 0:
            raise ValidationError(_l('The value cannot be negative.'))
        if low > high:
            raise ValidationError(_l('The lower bound is above the upper bound.'))
        if field == 'rd_ratio' and high > 100:
            raise ValidationError(_l('A percentage is between 0 and 100.'))
        return [low, high]
    if op in ('in', 'has', 'has_any') or (op == 'prefix' and len(split_list(text)) > 1):
        return split_list(text)
    return text


def show_condition_value(value: Any, op: str) -> str:
    """The text a condition's stored value is edited as."""
    if op == 'between' and isinstance(value, list) and len(value) == 2:
        return f'{value[0]}~{value[1]}'
    if isinstance(value, list):
        return '、'.join(str(v) for v in value)
    return '' if value is None else str(value)


class ConditionForm(Form):
    """One {field, operator, value} row; an empty row is ignored."""

    field = SelectField(_l('Data'), choices=[('', '—')] + [(k, v) for k, v in FIELD_LABELS.items()],
                        validate_choice=False)
    op = SelectField(_l('Operator'), choices=[(k, v) for k, v in OP_LABELS.items()], validate_choice=False)
    value = StringField(_l('Value'), filters=[clean_text], validators=[Length(max=300)])

    def validate_value(self, value_field) -> None:
        if not self.field.data and not value_field.data:
            return
        if self.field.data not in FIELD_LABELS:
            raise ValidationError(_l('Choose which data the condition looks at.'))
        if self.op.data not in OP_LABELS:
            raise ValidationError(_l('Choose an operator.'))
        parse_condition_value(self.field.data, self.op.data, value_field.data)


def _non_negative(message):
    return NumberRange(min=0, message=message)


# Amounts in 万元: 10,000,000 万元 is 1,000 亿元, beyond any district subsidy.
_AT_MOST_AMOUNT = NumberRange(max=10_000_000, message=_l('An amount is at most %(max)s (10k yuan).'))


class ClauseFields:
    """A clause's benefit formula, caps and conditions."""

    kind = SelectField(_l('Kind'), choices=labels.choices(labels.CLAUSE_KINDS, CLAUSE_KINDS))
    formula = SelectField(_l('Formula'), choices=FORMULA_LABELS)
    amount = DecimalField(_l('Fixed amount (10k yuan)'), places=2, amount=True, validators=[
        Optional(), _non_negative(_l('An amount cannot be negative.')), _AT_MOST_AMOUNT])
    percent = DecimalField(_l('Percentage of the base'), places=2, validators=[
        Optional(), NumberRange(0, 100, _l('A percentage is between 0 and 100.'))])
    base = SelectField(_l('Base'), choices=[('', '—'), *BASE_LABELS], validate_choice=False)
    rate = DecimalField(_l('Rate (yuan/㎡ per year)'), places=2, validators=[
        Optional(), _non_negative(_l('A rate cannot be negative.')),
        NumberRange(max=100_000, message=_l('A rate is at most %(max)s yuan per ㎡ and year.'))])
    schedule = StringField(_l('Yearly percentages'), validators=[Optional(), Length(max=100)])
    unit = StringField(_l('Unit as the text writes it'), validators=[Optional(), Length(max=20)])
    tier_field = SelectField(_l('Tiers by'), choices=[('', '—')] + [(f, FIELD_LABELS[f]) for f in NUMERIC_FIELDS],
                             validate_choice=False)
    tiers = TextAreaField(_l('Tiers'), validators=[Optional(), Length(max=2000)])
    uncapped = BooleanField(_l('The text says there is no cap'))
    cap_year = DecimalField(_l('Cap per year (10k yuan)'), places=2, amount=True, validators=[
        Optional(), _non_negative(_l('A cap cannot be negative.')), _AT_MOST_AMOUNT])
    cap_total = DecimalField(_l('Cap in total (10k yuan)'), places=2, amount=True, validators=[
        Optional(), _non_negative(_l('A cap cannot be negative.')), _AT_MOST_AMOUNT])
    note = TextAreaField(_l('Note'), validators=[Optional(), Length(max=2000)])
    conditions = FieldList(FormField(ConditionForm), _l('Conditions (all must be met)'), min_entries=6, max_entries=20)

    def validate_base(self, field) -> None:
        if field.data and field.data not in BASES:
            raise ValidationError(_l('Choose a base from the list.'))
        if self.formula.data in ('percent', 'schedule') and not field.data:
            raise ValidationError(_l('A percentage needs a base.'))

    def validate_schedule(self, field) -> None:
        if field.data:
            schedule_values(field.data)

    def validate_tiers(self, field) -> None:
        if field.data and self.formula.data == 'tiers':
            if self.tier_field.data not in NUMERIC_FIELDS:
                raise ValidationError(_l('Choose the quantity the tiers are measured by.'))
            tier_values(field.data, self.tier_field.data)

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then what the chosen formula needs (an empty optional field skips its own checks)."""
        ok = super().validate(extra_validators)
        needs = {'fixed': (self.amount, _l('A fixed-amount clause needs the amount.')),
                 'percent': (self.percent, _l('Enter the percentage.')),
                 'per_m2': (self.rate, _l('Enter the rate per ㎡.')),
                 'per_unit': (self.rate, _l('Enter the rate per person or mu.')),
                 'schedule': (self.schedule, _l('Enter the yearly percentages, e.g. 100/50/50.')),
                 'tiers': (self.tiers, _l('Enter the tiers, one per line, e.g. 500~1000: 20万元.'))}
        if self.formula.data == 'up_to' and self.cap_total.data is None and self.cap_year.data is None \
                and not self.cap_total.errors and not self.cap_year.errors:
            self.cap_total.errors = [*self.cap_total.errors, _l('Enter the maximum the text states.')]
            ok = False
        field, message = needs.get(self.formula.data, (None, None))
        if field is not None and field.data in (None, '') and not field.errors:
            field.errors = [*field.errors, message]
            ok = False
        return ok

    def validate_cap_total(self, field) -> None:
        if field.data is not None and self.cap_year.data is not None and not self.cap_year.errors \
                and field.data < self.cap_year.data:  # a refused yearly cap (e.g. NaN) is not compared
            raise ValidationError(_l('The total cap cannot be below the yearly cap.'))

    def compare_conditions(self) -> list[dict]:
        """The conditions as compared between versions of an edit: the filled rows (empty ones carry a default
        operator, which is no condition)."""
        return self.condition_rows()

    def condition_rows(self) -> list[dict]:
        """The filled condition rows as stored {field, op, value} (call after validation)."""
        rows = []
        for entry in self.conditions.entries:
            row = entry.form
            if row.field.data:
                rows.append({'field': row.field.data, 'op': row.op.data,
                             'value': parse_condition_value(row.field.data, row.op.data, row.value.data)})
        return rows


_TIER_LINE = re.compile(r'^\s*(?P<low>[\d.,]*)\s*(?:~|～|-|—|至)\s*(?P<high>[\d.,]*)\s*[:：]\s*(?P<value>[\d.,]+)\s*'
                        r'(?P<unit>%|％|万元)\s*$')


def tier_values(text: str | None, field: str) -> list[dict]:
    """'500~1000: 20万元' / '1000~: 5%' lines → [{field, min, max, amount | percent}] (bounds in the field's unit)."""
    tiers = []
    for line in (text or '').splitlines():
        if not line.strip():
            continue
        m = _TIER_LINE.match(line)
        if not m or not (m.group('low') or m.group('high')):
            raise ValidationError(_l('Write each tier as “lower~upper: value” with 万元 or %, e.g. 500~1000: 20万元.'))
        low = _number(m.group('low')) if m.group('low') else None
        high = _number(m.group('high')) if m.group('high') else None
        if low is not None and high is not None and low > high:
            raise ValidationError(_l('The lower bound is above the upper bound.'))
        value = _number(m.group('value'))
        if m.group('unit') in ('%', '％') and not 0 <= value <= 100:
            raise ValidationError(_l('A percentage is between 0 and 100.'))
        tiers.append({'field': field, 'min': low, 'max': high,
                      ('percent' if m.group('unit') in ('%', '％') else 'amount'): value})
    if len(tiers) > 20:
        raise ValidationError(_l('At most 20 tiers.'))
    return tiers


def show_tiers(tiers: list[dict] | None) -> str:
    """Stored tiers as the text the tier field edits."""
    lines = []
    for t in tiers or []:
        low = '' if t.get('min') is None else f"{t['min']:g}" if isinstance(t['min'], float) else str(t['min'])
        high = '' if t.get('max') is None else f"{t['max']:g}" if isinstance(t['max'], float) else str(t['max'])
        value = f"{t['percent']}%" if t.get('percent') is not None else f"{t.get('amount')}万元"
        lines.append(f'{low}~{high}: {value}')
    return '\n'.join(lines)


def schedule_values(text: str | None) -> list[float]:
    """'100/50/50' → [100, 50, 50]; ValidationError for values outside 0–100 or more than ten years."""
    parts = [p for p in re.split(r'[/,，、;；\s]+', (text or '').replace('%', '')) if p]
    values = [_number(p) for p in parts]
    if any(v < 0 or v > 100 for v in values):
        raise ValidationError(_l('A percentage is between 0 and 100.'))
    if len(values) > 10:
        raise ValidationError(_l('A schedule covers at most ten years.'))
    return [float(v) for v in values]


class ClauseCreateForm(ClauseFields, BaseForm):
    """Add a clause to a policy."""


class ClauseForm(ClauseFields, VersionedForm):
    """Edit a clause (carries the version it was rendered from)."""


class PolicyFields:
    title = StringField(_l('Title'), validators=[DataRequired(_l('Enter the title.')), Length(max=300)])
    issuer = StringField(_l('Issuer'), validators=[Optional(), Length(max=200)])
    doc_number = StringField(_l('Document number'), validators=[Optional(), Length(max=100)])
    level = SelectField(_l('Level'), choices=labels.choices(labels.POLICY_LEVELS, LEVELS))
    district = StringField(_l('District'), validators=[Optional(), Length(max=40)])
    status = SelectField(_l('Status'), choices=STATUSES)
    effective_from = DateField(_l('Effective from'), validators=[Optional()])
    expires_on = DateField(_l('Expires on'), validators=[Optional()])
    amounts_public = BooleanField(_l('Amounts are public'))
    is_example = BooleanField(_l('Example data (shown as 示例)'))
    highest_only = BooleanField(_l('Not combined with other support for the same cost (就高不重复)'))
    kinds = SelectMultipleField(_l('Kinds of support'), choices=labels.choices(labels.CLAUSE_KINDS, CLAUSE_KINDS))
    industries = StringField(_l('Industries'), validators=[Optional(), Length(max=300)])
    platform_names = SelectMultipleField(_l('Platforms'), choices=[], validate_choice=True)
    summary = TextAreaField(_l('Summary'), validators=[Optional(), Length(max=4000)])

    def validate_expires_on(self, field) -> None:
        if field.data and self.effective_from.data and field.data < self.effective_from.data:
            raise ValidationError(_l('The expiry date is before the effective date.'))


class PolicyCreateForm(PolicyFields, BaseForm):
    """Register a policy."""


class PolicyForm(PolicyFields, VersionedForm):
    """Edit a policy (carries the version it was rendered from)."""


POLICY_FIELD_NAMES = ('title', 'issuer', 'doc_number', 'level', 'district', 'status', 'effective_from',
                      'expires_on', 'amounts_public', 'is_example', 'highest_only', 'kinds', 'platform_names',
                      'summary')
CLAUSE_FIELD_NAMES = ('kind', 'formula', 'amount', 'percent', 'base', 'rate', 'cap_year', 'cap_total', 'note', 'unit',
                      'uncapped')


class PolicyImportForm(BaseForm):
    """A policy's own text, with the facts the importer knows better than the file (optional)."""

    file = FileField(_l('Policy text: text, HTML, .docx or PDF with a text layer (up to 10 MB)'),
                     validators=[FileRequired(_l('Choose the policy document to upload.'))])
    title = StringField(_l('Title'), validators=[Optional(), Length(max=300)])
    issuer = StringField(_l('Issuer'), validators=[Optional(), Length(max=200)])
    doc_number = StringField(_l('Document number'), validators=[Optional(), Length(max=100)])
    date = DateField(_l('Issue date'), validators=[Optional()])


class SourceForm(BaseForm):
    """The policy's own document, kept as it was uploaded (checked by its bytes)."""

    file = FileField(_l('Keep the document only (PDF or text, up to 10 MB)'),
                     validators=[FileRequired(_l('Choose the policy document to upload.'))])


GUIDE_KEYS = ('apply_conditions', 'materials', 'apply_period', 'payment', 'department', 'phone', 'stacking',
              'clawback')


class GuideForm(VersionedForm):
    """The 申兑指南 of a policy, as read from its text and corrected by an administrator."""

    apply_conditions = TextAreaField(GUIDE_LABELS['apply_conditions'], validators=[Optional(), Length(max=4000)])
    materials = TextAreaField(GUIDE_LABELS['materials'], validators=[Optional(), Length(max=4000)])
    apply_period = TextAreaField(GUIDE_LABELS['apply_period'], validators=[Optional(), Length(max=2000)])
    payment = TextAreaField(GUIDE_LABELS['payment'], validators=[Optional(), Length(max=2000)])
    department = StringField(GUIDE_LABELS['department'], validators=[Optional(), Length(max=200)])
    phone = StringField(GUIDE_LABELS['phone'], validators=[Optional(), Length(max=100)])
    stacking = TextAreaField(GUIDE_LABELS['stacking'], validators=[Optional(), Length(max=2000)])
    clawback = TextAreaField(GUIDE_LABELS['clawback'], validators=[Optional(), Length(max=2000)])


class PaymentForm(BaseForm):
    """A firm's application under a policy clause (兑现申报)."""

    clause = SelectField(_l('Policy clause'), coerce=int, validate_choice=True)
    amount = DecimalField(_l('Amount applied for (10k yuan)'), places=2, amount=True, validators=[
        DataRequired(_l('Enter the amount.')), _non_negative(_l('An amount cannot be negative.')), _AT_MOST_AMOUNT])
    on = DateField(_l('Date'), validators=[DataRequired(_l('Enter the date.'))])
    note = TextAreaField(_l('Note'), validators=[Optional(), Length(max=2000)])


class PaymentStepForm(BaseForm):
    """The next step of a 兑现 record: approval, then payment."""

    version = StringField(validators=[Optional()])
    amount = DecimalField(_l('Amount (10k yuan)'), places=2, amount=True, validators=[
        DataRequired(_l('Enter the amount.')), _non_negative(_l('An amount cannot be negative.')), _AT_MOST_AMOUNT])
    on = DateField(_l('Date'), validators=[DataRequired(_l('Enter the date.'))])
