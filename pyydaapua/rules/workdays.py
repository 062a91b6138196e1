"""The Finnish working-day calendar: the one place that knows what a working day is.

A working day is Monday to Friday, except Finnish public holidays (the Holidays Act's days off
work, with Midsummer Eve and Christmas Eve, as the ``holidays`` package lists them). Days are
taken in Europe/Helsinki. No Flask here: every part of the app calls these functions.

The holidays are worked out here (``finnish_holidays``) rather than read from the ``holidays``
package: importing it loads its 302 modules of every country, some 17 MB and 0.2 s in each
web worker, for fifteen days a year. The tests compare the two for every year from 1991 to
2100 (tests/unit/test_rules_workdays.py).
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")
CALLBACK_WORKING_DAYS = 3


def easter_sunday(year: int) -> date:
    """Easter Sunday of the Gregorian calendar (the anonymous Gregorian algorithm, as in
    Meeus's *Astronomical Algorithms*)."""
    golden = year % 19
    century, of_century = divmod(year, 100)
    leap_centuries, century_rest = divmod(century, 4)
    correction = (century + 8) // 25
    moon = (century - correction + 1) // 3
    epact = (19 * golden + century - leap_centuries - moon + 15) % 30
    leap_years, year_rest = divmod(of_century, 4)
    weekday = (32 + 2 * century_rest + 2 * leap_years - epact - year_rest) % 7
    shift = (golden + 11 * epact + 22 * weekday) // 451
    month, day = divmod(epact + weekday - 7 * shift + 114, 31)
    return date(year, month, day + 1)


def _saturday_from(day: date) -> date:
    """The first Saturday on or after ``day``."""
    return day + timedelta(days=(5 - day.weekday()) % 7)


def finnish_holidays(year: int) -> frozenset[date]:
    """Finland's public holidays of ``year``, with Midsummer Eve and Christmas Eve, as they
    have been since 1991 (Epiphany and Ascension Day back on their own days)."""
    easter = easter_sunday(year)
    midsummer_day = _saturday_from(date(year, 6, 20))
    return frozenset(
        {
            date(year, 1, 1),  # New Year's Day
            date(year, 1, 6),  # Epiphany
            easter - timedelta(days=2),  # Good Friday
            easter,
            easter + timedelta(days=1),  # Easter Monday
            date(year, 5, 1),  # May Day
            easter + timedelta(days=39),  # Ascension Day
            easter + timedelta(days=49),  # Whit Sunday
            midsummer_day - timedelta(days=1),  # Midsummer Eve
            midsummer_day,
            _saturday_from(date(year, 10, 31)),  # All Saints' Day
            date(year, 12, 6),  # Independence Day
            date(year, 12, 24),  # Christmas Eve
            date(year, 12, 25),  # Christmas Day
            date(year, 12, 26),  # St Stephen's Day
        }
    )


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> frozenset[date]:
    return finnish_holidays(year)


@lru_cache(maxsize=64)
def _weekday_holidays_of(year: int) -> tuple[date, ...]:
    """The year's holidays that fall on Monday to Friday, in order."""
    return tuple(sorted(day for day in _holidays_of(year) if day.weekday() < 5))


def _weekdays_up_to(day: date) -> int:
    """Mondays to Fridays from 1 January of year 1 (a Monday) up to and including ``day``."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def _weekday_holidays_up_to(day: date) -> int:
    """Weekday holidays of ``day``'s year up to and including ``day``."""
    return bisect_right(_weekday_holidays_of(day.year), day)


def is_holiday(day: date) -> bool:
    """True on a Finnish public holiday."""
    return day in _holidays_of(day.year)


def is_working_day(day: date) -> bool:
    """True on Monday to Friday when it is not a Finnish public holiday."""
    return day.weekday() < 5 and not is_holiday(day)


def add_working_days(day: date, count: int) -> date:
    """The ``count``-th working day after ``day`` (``day`` itself never counts)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    current = day
    remaining = count
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``; negative if ``end`` is earlier.

    Constant time for a pair: weekdays by week arithmetic, minus the weekday holidays found by
    bisection in each year's sorted list (one list per year the span touches)."""
    if end < start:
        return -working_days_between(end, start)
    weekdays = _weekdays_up_to(end) - _weekdays_up_to(start)
    holidays_in_span = sum(len(_weekday_holidays_of(year)) for year in range(start.year, end.year))
    holidays_in_span += _weekday_holidays_up_to(end) - _weekday_holidays_up_to(start)
    return weekdays - holidays_in_span


def helsinki_date(moment: datetime) -> date:
    """The calendar date in Helsinki at ``moment`` (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(HELSINKI).date()


def month_number(day: date) -> int:
    """The day's year and month as one number, 202612 for December 2026."""
    return day.year * 100 + day.month


def callback_due_date(submitted_at: datetime) -> date:
    """The call-back due date: the third working day after the submission day in Helsinki."""
    return add_working_days(helsinki_date(submitted_at), CALLBACK_WORKING_DAYS)


def day_start(day: date) -> datetime:
    """The first moment of a Helsinki day, in UTC."""
    return datetime.combine(day, time(), HELSINKI).astimezone(UTC)
