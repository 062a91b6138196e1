"""Staff forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, RadioField, StringField
from wtforms.validators import InputRequired, Length

from ..labels import language_choices


class LoginForm(FlaskForm):
    email = StringField(
        _l("Email address"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[InputRequired(_l("Enter your email address.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"), validators=[InputRequired(_l("Enter your password.")), Length(max=200)]
    )
    next = HiddenField()


class LanguageForm(FlaskForm):
    language = RadioField(_l("Language of the staff pages"), choices=[])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()
