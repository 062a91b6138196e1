"""Where a request stands against its call-back due date: the badge of the inbox's rows and
of the request page, on one rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pyydaapua.rules.workdays import working_days_between


@dataclass(frozen=True)
class Deadline:
    """Where a request stands against its call-back due date, in working days."""

    state: str  # "on_time", "due_today" or "overdue"
    working_days: int

    @classmethod
    def of(cls, due: date, today: date) -> Deadline:
        if due < today:
            return cls("overdue", working_days_between(due, today))
        if due == today:
            return cls("due_today", 0)
        return cls("on_time", working_days_between(today, due))
