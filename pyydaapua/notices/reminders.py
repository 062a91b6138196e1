"""Reminders that keep the promise of a call within three working days: ``flask remind``.

Run every morning. On a working day, every open request whose family nobody has reached yet
gets a reminder to its owner (or the team, when nobody owns it) on its due date, and another
the first time the command runs after the due date has passed; the team gets a summary of the
day. Each goes once: its outbox ``dedupe_key`` (``due:<id>``, ``overdue:<id>``,
``summary:<day>``) is unique, so a second run the same day queues nothing. On other days
nothing is queued. The candidates are read in one query, whatever their number.

Each counsellor with calls planned for the day (call-backs at a set time) gets one message
listing them: the time, the reference, agreed or proposed, and the link; never the family's
name, number or words (``calls:<user id>:<day>``, once). They are read in one query too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from pyydaapua.database import db
from pyydaapua.models import HelpRequest, OutboxMessage, StaffUser
from pyydaapua.notices.outbox import (
    DAILY_SUMMARY,
    REMINDER_CALLS,
    REMINDER_DUE,
    REMINDER_OVERDUE,
    in_language,
    new_message,
    planned_calls_text,
    reminder_text,
    summary_text,
    team_address,
    team_language,
)
from pyydaapua.rules.reminder_days import OPEN_STATUSES, dedupe_key, reminder_for, summary_key
from pyydaapua.rules.workdays import day_start, is_working_day

KINDS = {"due": REMINDER_DUE, "overdue": REMINDER_OVERDUE}


@dataclass
class RemindResult:
    """What one run queued."""

    today: date
    working_day: bool = True
    due: int = 0
    overdue: int = 0
    summary: int = 0
    # Counsellors sent their planned calls of the day.
    calls: int = 0
    no_recipient: int = 0
    references_due: list[str] = field(default_factory=list)
    references_overdue: list[str] = field(default_factory=list)

    def summary_line(self) -> str:
        if not self.working_day:
            return f"{self.today.isoformat()} is not a working day: no reminders queued."
        line = (
            f"{self.today.isoformat()}: queued {self.due} due-today and {self.overdue} overdue "
            f"reminders and {self.summary} summary; {self.calls} counsellors' planned calls"
        )
        if self.no_recipient:
            line += f"; {self.no_recipient} with nobody to send to (no owner, no TEAM_EMAIL)"
        return line


def _candidates(today: date) -> list[Any]:
    """Open requests not yet reached, due today or earlier, with their owners and whether
    each reminder is in the outbox already: one query."""
    id_text = cast(HelpRequest.id, String)
    due_queued = aliased(OutboxMessage)
    overdue_queued = aliased(OutboxMessage)
    query = (
        select(
            HelpRequest.id,
            HelpRequest.reference,
            HelpRequest.due_date,
            StaffUser.email.label("owner_email"),
            StaffUser.language.label("owner_language"),
            StaffUser.active.label("owner_active"),
            due_queued.id.label("due_queued"),
            overdue_queued.id.label("overdue_queued"),
        )
        .outerjoin(StaffUser, StaffUser.id == HelpRequest.assigned_to_id)
        .outerjoin(
            due_queued,
            due_queued.dedupe_key == literal("due:", String) + id_text,
        )
        .outerjoin(
            overdue_queued,
            overdue_queued.dedupe_key == literal("overdue:", String) + id_text,
        )
        .where(
            HelpRequest.first_contact_at.is_(None),
            HelpRequest.status.in_(OPEN_STATUSES),
            HelpRequest.due_date <= today,
        )
        .order_by(HelpRequest.due_date, HelpRequest.reference)
    )
    return list(db.session.execute(query))


def calls_key(user_id: int, today: date) -> str:
    """The outbox key of a counsellor's planned calls of a day: ``calls:3:2026-12-01``."""
    return f"calls:{user_id}:{today.isoformat()}"


