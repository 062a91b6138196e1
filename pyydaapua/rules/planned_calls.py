"""Call-backs at a set time: the next try proposed after "no answer", whether a planned call's
time has passed, and the order of "My calls today". Plain Python, no Flask.

The proposal: the family's good time to call (``codes.CALL_TIMES``: "morning" is 8–12,
"afternoon" 12–16, as the request form says; "any" is the whole day) inside the family
centre's opening hours, on a working day (``workdays.py``), no sooner than ``RETRY_AFTER`` from
now, on the quarter hour, and at least ``LAST_SLOT_BEFORE_CLOSING`` before the slot ends: the
first such moment, today or on a later working day. It is a proposal: the counsellor may change
it, and a time agreed with the family may lie outside these hours.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from pyydaapua.rules.opening_hours import OpeningHours
from pyydaapua.rules.status_flow import WorkflowError
from pyydaapua.rules.times import CLOCK_TOLERANCE
from pyydaapua.rules.workdays import HELSINKI, is_working_day

# After a call that did not reach the family, the next try is no sooner than this.
RETRY_AFTER = timedelta(hours=2)
# A proposed time is on the quarter hour, and leaves this much of the slot for the call.
SLOT_MINUTES = 15
LAST_SLOT_BEFORE_CLOSING = timedelta(minutes=15)
# The family's good time to call, as the request form names it (web/labels.py CALL_TIME_LABELS).
CALL_TIME_WINDOWS: dict[str, tuple[time, time]] = {
    "any": (time(0), time(23, 59)),
    "morning": (time(8), time(12)),
    "afternoon": (time(12), time(16)),
}
# The hours a proposal keeps to when the setting names none: Monday to Friday, 9–15.
DEFAULT_HOURS = (OpeningHours(0, 4, time(9), time(15)),)
# How far ahead a proposal is looked for (holidays at Christmas are the longest gap).
SEARCH_DAYS = 21
# A planned call is marked "its time has passed" once this much after its time has gone by:
# a call a few minutes late is still on time.
PASSED_AFTER = timedelta(minutes=15)


def _window(day: date, call_time: str, hours: Iterable[OpeningHours]) -> tuple[time, time] | None:
    """The part of ``day`` that is both open and the family's good time, or None."""
    wanted = CALL_TIME_WINDOWS.get(call_time, CALL_TIME_WINDOWS["any"])
    for part in hours:
        if part.first_day <= day.weekday() <= part.last_day:
            opens, closes = max(part.opens, wanted[0]), min(part.closes, wanted[1])
            if opens < closes:
                return opens, closes
    return None


def _on_the_quarter(moment: datetime) -> datetime:
    """``moment`` rounded up to the next quarter hour (itself when it is on one)."""
    if moment.second or moment.microsecond:
        moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    late = moment.minute % SLOT_MINUTES
    return moment + timedelta(minutes=(SLOT_MINUTES - late) % SLOT_MINUTES)


def propose_next_call(
    call_time: str, now: datetime, hours: Iterable[OpeningHours] = ()
) -> datetime | None:
    """The next try after a call that did not reach the family, in UTC: the first quarter hour
    at least ``RETRY_AFTER`` from ``now`` that lies in the family's good time to call, inside
    ``hours`` (``DEFAULT_HOURS`` when none), on a working day, with
    ``LAST_SLOT_BEFORE_CLOSING`` left of it. None when no such time comes within
    ``SEARCH_DAYS``."""
    hours = tuple(hours) or DEFAULT_HOURS
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    earliest = _on_the_quarter((now + RETRY_AFTER).astimezone(HELSINKI))
    for offset in range(SEARCH_DAYS + 1):
        day = earliest.date() + timedelta(days=offset)
        window = _window(day, call_time, hours) if is_working_day(day) else None
        if window is None:
            continue
        start = datetime.combine(day, window[0], HELSINKI)
        last = datetime.combine(day, window[1], HELSINKI) - LAST_SLOT_BEFORE_CLOSING
        candidate = _on_the_quarter(max(start, earliest))
        if candidate <= last:
            return candidate.astimezone(UTC)
    return None


def can_plan(contact_method: str) -> bool:
    """Only a family who asked for a call has calls planned (a written answer has none)."""
    return contact_method == "phone"


def check_can_plan(contact_method: str) -> None:
    if not can_plan(contact_method):
        raise WorkflowError("no_phone_calls")


def check_planned_time(planned_at: datetime, now: datetime) -> bool:
    """Whether a call may be planned for ``planned_at``: not in the past (a counsellor's clock
    may lag by the clock tolerance)."""
    return planned_at >= now.replace(second=0, microsecond=0) - CLOCK_TOLERANCE


def call_has_passed(planned_at: datetime, now: datetime) -> bool:
    """Whether a planned call's time has passed (``PASSED_AFTER`` after it)."""
    return now >= planned_at + PASSED_AFTER


def plan_after_call(
    planned_at: datetime | None, called_at: datetime, reached: bool
) -> datetime | None:
    """What is left of a plan after a call is recorded without a new one: a call that reached
    the family ends it; any other call ends a plan for its time or earlier (that was this call),
    and leaves one for a later time."""
    if planned_at is None or reached or planned_at <= called_at + PASSED_AFTER:
        return None
    return planned_at


@dataclass(frozen=True)
class CallToday:
    """One line of "My calls today": a planned call (``planned_at``), or a request due today
    that nobody has reached (``planned_at`` None)."""

    request_id: int
    planned_at: datetime | None
    submitted_at: datetime


def calls_today_order(entries: Iterable[CallToday]) -> list[CallToday]:
    """The planned calls by their time, then the requests due today by when they were sent;
    a request that is both is listed once, as a planned call."""
    entries = list(entries)
    planned = {entry.request_id for entry in entries if entry.planned_at is not None}
    chosen = [e for e in entries if e.planned_at is not None or e.request_id not in planned]

    def key(entry: CallToday) -> tuple[int, datetime, int]:
        if entry.planned_at is not None:
            return (0, entry.planned_at, entry.request_id)
        return (1, entry.submitted_at, entry.request_id)

    return sorted(chosen, key=key)
