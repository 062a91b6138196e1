"""Forms of the data-rights pages: the audit log filter and the family's reference."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    SelectField,
    StringField,
    ValidationError,
)
from wtforms.validators import DataRequired

from pyydaapua.rules.references import parse_reference
from pyydaapua.web.days import DATE_TEXT_MAX, DayField
from pyydaapua.web.forms import Form, max_length, strip


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


def _staff_member_field() -> SelectField:
    return SelectField(
        _l("Staff member"),
        choices=[],
        validate_choice=False,
        validators=[ListedChoice(_l("Choose a staff member from the list."))],
    )


def _day_field(label: str, name: str) -> DayField:
    return DayField(label, name=name, filters=[strip], validators=[max_length(DATE_TEXT_MAX)])


class _Period(Form):
    """Filters sent with GET (they live in the URL), with a period of whole days."""

    class Meta:
        csrf = False

    date_from: DayField
    date_to: DayField

    def validate_date_to(self, field: DayField) -> None:
        if field.day and self.date_from.day and field.day < self.date_from.day:
            raise ValidationError(_l("The end of the period cannot be before its start."))


class AuditLogForm(_Period):
    """The audit log's filters, in the order the page shows them."""

    user = _staff_member_field()
    reference = ReferenceField(
        _l("Request reference"), name="request", filters=[strip], validators=[max_length(20)]
    )
    action = SelectField(
        _l("Action"),
        choices=[],
        validate_choice=False,
        validators=[ListedChoice(_l("Choose an action from the list."))],
    )
    date_from = _day_field(_l("From"), "from")
    date_to = _day_field(_l("To"), "to")


class LogReviewForm(_Period):
    """The log review's staff member and period."""

    user = _staff_member_field()
    date_from = _day_field(_l("From"), "from")
    date_to = _day_field(_l("To"), "to")


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
