"""The form for an actual entered by hand on a target's page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField
from wtforms.validators import InputRequired, Length

from crm.core.forms import BaseForm


class ActualForm(BaseForm):
    """A figure the CRM cannot compute, with the date it stands for and its source (the value and the source are
    checked by services.add_actual, which names the input at fault)."""

    value = StringField(_l('Value'), validators=[Length(max=40)], render_kw={'inputmode': 'decimal'})
    date = DateField(_l('As of'), validators=[InputRequired(_l('Enter a valid date.'))])
    source = StringField(_l('Source'), validators=[Length(max=500)])
