"""Forms for plan import and commitment curation."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from crm.core import labels
from crm.core.forms import BaseForm

KINDS = ['规划纲要', '年度计划报告', '政府工作报告', '政策文件', '网页汇编', '其他']


class ImportForm(BaseForm):
    file = FileField(_l('Text file (UTF-8 or GB18030)'), validators=[
        FileRequired(_l('Choose a file.')), FileAllowed(['txt', 'text'], _l('Only .txt files are accepted.'))])
    slug = StringField(_l('Key'), validators=[Optional(), Length(max=80), Regexp(r'^[a-z0-9-]+$', message=_l(
        'Lower-case letters, digits and hyphens only.'))])
    title = StringField(_l('Title'), validators=[DataRequired(_l('Enter the title.')), Length(max=300)])
    issuer = StringField(_l('Issuer'), validators=[Optional(), Length(max=200)])
    doc_number = StringField(_l('Document number'), validators=[Optional(), Length(max=100)])
    date = DateField(_l('Date'), validators=[Optional()])
    kind = SelectField(_l('Kind'), choices=labels.choices(labels.PLAN_KINDS, KINDS))
    period = StringField(_l('Period'), validators=[Optional(), Length(max=40)])
    district = StringField(_l('District'), validators=[Optional(), Length(max=40)])


class CurationForm(BaseForm):
    status = SelectField(_l('Verdict'), choices=[('confirmed', _l('Confirmed')), ('rejected', _l('Rejected')),
                                                 ('auto', _l('Not reviewed'))])
    platforms = StringField(_l('Platforms'), validators=[Optional(), Length(max=500)])
    industries = StringField(_l('Industries'), validators=[Optional(), Length(max=500)])
    note = TextAreaField(_l('Note'), validators=[Optional(), Length(max=2000)])


class CorrectionForm(BaseForm):
    action = SelectField(_l('Correction'), choices=[('strip', _l('Remove as injected text')),
                                                    ('keep', _l('Keep: part of the real text'))])
    text = StringField(_l('Text'), validators=[DataRequired(_l('Enter the text to correct.')), Length(min=2, max=200)])


def split_tags(value: str | None) -> list[str] | None:
    """'a, b；c' → ['a', 'b', 'c']; empty → None (keep the automatic tags)."""
    if not value:
        return None

    return [tag for tag in (t.strip() for t in re.split(r'[,，;；、\s]+', value)) if tag]
