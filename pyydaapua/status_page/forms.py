"""The status page's forms: opening a request, and the family's message."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField, ValidationError

from pyydaapua.rules.references import parse_reference
from pyydaapua.rules.secret_codes import normalise_secret_code
from pyydaapua.status_page.access import MESSAGE_MAX
from pyydaapua.web.forms import Form, max_length, strip

WRONG_PAIR = _l(
    "We could not open a request with this reference and secret code. Check both and try again."
)


class OpenForm(Form):
    """The reference and secret code; a message written before the page closed rides along."""

    reference = StringField(_l("Request reference"), filters=[strip], validators=[max_length(40)])
    secret_code = StringField(_l("Secret code"), filters=[strip], validators=[max_length(40)])
    message = TextAreaField(
        _l("Your message"), filters=[strip], validators=[max_length(MESSAGE_MAX)]
    )

    def validate_reference(self, field: StringField) -> None:
        if not field.data:
            raise ValidationError(_l("Enter the reference of your request."))
        if parse_reference(field.data) is None:
            raise ValidationError(_l("Enter the reference like ACDE-FH34."))

    def validate_secret_code(self, field: StringField) -> None:
        if not field.data:
            raise ValidationError(_l("Enter the secret code you got with the reference."))
        if normalise_secret_code(field.data) is None:
            raise ValidationError(_l("Enter the secret code like K7PX3-M4QRT."))


class MessageForm(Form):
    """The family's message to the counsellors."""

    message = TextAreaField(
        _l("Your message"), filters=[strip], validators=[max_length(MESSAGE_MAX)]
    )

    def validate_message(self, field: TextAreaField) -> None:
        if not field.data:
            raise ValidationError(_l("Write your message before sending it."))
