"""Days as staff type them in forms: parsing, showing, the accepted range, and a field."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    StringField,
    ValidationError,
)
from wtforms.validators import StopValidation

from pyydaapua.rules import times
from pyydaapua.rules.workdays import HELSINKI


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
        first=day_text(times.first_day()),
        last=day_text(times.last_day(today)),
    )


def check_day_range(day: date) -> None:
    """Refuse a day outside the range the service accepts (StopValidation: one message)."""
    if not times.day_in_range(day, helsinki_today()):
        raise StopValidation(day_range_message())


DATE_TEXT_MAX = 20


class DayField(StringField):
    """A day in Helsinki; ``day`` is the date, or None."""

    data: str | None
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
