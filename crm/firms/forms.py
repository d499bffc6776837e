"""Firm, contact and tenancy forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from crm.core import labels
from crm.core.forms import (
    BaseForm,
    ChoiceIdField,
    DecimalField,
    VersionedForm,
    fold_width,
    phone_field,
    show_rule_error,
)
from crm.core.validators import InvalidValue, validate_uscc
from crm.firms import services
from crm.firms.models import CONTACT_ROLES, FIRM_TAGS, REVENUE_BANDS, Firm


def uscc_field(form, field) -> None:
    """Validate and normalise a 统一社会信用代码 (empty allowed)."""
    if field.data:
        try:
            field.data = validate_uscc(field.data)
        except InvalidValue as exc:
            raise ValidationError(str(exc)) from exc


class FirmFields:
    name = StringField(_l('Firm name'), validators=[DataRequired(_l('Enter the firm name.')), Length(max=200)])
    uscc = StringField(_l('Unified social credit code'), filters=[fold_width],
                       validators=[Optional(), Length(max=30), uscc_field])
    legal_rep = StringField(_l('Legal representative'), validators=[Optional(), Length(max=60)])
    address = StringField(_l('Registered address'), validators=[Optional(), Length(max=300)])
    district = StringField(_l('Registered district'), validators=[Optional(), Length(max=40)])
    industry_code = StringField(_l('Industry (GB/T 4754 code)'), filters=[fold_width],
                                validators=[Optional(), Length(max=130)])
    registered_capital = DecimalField(_l('Registered capital (10k yuan)'), places=2, amount=True,
                                      validators=[Optional(), NumberRange(0, 100_000_000)])
    revenue_band = SelectField(_l('Revenue band'), choices=[('', '—')] + labels.choices(labels.REVENUE_BANDS, REVENUE_BANDS),
                               validators=[Optional()])
    headcount = IntegerField(_l('Headcount'), validators=[Optional(), NumberRange(0, 10_000_000)])
    rd_ratio = DecimalField(_l('R&D ratio (percent)'), places=2, validators=[Optional(), NumberRange(0, 100)])
    registered_on = DateField(_l('Registered on'), validators=[Optional()])
    tags = SelectMultipleField(_l('Tags'), choices=labels.choices(labels.FIRM_TAGS, FIRM_TAGS), validators=[Optional()])
    notes = TextAreaField(_l('Notes'), validators=[Optional(), Length(max=4000)])
    confirm_similar = BooleanField(_l('I checked: this is not the same firm as the similar ones listed'))


class FirmCreateForm(FirmFields, BaseForm):
    """New firm."""


class FirmForm(FirmFields, VersionedForm):
    """Edit a firm."""

    unmerged = ('confirm_similar',)


class ContactForm(BaseForm):
    name = StringField(_l('Name'), validators=[DataRequired(_l('Enter a name.')), Length(max=60)])
    title = StringField(_l('Job title'), validators=[Optional(), Length(max=60)])
    role = SelectField(_l('Role'), choices=[('', '—')] + labels.choices(labels.CONTACT_ROLES, CONTACT_ROLES), validators=[Optional()])
    phone = StringField(_l('Phone'), filters=[fold_width], validators=[Optional(), Length(max=30), phone_field])
    email = EmailField(_l('E-mail'), filters=[fold_width], validators=[
        Optional(), Email(_l('Not a valid e-mail address.'), check_deliverability=False), Length(max=254)])
    wechat = StringField(_l('WeChat'), validators=[Optional(), Length(max=60)])
    notes = TextAreaField(_l('Notes'), validators=[Optional(), Length(max=2000)])


class TenancyForm(BaseForm):
    unit_id = ChoiceIdField(_l('Unit'), validators=[DataRequired(_l('Choose a unit.'))],
                            message=_l('No such unit, or it is outside your scope.'))
    start_date = DateField(_l('Start date'), validators=[DataRequired(_l('Enter the start date.'))])
    end_date = DateField(_l('End date'), validators=[Optional()])
    area = DecimalField(_l('Area (㎡)'), places=2, amount=True, validators=[Optional(), NumberRange(1, 100000)])
    rent = DecimalField(_l('Rent (yuan/㎡/day)'), places=2, validators=[Optional(), NumberRange(0, 100)])

    def validate_end_date(self, field) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l('The end date is before the start date.'))


FIRM_FIELD_NAMES = ('name', 'uscc', 'legal_rep', 'address', 'district', 'industry_code', 'registered_capital',
                    'revenue_band', 'headcount', 'rd_ratio', 'registered_on', 'tags', 'notes')


def firm_data(form) -> dict:
    """The firm's fields as the form holds them."""
    return {name: getattr(form, name).data for name in FIRM_FIELD_NAMES}


def save_firm(form, firm: Firm | None, version: int | None = None) -> tuple[Firm | None, list[Firm]]:
    """Create or update a firm from a validated form through `services.save_firm`: (the firm, []) when saved, else
    (None, the similar firms to offer) with the refusal put on the form (beside the field at fault, or form-wide).
    A stale version raises EditConflict (the edit form merges or asks)."""
    try:
        return services.save_firm(firm, firm_data(form), version=version,
                                  confirm_similar=bool(form.confirm_similar.data)), []
    except services.DuplicateFirm as exc:
        form.form_errors.append(str(exc))
        return None, exc.firms
    except services.FirmError as exc:
        show_rule_error(form, exc, form.uscc)
        return None, []
