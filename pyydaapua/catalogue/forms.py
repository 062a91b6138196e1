"""The form for one service of the catalogue."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Email, InputRequired

from pyydaapua.catalogue.services import ServiceData, valid_phone, valid_url
from pyydaapua.web.forms import Form, max_length, strip
from pyydaapua.web.labels import PROVIDER_TYPE_LABELS, choices

DESCRIPTION_MAX = 4000


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
