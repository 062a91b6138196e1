"""The report period form."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import (
    StringField,
    ValidationError,
)
from wtforms.validators import DataRequired

from pyydaapua.rules import times
from pyydaapua.web.days import DATE_TEXT_MAX, check_day_range, parse_day
from pyydaapua.web.forms import Form, max_length, strip


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
        if times.period_too_long(start, end):
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
