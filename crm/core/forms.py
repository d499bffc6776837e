"""Form base class: every text input is cleaned the same way before validation."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from flask import current_app, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Select
from wtforms import DecimalField as WTFormsDecimalField
from wtforms import (
    Field,
    FieldList,
    FileField,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectMultipleField,
)
from wtforms.validators import InputRequired, StopValidation, ValidationError
from wtforms.widgets import TextInput

from crm.core.concurrency import BOTH, EditConflict, canonical, field_state
from crm.core.validators import MAX_RECORD_ID, InvalidValue, normalise_phone
from crm.db import db

_CONTROL = re.compile(r'[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]')


def clean_text(value):
    """Strip surrounding whitespace and control characters (NUL breaks PostgreSQL, others are invisible)."""
    if isinstance(value, str):
        return _CONTROL.sub('', value).strip()
    return value


GROUPED_NUMBER = re.compile(r'[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?')


def ungrouped(text: str) -> str:
    """'1,234.5', '1，234.5' and '１，２３４.５' (thousands separators, half- or full-width) → '1234.5'; anything else is
    left as typed (full-width digits folded), for the field to accept or refuse."""
    folded = unicodedata.normalize('NFKC', text or '').strip()
    return folded.replace(',', '') if GROUPED_NUMBER.fullmatch(folded) else folded


class DecimalField(WTFormsDecimalField):
    """A decimal field for amounts people type: thousands separators (, or ，) and full-width digits are accepted;
    'NaN' and 'Infinity' parse as decimals but fail every comparison a validator makes, and a number of more than 15
    digits cannot be shown again with two decimals; both are refused here and leave no value behind (each form still
    sets its own range). `amount=True`: the box shows the value with thousands separators (and keeps them while not
    being typed in, static/js/app.js)."""

    MAX_DIGITS = 15

    def __init__(self, *args, amount: bool = False, **kwargs):
        if amount:  # a text box: a browser's number box holds no separators and would send "1,234.5" as nothing
            kwargs.setdefault('widget', TextInput())
            kwargs['render_kw'] = {'data-amount': True, 'inputmode': 'decimal', **(kwargs.get('render_kw') or {})}
        super().__init__(*args, **kwargs)
        self.amount = amount

    def _value(self):
        if self.amount and not self.raw_data and isinstance(self.data, Decimal) and self.data.is_finite():
            places = self.places if isinstance(self.places, int) else 2
            return f'{self.data:,.{places}f}'
        return super()._value()

    def process_formdata(self, valuelist):
        super().process_formdata([ungrouped(v) if isinstance(v, str) else v for v in valuelist])
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(_l('Enter a number.'))
        if self.data is not None and self.data.adjusted() >= self.MAX_DIGITS:  # no arithmetic: 1e999999999 overflows
            self.data = None
            raise ValueError(_l('The number is too large.'))


class ChoiceIdField(IntegerField):
    """The id of a record the form offers as a choice (a firm, a unit …). Valid only when it names one of the
    records the view offered: `offer(ids)` with the SELECT of one id column, in the viewer's scope, that the
    form's list is built from (so a deleted firm, another park's unit or an id nobody has is a field error, not a
    404 or a 500). A field nobody offered anything accepts nothing. `keep` (the stored value) stays acceptable
    unchanged."""

    def __init__(self, label=None, validators=None, *, message=None, **kwargs) -> None:
        super().__init__(label, validators, **kwargs)
        self.message = message
        self.offered: Select | None = None
        self.kept: int | None = None

    def offer(self, ids: Select, *, keep: int | None = None) -> None:
        self.offered, self.kept = ids, keep

    def process_formdata(self, valuelist):
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = int(str(valuelist[0]).strip())
        except ValueError:
            self.data = None
            raise ValueError(self._refusal()) from None

    def _refusal(self) -> str:
        return str(self.message or _l('Choose one of the offered items.'))

    def pre_validate(self, form) -> None:
        if self.process_errors:
            raise StopValidation()
        if self.data is None or (self.kept is not None and self.data == self.kept):
            return

        if not 0 < self.data <= MAX_RECORD_ID or self.offered is None:
            raise StopValidation(self._refusal())
        column = self.offered.selected_columns[0]
        if db.session.scalar(self.offered.where(column == self.data).limit(1)) is None:
            raise StopValidation(self._refusal())


def fold_width(value):
    """Fold full-width digits and letters (ＡＢ１２ → AB12) for codes, e-mails and phone numbers."""
    if isinstance(value, str):
        return unicodedata.normalize('NFKC', value)
    return value


def phone_field(form, field) -> None:
    """Validate and normalise a Chinese phone number to E.164 (empty allowed)."""
    if field.data:
        try:
            field.data = normalise_phone(field.data)
        except InvalidValue as exc:
            raise ValidationError(str(exc)) from exc


def show_rule_error(form: FlaskForm, exc: Exception, fallback: Field | None = None) -> None:
    """Show a refusal on the re-rendered form: beside the field its `field` names (crm.core.rules.RuleError) when
    the form has one by that name, else beside `fallback`, else above the form."""
    name = getattr(exc, 'field', None)
    target = form[name] if name and name in form else fallback
    if target is None:
        form.form_errors.append(str(exc))
    else:  # a field not validated yet holds its errors in a tuple
        target.errors = [*target.errors, str(exc)]


class BaseForm(FlaskForm):
    """FlaskForm with CSRF and the shared text cleaning on every string field."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get('filters', ()))
            # Passwords are taken exactly as typed: no stripping, no folding. Enclosing fields (lists of
            # sub-forms) take no filters; their inner fields carry their own.
            if unbound_field.field_class not in (PasswordField, FieldList, FormField) and clean_text not in filters:
                options['filters'] = [clean_text, *filters]
            return unbound_field.bind(form=form, **options)


