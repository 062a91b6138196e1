"""Staff forms."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, StopValidation
from wtforms.widgets import HiddenInput

from .. import time_rules
from ..casework import CallData
from ..forms import Form, max_length
from ..labels import (
    CALL_RESULT_LABELS,
    CHECK_IN_LABELS,
    OUTCOME_LABELS,
    REFERRAL_STATUS_LABELS,
    SCALE_LABELS,
    STATUS_LABELS,
    VISIT_STATUS_LABELS,
    choices,
    language_choices,
    strip,
)
from ..params import ID_MAX
from ..references import parse_reference
from ..workdays import HELSINKI, add_working_days


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


def parse_day(text: str) -> date | None:
    """A day typed as 2025-12-01 (what a date picker sends) or 1.12.2025; None if neither."""
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def day_text(day: date) -> str:
    """A day as people in Finland type it: 1.12.2025."""
    return f"{day.day}.{day.month}.{day.year}"


def helsinki_today() -> date:
    return datetime.now(HELSINKI).date()


def day_range_message() -> str:
    """Why a day outside ``time_rules``' range is refused, with the range."""
    today = helsinki_today()
    return _(
        "Enter a day from %(first)s to %(last)s.",
        first=day_text(time_rules.first_day()),
        last=day_text(time_rules.last_day(today)),
    )


def check_day_range(day: date) -> None:
    """Refuse a day outside the range the service accepts (StopValidation: one message)."""
    if not time_rules.day_in_range(day, helsinki_today()):
        raise StopValidation(day_range_message())


DATE_TEXT_MAX = 20


class PeriodForm(Form):
    """The period of the reports and the audit views: read from the URL, no CSRF."""

    class Meta:
        csrf = False

    start = StringField(
        _l("First day"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter the first day of the period.")),
            max_length(DATE_TEXT_MAX),
        ],
    )
    end = StringField(
        _l("Last day"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter the last day of the period.")),
            max_length(DATE_TEXT_MAX),
        ],
    )

    def validate_start(self, field: StringField) -> None:
        start = parse_day(field.data)
        if start is None:
            raise ValidationError(_l("Enter the first day as a date, for example 1.12.2025."))
        check_day_range(start)

    def validate_end(self, field: StringField) -> None:
        end = parse_day(field.data)
        if end is None:
            raise ValidationError(_l("Enter the last day as a date, for example 30.11.2026."))
        check_day_range(end)
        start = parse_day(self.start.data or "") if not self.start.errors else None
        if start is None:
            return
        if end < start:
            raise ValidationError(_l("The last day must be the same as or after the first day."))
        if time_rules.period_too_long(start, end):
            raise ValidationError(
                _l(
                    "A period can be at most three years long, so that the report stays quick "
                    "to make. Choose a later first day or an earlier last day."
                )
            )

    def days(self) -> tuple[date, date]:
        """The validated first and last day."""
        start, end = parse_day(self.start.data), parse_day(self.end.data)
        assert start is not None and end is not None
        return start, end


NOTE_MAX = 4000


class VersionedForm(Form):
    """Every change carries the version of the request it was made on."""

    version = IntegerField(
        widget=HiddenInput(),
        validators=[
            Optional(),
            NumberRange(0, ID_MAX, _l("This form is out of date. Reload the page and try again.")),
        ],
    )


class AssignForm(VersionedForm):
    """Take (assignee = me), assign to a colleague, or unassign (empty)."""

    assignee = SelectField(_l("Owner"), choices=[], validate_choice=True)


def _helsinki_now_text() -> str:
    return datetime.now(HELSINKI).strftime("%Y-%m-%dT%H:%M")


class LocalDateTimeField(StringField):
    """A ``datetime-local`` value in Helsinki time; ``data_utc`` is the aware UTC moment, None
    when the text is not a time or its day is outside the range the service accepts."""

    data_utc: datetime | None = None
    local_day: date | None = None

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        self.data_utc = self.local_day = None
        if self.data:
            try:
                local = datetime.strptime(self.data.strip(), "%Y-%m-%dT%H:%M")
            except ValueError:
                return  # the form's validator explains the expected format
            self.local_day = local.date()
            if time_rules.day_in_range(local.date(), helsinki_today()):
                self.data_utc = local.replace(tzinfo=HELSINKI).astimezone(UTC)

    def pre_validate(self, form: FlaskForm) -> None:
        if self.local_day is not None:
            check_day_range(self.local_day)


