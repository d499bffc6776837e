"""Unit and building forms (validation only)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from crm.core import labels
from crm.core.forms import BaseForm, DecimalField, VersionedForm
from crm.platforms.models import FITOUTS, UNIT_STATUSES, UNIT_USES


class UnitFields:
    """The editable fields of a unit."""

    floor = IntegerField(_l('Floor'), validators=[DataRequired(_l('Enter the floor.')),
                                                  NumberRange(-5, 200, _l('Floor must be between -5 and 200.'))])
    number = StringField(_l('Unit number'), validators=[DataRequired(_l('Enter the unit number.')), Length(max=40)])
    area_gross = DecimalField(_l('Gross area (㎡)'), places=2, amount=True, validators=[
        DataRequired(_l('Enter the area.')), NumberRange(1, 100000, _l('Area must be between 1 and 100,000 ㎡.'))])
    area_usable = DecimalField(_l('Usable area (㎡)'), places=2, amount=True, validators=[Optional(), NumberRange(0, 100000)])
    use = SelectField(_l('Use'), choices=labels.choices(labels.UNIT_USES, UNIT_USES))
    fitout = SelectField(_l('Fit-out'), choices=labels.choices(labels.FITOUTS, FITOUTS))
    rent = DecimalField(_l('Rent (yuan/㎡/day)'), places=2, validators=[
        Optional(), NumberRange(0, 100, _l('Rent is per ㎡ per day, between 0 and 100 yuan.'))])
    property_fee = DecimalField(_l('Property fee (yuan/㎡/month)'), places=2,
                                validators=[Optional(), NumberRange(0, 500)])
    available_from = DateField(_l('Available from'), validators=[Optional()])
    ceiling_height = DecimalField(_l('Clear ceiling height (m)'), places=2, validators=[
        Optional(), NumberRange(1, 30, _l('Ceiling height must be between 1 and 30 m.'))])
    floor_load = DecimalField(_l('Floor load (kN/㎡)'), places=2, validators=[
        Optional(), NumberRange(1, 100, _l('Floor load must be between 1 and 100 kN/㎡.'))])
    power_kva = IntegerField(_l('Power supply (kVA)'), validators=[
        Optional(), NumberRange(1, 100000, _l('Power supply must be between 1 and 100,000 kVA.'))])
    deposit_months = IntegerField(_l('Deposit (months of rent)'), validators=[
        Optional(), NumberRange(0, 24, _l('The deposit must be between 0 and 24 months of rent.'))])
    rent_free_months = IntegerField(_l('Rent-free period (months)'), validators=[
        Optional(), NumberRange(0, 36, _l('The rent-free period must be between 0 and 36 months.'))])
    lease_term_years = IntegerField(_l('Lease term (years)'), validators=[
        Optional(), NumberRange(1, 30, _l('The lease term must be between 1 and 30 years.'))])
    status = SelectField(_l('Status'), choices=labels.choices(labels.UNIT_STATUSES, UNIT_STATUSES))
    status_note = StringField(_l('Reason for the status change'), validators=[Optional(), Length(max=200)])
    note = TextAreaField(_l('Note'), validators=[Optional(), Length(max=2000)])

    def validate_area_usable(self, field) -> None:
        if field.data is not None and self.area_gross.data is not None and field.data > self.area_gross.data:
            raise ValidationError(_l('Usable area cannot exceed the gross area.'))


class UnitForm(UnitFields, VersionedForm):
    """Edit an existing unit (carries the version it was rendered from)."""


class UnitCreateForm(UnitFields, BaseForm):
    """Add a unit to a building."""


class StatusForm(VersionedForm):
    status = SelectField(_l('Status'), choices=labels.choices(labels.UNIT_STATUSES, UNIT_STATUSES))
    status_note = StringField(_l('Reason'), validators=[Optional(), Length(max=200)])


class BuildingFields:
    """The editable fields of a building."""

    name = StringField(_l('Building name'), validators=[
        DataRequired(_l('Enter the building name.')),
        Length(max=120, message=_l('The building name can be at most 120 characters.'))])
    address = StringField(_l('Address'), validators=[
        Optional(), Length(max=200, message=_l('The address can be at most 200 characters.'))])
    floors = IntegerField(_l('Floors'), validators=[
        Optional(), NumberRange(1, 200, _l('Floors must be between 1 and 200.'))])
    gfa = DecimalField(_l('Gross floor area (㎡)'), places=2, amount=True, validators=[
        Optional(), NumberRange(0, 10_000_000, _l('Gross floor area must be between 0 and 10,000,000 ㎡.'))])
    operator = StringField(_l('Owner / operator'), validators=[
        Optional(), Length(max=200, message=_l('The owner / operator can be at most 200 characters.'))])
    parking_spaces = IntegerField(_l('Parking spaces'), validators=[
        Optional(), NumberRange(0, 100000, _l('Parking spaces must be between 0 and 100,000.'))])
    parking_fee = DecimalField(_l('Parking fee (yuan/space/month)'), places=2, amount=True, validators=[
        Optional(), NumberRange(0, 10000, _l('The parking fee must be between 0 and 10,000 yuan a month.'))])


class BuildingForm(BuildingFields, BaseForm):
    """Add a building to a platform."""


class BuildingEditForm(BuildingFields, VersionedForm):
    """Edit a building (carries the version it was rendered from)."""


BUILDING_FIELD_NAMES = ('name', 'address', 'floors', 'gfa', 'operator', 'parking_spaces', 'parking_fee')


UNIT_FIELD_NAMES = ('floor', 'number', 'area_gross', 'area_usable', 'use', 'fitout', 'rent', 'property_fee',
                    'available_from', 'ceiling_height', 'floor_load', 'power_kva', 'deposit_months', 'rent_free_months',
                    'lease_term_years', 'status', 'status_note', 'note')


class ImageForm(BaseForm):
    """A building's floor plan, or a photo of one of its units (the unit's id travels beside it, checked by the view
    against the building)."""

    file = FileField(_l('JPEG, PNG or WebP, up to 5 MB'), validators=[FileRequired(_l('Choose an image file.'))])
