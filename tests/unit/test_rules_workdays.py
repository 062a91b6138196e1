"""The Finnish working-day calendar and the call-back due date."""

import ast
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyydaapua.rules.workdays import (
    HELSINKI,
    add_working_days,
    callback_due_date,
    day_start,
    easter_sunday,
    finnish_holidays,
    helsinki_date,
    is_working_day,
    month_number,
    working_days_between,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 23), True),  # Monday
        (date(2026, 11, 27), True),  # Friday
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 11, 29), False),  # Sunday
        (date(2026, 1, 1), False),  # New Year's Day
        (date(2026, 1, 6), False),  # Epiphany
        (date(2026, 4, 3), False),  # Good Friday
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2026, 5, 1), False),  # May Day
        (date(2026, 5, 14), False),  # Ascension Day
        (date(2026, 6, 19), False),  # Midsummer Eve
        (date(2025, 12, 24), False),  # Christmas Eve (Wednesday)
        (date(2025, 12, 25), False),  # Christmas Day
        (date(2025, 12, 26), False),  # Boxing Day
        (date(2025, 12, 6), False),  # Independence Day (Saturday anyway)
        (date(2027, 12, 6), False),  # Independence Day on a Monday
        (date(2027, 11, 6), False),  # All Saints' Day on a Saturday
        (date(2026, 6, 18), True),  # the day before Midsummer Eve
    ],
)
def test_is_working_day(day: date, expected: bool) -> None:
    assert is_working_day(day) is expected


@pytest.mark.parametrize(
    ("submitted", "due"),
    [
        # An ordinary week: Monday -> Thursday, Wednesday -> Monday.
        (utc(2026, 11, 23, 10), date(2026, 11, 26)),
        (utc(2026, 11, 25, 10), date(2026, 11, 30)),
        # Friday and the weekend: Monday, Tuesday, Wednesday.
        (utc(2026, 11, 27, 10), date(2026, 12, 2)),
        (utc(2026, 11, 28, 10), date(2026, 12, 2)),
        (utc(2026, 11, 29, 10), date(2026, 12, 2)),
        # Easter 2026: Good Friday 3.4. and Easter Monday 6.4. are not working days.
        (utc(2026, 4, 2, 10), date(2026, 4, 9)),
        # May Day 2026 is a Friday: Thursday 30.4. -> Mon 4, Tue 5, Wed 6.
        (utc(2026, 4, 30, 10), date(2026, 5, 6)),
        # Ascension Day Thursday 14.5.2026: Tuesday 12.5. -> Wed 13, Fri 15, Mon 18.
        (utc(2026, 5, 12, 10), date(2026, 5, 18)),
        # Midsummer Eve Friday 19.6.2026: Wednesday 17.6. -> Thu 18, Mon 22, Tue 23.
        (utc(2026, 6, 17, 10), date(2026, 6, 23)),
        # All Saints' Day Saturday 31.10.2026 is a weekend day anyway: Fri -> Wed.
        (utc(2026, 10, 30, 10), date(2026, 11, 4)),
        # Independence Day Monday 6.12.2027: Friday 3.12. -> Tue 7, Wed 8, Thu 9.
        (utc(2027, 12, 3, 10), date(2027, 12, 9)),
        # Christmas 2025: Christmas Eve to Boxing Day (Wed-Fri), then the weekend.
        (utc(2025, 12, 22, 10), date(2025, 12, 30)),  # Tue 23, Mon 29, Tue 30
        (utc(2025, 12, 23, 10), date(2025, 12, 31)),
        # New Year and Epiphany 2026: Wed 31.12. -> Fri 2, Mon 5, Wed 7.
        (utc(2025, 12, 31, 10), date(2026, 1, 7)),
    ],
)
def test_callback_due_date(submitted: datetime, due: date) -> None:
    assert callback_due_date(submitted) == due


def test_midnight_in_helsinki_decides_the_submission_day() -> None:
    # 21:30 UTC on Thursday 26.11. is already Friday 23:30 in Helsinki (UTC+2).
    before_midnight = utc(2026, 11, 26, 21, 59)  # Thursday 23:59 in Helsinki
    after_midnight = utc(2026, 11, 26, 22, 1)  # Friday 00:01 in Helsinki, UTC still Thursday
    assert helsinki_date(before_midnight) == date(2026, 11, 26)
    assert helsinki_date(after_midnight) == date(2026, 11, 27)
    assert callback_due_date(before_midnight) == date(2026, 12, 1)  # Fri, Mon, Tue
    assert callback_due_date(after_midnight) == date(2026, 12, 2)  # Mon, Tue, Wed


