"""The days the service accepts, the longest report period, and the times of calls and visits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from pyydaapua.rules import status_flow, times

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("day", "accepted"),
    [
        (date(1, 1, 1), False),
        (date(2019, 12, 31), False),
        (date(2020, 1, 1), True),
        (TODAY, True),
        (date(2027, 12, 31), True),
        (date(2028, 1, 1), False),
        (date(9999, 12, 31), False),
    ],
)
def test_days_from_the_service_start_year_to_the_end_of_next_year(
    day: date, accepted: bool
) -> None:
    assert times.day_in_range(day, TODAY) is accepted


@pytest.mark.parametrize(
    ("start", "end", "too_long"),
    [
        (date(2024, 1, 1), date(2026, 12, 31), False),
        (date(2024, 1, 1), date(2027, 1, 1), True),
        (date(2024, 2, 29), date(2027, 2, 27), False),
        (date(2024, 2, 29), date(2027, 2, 28), True),
        (date(2026, 1, 1), date(2026, 1, 1), False),
    ],
)
def test_a_period_is_at_most_three_years(start: date, end: date, too_long: bool) -> None:
    assert times.period_too_long(start, end) is too_long


SENT = datetime(2026, 11, 30, 9, 41, 37, tzinfo=UTC)
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("called_at", "code"),
    [
        (datetime(2026, 11, 30, 9, 41, tzinfo=UTC), None),  # typed to the minute
        (NOW, None),
        (NOW + timedelta(minutes=5), None),
        (datetime(2026, 11, 30, 9, 40, tzinfo=UTC), "call_before_request"),
        (datetime(2020, 1, 1, tzinfo=UTC), "call_before_request"),
        (NOW + timedelta(minutes=6), "call_in_future"),
    ],
)
def test_a_call_lies_between_the_submission_and_now(called_at: datetime, code: str | None) -> None:
    if code is None:
        status_flow.check_call_time(called_at, SENT, NOW)
        return
    with pytest.raises(status_flow.WorkflowError) as error:
        status_flow.check_call_time(called_at, SENT, NOW)
    assert (error.value.code, error.value.field) == (code, "called_at")


def test_a_visit_starts_after_the_submission() -> None:
    status_flow.check_visit_time(datetime(2026, 11, 30, 9, 41, tzinfo=UTC), SENT)
    with pytest.raises(status_flow.WorkflowError) as error:
        status_flow.check_visit_time(datetime(2026, 11, 29, 10, 0, tzinfo=UTC), SENT)
    assert (error.value.code, error.value.field) == ("visit_before_request", "starts_at")


def test_a_visit_is_done_only_once_it_has_started() -> None:
    status_flow.check_visit_done(NOW - timedelta(hours=1), NOW)
    status_flow.check_visit_done(NOW + timedelta(minutes=5), NOW)
    with pytest.raises(status_flow.WorkflowError) as error:
        status_flow.check_visit_done(NOW + timedelta(minutes=6), NOW)
    assert error.value.code == "visit_not_started"