def _planned_calls(today: date, now: datetime) -> list[OutboxMessage]:
    """One message per active counsellor with calls planned for ``today`` and none queued yet:
    one query for the calls, one for the keys already queued."""
    rows = db.session.execute(
        select(
            HelpRequest.id,
            HelpRequest.reference,
            HelpRequest.planned_call_at,
            HelpRequest.planned_call_agreed,
            StaffUser.id.label("user_id"),
            StaffUser.email,
            StaffUser.language,
        )
        .join(StaffUser, StaffUser.id == HelpRequest.planned_call_by_id)
        .where(
            HelpRequest.planned_call_at >= day_start(today),
            HelpRequest.planned_call_at < day_start(today + timedelta(days=1)),
            HelpRequest.status.in_(OPEN_STATUSES),
            StaffUser.active.is_(True),
        )
        .order_by(StaffUser.id, HelpRequest.planned_call_at, HelpRequest.id)
    ).all()
    keys = {calls_key(row.user_id, today) for row in rows}
    queued = (
        set(
            db.session.scalars(
                select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys))
            )
        )
        if keys
        else set()
    )
    by_user: dict[int, list[Any]] = {}
    for row in rows:
        if calls_key(row.user_id, today) not in queued:
            by_user.setdefault(row.user_id, []).append(row)
    messages = []
    for user_id, calls in by_user.items():
        language = calls[0].language
        with in_language(language):
            subject, body = planned_calls_text(
                today,
                [
                    (c.planned_call_at, c.reference, c.id, bool(c.planned_call_agreed))
                    for c in calls
                ],
            )
        messages.append(
            new_message(
                REMINDER_CALLS,
                calls[0].email,
                language,
                subject,
                body,
                dedupe_key=calls_key(user_id, today),
                now=now,
            )
        )
    return messages


def _plan(today: date, now: datetime) -> tuple[RemindResult, list[OutboxMessage]]:
    result = RemindResult(today=today)
    messages: list[OutboxMessage] = []
    for row in _candidates(today):
        kind = reminder_for(row.due_date, today)
        if kind is None:
            continue
        (result.references_due if kind == "due" else result.references_overdue).append(
            row.reference
        )
        if (row.due_queued if kind == "due" else row.overdue_queued) is not None:
            continue
        if row.owner_email and row.owner_active:
            recipient, language, to_team = row.owner_email, row.owner_language, False
        elif team_address():
            recipient, language, to_team = team_address(), team_language(), True
        else:
            result.no_recipient += 1
            continue
        with in_language(language):
            subject, body = reminder_text(kind, row.id, row.reference, row.due_date, to_team)
        messages.append(
            new_message(
                KINDS[kind],
                recipient,
                language,
                subject,
                body,
                request_id=row.id,
                dedupe_key=dedupe_key(kind, row.id),
                now=now,
            )
        )
        if kind == "due":
            result.due += 1
        else:
            result.overdue += 1
    key = summary_key(today)
    if (
        team_address()
        and db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key))
        is None
    ):
        with in_language(team_language()):
            subject, body = summary_text(today, result.references_due, result.references_overdue)
        messages.append(
            new_message(
                DAILY_SUMMARY,
                team_address(),
                team_language(),
                subject,
                body,
                dedupe_key=key,
                now=now,
            )
        )
        result.summary = 1
    calls = _planned_calls(today, now)
    result.calls = len(calls)
    return result, messages + calls


_COLUMNS = (
    "created_at",
    "kind",
    "request_id",
    "recipient",
    "language",
    "subject",
    "body",
    "dedupe_key",
    "status",
    "attempts",
    "next_attempt_at",
    "last_error",
)


def remind(today: date, now: datetime | None = None) -> RemindResult:
    """Queue the day's reminders and summary, each once, and commit."""
    if not is_working_day(today):
        return RemindResult(today=today, working_day=False)
    for _attempt in range(3):
        result, messages = _plan(today, now or datetime.now(UTC))
        try:
            if messages:
                # One statement for all of them (executemany), whatever their number.
                db.session.execute(
                    insert(OutboxMessage),
                    [{name: getattr(message, name) for name in _COLUMNS} for message in messages],
                )
            db.session.commit()
            return result
        except IntegrityError:
            # Another run queued some of them at the same moment: plan again without those.
            db.session.rollback()
    raise RuntimeError("could not queue the reminders: another run keeps queueing the same ones")