def _shown(field: Field, value: Any) -> str:
    """A comparable value of `field` as the user reads it: the choice's label, 是/否, amounts with the input's
    decimals, rows of sub-forms (e.g. policy conditions) with their own choices' labels."""
    if value is None:
        return '—'
    if value is True:
        return gettext('Yes')
    if isinstance(value, list):
        return '；'.join(_shown(field, item) for item in value)
    if isinstance(value, dict):
        row = field.entries[0] if isinstance(field, FieldList) and field.entries else None
        subform = getattr(row, 'form', None)
        return ' '.join(_shown(subform[key], item) if subform is not None and key in subform else str(item)
                        for key, item in value.items() if item is not None)
    places = getattr(field, 'places', None)
    if isinstance(field, WTFormsDecimalField) and isinstance(places, int):  # as the input shows it: 3.80
        return f'{Decimal(value):.{places}f}'
    choices = getattr(field, 'choices', None)
    if choices:
        pairs = [pair for group in choices.values() for pair in group] if isinstance(choices, dict) else choices
        labels = {str(pair[0]): str(pair[1]) for pair in pairs if isinstance(pair, tuple | list)}
        return labels.get(str(value), str(value))
    return str(value)


def readable(field: Field, value: Any) -> str:
    """A stored value of `field` as the form's user reads it (choice labels, 是/否, the input's decimals), for
    pages that set two records' values side by side."""
    return _shown(field, canonical(value, unordered=isinstance(field, SelectMultipleField)))


class OpenedField(HiddenField):
    """The values the form showed when it was opened, signed: saving compares them with the typed and the stored
    values to tell which fields this user changed. A form opened for editing carries them from its first render;
    a posted form keeps the posted ones (none when the client sent none: then every field counts as typed)."""

    def _value(self) -> str:
        if self.data:
            return self.data
        return '' if self._form.is_submitted() else self._form.opened_token()


