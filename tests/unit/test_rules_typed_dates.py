"""Days and times as people in Finland type them: what is accepted, what is refused, and that
what is shown reads back to the same value."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyydaapua.rules.typed_dates import (
    day_and_time_text,
    day_text,
    is_machine_form,
    parse_day,
    parse_day_and_time,
    parse_time,
    show_day,
    show_day_and_time,
    time_text,
)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("9.12.2026", date(2026, 12, 9)),
        ("09.12.2026", date(2026, 12, 9)),
        ("1.1.2026", date(2026, 1, 1)),
        ("01.01.2026", date(2026, 1, 1)),
        ("1.12.2026", date(2026, 12, 1)),
        ("9.12.2026.", date(2026, 12, 9)),
        ("  9.12.2026 ", date(2026, 12, 9)),
        ("29.2.2028", date(2028, 2, 29)),
        ("2026-12-09", date(2026, 12, 9)),  # the machine form
    ],
)
def test_days_accepted(text: str, day: date) -> None:
    assert parse_day(text) == day


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "12/9/2026",
        "9/12/2026",
        "9-12-2026",
        "9,12,2026",
        "9. 12. 2026",
        "9.12.26",
        "9.12.",
        "9.12",
        "9122026",
        "30.2.2026",
        "29.2.2026",
        "0.1.2026",
        "1.13.2026",
        "1.1.20266",
        "123.1.2026",
        "9.12.2026 14.30",
        "2026-12-9",
        "2026-12-09T14:30",
        "١.١.٢٠٢٦",  # other scripts' digits
        "9.12.2026x",
        "huomenna",
    ],
)
def test_days_refused(text: str) -> None:
    assert parse_day(text) is None


@pytest.mark.parametrize(
    ("text", "clock"),
    [
        ("14.30", time(14, 30)),
        ("14:30", time(14, 30)),
        ("9.30", time(9, 30)),
        ("09.30", time(9, 30)),
        ("0.00", time(0, 0)),
        ("23.59", time(23, 59)),
        (" 8.05 ", time(8, 5)),
    ],
)
def test_times_accepted(text: str, clock: time) -> None:
    assert parse_time(text) == clock


@pytest.mark.parametrize(
    "text",
    [
        "",
        "9.5",
        "930",
        "1430",
        "14",
        "14.",
        "24.00",
        "12.60",
        "14.30.00",
        "14,30",
        "klo 14",
        "2 pm",
    ],
)
def test_times_refused(text: str) -> None:
    assert parse_time(text) is None


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("9.12.2026 14.30", datetime(2026, 12, 9, 14, 30)),
        ("9.12.2026 14:30", datetime(2026, 12, 9, 14, 30)),
        ("09.12.2026 09.05", datetime(2026, 12, 9, 9, 5)),
        ("9.12.2026   9.05", datetime(2026, 12, 9, 9, 5)),
        ("9.12.2026 klo 14.30", datetime(2026, 12, 9, 14, 30)),
        ("9.12.2026 KLO 14.30", datetime(2026, 12, 9, 14, 30)),
        ("9.12.2026 kl. 14.30", datetime(2026, 12, 9, 14, 30)),
        ("9.12.2026 kl 14.30", datetime(2026, 12, 9, 14, 30)),
        ("9.12.2026. 14.30", datetime(2026, 12, 9, 14, 30)),
        ("2026-12-09T14:30", datetime(2026, 12, 9, 14, 30)),  # the machine form
    ],
)
def test_days_and_times_accepted(text: str, moment: datetime) -> None:
    assert parse_day_and_time(text) == moment


@pytest.mark.parametrize(
    "text",
    [
        "",
        "9.12.2026",
        "14.30",
        "12/9/2026 14:30",
        "12/9/2026 2:30 PM",
        "9.12.2026 2:30 PM",
        "9.12.202614.30",
        "9.12.2026 9.5",
        "9.12.2026 930",
        "9.12.2026 24.00",
        "30.2.2026 10.00",
        "9.12.26 14.30",
        "9.12.2026 klo14.30",
        "9.12.2026 at 14.30",
        "2026-12-09 14:30",
        "2026-12-09T14:30:00",
        "2026-12-09T25:00",
        "2026-02-30T10:00",
    ],
)
def test_days_and_times_refused(text: str) -> None:
    assert parse_day_and_time(text) is None


def test_shown_without_leading_zeros() -> None:
    assert day_text(date(2026, 1, 9)) == "9.1.2026"
    assert time_text(time(9, 5)) == "9.05"
    assert day_and_time_text(datetime(2026, 12, 7, 10, 0)) == "7.12.2026 10.00"


def test_the_machine_form_is_shown_as_a_person_types_it_and_typed_text_as_typed() -> None:
    assert is_machine_form("2026-12-09") and is_machine_form("2026-12-09T14:30")
    assert not is_machine_form("9.12.2026") and not is_machine_form("9.12.2026 14.30")
    assert show_day("2026-12-09") == "9.12.2026"
    assert show_day_and_time("2026-12-09T14:30") == "9.12.2026 14.30"
    assert show_day("09.12.2026") == "09.12.2026"
    assert show_day_and_time("9.12.2026 klo 14:30") == "9.12.2026 klo 14:30"
    assert show_day("12/9/2026") == "12/9/2026"
    assert show_day("2026-02-30") == "2026-02-30"  # not a day: kept, to be corrected


@given(st.dates(date(1000, 1, 1), date(9999, 12, 31)))
def test_a_shown_day_reads_back(day: date) -> None:
    assert parse_day(day_text(day)) == day
    assert parse_day(day.isoformat()) == day


@given(st.times().map(lambda clock: clock.replace(second=0, microsecond=0)))
def test_a_shown_time_reads_back(clock: time) -> None:
    assert parse_time(time_text(clock)) == clock


@given(
    st.datetimes(datetime(1000, 1, 1), datetime(9999, 12, 31)).map(
        lambda moment: moment.replace(second=0, microsecond=0)
    )
)
def test_a_shown_day_and_time_reads_back(moment: datetime) -> None:
    assert parse_day_and_time(day_and_time_text(moment)) == moment
    assert parse_day_and_time(moment.strftime("%Y-%m-%dT%H:%M")) == moment
    assert show_day_and_time(moment.strftime("%Y-%m-%dT%H:%M")) == day_and_time_text(moment)
