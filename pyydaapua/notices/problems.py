"""E-mail that needs a person: messages that ended 'failed' or 'uncertain', for supervisors.

``flask send-mail`` never sends these again on its own (sender.py says why). A supervisor sees
how many there are in the staff menu, lists them (``/staff/mail``) and, after checking, sends
one again: it goes back to 'pending' with a fresh set of attempts. Nothing here shows a
message's text, and a recipient's address is shown masked (``mask_address``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import ColumnElement, func, select, update

from pyydaapua.database import db, written_in
from pyydaapua.models import OutboxMessage
from pyydaapua.rules.codes import OUTBOX_NEEDS_A_PERSON

# The most listed at once, newest first; the page says how many there are in all.
LIST_MAX = 200


def count_column() -> ColumnElement[int]:
    """How many messages need a person, as a column to read with the session (one index
    range of ``ix_outbox_message_due``)."""
    return (
        select(func.count())
        .select_from(OutboxMessage)
        # Written into the statement: it is read with the staff session, planned once.
        .where(OutboxMessage.status.in_(written_in("needs_a_person", OUTBOX_NEEDS_A_PERSON)))
        .scalar_subquery()
    )


def mask_address(address: str) -> str:
    """An address as the list shows it: the first character of the name and the whole domain
    ("m…@example.fi"), enough to tell a mistyped domain or the team's address, not whose it
    is. An address that was removed with the family's data is an empty string."""
    local, at, domain = address.strip().rpartition("@")
    if not at:
        return "…" if address.strip() else ""
    return f"{local[:1]}…@{domain}"


@dataclass(frozen=True)
class Undelivered:
    """One message as the list shows it: never its subject or text."""

    id: int
    kind: str
    status: str
    recipient: str  # masked; "" when removed with the family's data
    created_at: datetime
    attempts: int
    reason: str  # the stored reason: a reply code or a connection error, in English

    @property
    def can_send_again(self) -> bool:
        return bool(self.recipient)


def undelivered(limit: int = LIST_MAX) -> list[Undelivered]:
    """The messages that need a person, newest first, at most ``limit`` (one statement)."""
    rows = db.session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.kind,
            OutboxMessage.status,
            OutboxMessage.recipient,
            OutboxMessage.created_at,
            OutboxMessage.attempts,
            OutboxMessage.last_error,
        )
        .where(OutboxMessage.status.in_(OUTBOX_NEEDS_A_PERSON))
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(limit)
    )
    return [
        Undelivered(
            row.id,
            row.kind,
            row.status,
            mask_address(row.recipient),
            row.created_at,
            row.attempts,
            row.last_error,
        )
        for row in rows
    ]


SendAgain = Literal["queued", "not_waiting", "no_recipient"]


@dataclass(frozen=True)
class SendAgainResult:
    outcome: SendAgain
    request_id: int | None = None


def send_again(message_id: int, now: datetime | None = None) -> SendAgainResult | None:
    """Put a failed or uncertain message back in the queue, due now, with a fresh set of
    attempts (not committed). None when there is no such message; "not_waiting" when it is no
    longer failed or uncertain (someone sent it again a moment ago); "no_recipient" when its
    address was removed with the family's data, so it can never go."""
    row = db.session.execute(
        select(OutboxMessage.status, OutboxMessage.recipient, OutboxMessage.request_id).where(
            OutboxMessage.id == message_id
        )
    ).first()
    if row is None:
        return None
    if not row.recipient.strip():
        return SendAgainResult("no_recipient", row.request_id)
    changed = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status.in_(OUTBOX_NEEDS_A_PERSON),
        )
        .values(
            status="pending",
            attempts=0,
            next_attempt_at=now or datetime.now(UTC),
            claimed_at=None,
            last_error="",
        )
    )
    if getattr(changed, "rowcount", 0) != 1:
        return SendAgainResult("not_waiting", row.request_id)
    return SendAgainResult("queued", row.request_id)
