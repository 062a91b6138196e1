"""Days and times as staff and families type them in forms: the fields, the accepted range.

How a day or a time is read and shown is one rule, ``pyydaapua.rules.typed_dates``; the fields
here apply it to a form: ``DayField`` (a day) and ``LocalDateTimeField`` (a day and time in
Helsinki). Both are text fields (``macros/form.html`` ``day_field``), never a browser's own
date input, whose format follows the browser's language.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    StringField,
    ValidationError,
)
from wtforms.validators import StopValidation

from pyydaapua.rules import times, typed_dates
from pyydaapua.rules.typed_dates import day_and_time_text, day_text, parse_day
from pyydaapua.rules.workdays import HELSINKI

__all__ = ["DayField", "LocalDateTimeField", "day_and_time_text", "day_text", "parse_day"]


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


DATE_TEXT_MAX = 30


class DayField(StringField):
    """A day in Helsinki, typed as 9.12.2026; ``day`` is the date, or None. Shows what was
    typed as it was typed (the machine form 2026-12-09 of a link as 9.12.2026)."""

    data: str | None
    day: date | None = None

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        self.day = parse_day(self.data) if self.data else None

    def _value(self) -> str:
        if isinstance(self.data, date):
            return day_text(self.data)
        return typed_dates.show_day(self.data) if self.data else ""

    def pre_validate(self, form: FlaskForm) -> None:
        if self.data and self.day is None:
            raise ValidationError(_l("Enter the date like 26.11.2026."))
        if self.day is not None:
            check_day_range(self.day)


def helsinki_now_text() -> str:
    """Now in Helsinki as a day-and-time field shows it: 7.12.2026 10.05."""
    return day_and_time_text(datetime.now(HELSINKI).replace(second=0, microsecond=0))


class LocalDateTimeField(StringField):
    """A day and time in Helsinki, typed as 9.12.2026 14.30 (``typed_dates``); ``data_utc`` is
    the aware UTC moment, None when the text is not a day and time or its day is outside the
    range the service accepts; ``local_day`` is its Helsinki day. Its own form's validator says
    what to type (the message names the field's subject); a day outside the range is refused
    here. Its data may be given as text in either form or as a datetime (aware: shown in
    Helsinki time)."""

    data: Any
    data_utc: datetime | None = None
    local_day: date | None = None

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        self.data_utc = self.local_day = None
        local = typed_dates.parse_day_and_time(self.data) if self.data else None
        if local is None:
            return  # the form's validator explains the expected format
        self.local_day = local.date()
        if times.day_in_range(local.date(), helsinki_today()):
            self.data_utc = local.replace(tzinfo=HELSINKI).astimezone(UTC)

    def _value(self) -> str:
        return self.text_of(self.data)

    @staticmethod
    def text_of(data: Any) -> str:
        """The field's text for ``data`` (what ``_value`` shows)."""
        if isinstance(data, datetime):
            moment = data.astimezone(HELSINKI) if data.tzinfo else data
            return day_and_time_text(moment)
        return typed_dates.show_day_and_time(data) if data else ""

    def pre_validate(self, form: FlaskForm) -> None:
        if self.local_day is not None:
            check_day_range(self.local_day)
