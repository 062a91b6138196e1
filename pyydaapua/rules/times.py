"""Which days and times the service accepts. Plain Python, no Flask.

Every day typed into a form lies between the first day of the service's start year and the
last day of next year (Helsinki days): nothing happened before, nothing is booked further
ahead, and the arithmetic on times never overflows. A report period is at most three years
long. The rules of calls and visits that use these are in ``status_flow.py``.
"""

from __future__ import annotations

from datetime import date, timedelta

SERVICE_START_YEAR = 2020
# How far ahead of the server's clock a time may be (a counsellor's clock may run fast).
CLOCK_TOLERANCE = timedelta(minutes=5)
MAX_PERIOD_YEARS = 3


def first_day() -> date:
    """The first day the service accepts."""
    return date(SERVICE_START_YEAR, 1, 1)


def last_day(today: date) -> date:
    """The last day the service accepts: the end of next year."""
    return date(today.year + 1, 12, 31)


def day_in_range(day: date, today: date) -> bool:
    return first_day() <= day <= last_day(today)


def years_later(day: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def period_too_long(start: date, end: date) -> bool:
    """True when the days from ``start`` to ``end`` (both included) exceed the longest report
    period: 1.1.2024–31.12.2026 is allowed, 1.1.2024–1.1.2027 is not."""
    return end >= years_later(start, MAX_PERIOD_YEARS)
