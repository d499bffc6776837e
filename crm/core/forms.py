"""Form base class: every text input is cleaned the same way before validation."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField as WTFormsDecimalField
from wtforms import Field, FieldList, FormField, HiddenField, IntegerField, PasswordField
from wtforms.validators import InputRequired

from crm.core.concurrency import EditConflict, conflicting_fields

_CONTROL = re.compile(r'[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]')


def clean_text(value):
    """Strip surrounding whitespace and control characters (NUL breaks PostgreSQL, others are invisible)."""
    if isinstance(value, str):
        return _CONTROL.sub('', value).strip()
    return value


class DecimalField(WTFormsDecimalField):
    """A decimal field for amounts people type: 'NaN' and 'Infinity' parse as decimals but fail every comparison a
    validator makes, and a number of more than 15 digits cannot be shown again with two decimals; both are refused
    here and leave no value behind (each form still sets its own range)."""

    MAX_DIGITS = 15

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(_l('Enter a number.'))
        if self.data is not None and self.data.adjusted() >= self.MAX_DIGITS:  # no arithmetic: 1e999999999 overflows
            self.data = None
            raise ValueError(_l('The number is too large.'))


def fold_width(value):
    """Fold full-width digits and letters (ＡＢ１２ → AB12) for codes, e-mails and phone numbers."""
    if isinstance(value, str):
        return unicodedata.normalize('NFKC', value)
    return value


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


class VersionedForm(BaseForm):
    """A form for an object with an optimistic-lock version carried in a hidden field."""

    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])

    conflict: list[dict[str, Any]] | None = None

    def rebase(self, version: int) -> None:
        """After a conflict: carry the stored version, so saving again knowingly applies the user's input.

        The hidden field renders what was posted unless its raw data is replaced too."""
        self.version.data = version
        self.version.raw_data = [str(version)]

    def save(self, obj: Any, save: Callable[[int], object], *, labels: Mapping[str, str],
             errors: Mapping[type[Exception], Field | None] | None = None) -> bool:
        """Validate the posted form and run `save(version)`; True when it saved (the caller commits).

        A stale version leaves `conflict` (the fields whose stored value differs from the typed one, labelled
        for the notice) and rebases the form; an error of a type in `errors` is shown on its field (None: on
        the form). Either way nothing was written and the user's input is kept."""
        self.conflict = None
        if not self.validate_on_submit():
            return False
        try:
            save(self.version.data)
        except EditConflict:
            self.conflict = conflicting_fields(obj, self.data, dict(labels))
            self.rebase(obj.version)
            return False
        except Exception as exc:
            field = next((f for kind, f in (errors or {}).items() if isinstance(exc, kind)), False)
            if field is False:
                raise
            (self.form_errors if field is None else field.errors).append(str(exc))
            return False
        return True

    @property
    def http_status(self) -> int:
        """HTTP status of the re-rendered form: 409 after a conflict, 422 when input was refused, else 200."""
        return 409 if self.conflict is not None else (422 if self.errors else 200)
