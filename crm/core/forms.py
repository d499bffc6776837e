"""Form base class: every text input is cleaned the same way before validation."""
from __future__ import annotations

import re
import unicodedata

from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, HiddenField, IntegerField, PasswordField
from wtforms.validators import InputRequired

_CONTROL = re.compile(r'[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]')


def clean_text(value):
    """Strip surrounding whitespace and control characters (NUL breaks PostgreSQL, others are invisible)."""
    if isinstance(value, str):
        return _CONTROL.sub('', value).strip()
    return value


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

    def rebase(self, version: int) -> None:
        """After a conflict: carry the stored version, so saving again knowingly applies the user's input.

        The hidden field renders what was posted unless its raw data is replaced too."""
        self.version.data = version
        self.version.raw_data = [str(version)]
