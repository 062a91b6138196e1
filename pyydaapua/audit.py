"""Audit events: who read or changed what, when and from where. No family content.

Every answer that shows a help request's content, or the results of a search over personal
data, is recorded: one event per request shown, so "who has handled request X" stays one
indexed query on ``audit_event.request_id``. A page that shows many requests writes all its
events in one multi-row INSERT, whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Table, insert

from pyydaapua.database import db
from pyydaapua.models import AuditEvent
from pyydaapua.monitoring import audit_stream
from pyydaapua.monitoring.metrics import count_audit_event

# Reads of many requests at once (the inbox). A search records its kind and the requests it
# showed, never what was typed: only a reference may be stored. The request page and a refused
# change that shows the request again are recorded with ``record`` ("request_viewed" with
# target "page", "request_viewed_refused" with the action and the answer's status).
REQUEST_LISTED = "request_listed"  # a row of the inbox list, or an upcoming home visit
SEARCH_KINDS = ("reference", "phone", "words")
SEARCH_NO_RESULTS = "search_no_results"  # a search that showed nothing, with its kind


def search_action(kind: str) -> str:
    """The action of a request shown in the results of a search of ``kind``."""
    return f"request_found_{kind}"


# Every event the service records outside casework, each with its label in web/labels.py
# (EVENT_LABELS); each casework action declares its own event in casework/actions.py.
EVENTS = (
    # Signing in and out, and the staff member's own account.
    "sign_in",
    "sign_in_failed",
    "sign_in_code_failed",
    # Single sign-on: refused after the provider's sign-in, and the provider's sign-out notice
    # (back-channel logout), refused or ending sessions.
    "sso_refused",
    "sso_logout_refused",
    "sign_out_by_provider",
    "recovery_code_used",
    "two_factor_enrolled",
    "sign_out",
    "session_extended",
    "access_refused",
    "language_changed",
    "password_changed",
    # Reads of requests and of what is recorded about them.
    "request_viewed",
    "request_viewed_refused",
    REQUEST_LISTED,
    *(search_action(kind) for kind in SEARCH_KINDS),
    SEARCH_NO_RESULTS,
    "request_exported",
    "audit_log_viewed",
    "access_log_viewed",
    "reports_viewed",
    "report_downloaded",
    # The family's information passed to a service with their consent (besides the referral's
    # own event; the disclosure log holds what, to whom and when).
    "information_disclosed",
    # Retention of personal data.
    "retention_dry_run",
    "retention_run",
    # Administration: staff accounts and the service catalogue.
    "user_created",
    "user_changed",
    "user_deactivated",
    "user_reactivated",
    "password_set",
    "two_factor_reset",
    "service_created",
    "service_changed",
    # E-mail that was not delivered (supervisors).
    "mail_problems_viewed",
    "mail_sent_again",
)


@dataclass(frozen=True)
class Read:
    """One request shown to a member of staff (``request_id`` None: nothing was shown)."""

    action: str
    request_id: int | None
    target: str = ""


def record(
    action: str,
    *,
    user_id: int | None,
    client_address: str,
    request_id: int | None = None,
    target: str = "",
    commit: bool = True,
) -> AuditEvent:
    """Write one audit event (``target`` names a route or an account, never family content)."""
    event = AuditEvent(
        at=datetime.now(UTC),
        action=action,
        user_id=user_id,
        request_id=request_id,
        client_address=client_address[:64],
        target=target[:200],
    )
    db.session.add(event)
    count_audit_event(action)
    if commit:
        db.session.commit()
    return event


def record_reads(reads: Sequence[Read], *, user_id: int, client_address: str) -> None:
    """Write the events of one answer in one INSERT executed for every row at once (none when
    ``reads`` is empty): the statement is compiled once and kept, whatever the number of rows.
    Not committed: the view commits them with the rest of its answer."""
    if not reads:
        return
    at = datetime.now(UTC)
    rows = [
        {
            "at": at,
            "action": read.action,
            "user_id": user_id,
            "request_id": read.request_id,
            "client_address": client_address[:64],
            "target": read.target[:200],
        }
        for read in reads
    ]
    db.session.execute(insert(cast(Table, AuditEvent.__table__)), rows)
    audit_stream.add_inserted(db.session(), rows)
