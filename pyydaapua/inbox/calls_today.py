"""'My calls today': the signed-in counsellor's planned calls of the day (and the earlier ones
not yet made) by their time, then the open requests due today that nobody has reached yet,
theirs or without an owner. Two bounded queries, whatever the amount of data; the order is
the rule's (rules/planned_calls.py ``calls_today_order``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import defer, lazyload

from pyydaapua.audit import REQUEST_LISTED, Read
from pyydaapua.database import db
from pyydaapua.models import HelpRequest
from pyydaapua.rules import deadlines, planned_calls
from pyydaapua.rules.planned_calls import CallToday
from pyydaapua.rules.status_flow import OPEN_STATUSES
from pyydaapua.rules.workdays import day_start, helsinki_date

# At most this many of each part: a day of calls is some thirty.
CAP = 100
# The family's own text the list does not read (it shows the name and the number to call).
UNLISTED = (HelpRequest.description, HelpRequest.email)


def now() -> datetime:
    """The time now (UTC); one function, so that tests can move the clock."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Line:
    """One line of the list: the request, when its call is planned (None: due today), whether
    that time has passed, and where the request stands against its due date."""

    request: HelpRequest
    planned_at: datetime | None
    passed: bool
    deadline: deadlines.Deadline


@dataclass(frozen=True)
class CallsToday:
    lines: list[Line]
    today: date
    # A part had more than ``CAP`` lines: only the first ones are shown.
    capped: bool

    @property
    def planned(self) -> list[Line]:
        return [line for line in self.lines if line.planned_at is not None]

    @property
    def due(self) -> list[Line]:
        return [line for line in self.lines if line.planned_at is None]


def _listed() -> Select[HelpRequest]:
    """The requests, without the family's text that the list does not show."""
    return select(HelpRequest).options(
        lazyload(HelpRequest.topics),
        *(defer(column, raiseload=True) for column in UNLISTED),
    )


def calls_today(user_id: int, moment: datetime) -> CallsToday:
    """The user's list at ``moment``."""
    today = helsinki_date(moment)
    tomorrow = day_start(today + timedelta(days=1))
    planned = list(
        db.session.scalars(
            _listed()
            .where(
                HelpRequest.planned_call_by_id == user_id,
                HelpRequest.planned_call_at.is_not(None),
                HelpRequest.planned_call_at < tomorrow,
            )
            .order_by(HelpRequest.planned_call_at, HelpRequest.id)
            .limit(CAP + 1)
        )
    )
    due = list(
        db.session.scalars(
            _listed()
            .where(
                HelpRequest.status.in_(OPEN_STATUSES),
                HelpRequest.first_contact_at.is_(None),
                HelpRequest.due_date == today,
                HelpRequest.contact_method == "phone",
                or_(HelpRequest.assigned_to_id == user_id, HelpRequest.assigned_to_id.is_(None)),
                # A call a colleague has planned is theirs to make.
                or_(
                    HelpRequest.planned_call_at.is_(None),
                    HelpRequest.planned_call_by_id == user_id,
                ),
            )
            .order_by(HelpRequest.submitted_at, HelpRequest.id)
            .limit(CAP + 1)
        )
    )
    capped = len(planned) > CAP or len(due) > CAP
    by_id = {item.id: item for item in [*planned[:CAP], *due[:CAP]]}
    entries = [CallToday(r.id, r.planned_call_at, r.submitted_at) for r in planned[:CAP]]
    entries += [CallToday(r.id, None, r.submitted_at) for r in due[:CAP]]
    lines = [
        Line(
            request=by_id[entry.request_id],
            planned_at=entry.planned_at,
            passed=entry.planned_at is not None
            and planned_calls.call_has_passed(entry.planned_at, moment),
            deadline=deadlines.Deadline.of(by_id[entry.request_id].due_date, today),
        )
        for entry in planned_calls.calls_today_order(entries)
    ]
    return CallsToday(lines, today, capped)


def shown(found: CallsToday) -> list[Read]:
    """The audit events of the list: a row per request shown."""
    return [Read(REQUEST_LISTED, line.request.id, "calls_today") for line in found.lines]
