"""Call-backs at a set time: the next try proposed after "no answer", a planned call whose
time has passed, what a recorded call leaves of a plan, and the order of "My calls today"."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from pyydaapua.rules.opening_hours import OpeningHours
from pyydaapua.rules.planned_calls import (
    CallToday,
    call_has_passed,
    calls_today_order,
    check_planned_time,
    plan_after_call,
    propose_next_call,
)
from pyydaapua.rules.workdays import HELSINKI

HOURS = (OpeningHours(0, 4, time(9), time(15)),)


def helsinki(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=HELSINKI)


def proposed(call_time: str, now: datetime, hours: tuple[OpeningHours, ...] = HOURS) -> datetime:
    found = propose_next_call(call_time, now.astimezone(UTC), hours)
    assert found is not None
    assert found.tzinfo is not None
    return found.astimezone(HELSINKI)


def test_any_time_is_two_hours_later_on_the_quarter_hour() -> None:
    # Tuesday 1 December 2026, 9.07: 11.07 rounds up to 11.15.
    assert proposed("any", helsinki(2026, 12, 1, 9, 7)) == helsinki(2026, 12, 1, 11, 15)
    assert proposed("any", helsinki(2026, 12, 1, 9, 0)) == helsinki(2026, 12, 1, 11, 0)


def test_a_morning_family_after_the_morning_is_called_the_next_working_morning() -> None:
    # Friday 4 December 2026 at 10.30: 12.30 is past the morning; Monday 7th is next,
    # from the centre's opening at 9 (the family's morning starts at 8).
    assert proposed("morning", helsinki(2026, 12, 4, 10, 30)) == helsinki(2026, 12, 7, 9)


def test_an_afternoon_family_in_the_morning_is_called_at_noon() -> None:
    assert proposed("afternoon", helsinki(2026, 12, 1, 8, 0)) == helsinki(2026, 12, 1, 12)


def test_never_in_the_last_quarter_before_closing() -> None:
    # 12.50 + 2 h = 14.50: past 14.45, the last quarter before 15.00; the next morning then.
    assert proposed("any", helsinki(2026, 12, 1, 12, 50)) == helsinki(2026, 12, 2, 9)
    assert proposed("any", helsinki(2026, 12, 1, 12, 46)) == helsinki(2026, 12, 2, 9)
    assert proposed("any", helsinki(2026, 12, 1, 12, 45)) == helsinki(2026, 12, 1, 14, 45)


def test_holidays_and_weekends_are_skipped() -> None:
    # Thursday 24 December 2026 (Christmas Eve), then Christmas, Boxing Day and the weekend:
    # the next working day is Monday 28 December.
    assert proposed("any", helsinki(2026, 12, 23, 14)) == helsinki(2026, 12, 28, 9)
    # Saturday night: Monday morning.
    assert proposed("any", helsinki(2026, 12, 5, 23, 30)) == helsinki(2026, 12, 7, 9)


def test_never_in_the_past_and_always_inside_the_hours() -> None:
    start = helsinki(2026, 11, 30, 0)
    for minutes in range(0, 7 * 24 * 60, 37):
        now = start + timedelta(minutes=minutes)
        for call_time in ("any", "morning", "afternoon"):
            found = proposed(call_time, now)
            assert found >= now + timedelta(hours=2)
            assert found.weekday() < 5
            assert time(9) <= found.time() <= time(14, 45)
            assert found.minute % 15 == 0


def test_the_centres_hours_and_no_hours_written() -> None:
    evening = (OpeningHours(0, 4, time(12), time(20)),)
    assert proposed("any", helsinki(2026, 12, 1, 15), evening) == helsinki(2026, 12, 1, 17)
    assert proposed("afternoon", helsinki(2026, 12, 1, 15), evening) == helsinki(2026, 12, 2, 12)
    # Only the centre's hours and the family's morning overlapping nowhere: no proposal.
    assert propose_next_call("morning", helsinki(2026, 12, 1, 8), evening) is None
    # No hours in the setting: Monday to Friday 9–15.
    assert proposed("any", helsinki(2026, 12, 1, 6), ()) == helsinki(2026, 12, 1, 9)


def test_a_planned_time_may_not_be_in_the_past() -> None:
    now = datetime(2026, 12, 1, 10, 0, 30, tzinfo=UTC)
    assert check_planned_time(now + timedelta(hours=1), now)
    assert check_planned_time(now - timedelta(minutes=5), now)  # the clock tolerance
    assert not check_planned_time(now - timedelta(minutes=6), now)


def test_a_planned_call_has_passed_a_quarter_hour_after_its_time() -> None:
    at = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert not call_has_passed(at, at)
    assert not call_has_passed(at, at + timedelta(minutes=14, seconds=59))
    assert call_has_passed(at, at + timedelta(minutes=15))


def test_what_a_recorded_call_leaves_of_the_plan() -> None:
    at = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert plan_after_call(None, at, reached=False) is None
    # Reached: the plan is done, whenever it was for.
    assert plan_after_call(at + timedelta(days=1), at, reached=True) is None
    # Not reached: this was the planned call (or near it), or a try before a later one.
    assert plan_after_call(at, at, reached=False) is None
    assert plan_after_call(at + timedelta(minutes=10), at, reached=False) is None
    assert plan_after_call(at - timedelta(hours=1), at, reached=False) is None
    later = at + timedelta(hours=3)
    assert plan_after_call(later, at, reached=False) == later


def test_my_calls_today_planned_by_time_then_due_by_arrival_each_once() -> None:
    day = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    sent = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    entries = [
        CallToday(1, None, sent + timedelta(hours=2)),
        CallToday(2, day + timedelta(hours=5), sent),
        CallToday(3, None, sent),
        CallToday(4, day + timedelta(hours=1), sent + timedelta(hours=9)),
        CallToday(2, None, sent),  # planned and due today: once, as planned
    ]
    assert [(e.request_id, e.planned_at is not None) for e in calls_today_order(entries)] == [
        (4, True),
        (2, True),
        (3, False),
        (1, False),
    ]
