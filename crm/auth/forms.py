"""Login, password and user-management forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from crm.core.forms import BaseForm, VersionedForm, fold_width

MIN_PASSWORD = 10
MAX_PASSWORD = 256
COMMON_PASSWORDS = frozenset({
    'password', 'password1', 'password123', '123456789', '1234567890', '12345678910', 'qwertyuiop', 'qwerty123',
    'iloveyou1', 'admin12345', 'abc123456', 'a123456789', 'zhaoshang123', 'gongshu123', 'hangzhou123',
    'woaini1314', '1qaz2wsx3edc', 'qazwsxedc', '11111111111', '0000000000', 'asdfghjkl', 'changeme123',
})


def strong_password(form, field) -> None:
    """At least 10 characters, not a well-known password, not the e-mail address."""
    value = field.data or ''
    if len(value) < MIN_PASSWORD:
        raise ValidationError(_l('At least %(n)s characters.', n=MIN_PASSWORD))
    email = getattr(form, 'email', None)
    if value.lower() in COMMON_PASSWORDS or (email is not None and email.data and value.lower() == email.data.lower()):
        raise ValidationError(_l('This password is too easy to guess.'))


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


class UserForm(VersionedForm):
    email = EmailField(_l('E-mail'), filters=[fold_width, lambda v: v.lower() if isinstance(v, str) else v],
                       validators=[DataRequired(_l('Enter an e-mail address.')),
                                   Email(_l('Not a valid e-mail address.'), check_deliverability=False),
                                   Length(max=254)])
    name = StringField(_l('Name'), validators=[DataRequired(_l('Enter a name.')), Length(max=100)])
    role = SelectField(_l('Role'), validators=[DataRequired()])
    platforms = SelectMultipleField(_l('Platforms'), coerce=int, validators=[Optional()])
    phone = StringField(_l('Phone'), filters=[fold_width], validators=[Optional(), Length(max=32)])
    firm = StringField(_l('Firm (ID or USCC)'), filters=[fold_width], validators=[Length(max=18)])
    is_active = BooleanField(_l('Active'), default=True)

    def validate_firm(self, field) -> None:
        """A firm user acts for one firm: it must be given and exist; other roles are linked to none."""
        from crm.firms.services import find_firm

        if self.role.data != 'firm':
            return
        if not (field.data or '').strip():
            raise ValidationError(_l('A firm user must be linked to a firm: enter its ID or USCC.'))
        if find_firm(field.data) is None:
            raise ValidationError(_l('No firm has this ID or USCC.'))

    def firm_id(self) -> int | None:
        from crm.firms.services import find_firm

        firm = find_firm(self.firm.data) if self.role.data == 'firm' else None
        return firm.id if firm else None


class UserCreateForm(UserForm):
    password = PasswordField(_l('Initial password'), validators=[DataRequired(_l('Enter an initial password.')),
                                                                 strong_password, Length(max=MAX_PASSWORD)])
    version = None  # a new user has no version yet
    opened = None


class PasswordResetForm(BaseForm):
    password = PasswordField(_l('New password'), validators=[DataRequired(_l('Enter a new password.')),
                                                             strong_password, Length(max=MAX_PASSWORD)])


class TokenForm(BaseForm):
    name = StringField(_l('Token name'), validators=[DataRequired(_l('Name the token, e.g. the script that uses it.')),
                                                     Length(max=60)])
    days = SelectField(_l('Valid for'), coerce=int, default=90,
                       choices=[(30, _l('30 days')), (90, _l('90 days')), (365, _l('365 days'))])