def test_midnight_in_summer_time() -> None:
    # Helsinki is UTC+3 in summer: 21:30 UTC on Friday is Saturday 00:30.
    assert callback_due_date(utc(2026, 8, 14, 20, 59)) == date(2026, 8, 19)  # Fri: Mon Tue Wed
    assert callback_due_date(utc(2026, 8, 14, 21, 1)) == date(2026, 8, 19)  # Sat: Mon Tue Wed
    assert callback_due_date(utc(2026, 8, 13, 21, 1)) == date(2026, 8, 19)  # Fri 00:01


def test_naive_datetimes_are_taken_as_utc() -> None:
    assert helsinki_date(datetime(2026, 11, 26, 22, 30)) == date(2026, 11, 27)


def test_add_working_days_needs_a_positive_count() -> None:
    with pytest.raises(ValueError, match=r"^count must be at least 1$"):
        add_working_days(date(2026, 11, 23), 0)
    assert add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 24)


def test_naive_datetimes_are_utc_whatever_the_servers_zone(monkeypatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert helsinki_date(datetime(2026, 11, 26, 22, 30)) == date(2026, 11, 27)
        # 20.00 UTC is 22.00 in Helsinki; 20.00 in New York would be 3.00 the next day.
        assert helsinki_date(datetime(2026, 11, 26, 20, 0)) == date(2026, 11, 26)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_aware_datetimes_keep_their_zone() -> None:
    # 23.30 in Helsinki is still the same day there; taken as UTC it would be the next.
    assert helsinki_date(datetime(2026, 11, 26, 23, 30, tzinfo=HELSINKI)) == date(2026, 11, 26)


def test_month_number() -> None:
    assert month_number(date(2026, 12, 31)) == 202612
    assert month_number(date(2027, 1, 1)) == 202701


def test_working_days_between() -> None:
    monday, friday, next_monday = date(2026, 11, 23), date(2026, 11, 27), date(2026, 11, 30)
    assert working_days_between(monday, friday) == 4
    assert working_days_between(friday, next_monday) == 1
    assert working_days_between(next_monday, friday) == -1
    assert working_days_between(monday, monday) == 0
    # Over Christmas 2025: Tue 23.12. to Mon 29.12. has only Monday.
    assert working_days_between(date(2025, 12, 23), date(2025, 12, 29)) == 1


def _counted_one_by_one(start: date, end: date) -> int:
    """The definition, day by day: what the constant-time count must equal."""
    if end < start:
        return -_counted_one_by_one(end, start)
    return sum(
        1
        for offset in range(1, (end - start).days + 1)
        if is_working_day(start + timedelta(offset))
    )


def test_working_days_between_across_years() -> None:
    # Wed 31.12.2025 to Fri 2.1.2026: New Year's Day is a holiday, so only Friday counts.
    assert working_days_between(date(2025, 12, 31), date(2026, 1, 2)) == 1
    # The whole of 2025: 261 weekdays, 10 of them holidays (6.12. was a Saturday).
    assert working_days_between(date(2024, 12, 31), date(2025, 12, 31)) == 251
    assert working_days_between(date(2023, 6, 1), date(2026, 6, 1)) == _counted_one_by_one(
        date(2023, 6, 1), date(2026, 6, 1)
    )


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    st.integers(min_value=-800, max_value=800),
)
def test_working_days_between_equals_counting_day_by_day(start: date, days: int) -> None:
    end = start + timedelta(days)
    assert working_days_between(start, end) == _counted_one_by_one(start, end)


def test_module_imports_neither_flask_nor_the_holidays_package() -> None:
    """No Flask in the rules; the ``holidays`` package only in the tests (17 MB a worker)."""
    import pyydaapua.rules.workdays as module

    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }
    assert "flask" not in imported
    assert "holidays" not in imported


def test_a_helsinki_day_starts_at_its_local_midnight_in_utc() -> None:
    assert day_start(date(2026, 1, 15)) == datetime(2026, 1, 14, 22, tzinfo=UTC)
    assert day_start(date(2026, 7, 1)) == datetime(2026, 6, 30, 21, tzinfo=UTC)


@pytest.mark.parametrize("year", range(1991, 2101))
def test_the_holidays_are_those_the_holidays_package_lists(year: int) -> None:
    """Worked out here rather than imported from the package (17 MB in each worker): the same
    days, every year from 1991, when Epiphany and Ascension Day came back to their own days."""
    holidays = pytest.importorskip("holidays")
    assert finnish_holidays(year) == frozenset(holidays.country_holidays("FI", years=year))


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2038, date(2038, 4, 25)),
        (2285, date(2285, 3, 22)),
    ],
)
def test_easter_sunday(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter
