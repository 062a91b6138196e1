"""The parent's request form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    RadioField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import Email, Optional

from pyydaapua.intake.submission import NewRequest, new_submission_key, valid_submission_key
from pyydaapua.rules.codes import CONTACT_METHODS
from pyydaapua.rules.phones import normalise_phone
from pyydaapua.web.forms import Form, MultipleChoiceField, max_length, strip
from pyydaapua.web.labels import (
    CALL_TIME_LABELS,
    CHILD_AGE_LABELS,
    CONTACT_METHOD_LABELS,
    TOPIC_LABELS,
    YES_NO_LABELS,
    choices,
    language_choices,
)

DESCRIPTION_MAX = 4000
# As typed, with spaces and brackets; stored as E.164 (at most 16 characters).
PHONE_MAX = 40


def _no_blanks(values: list[str] | None) -> list[str]:
    """A multiple choice without empty values (a hand-made post can send ``topics=``)."""
    return [value for value in values or [] if value]


class SubmissionKeyField(HiddenField):
    """The random key of one form submission, so that a double click stores one request.

    A new form gets a fresh key. A posted key that is missing, empty, over-long or malformed
    (our own page never sends one) is replaced by a fresh key: the request is then stored on
    its own instead of being refused or taken for another parent's. When a field is sent
    more than once, the first value counts, as for every single-valued field of the form."""

    data: str  # never empty: a fresh key replaces a bad or missing one

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        if not valid_submission_key(self.data):
            self.data = new_submission_key()


class RequestForm(Form):
    """Everything here is optional except how the family hears back, and for a call the
    phone number. An answer on the status page needs no phone number: one typed is dropped."""

    topics = MultipleChoiceField(
        _l("What would you like to talk about?"),
        choices=choices(TOPIC_LABELS),
        # No Optional(): it looks only at the first value, and would let through an unknown
        # code sent after an empty one.
        filters=[_no_blanks],
    )
    description = TextAreaField(
        _l("Tell us in your own words"),
        filters=[strip],
        validators=[max_length(DESCRIPTION_MAX)],
    )
    child_ages = MultipleChoiceField(
        _l("How old are your children?"),
        choices=choices(CHILD_AGE_LABELS),
        # No Optional(): it looks only at the first value, and would let through an unknown
        # code sent after an empty one.
        filters=[_no_blanks],
    )
    name = StringField(
        _l("Your name"),
        filters=[strip],
        validators=[max_length(200)],
    )
    # "phone" is chosen when the form opens (the service's usual way). A post without the
    # field is a call too: a form page opened before the choice existed still sends (a phone
    # number is then needed, as it was). An empty or unknown value is refused with a message.
    contact_method = RadioField(
        _l("How shall we answer you?"),
        choices=choices(CONTACT_METHOD_LABELS),
        default="phone",
        validate_choice=False,
    )
    phone = StringField(_l("Phone number"), filters=[strip], validators=[max_length(PHONE_MAX)])
    call_time = RadioField(
        _l("When is a good time to call?"), choices=choices(CALL_TIME_LABELS), default="any"
    )
    sms_ok = RadioField(
        _l("May we send you a text message if you do not answer?"),
        choices=choices(YES_NO_LABELS),
        default="no",
    )
    email = StringField(
        _l("Email address"),
        filters=[strip],
        validators=[
            Optional(),
            max_length(254),
            Email(message=_l("Enter an email address like name@example.fi, or leave it empty.")),
        ],
    )
    call_language = RadioField(_l("In which language shall we answer you?"), choices=[])
    submission_key = SubmissionKeyField(default=new_submission_key)
    # A honeypot: hidden from people by the stylesheet; bots fill it in.
    contact_me_by_fax = StringField(_l("Leave this field empty"), validators=[max_length(200)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.call_language.choices = language_choices()

    def validate_contact_method(self, field: RadioField) -> None:
        if not field.raw_data:
            field.data = "phone"
        elif field.data not in CONTACT_METHODS:
            field.data = None  # nothing comes back chosen: the parent chooses
            raise ValidationError(
                _l("Choose how we answer you: a call, or an answer here on the status page.")
            )

    @property
    def wants_call(self) -> bool:
        return self.contact_method.data != "status_page"

    def validate_phone(self, field: StringField) -> None:
        if not self.wants_call:
            return  # not asked for, and not stored
        if not field.data:
            raise ValidationError(_l("Enter your phone number, so that we can call you."))
        normalised = normalise_phone(field.data)
        if normalised is None:
            raise ValidationError(_l("Enter a phone number like 040 123 4567 or +358 40 123 4567."))
        self.normalised_phone = normalised

    @property
    def is_spam(self) -> bool:
        return bool(self.contact_me_by_fax.data)

    def to_new_request(self, language: str) -> NewRequest:
        """The validated form as a request to store; ``language`` is the page's."""
        call = self.wants_call
        return NewRequest(
            submission_key=self.submission_key.data,
            language=language,
            call_language=self.call_language.data,
            # For an answer on the status page the call's details are not kept.
            phone=self.normalised_phone if call else "",
            contact_method="phone" if call else "status_page",
            topics=self.topics.data or [],
            child_ages=self.child_ages.data or [],
            description=self.description.data,
            name=self.name.data,
            email=self.email.data,
            call_time=self.call_time.data if call else "any",
            sms_ok=call and self.sms_ok.data == "yes",
        )
