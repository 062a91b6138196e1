"""Retention: the family's personal data is removed a set time after a request was closed.

What goes is every column marked ``info={"personal": True}`` in models.py: the parent's name,
phone number, email address and own words, and every free-text note staff wrote (call notes
and check-in notes, timeline notes, home-visit addresses and notes, referral notes). What stays
(``info={"personal": False}``) is what statistics need: dates, topics, children's ages,
languages, status, outcome, the first contact, check-in scale codes, call results, visit and
referral statuses, services and the family's consent, the audit log and the disclosure log
(what of the family's information was passed on, to whom, when and on what basis: never the
information itself; the family's right to know it outlasts the data).

Everything is done with a handful of set-based UPDATE statements, whatever the number of rows,
and each run (dry or applied) is recorded in the audit log.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Table, and_, delete, func, or_, select, update

from pyydaapua import audit
from pyydaapua.database import db
from pyydaapua.models import HelpRequest, PublicSession
from pyydaapua.rules.workdays import day_start, helsinki_date


@dataclass(frozen=True)
class RetentionResult:
    """One run: how many requests were (or would be) cleared, closed before ``cutoff``."""

    months: int
    cutoff: date
    count: int
    applied: bool

    @property
    def target(self) -> str:
        return f"requests={self.count} cutoff={self.cutoff.isoformat()} months={self.months}"


def months_before(day: date, months: int) -> date:
    """``day`` moved back by calendar months; the 31st becomes the month's last day."""
    if months < 0:
        raise ValueError("months must not be negative")
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def cutoff_day(now: datetime, months: int) -> date:
    """The Helsinki day before whose start a request must have been closed to be cleared."""
    return months_before(helsinki_date(now), months)


def _due(cutoff_at: datetime) -> ColumnElement[bool]:
    """Closed before the cut-off, and with personal data that was not yet removed (or was
    removed before the request was reopened and closed again)."""
    return and_(
        HelpRequest.status == "closed",
        HelpRequest.closed_at.is_not(None),
        HelpRequest.closed_at < cutoff_at,
        or_(
            HelpRequest.personal_data_removed_at.is_(None),
            HelpRequest.personal_data_removed_at < HelpRequest.closed_at,
        ),
    )


def due_count(cutoff_at: datetime) -> int:
    return db.session.execute(
        select(func.count()).select_from(HelpRequest).where(_due(cutoff_at))
    ).scalar_one()


def cleared_values(table: Table) -> dict[str, str | None]:
    """The columns of ``table`` marked personal, each with the value that replaces it: NULL
    where the column allows it, else the empty string (for NOT NULL text columns). A column
    the database computes from others (the request's search text) is cleared with them."""
    return {
        column.name: None if column.nullable else ""
        for column in table.columns
        if column.info.get("personal") and column.computed is None
    }


def cleared_parts() -> list[tuple[Table, dict[str, str | None]]]:
    """The tables other than ``help_request`` that hold personal data, with their cleared
    values. Each must belong to a request (a ``request_id`` referring to it): retention only
    knows when a request's data is due."""
    request_table = cast(Table, HelpRequest.__table__)
    parts = []
    for table in db.metadata.sorted_tables:
        values = cleared_values(table)
        if table is request_table or not values:
            continue
        request_id = table.c.get("request_id")
        if request_id is None or not request_id.references(request_table.c.id):
            raise ValueError(f"{table.name} holds personal data but belongs to no request")
        parts.append((table, values))
    return parts


def _clear(cutoff_at: datetime, now: datetime) -> int:
    """Remove the personal data of every due request; the number of requests cleared."""
    due_ids = select(HelpRequest.id).where(_due(cutoff_at)).scalar_subquery()
    # A browser's session of the request ends with its data: its confirmation and status page
    # open no more.
    db.session.execute(delete(PublicSession).where(PublicSession.request_id.in_(due_ids)))
    # The parts first: the request's own UPDATE below takes it out of the due set.
    for part, values in cleared_parts():
        db.session.execute(update(part).where(part.c.request_id.in_(due_ids)).values(values))
    table = cast(Table, HelpRequest.__table__)
    result = db.session.execute(
        update(table)
        .where(_due(cutoff_at))
        .values(cleared_values(table))
        # The removal's own stamp: when, by nobody (the job), and a new version, as a form
        # opened before the removal is stale: it would show data that is gone.
        .values(
            personal_data_removed_at=now,
            updated_at=now,
            updated_by_id=None,
            version=table.c.version + 1,
        )
    )
    return cast("CursorResult[Any]", result).rowcount


def run(months: int, *, apply: bool = False, now: datetime | None = None) -> RetentionResult:
    """Count (dry run) or clear the requests closed more than ``months`` calendar months ago,
    and record the run in the audit log. One transaction."""
    if months < 1:
        raise ValueError("months must be at least 1")
    now = now or datetime.now(UTC)
    cutoff = cutoff_day(now, months)
    cutoff_at = day_start(cutoff)
    count = _clear(cutoff_at, now) if apply else due_count(cutoff_at)
    result = RetentionResult(months=months, cutoff=cutoff, count=count, applied=apply)
    audit.record(
        "retention_run" if apply else "retention_dry_run",
        user_id=None,
        client_address="",
        target=result.target,
        commit=False,
    )
    db.session.commit()
    return result
