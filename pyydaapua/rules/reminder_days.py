"""Which reminder an open request that nobody has reached yet gets on a day.

``flask remind`` runs every morning. On a working day, a request whose due date is today gets
the "due today" reminder, and one whose due date has passed gets the "overdue" reminder (each
only once: the outbox's dedupe key, from ``dedupe_key``, keeps a second one out). On any other
day nothing is sent. Pure: the calendar is ``workdays.py``.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pyydaapua.rules.status_flow import OPEN_STATUSES
from pyydaapua.rules.workdays import is_working_day

Reminder = Literal["due", "overdue"]

__all__ = ["OPEN_STATUSES", "Reminder", "dedupe_key", "reminder_for", "summary_key"]


def reminder_for(due_date: date, today: date) -> Reminder | None:
    """The reminder a not-yet-reached open request gets on ``today``, if any."""
    if not is_working_day(today):
        return None
    if due_date == today:
        return "due"
    if due_date < today:
        return "overdue"
    return None


def dedupe_key(kind: Reminder, request_id: int) -> str:
    """The outbox key that makes the reminder go once: ``due:12``, ``overdue:12``."""
    return f"{kind}:{request_id}"


def summary_key(today: date) -> str:
    """The outbox key of the team's summary of a day: ``summary:2026-12-01``."""
    return f"summary:{today.isoformat()}"
