"""Lead, stage-change and activity forms."""
from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from crm.auth.models import OFFICER, User
from crm.core import clock
from crm.core.access import scoped
from crm.core.forms import BaseForm, ChoiceIdField, DecimalField, VersionedForm, fold_width
from crm.core.labels import ACTIVITY_KINDS as KIND_LABELS
from crm.core.labels import PRIORITIES as PRIORITY_LABELS
from crm.core.labels import SOURCES as SOURCE_LABELS
from crm.core.labels import UNIT_USES as USE_LABELS
from crm.core.labels import choices, stage_label
from crm.db import db
from crm.firms.forms import uscc_field
from crm.firms.models import Firm
from crm.firms.services import resolve_industry
from crm.leads.models import ACTIVITY_KINDS, ALL_STAGES, PRIORITIES, SOURCES, STAGE_NAMES, Lead
from crm.leads.services import stage_options
from crm.platforms.listing import platform_groups
from crm.platforms.models import UNIT_USES

NO_SUCH_FIRM = _l('No such firm, or it is outside your scope.')
NO_SUCH_UNIT = _l('No such unit, or it is outside your scope.')


class LeadFields:
    title = StringField(_l('Project name'), validators=[DataRequired(_l('Enter the project name.')), Length(max=200)])
    codename = StringField(_l('Codename'), validators=[Optional(), Length(max=60)])
    confidential = BooleanField(_l('Confidential: show the codename instead of the project name'))
    source = SelectField(_l('Source'), choices=[(s, SOURCE_LABELS.get(s, s)) for s in SOURCES])
    industry_code = StringField(_l('Industry (GB/T 4754 code)'), validators=[Optional(), Length(max=130)])
    platforms = SelectMultipleField(_l('Target platforms'), coerce=int, validators=[Optional()])
    space_need_m2 = DecimalField(_l('Space needed (㎡)'), places=2, amount=True, validators=[Optional(), NumberRange(0, 1_000_000)])
    space_use = SelectField(_l('Use'), choices=[('', '—')] + choices(USE_LABELS, UNIT_USES), validators=[Optional()])
    space_by = DateField(_l('Needed by'), validators=[Optional()])
    investment = DecimalField(_l('Planned investment (10k yuan)'), places=2, amount=True,
                              validators=[Optional(), NumberRange(0, 100_000_000)])
    annual_tax = DecimalField(_l('Expected annual tax (10k yuan)'), places=2, amount=True,
                              validators=[Optional(), NumberRange(0, 10_000_000)])
    jobs = IntegerField(_l('Expected jobs'), validators=[Optional(), NumberRange(0, 1_000_000)])
    priority = SelectField(_l('Priority'), choices=choices(PRIORITY_LABELS, PRIORITIES), default='中')
    collaborators = SelectMultipleField(_l('Collaborators'), coerce=int, validators=[Optional()])
    next_follow_up = DateField(_l('Next follow-up'), validators=[Optional()])
    notes = TextAreaField(_l('Notes'), validators=[Optional(), Length(max=4000)])


class LeadCreateForm(LeadFields, BaseForm):
    """New lead, for a firm on record or a new firm entered here (created with the lead)."""

    firm_id = ChoiceIdField(_l('Prospect firm'), validators=[Optional()], message=NO_SUCH_FIRM)
    new_firm_name = StringField(_l('New firm name'), validators=[Optional(), Length(max=200)])
    new_firm_uscc = StringField(_l('Unified social credit code'), filters=[fold_width],
                                validators=[Optional(), Length(max=30), uscc_field])
    new_firm_industry = StringField(_l('Industry of the new firm (GB/T 4754 code)'), filters=[fold_width],
                                    validators=[Optional(), Length(max=130)])

    def validate(self, extra_validators=None) -> bool:
        """The fields, then the choice between a firm on record and a new one (empty fields skip inline checks)."""
        valid = super().validate(extra_validators)
        if not self.firm_id.data and not self.new_firm_name.data:
            self.firm_id.errors.append(_l('Choose the prospect firm, or enter the name of a new firm.'))
        elif self.firm_id.data and self.new_firm_name.data:
            self.firm_id.errors.append(_l('Either choose a firm on record or enter a new firm, not both.'))
        elif self.new_firm_uscc.data and not self.new_firm_name.data:
            self.new_firm_name.errors.append(_l('Enter the new firm\'s name with its credit code.'))
        else:
            return valid
        return False


class LeadForm(LeadFields, VersionedForm):
    """Edit a lead."""

    firm_id = ChoiceIdField(_l('Prospect firm'), validators=[DataRequired(_l('Choose the prospect firm.'))],
                            message=NO_SUCH_FIRM)


