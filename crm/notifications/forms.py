"""The notification preferences form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField
from wtforms.validators import Length, Optional

from crm.core.forms import BaseForm


class PreferenceForm(BaseForm):
    email = BooleanField(_l('Also send my notifications by e-mail'))
    webhook = BooleanField(_l('Also post them to a WeCom or DingTalk group robot'))
    webhook_url = StringField(_l('Group robot address (webhook URL)'), validators=[Optional(), Length(max=500)])
