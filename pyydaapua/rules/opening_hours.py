"""Opening hours written in a setting ("mon-fri 9:00-15:00; sat 10-12"), read into days and times.

Weekdays are numbered as Python's ``date.weekday()`` (0 = Monday); their names are given by
Babel where they are shown, never by this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PART = re.compile(
    r"^(?P<first>[a-z]{3})(?:\s*-\s*(?P<last>[a-z]{3}))?\s+"
    r"(?P<opens>\d{1,2}(?::\d{2})?)\s*-\s*(?P<closes>\d{1,2}(?::\d{2})?)$"
)


@dataclass(frozen=True)
class OpeningHours:
    """Open from ``opens`` to ``closes`` on the weekdays ``first_day`` to ``last_day``."""

    first_day: int
    last_day: int
    opens: time
    closes: time


def _weekday(code: str) -> int:
    if code not in WEEKDAY_CODES:
        raise ValueError(f"unknown weekday {code!r}; use {', '.join(WEEKDAY_CODES)}")
    return WEEKDAY_CODES.index(code)


def _time(text: str) -> time:
    hours, _, minutes = text.partition(":")
    try:
        return time(int(hours), int(minutes or 0))
    except ValueError:
        raise ValueError(f"{text!r} is not a time of day") from None


def parse_opening_hours(text: str) -> tuple[OpeningHours, ...]:
    """Read "mon-fri 9:00-15:00; sat 10-12" (parts separated by ";"); ValueError if unreadable.

    An empty text means no opening hours are shown.
    """
    parts = [part.strip().lower() for part in text.split(";") if part.strip()]
    result = []
    for part in parts:
        match = _PART.match(part)
        if match is None:
            raise ValueError(f"{part!r} is not like 'mon-fri 9:00-15:00'")
        first = _weekday(match["first"])
        last = _weekday(match["last"] or match["first"])
        opens, closes = _time(match["opens"]), _time(match["closes"])
        if last < first:
            raise ValueError(f"{part!r}: the days run backwards")
        if closes <= opens:
            raise ValueError(f"{part!r}: closes before it opens")
        result.append(OpeningHours(first, last, opens, closes))
    return tuple(result)
