"""Staff forms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, time
from typing import Any, cast

from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional
from wtforms.widgets import HiddenInput

from pyydaapua.casework.changes import CallData, ConsentData, OpenWork, PlannedCall
from pyydaapua.rules import disclosures
from pyydaapua.rules.workdays import HELSINKI, add_working_days
from pyydaapua.web.days import (
    DATE_TEXT_MAX,
    LocalDateTimeField,
    day_and_time_text,
    helsinki_now_text,
)
from pyydaapua.web.forms import (
    CHOICE_MESSAGE,
    Form,
    MultipleChoiceField,
    _l,
    max_length,
    page_choices,
    page_text,
    strip,
)
from pyydaapua.web.labels import (
    CALL_RESULT_LABELS,
    CHECK_IN_LABELS,
    CONSENT_LABELS,
    DISCLOSURE_CATEGORY_LABELS,
    OUTCOME_LABELS,
    REFERRAL_STATUS_LABELS,
    SCALE_LABELS,
    STATUS_LABELS,
    VISIT_STATUS_LABELS,
)
from pyydaapua.web.params import ID_MAX

NOTE_MAX = 4000
# The unit or worker at the service a disclosure names: with the service's name (200) it fits
# the log's recipient (300).
UNIT_MAX = 90


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

    # An id (bounded by the number rule of ``Form``); the empty first choice is None, nobody.
    assignee = SelectField(_l("Owner"), choices=[], coerce=int, validate_choice=True)

    def validate_assignee(self, field: SelectField) -> None:
        # Not sent at all is not "nobody" (the empty choice): only a hand-made request. (Taking
        # the request sets the signed-in user without sending the field.)
        if not field.raw_data and field.data is None:
            raise ValidationError(str(CHOICE_MESSAGE))


class CallForm(VersionedForm):
    called_at = LocalDateTimeField(
        _l("Time of the call"),
        default=helsinki_now_text,
        validators=[
            InputRequired(_l("Enter the date and time of the call.")),
            max_length(DATE_TEXT_MAX),
        ],
    )
    result = RadioField(
        _l("Result"),
        choices=page_choices(CALL_RESULT_LABELS),
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
        page_text(CHECK_IN_LABELS["coping"]),
        choices=page_choices(SCALE_LABELS),
        validators=[Optional()],
    )
    coping_note = StringField(_l("Note on coping"), filters=[strip], validators=[max_length(500)])
    finances = RadioField(
        page_text(CHECK_IN_LABELS["finances"]),
        choices=page_choices(SCALE_LABELS),
        validators=[Optional()],
    )
    finances_note = StringField(
        _l("Note on finances"), filters=[strip], validators=[max_length(500)]
    )
    daily_life = RadioField(
        page_text(CHECK_IN_LABELS["daily_life"]),
        choices=page_choices(SCALE_LABELS),
        validators=[Optional()],
    )
    daily_life_note = StringField(
        _l("Note on daily life"), filters=[strip], validators=[max_length(500)]
    )
    # The next call: after a call that did not reach the family, the next try at the time
    # proposed (filled in from their good time to call, casework/actions.py); or planned
    # whatever the result; or none (a plan made earlier is cleared). Not sent: the call
    # leaves what it leaves of a plan (rules/planned_calls.py plan_after_call).
    next_call = RadioField(
        _l("Next call"),
        choices=[
            SelectChoice("retry", _l("If the family was not reached: try again at the time below")),
            SelectChoice("plan", _l("Plan the next call at the time below")),
            SelectChoice("none", _l("No planned call")),
        ],
        # Chosen for a fresh form (casework/actions.py); a post without it plans nothing.
        validators=[Optional()],
    )
    planned_at = LocalDateTimeField(
        _l("Day and time of the next call"), validators=[max_length(DATE_TEXT_MAX)]
    )
    planned_agreed = RadioField(
        _l("The time is"),
        choices=[
            SelectChoice("proposed", _l("Proposed by us")),
            SelectChoice("agreed", _l("Agreed with the family")),
        ],
        default="proposed",
        validators=[Optional()],
    )

    def plans_a_call(self) -> bool:
        """Whether this call plans the next one (the result, then what was chosen)."""
        if self.next_call.data == "plan":
            return True
        return self.next_call.data == "retry" and self.result.data not in (None, "reached")

    def clears_the_plan(self) -> bool:
        """Whether "no planned call" was chosen: a plan made earlier ends."""
        return self.next_call.data == "none"

    def validate_planned_at(self, field: LocalDateTimeField) -> None:
        if not self.plans_a_call():
            return
        if not field.data:
            raise ValidationError(_l("Enter the day and time of the next call."))
        if field.data_utc is None:
            raise ValidationError(_l("Enter the date and time like 26.11.2026 14:30."))

    def planned_call(self) -> PlannedCall | None:
        """The next call planned, or None (the form was validated)."""
        if not self.plans_a_call():
            return None
        at = cast(datetime, self.planned_at.data_utc)
        return PlannedCall(at=at, agreed=self.planned_agreed.data == "agreed")

    def validate_called_at(self, field: LocalDateTimeField) -> None:
        if field.data_utc is None:
            raise ValidationError(_l("Enter the date and time like 26.11.2026 14:30."))
        # A time in the future is refused by the rule of the call's time
        # (rules/status_flow.py check_call_time), with the request's submission time.

    def to_data(self) -> CallData:
        return CallData(
            called_at=cast(datetime, self.called_at.data_utc),  # the form was validated
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


class AllFineForm(VersionedForm):
    """The quick call: reached, all fine; closing too when ticked."""

    close = BooleanField(_l("Also close the request: the conversation was enough"))


class PlanCallForm(VersionedForm):
    """Plan the next call without recording one, or clear the plan (``clear``)."""

    planned_at = LocalDateTimeField(
        _l("Day and time of the call"), validators=[max_length(DATE_TEXT_MAX)]
    )
    agreed = RadioField(
        _l("The time is"),
        choices=[
            SelectChoice("proposed", _l("Proposed by us")),
            SelectChoice("agreed", _l("Agreed with the family")),
        ],
        default="proposed",
        validators=[Optional()],
    )
    # The second button, "Clear the planned call".
    clear = BooleanField()

    def validate_planned_at(self, field: LocalDateTimeField) -> None:
        if self.clear.data:
            return
        if not field.data:
            raise ValidationError(_l("Enter the day and time of the call."))
        if field.data_utc is None:
            raise ValidationError(_l("Enter the date and time like 26.11.2026 14:30."))

    def planned_call(self) -> PlannedCall | None:
        """The call planned, or None to clear the plan (the form was validated)."""
        if self.clear.data:
            return None
        at = cast(datetime, self.planned_at.data_utc)
        return PlannedCall(at=at, agreed=self.agreed.data == "agreed")


class NoteForm(VersionedForm):
    note = TextAreaField(
        _l("Internal note"),
        filters=[strip],
        validators=[
            DataRequired(_l("Write the note.")),
            max_length(NOTE_MAX),
        ],
    )


class MessageForm(VersionedForm):
    message = TextAreaField(
        _l("Message to the family"),
        filters=[strip],
        validators=[DataRequired(_l("Write the message.")), max_length(NOTE_MAX)],
    )


class ReopenForm(VersionedForm):
    reason = TextAreaField(
        _l("Why is the request reopened?"),
        filters=[strip],
        validators=[DataRequired(_l("Write why the request is reopened.")), max_length(NOTE_MAX)],
    )


class StatusForm(VersionedForm):
    status = RadioField(
        _l("New status"),
        choices=page_choices(STATUS_LABELS),
        validators=[InputRequired(_l("Choose the new status."))],
    )
    outcome = SelectField(
        _l("Outcome (when closing)"),
        choices=[SelectChoice("", _l("Choose the outcome")), *page_choices(OUTCOME_LABELS)],
        validators=[Optional()],
    )
    note = TextAreaField(_l("Note"), filters=[strip], validators=[max_length(NOTE_MAX)])
    # Closing with open work: shown the first time (``open_work``), confirmed the second, with
    # the booked visits to cancel and the referrals to end in the same change (checked when
    # shown).
    open_work_seen = BooleanField()
    cancel_visits = MultipleChoiceField(choices=[], coerce=int, validate_choice=False)
    end_referrals = MultipleChoiceField(choices=[], coerce=int, validate_choice=False)
    open_work: OpenWork | None = None

    def validate_outcome(self, field: SelectField) -> None:
        if self.status.data == "closed" and not field.data:
            raise ValidationError(_l("Choose the outcome to close the request."))


def _next_working_day_at_ten() -> str:
    today = datetime.now(HELSINKI).date()
    return day_and_time_text(datetime.combine(add_working_days(today, 1), time(10, 0)))


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
    staff = MultipleChoiceField(
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
            SelectChoice("done", page_text(VISIT_STATUS_LABELS["done"])),
            SelectChoice("cancelled", page_text(VISIT_STATUS_LABELS["cancelled"])),
        ],
        validators=[InputRequired(_l("Choose done or cancelled."))],
    )
    note = StringField(_l("Note"), filters=[strip], validators=[max_length(500)])


class ReferralForm(VersionedForm):
    # The choices are an empty first one and the services in use; nothing is chosen before the
    # counsellor chooses. One no longer in use gets a message of its own.
    service = SelectField(
        _l("Service"),
        choices=[],
        coerce=int,  # an id: bounded by the number rule of ``Form``; empty is None
        validate_choice=False,
        validators=[InputRequired(_l("Choose the service you refer the family to."))],
    )
    status = RadioField(
        _l("Status"),
        choices=page_choices(REFERRAL_STATUS_LABELS),
        validators=[InputRequired(_l("Choose the status of the referral."))],
    )
    note = TextAreaField(_l("Note"), filters=[strip], validators=[max_length(NOTE_MAX)])
    # The family's consent to passing their information on; with consent given, what is passed
    # on, to whom (the service, and the unit or worker when named) and when (rules/
    # disclosures.py: the form and the change both ask it).
    consent = RadioField(
        _l("The family's consent"),
        choices=page_choices(CONSENT_LABELS),
        validators=[
            InputRequired(
                _l("Choose whether the family consented to passing on their information.")
            )
        ],
    )
    categories = MultipleChoiceField(
        _l("What is passed on"), choices=page_choices(DISCLOSURE_CATEGORY_LABELS)
    )
    recipient_unit = StringField(
        _l("Unit or worker at the service"),
        filters=[strip],
        validators=[max_length(UNIT_MAX)],
    )
    disclosed_at = LocalDateTimeField(
        _l("When the information was passed on"),
        default=helsinki_now_text,
        validators=[max_length(DATE_TEXT_MAX)],
    )

    def validate_service(self, field: SelectField) -> None:
        if field.data not in {choice.value for choice in field.choices if choice.value != ""}:
            raise ValidationError(_l("That service is no longer in use. Choose another service."))

    def validate_disclosed_at(self, field: LocalDateTimeField) -> None:
        # Only a disclosure has a time; the time itself is checked against the request's
        # arrival and now by the change (rules/disclosures.py check_time).
        if self.consent.data != disclosures.PASSED_ON:
            return
        if not field.data:
            raise ValidationError(_l("Enter when the information was passed on."))
        if field.data_utc is None:
            raise ValidationError(_l("Enter the date and time like 26.11.2026 14:30."))

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        if self.consent.errors or self.categories.errors:
            return False
        # The service is the recipient; the rule needs only to know there is one.
        recipient = "service" if self.service.data is not None else ""
        for problem in disclosures.problems(
            self.consent.data, self.categories.data or (), recipient
        ):
            if problem.field == "categories":
                self.categories.errors = [
                    *self.categories.errors,
                    str(CONSENT_REFUSALS[problem.code]),
                ]
                valid = False
        return valid

    def consent_data(self) -> ConsentData:
        given = self.consent.data == disclosures.PASSED_ON
        return ConsentData(
            consent=self.consent.data,
            categories=tuple(self.categories.data or ()),
            unit=self.recipient_unit.data if given else "",
            disclosed_at=self.disclosed_at.data_utc if given else None,
        )


# What the counsellor reads when the consent and what is passed on do not go together
# (rules/disclosures.py's codes); the casework actions' refusals include them.
CONSENT_REFUSALS = {
    "consent_required": _l("Choose whether the family consented to passing on their information."),
    "category_unknown": _l("Choose what is passed on from the list."),
    "disclosure_without_categories": _l(
        "Choose what is passed on to the service: at least one item."
    ),
    "disclosure_without_recipient": _l("Choose the service the information is passed to."),
    "nothing_passed_on": _l(
        "Nothing is passed on when the family contacts the service themselves or did not want "
        "their information passed on. Untick what is passed on, or choose consent given."
    ),
    "disclosure_before_request": _l(
        "Information cannot be passed on before the request was sent. Check the date and time."
    ),
    "disclosure_in_future": _l(
        "The time the information was passed on cannot be in the future. Record it once it "
        "has been passed on."
    ),
}


class ReferralStatusForm(VersionedForm):
    status = SelectField(_l("Status"), choices=page_choices(REFERRAL_STATUS_LABELS))
