"""Forms of the administration pages and of a user's own password change."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import AnyOf, DataRequired, Email, EqualTo, InputRequired, Length

from pyydaapua.accounts.users import MIN_PASSWORD_LENGTH
from pyydaapua.web.forms import Form, max_length, strip
from pyydaapua.web.labels import ROLE_LABELS, choices, language_choices

PASSWORD_MAX = 200


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
    """Name, role and language: what an administrator can change on an account; and, with
    single sign-on, the city account the account is tied to."""

    name = _name_field()
    role = _role_field()
    language = _language_field()
    sso_subject = StringField(
        _l("Identifier of the city account"), filters=[strip], validators=[max_length(255)]
    )


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


class TwoFactorResetForm(Form):
    """Reset a user's two-factor sign-in: only the CSRF token."""


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


class LoginForm(Form):
    email = StringField(
        _l("Email address"),
        filters=[strip],
        validators=[InputRequired(_l("Enter your email address.")), max_length(254)],
    )
    password = PasswordField(
        _l("Password"), validators=[InputRequired(_l("Enter your password.")), max_length(200)]
    )
    next = HiddenField()


class CodeForm(Form):
    """The second sign-in step: a code from the authenticator app, or a recovery code."""

    code = StringField(
        _l("Verification code"),
        filters=[strip],
        validators=[InputRequired(_l("Enter the verification code.")), max_length(64)],
    )


class EnrolForm(Form):
    """Taking two-factor sign-in into use: one code from the app confirms the secret."""

    code = StringField(
        _l("Verification code from the app"),
        filters=[strip],
        validators=[
            InputRequired(_l("Enter the six-digit code that the app shows.")),
            max_length(64),
        ],
    )


class LanguageForm(Form):
    language = RadioField(_l("Language of the staff pages"), choices=[])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()