class StageForm(BaseForm):
    to_stage = SelectField(_l('Move to stage'), choices=[(s, s) for s in ALL_STAGES])  # values stay Chinese
    confirm_skip = BooleanField(_l('Confirm skipping the stages in between'))
    lost_reason_id = SelectField(_l('Lost reason'), coerce=int, validators=[Optional()])
    note = TextAreaField(_l('Note'), validators=[Optional(), Length(max=2000)])
    unit_id = ChoiceIdField(_l('Unit moved into (for 入驻)'), validators=[Optional()], message=NO_SUCH_UNIT)

    def offer_stages_from(self, stage: str) -> None:
        """Offer the moves that make sense from `stage`, grouped: the next stage (chosen by default), later stages
        (a skip to confirm), 流失/暂缓, earlier stages (back from 签约 or later with a reason). With no next stage
        nothing is chosen: an empty first entry, never an earlier stage by default. A posted form keeps its choice."""
        following, later, terminal, earlier = stage_options(stage)
        groups = {}
        if following:
            groups[gettext('Next stage')] = [(following, stage_label(following))]
        else:
            groups[gettext('Choose')] = [('', '—')]
        back = gettext('Back to') if stage in STAGE_NAMES else gettext('Reopen at')
        for label, stages in ((gettext('Skip ahead to'), later), (gettext('Pause or close'), terminal),
                              (back, earlier)):
            if stages:
                groups[label] = [(s, stage_label(s)) for s in stages]
        self.to_stage.choices = groups
        if not self.is_submitted():  # a refused move keeps the stage chosen
            self.to_stage.data = following or ''


class PromiseForm(BaseForm):
    """Promise (意向) a unit to the lead; a unit already promised to another lead needs the reason, which the audit
    log keeps."""

    override_reason = StringField(_l('reason if already promised'), validators=[Optional(), Length(max=500)])


class ActivityForm(BaseForm):
    kind = SelectField(_l('Kind'), choices=[(k, KIND_LABELS.get(k, k)) for k in ACTIVITY_KINDS])
    subject = StringField(_l('Subject'), validators=[DataRequired(_l('Enter a subject.')), Length(max=200)])
    due_on = DateField(_l('Due'), validators=[Optional()])
    done = BooleanField(_l('Already done'))
    outcome = TextAreaField(_l('Outcome'), validators=[Optional(), Length(max=4000)])
    next_on = DateField(_l('Next follow-up on'), validators=[Optional()])

    def validate_next_on(self, field) -> None:
        if field.data and field.data < clock.today():
            raise ValidationError(_l('The next follow-up cannot be in the past.'))


class DoneForm(BaseForm):
    """Mark a follow-up done, with the date of the next one if any; `next`: the page it was marked on."""

    next_on = DateField(_l('next follow-up on'), validators=[Optional()])
    outcome = StringField(_l('Outcome'), validators=[Optional()])
    next = HiddenField()

    def validate_next_on(self, field) -> None:
        if field.data and field.data < clock.today():
            raise ValidationError(gettext('The next follow-up must be a date from today on (YYYY-MM-DD).'))


class TaskForm(BaseForm):
    """A 督办 task a leader gives an officer on a project of the 三未 lists, with its deadline; `next`: the list it
    was given from. The officers offered are set by the view (`offer`)."""

    title = StringField(_l('Task'), validators=[DataRequired(_l('Fill in the supervision task')), Length(max=200)])
    assignee_id = SelectField(_l('Officer'), validate_choice=False)
    due_on = DateField(_l('Due on'), validators=[InputRequired(_l('Enter the due date as YYYY-MM-DD.'))])
    next = HiddenField()

    def offer(self, officers) -> None:
        """The officers (id, name) who may be given the task."""
        self.assignee_id.choices = [('', '—'), *((str(id_), name) for id_, name in officers)]

    def validate_assignee_id(self, field) -> None:
        if not field.data or field.data not in {value for value, _label in field.choices}:
            raise ValidationError(gettext('Choose the officer who is to do it.'))


NEW_FIRM_FIELD_NAMES = ('new_firm_name', 'new_firm_uscc', 'new_firm_industry')
LEAD_FIELD_NAMES = ('title', 'firm_id', 'codename', 'confidential', 'source', 'industry_code', 'space_need_m2',
                    'space_use', 'space_by', 'investment', 'annual_tax', 'jobs', 'priority', 'next_follow_up', 'notes')


def live_firms(*columns):
    """The firms a lead may be for: live firms in the viewer's scope (the form's list, and what it accepts)."""
    return scoped(select(*columns), Firm).where(Firm.deleted_at.is_(None))


def offer_choices(form, lead: Lead | None = None) -> None:
    """What the lead form offers, and so accepts: firms, platforms and officers in the viewer's scope (an edit
    may keep the lead's firm as it is)."""
    form.firm_id.offer(live_firms(Firm.id), keep=lead.firm_id if lead is not None else None)
    form.platforms.choices = platform_groups()  # by district, in pinyin order (<optgroup>s)
    form.collaborators.choices = [(u.id, u.name) for u in db.session.scalars(
        select(User).where(User.role_code == OFFICER, User.is_active.is_(True)).order_by(User.name))]


def lead_data(form) -> dict:
    """The lead's facts as the validated form holds them, the industry entry resolved to its GB/T 4754 code
    (FirmError on `industry_code` when there is no such class)."""
    data = {name: getattr(form, name).data for name in LEAD_FIELD_NAMES}
    data['industry_code'] = resolve_industry(data['industry_code'])
    return data
