"""The inbox query: requests in call-back order, a page at a time, in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from .extensions import db
from .models import HelpRequest
from .workdays import working_days_between

PER_PAGE = 25


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


@dataclass(frozen=True)
class Page:
    items: list[HelpRequest]
    total: int
    number: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def requests_page(number: int = 1, per_page: int = PER_PAGE) -> Page:
    """Requests with the earliest due date first (overdue ones come first), paginated in SQL."""
    total = db.session.scalar(select(func.count()).select_from(HelpRequest)) or 0
    number = min(max(1, number), max(1, -(-total // per_page)))
    items = db.session.scalars(
        select(HelpRequest)
        .order_by(HelpRequest.due_date, HelpRequest.submitted_at, HelpRequest.id)
        .limit(per_page)
        .offset((number - 1) * per_page)
    ).all()
    return Page(list(items), total, number, per_page)