class VersionedForm(BaseForm):
    """A form for an object with an optimistic-lock version carried in a hidden field, and the values it was
    opened with (`opened`), so a save from a stale form merges instead of overwriting."""

    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])
    opened = OpenedField()

    conflict: list[dict[str, Any]] | None = None
    stale = False
    #: fields that are part of the action rather than of the record (never merged)
    unmerged: tuple[str, ...] = ()
    _load: Callable[[Any, Any], None] | None = None

    @classmethod
    def editing(cls, obj: Any, load: Callable[[Any, Any], None] | None = None, **kwargs):
        """The edit form of `obj`: filled from it on GET (`load(form, obj)` fills what `obj=` cannot), the posted
        input otherwise. `load` also rebuilds the stored version's values when a save meets a newer version."""
        if request.method == 'GET':
            form = cls(obj=obj, **kwargs)
            if load is not None:
                load(form, obj)
        else:
            form = cls(**kwargs)
        form._load = load
        return form

    # --- what the form shows, compared field by field ------------------------------------------------------

    def merged_fields(self) -> list[str]:
        return [name for name, field in self._fields.items()
                if name not in ('version', 'opened', 'csrf_token', *self.unmerged)
                and not isinstance(field, PasswordField | FileField)]

    def values(self) -> dict[str, Any]:
        """This form's values in comparable form (see `canonical`); a form may say what a field's value means
        with a `compare_<field>()` method (e.g. only the filled rows of a list)."""
        values = {}
        for name in self.merged_fields():
            field, meaning = self._fields[name], getattr(self, f'compare_{name}', None)
            try:
                value = meaning() if meaning else field.data
            except ValueError:  # a stored value today's rules refuse: compared as it is
                value = field.data
            values[name] = canonical(value, unordered=isinstance(field, SelectMultipleField))
        return values

    @staticmethod
    def _signer() -> URLSafeSerializer:
        return URLSafeSerializer(current_app.secret_key, salt='crm.forms.opened')

    def opened_token(self, values: dict[str, Any] | None = None, choose: dict[str, Any] | None = None) -> str:
        """The signed snapshot: the values shown (this form's, unless given) and, after a conflict, the fields
        that need an explicit choice with what the user had opened there."""
        return self._signer().dumps({'values': self.values() if values is None else values, 'choose': choose or {}})

    def _opened_snapshot(self) -> dict[str, Any] | None:
        try:
            snapshot = self._signer().loads(self.opened.data) if self.opened.data else None
        except BadSignature:
            return None
        return snapshot if isinstance(snapshot, dict) and isinstance(snapshot.get('values'), dict) else None

    def _stored_form(self, obj: Any) -> VersionedForm:
        """The same form filled from the stored object, as a GET would show it now."""
        stored = type(self)(formdata=None, obj=obj, meta={'csrf': False})
        if self._load is not None:
            self._load(stored, obj)
        return stored

    def _take_stored(self, name: str, stored: VersionedForm) -> None:
        """Show and save the stored value of `name` instead of the posted one."""
        field = stored._fields[name]
        if hasattr(self._fields[name], 'choices'):
            field.choices = self._fields[name].choices
        self._fields[name] = field
        setattr(self, name, field)

    def _display(self, name: str, value: Any) -> str:
        """A comparable value as the user reads it: choice labels, 是/否, rows joined."""
        return _shown(self._fields[name], value)

    def _rows(self, names, opened: Mapping[str, Any] | None, stored: Mapping[str, Any], mine: Mapping[str, Any],
              labels: Mapping[str, str]) -> list[dict[str, Any]]:
        rows = []
        for name in names:
            state = field_state(opened[name], stored[name], mine[name]) if opened is not None else (
                BOTH if stored[name] != mine[name] else None)
            if state is None:
                continue
            rows.append({'field': name, 'label': str(labels.get(name) or self._fields[name].label.text),
                         'opened': self._display(name, opened[name]) if opened is not None else '—',
                         'stored': self._display(name, stored[name]), 'mine': self._display(name, mine[name]),
                         'state': state, 'choice': request.form.get(f'merge-{name}') if state == BOTH else None})
        return rows

    def rebase(self, version: int, token: str | None = None) -> None:
        """After a conflict: carry the stored version (and what it holds), so saving again knowingly applies the
        user's input on top of it.

        The hidden fields render what was posted unless their raw data is replaced too."""
        self.version.data = version
        self.version.raw_data = [str(version)]
        if token is not None:
            self.opened.data = token
            self.opened.raw_data = [token]

    # --- saving --------------------------------------------------------------------------------------------

    def save(self, obj: Any, save: Callable[[int], object], *, labels: Mapping[str, str] | None = None,
             errors: Mapping[type[Exception], Field | None] | None = None) -> bool:
        """Validate the posted form and run `save(version)`; True when it saved (the caller commits). `save` may
        return False after putting its own errors on the form.

        Only the fields this user changed since opening the form are applied: every other field takes the stored
        value, so a colleague's change saved meanwhile stays. A stale version writes nothing and leaves `conflict`,
        field by field (opened, stored, typed, and how it stands), with the form rebased on the stored version:
        the colleague's changes shown, the user's kept; where both changed a field the next save needs an explicit
        choice (`merge-<field>`: stored or mine). An error of a type in `errors` is shown on its field (None: on
        the form). Either way nothing was written and the user's input is kept. `labels` may name fields whose
        label does not say enough."""
        self.conflict, self.stale = None, False
        labels = labels or {}
        if not self.validate_on_submit():
            return False
        snapshot = self._opened_snapshot()
        stored_form = self._stored_form(obj)
        stored, mine = stored_form.values(), self.values()
        names = self.merged_fields()
        opened = None
        if snapshot is not None:
            opened = {name: snapshot['values'].get(name) for name in names}
            choose = {name: value for name, value in snapshot.get('choose', {}).items() if name in names}
            undecided = [name for name in choose if request.form.get(f'merge-{name}') not in ('stored', 'mine')
                         and field_state(choose[name], stored[name], mine[name]) == BOTH]
            if undecided:
                self.conflict = self._rows(undecided, choose, stored, mine, labels)
                self.form_errors.append(gettext('Where you and someone else both changed a field, choose which '
                                                'value to keep: %(fields)s.', fields='、'.join(
                                                    row['label'] for row in self.conflict)))
                return False
            kept = {name for name in choose if request.form.get(f'merge-{name}') == 'stored'}
            for name in names:
                if name in kept or mine[name] == opened[name]:
                    self._take_stored(name, stored_form)
                    if name in kept:  # the input given up is no longer the user's
                        mine[name] = stored[name]
        try:
            if save(self.version.data) is False:
                return False
        except EditConflict:
            self.stale = True
            self.conflict = self._rows(names, opened, stored, mine, labels)
            both = {row['field']: opened[row['field']] if opened else None
                    for row in self.conflict if row['state'] == BOTH}
            for row in self.conflict:
                row['choice'] = None  # a new conflict: nothing chosen yet
            self.rebase(obj.version, self.opened_token(stored, both))
            return False
        except Exception as exc:
            field = next((f for kind, f in (errors or {}).items() if isinstance(exc, kind)), False)
            if field is False:
                raise
            show_rule_error(self, exc, field)
            return False
        return True

    @property
    def http_status(self) -> int:
        """HTTP status of the re-rendered form: 409 after a conflict, 422 when input was refused, else 200."""
        return 409 if self.stale else (422 if self.errors or self.form_errors else 200)
