"""Opening hours as written in a setting: read into weekdays and times, or refused."""

from __future__ import annotations

from datetime import time

import pytest

from pyydaapua.rules.opening_hours import OpeningHours, parse_opening_hours


def test_a_range_of_weekdays_with_times() -> None:
    assert parse_opening_hours("mon-fri 9:00-15:00") == (
        OpeningHours(first_day=0, last_day=4, opens=time(9), closes=time(15)),
    )


def test_several_parts_single_days_and_whole_hours() -> None:
    assert parse_opening_hours(" Mon - Thu 8:30-16:15 ; fri 8-14; sat 10-12 ") == (
        OpeningHours(0, 3, time(8, 30), time(16, 15)),
        OpeningHours(4, 4, time(8), time(14)),
        OpeningHours(5, 5, time(10), time(12)),
    )


def test_nothing_written_means_no_hours() -> None:
    assert parse_opening_hours("") == ()
    assert parse_opening_hours(" ; ") == ()


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("tis-fre 9-15", "unknown weekday"),  # weekdays in English, whatever the languages
        ("fri-mon 9-15", "backwards"),
        ("mon 15-9", "closes before"),
        ("mon 9:00-24:00", "not a time"),
        ("mon 9:75-12", "not a time"),
        ("mon-fri", "not like"),
        ("monday 9-15", "not like"),
    ],
)
def test_unreadable_hours_are_refused_naming_the_part(text: str, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        parse_opening_hours(text)
