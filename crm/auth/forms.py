"""Login, password and user-management forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from crm.auth import passwords
from crm.core import hooks
from crm.core.forms import BaseForm, VersionedForm, fold_width, phone_field

MIN_PASSWORD = passwords.MIN_LENGTH
MAX_PASSWORD = passwords.MAX_LENGTH


def strong_password(form, field) -> None:
    """The password rule of `crm.auth.passwords`, against the account the form is about: the e-mail and name
    typed on the same form, else the form's `account` (the user whose password is set)."""
    account = getattr(form, 'account', None)
    email = form.email.data if 'email' in form else getattr(account, 'email', None)
    name = form.name.data if 'name' in form else getattr(account, 'name', None)
    reason = passwords.check(field.data or '', email=email, name=name)
    if reason is not None:
        raise ValidationError(reason)


class LoginForm(BaseForm):
    email = StringField(_l('E-mail'), filters=[fold_width], validators=[DataRequired(_l('Enter your e-mail.')),
                                                                        Length(max=254)])
    password = PasswordField(_l('Password'), validators=[DataRequired(_l('Enter your password.')),
                                                         Length(max=MAX_PASSWORD)])


class PasswordChangeForm(BaseForm):
    current = PasswordField(_l('Current password'), validators=[DataRequired(_l('Enter your current password.'))])
    new = PasswordField(_l('New password'), validators=[DataRequired(_l('Enter a new password.')), strong_password,
                                                        Length(max=MAX_PASSWORD)])
    confirm = PasswordField(_l('Repeat the new password'),
                            validators=[EqualTo('new', _l('The two passwords differ.'))])

    @property
    def account(self):
        """One's own password: checked against one's own e-mail address and name."""
        return current_user


class UserForm(VersionedForm):
    email = EmailField(_l('E-mail'), filters=[fold_width, lambda v: v.lower() if isinstance(v, str) else v],
                       validators=[DataRequired(_l('Enter an e-mail address.')),
                                   Email(_l('Not a valid e-mail address.'), check_deliverability=False),
                                   Length(max=254)])
    name = StringField(_l('Name'), validators=[DataRequired(_l('Enter a name.')), Length(max=100)])
    role = SelectField(_l('Role'), validators=[DataRequired()])
    platforms = SelectMultipleField(_l('Platforms'), coerce=int, validators=[Optional()])
    phone = StringField(_l('Phone'), filters=[fold_width], validators=[Optional(), Length(max=32)])
    job_title = StringField(_l('Job title (printed in promotion packs)'), validators=[
        Optional(), Length(max=60, message=_l('The job title can be at most 60 characters.'))])
    wechat = StringField(_l('WeChat ID'), filters=[fold_width], validators=[
        Optional(), Length(max=60, message=_l('The WeChat ID can be at most 60 characters.'))])
    office_address = StringField(_l('Office address'), validators=[
        Optional(), Length(max=200, message=_l('The office address can be at most 200 characters.'))])
    firm = StringField(_l('Firm (ID or USCC)'), filters=[fold_width], validators=[Length(max=18)])
    is_active = BooleanField(_l('Active'), default=True)

    def validate_firm(self, field) -> None:
        """A firm user acts for one firm: it must be given and exist; other roles are linked to none (firms answers
        which firm an ID or USCC names: `find_firm`)."""
        if self.role.data != 'firm':
            return
        if not (field.data or '').strip():
            raise ValidationError(_l('A firm user must be linked to a firm: enter its ID or USCC.'))
        if hooks.ask('firm', field.data) is None:
            raise ValidationError(_l('No firm has this ID or USCC.'))

    def contact(self) -> dict[str, str | None]:
        return {'job_title': self.job_title.data, 'wechat': self.wechat.data,
                'office_address': self.office_address.data}

    def firm_id(self) -> int | None:
        firm = hooks.ask('firm', self.firm.data) if self.role.data == 'firm' else None
        return firm.id if firm else None


class UserCreateForm(UserForm):
    password = PasswordField(_l('Initial password'), validators=[DataRequired(_l('Enter an initial password.')),
                                                                 strong_password, Length(max=MAX_PASSWORD)])
    version = None  # a new user has no version yet
    opened = None


class PasswordResetForm(BaseForm):
    account = None  # the user whose password the administrator sets (the view fills it in)
    password = PasswordField(_l('New password'), validators=[DataRequired(_l('Enter a new password.')),
                                                             strong_password, Length(max=MAX_PASSWORD)])


class TokenForm(BaseForm):
    name = StringField(_l('Token name'), validators=[DataRequired(_l('Name the token, e.g. the script that uses it.')),
                                                     Length(max=60)])
    days = SelectField(_l('Valid for'), coerce=int, default=90,
                       choices=[(30, _l('30 days')), (90, _l('90 days')), (365, _l('365 days'))])


class SignInCodeForm(BaseForm):
    code = StringField(_l('Code'), filters=[fold_width],
                       validators=[DataRequired(_l('Enter the six-digit code from your authenticator app, or a '
                                                   'recovery code.')), Length(max=40)])


class TotpCodeForm(BaseForm):
    """A code from the authenticator app: to confirm enrolment, or to renew the recovery codes."""

    code = StringField(_l('Code from the app'), filters=[fold_width],
                       validators=[DataRequired(_l('Enter the six-digit code from your authenticator app.')),
                                   Length(max=20)])


class TotpOffForm(BaseForm):
    password = PasswordField(_l('Password'), validators=[DataRequired(_l('Enter your password.')),
                                                         Length(max=MAX_PASSWORD)])


class ProfileForm(VersionedForm):
    """One's own contact details, as promotion packs print them (the e-mail is the sign-in name: not edited here)."""

    job_title = StringField(_l('Job title'), validators=[
        Optional(), Length(max=60, message=_l('The job title can be at most 60 characters.'))])
    phone = StringField(_l('Mobile'), filters=[fold_width], validators=[
        Optional(), Length(max=32, message=_l('The mobile number can be at most 32 characters.')), phone_field])
    wechat = StringField(_l('WeChat ID'), filters=[fold_width], validators=[
        Optional(), Length(max=60, message=_l('The WeChat ID can be at most 60 characters.'))])
    office_address = StringField(_l('Office address'), validators=[
        Optional(), Length(max=200, message=_l('The office address can be at most 200 characters.'))])

    def contact(self) -> dict[str, str | None]:
        return {'job_title': self.job_title.data, 'wechat': self.wechat.data,
                'office_address': self.office_address.data}
