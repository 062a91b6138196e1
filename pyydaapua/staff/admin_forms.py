"""Forms of the administration pages and of a user's own password change."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import AnyOf, DataRequired, Email, EqualTo, InputRequired, Length

from ..catalogue import ServiceData, valid_phone, valid_url
from ..forms import Form, max_length
from ..labels import PROVIDER_TYPE_LABELS, ROLE_LABELS, choices, language_choices, strip
from ..staff_accounts import MIN_PASSWORD_LENGTH

PASSWORD_MAX = 200
DESCRIPTION_MAX = 4000


def _password_length() -> Length:
    return Length(
        min=MIN_PASSWORD_LENGTH,
        max=PASSWORD_MAX,
        message=_l(
            "Use a password of %(min)s to %(max)s characters.",
            min=MIN_PASSWORD_LENGTH,
            max=PASSWORD_MAX,
        ),
    )


def _new_password_fields(
    label: str = _l("New password"), label_again: str = _l("New password again")
) -> tuple[PasswordField, PasswordField]:
    """A new password, typed twice."""
    return (
        PasswordField(
            label,
            validators=[InputRequired(_l("Enter the new password.")), _password_length()],
        ),
        PasswordField(
            label_again,
            validators=[
                InputRequired(_l("Enter the new password again.")),
                EqualTo("new_password", _l("The passwords do not match. Type the same twice.")),
            ],
        ),
    )


def _name_field() -> StringField:
    return StringField(
        _l("Name"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the name.")), max_length(200)],
    )


def _role_field() -> SelectField:
    return SelectField(
        _l("Role"),
        choices=choices(ROLE_LABELS),
        validators=[InputRequired(_l("Choose the role."))],
    )


def _language_field() -> RadioField:
    return RadioField(
        _l("Language of the staff pages"),
        choices=[],
        validators=[InputRequired(_l("Choose the language."))],
    )


class _WithLanguage(Form):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()


class UserForm(_WithLanguage):
    """Name, role and language: what an administrator can change on an account."""

    name = _name_field()
    role = _role_field()
    language = _language_field()


class NewUserForm(_WithLanguage):
    """A new account, with a first password that the user must change at first sign-in."""

    email = StringField(
        _l("Email address"),
        filters=[strip],
        validators=[
            InputRequired(_l("Enter the email address.")),
            max_length(254),
            Email(message=_l("Enter an email address like name@example.fi.")),
        ],
    )
    name = _name_field()
    role = _role_field()
    language = _language_field()
    new_password, new_password_again = _new_password_fields(
        _l("First password"), _l("First password again")
    )


class ActiveForm(Form):
    """Deactivate or reactivate an account: the button says which."""

    action = HiddenField(validators=[AnyOf(("deactivate", "reactivate"))])


class SetPasswordForm(Form):
    """An administrator sets a new password that the user must change."""

    new_password, new_password_again = _new_password_fields()


class OwnPasswordForm(Form):
    """A user changes their own password."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Enter your current password.")), max_length(PASSWORD_MAX)],
    )
    new_password, new_password_again = _new_password_fields()


def _check_phone(form: FlaskForm, field: StringField) -> None:
    if field.data and not valid_phone(field.data):
        raise ValidationError(
            _l("Enter a phone number with digits, spaces, +, - and brackets only.")
        )


def _check_url(form: FlaskForm, field: StringField) -> None:
    if field.data and not valid_url(field.data):
        raise ValidationError(_l("Enter a web address that starts with https:// or http://."))


def _optional_email(form: FlaskForm, field: StringField) -> None:
    if field.data:
        Email(message=_l("Enter an email address like name@example.fi, or leave it empty."))(
            form, field
        )


class ServiceForm(Form):
    name_fi = StringField(
        _l("Name in Finnish"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the name in Finnish.")), max_length(200)],
    )
    name_sv = StringField(
        _l("Name in Swedish"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the name in Swedish.")), max_length(200)],
    )
    description_fi = TextAreaField(
        _l("Description in Finnish"),
        filters=[strip],
        validators=[max_length(DESCRIPTION_MAX)],
    )
    description_sv = TextAreaField(
        _l("Description in Swedish"),
        filters=[strip],
        validators=[max_length(DESCRIPTION_MAX)],
    )
    provider_type = RadioField(
        _l("Provider type"),
        choices=choices(PROVIDER_TYPE_LABELS),
        validators=[InputRequired(_l("Choose the provider type."))],
    )
    provider = StringField(_l("Provider"), filters=[strip], validators=[max_length(200)])
    phone = StringField(
        _l("Phone number"), filters=[strip], validators=[max_length(40), _check_phone]
    )
    url = StringField(_l("Web address"), filters=[strip], validators=[max_length(300), _check_url])
    email = StringField(
        _l("Email address"), filters=[strip], validators=[max_length(254), _optional_email]
    )
    active = BooleanField(_l("In use: offered for new referrals"), default=True)

    def to_data(self) -> ServiceData:
        return ServiceData(
            name_fi=self.name_fi.data,
            name_sv=self.name_sv.data,
            provider_type=self.provider_type.data,
            provider=self.provider.data,
            description_fi=self.description_fi.data,
            description_sv=self.description_sv.data,
            phone=self.phone.data,
            email=self.email.data,
            url=self.url.data,
            active=self.active.data,
        )
