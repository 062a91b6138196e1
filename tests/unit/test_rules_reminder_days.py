"""Which reminder a request that nobody has reached gets on a day."""

from datetime import date, timedelta

import pytest

from pyydaapua.rules.reminder_days import dedupe_key, reminder_for, summary_key

TUESDAY = date(2026, 12, 1)
SATURDAY = date(2026, 12, 5)
CHRISTMAS_EVE = date(2026, 12, 24)  # a Thursday, a public holiday


@pytest.mark.parametrize(
    ("due", "today", "expected"),
    [
        (TUESDAY, TUESDAY, "due"),
        (TUESDAY, TUESDAY - timedelta(days=1), None),  # not due yet
        (TUESDAY, TUESDAY + timedelta(days=1), "overdue"),
        (TUESDAY, TUESDAY + timedelta(days=30), "overdue"),
        (TUESDAY, SATURDAY, None),  # not a working day
        (TUESDAY, CHRISTMAS_EVE, None),  # a holiday
        (date(2026, 12, 23), date(2026, 12, 28), "overdue"),  # Monday after Christmas
        (date(2026, 12, 4), date(2026, 12, 8), "overdue"),  # the first working day after
        (SATURDAY, SATURDAY, None),
    ],
)
def test_reminder_for(due: date, today: date, expected: str | None) -> None:
    assert reminder_for(due, today) == expected


def test_keys() -> None:
    assert dedupe_key("due", 12) == "due:12"
    assert dedupe_key("overdue", 12) == "overdue:12"
    assert summary_key(TUESDAY) == "summary:2026-12-01"