class CallForm(VersionedForm):
    called_at = LocalDateTimeField(
        _l("Time of the call"),
        default=_helsinki_now_text,
        validators=[
            InputRequired(_l("Enter the date and time of the call.")),
            max_length(DATE_TEXT_MAX),
        ],
    )
    result = RadioField(
        _l("Result"),
        choices=choices(CALL_RESULT_LABELS),
        validators=[InputRequired(_l("Choose the result of the call."))],
    )
    duration_minutes = IntegerField(
        _l("Duration in minutes"),
        validators=[Optional(), NumberRange(1, 600, _l("Enter a duration from 1 to 600 minutes."))],
    )
    notes = TextAreaField(
        _l("Notes"),
        filters=[strip],
        validators=[max_length(NOTE_MAX)],
    )
    coping = RadioField(
        CHECK_IN_LABELS["coping"], choices=choices(SCALE_LABELS), validators=[Optional()]
    )
    coping_note = StringField(_l("Note on coping"), filters=[strip], validators=[max_length(500)])
    finances = RadioField(
        CHECK_IN_LABELS["finances"], choices=choices(SCALE_LABELS), validators=[Optional()]
    )
    finances_note = StringField(
        _l("Note on finances"), filters=[strip], validators=[max_length(500)]
    )
    daily_life = RadioField(
        CHECK_IN_LABELS["daily_life"], choices=choices(SCALE_LABELS), validators=[Optional()]
    )
    daily_life_note = StringField(
        _l("Note on daily life"), filters=[strip], validators=[max_length(500)]
    )

    def validate_called_at(self, field: LocalDateTimeField) -> None:
        if field.data_utc is None:
            raise ValidationError(_l("Enter the date and time like 26.11.2026 14:30."))
        if field.data_utc > datetime.now(UTC) + time_rules.CLOCK_TOLERANCE:
            raise ValidationError(_l("The time of the call cannot be in the future."))

    def to_data(self) -> CallData:
        return CallData(
            called_at=self.called_at.data_utc,
            result=self.result.data,
            duration_minutes=self.duration_minutes.data,
            notes=self.notes.data,
            coping=self.coping.data or None,
            coping_note=self.coping_note.data,
            finances=self.finances.data or None,
            finances_note=self.finances_note.data,
            daily_life=self.daily_life.data or None,
            daily_life_note=self.daily_life_note.data,
        )


class NoteForm(VersionedForm):
    note = TextAreaField(
        _l("Internal note"),
        filters=[strip],
        validators=[
            DataRequired(_l("Write the note.")),
            max_length(NOTE_MAX),
        ],
    )


class StatusForm(VersionedForm):
    status = RadioField(
        _l("New status"),
        choices=choices(STATUS_LABELS),
        validators=[InputRequired(_l("Choose the new status."))],
    )
    outcome = SelectField(
        _l("Outcome (when closing)"),
        choices=[SelectChoice("", _l("Choose the outcome")), *choices(OUTCOME_LABELS)],
        validators=[Optional()],
    )
    note = TextAreaField(_l("Note"), filters=[strip], validators=[max_length(NOTE_MAX)])

    def validate_outcome(self, field: SelectField) -> None:
        if self.status.data == "closed" and not field.data:
            raise ValidationError(_l("Choose the outcome to close the request."))


def _next_working_day_at_ten() -> str:
    today = datetime.now(HELSINKI).date()
    return f"{add_working_days(today, 1).isoformat()}T10:00"


class VisitForm(VersionedForm):
    starts_at = LocalDateTimeField(
        _l("Date and time"),
        default=_next_working_day_at_ten,
        validators=[
            InputRequired(_l("Enter the date and time of the visit.")),
            max_length(DATE_TEXT_MAX),
        ],
    )
    duration_minutes = IntegerField(
        _l("Duration in minutes"),
        default=60,
        validators=[
            InputRequired(_l("Enter the duration.")),
            NumberRange(15, 480, _l("Enter a duration from 15 to 480 minutes.")),
        ],
    )
    address = StringField(
        _l("Address"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the address.")), max_length(300)],
    )
    staff = SelectMultipleField(
        _l("Who is going"),
        choices=[],
        coerce=int,
        validators=[InputRequired(_l("Choose who is going."))],
    )

    def validate_starts_at(self, field: LocalDateTimeField) -> None:
        if field.data_utc is None:
            raise ValidationError(_l("Enter the date and time like 26.11.2026 14:30."))


class VisitStatusForm(VersionedForm):
    status = RadioField(
        _l("Mark the visit"),
        choices=[
            SelectChoice("done", VISIT_STATUS_LABELS["done"]),
            SelectChoice("cancelled", VISIT_STATUS_LABELS["cancelled"]),
        ],
        validators=[InputRequired(_l("Choose done or cancelled."))],
    )
    note = StringField(_l("Note"), filters=[strip], validators=[max_length(500)])


class ReferralForm(VersionedForm):
    # The choices are the services in use; one no longer in use gets a message of its own.
    service = SelectField(
        _l("Service"),
        choices=[],
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(_l("Choose a service."))],
    )
    status = RadioField(
        _l("Status"),
        choices=choices(REFERRAL_STATUS_LABELS),
        default="suggested",
        validators=[InputRequired()],
    )
    note = TextAreaField(_l("Note"), filters=[strip], validators=[max_length(NOTE_MAX)])

    def validate_service(self, field: SelectField) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("That service is no longer in use. Choose another service."))


class ReferralStatusForm(VersionedForm):
    status = SelectField(_l("Status"), choices=choices(REFERRAL_STATUS_LABELS))


class ListedChoice:
    """A select whose value must be one of its choices, with a message of our own."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: SelectField) -> None:
        if (field.data or "") not in {str(choice.value) for choice in field.choices}:
            raise ValidationError(self.message)


class ReferenceField(StringField):
    """A reference code typed in any case, with or without the hyphen; ``code`` is the
    stored form, or None."""

    code: str | None = None

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        self.code = parse_reference(self.data or "")

    def pre_validate(self, form: FlaskForm) -> None:
        if self.data and self.code is None:
            raise ValidationError(_l("Enter the reference like ACDE-FHJK: 8 letters and digits."))


class DayField(StringField):
    """A day in Helsinki; ``day`` is the date, or None."""

    day: date | None = None

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        self.day = parse_day(self.data) if self.data else None
        if self.day:
            self.data = self.day.isoformat()  # what a date field shows

    def pre_validate(self, form: FlaskForm) -> None:
        if self.data and self.day is None:
            raise ValidationError(_l("Enter the date like 26.11.2026."))
        if self.day is not None:
            check_day_range(self.day)


class AuditLogForm(Form):
    """The audit log's filters, sent with GET: they live in the URL."""

    class Meta:
        csrf = False

    user = SelectField(
        _l("Staff member"),
        choices=[],
        validate_choice=False,
        validators=[ListedChoice(_l("Choose a staff member from the list."))],
    )
    reference = ReferenceField(
        _l("Request reference"), name="request", filters=[strip], validators=[max_length(20)]
    )
    action = SelectField(
        _l("Action"),
        choices=[],
        validate_choice=False,
        validators=[ListedChoice(_l("Choose an action from the list."))],
    )
    date_from = DayField(
        _l("From"), name="from", filters=[strip], validators=[max_length(DATE_TEXT_MAX)]
    )
    date_to = DayField(_l("To"), name="to", filters=[strip], validators=[max_length(DATE_TEXT_MAX)])

    def validate_date_to(self, field: DayField) -> None:
        if field.day and self.date_from.day and field.day < self.date_from.day:
            raise ValidationError(_l("The end of the period cannot be before its start."))


class ReferenceForm(Form):
    """The reference of the request whose handling a family asks about (GET)."""

    class Meta:
        csrf = False

    reference = ReferenceField(
        _l("Reference"),
        filters=[strip],
        # DataRequired: a reference of white space only is empty once stripped.
        validators=[DataRequired(_l("Enter the reference.")), max_length(20)],
    )
