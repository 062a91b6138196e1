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
from typing import Any, Literal, cast

from sqlalchemy import Integer, String, Table, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm.util import identity_key

from pyydaapua.database import db, execute_core
from pyydaapua.models import AuditEvent, HelpRequest, StaffUser
from pyydaapua.monitoring import audit_stream
from pyydaapua.monitoring.metrics import count_audit_event
from pyydaapua.rules.access_basis import access_basis

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
    "log_review_viewed",
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
    # The request's owner when the answer read it already (no lookup for the access's basis).
    owner_id: int | Literal["unknown"] | None = "unknown"


def _loaded(model: type[Any], key: int) -> Any:
    """The object of ``model`` with ``key`` when this session has it loaded, else None."""
    return db.session.identity_map.get(identity_key(model, key))


def _roles_and_owners(
    user_id: int | None,
    request_ids: set[int],
    known: dict[int | None, Any] | None = None,
) -> tuple[str | None, dict[int, int | None]]:
    """The person's role and each request's owner now: from the objects this answer already
    loaded, and at most one query for each of the rest."""
    role = None
    if user_id is not None:
        user = _loaded(StaffUser, user_id)
        role = (
            user.role
            if user is not None
            else db.session.scalar(select(StaffUser.role).where(StaffUser.id == user_id))
        )
    owners: dict[int, int | None] = {
        key: value for key, value in (known or {}).items() if key is not None
    }
    for request_id in request_ids - set(owners):
        help_request = _loaded(HelpRequest, request_id)
        if help_request is not None and "assigned_to_id" in help_request.__dict__:
            owners[request_id] = help_request.assigned_to_id
    missing = request_ids - set(owners)
    if missing:
        owners.update(
            db.session.execute(
                select(HelpRequest.id, HelpRequest.assigned_to_id).where(
                    HelpRequest.id.in_(missing)
                )
            ).all()
        )
    return role, owners


def record(
    action: str,
    *,
    user_id: int | None,
    client_address: str,
    request_id: int | None = None,
    target: str = "",
    commit: bool = True,
    purpose: str = "",
) -> AuditEvent:
    """Write one audit event (``target`` names a route or an account, never family content).
    An event about a request records the basis of the access (rules/access_basis.py);
    ``purpose`` ``"data_rights"`` for the family's own request to see their data."""
    basis = None
    if request_id is not None:
        role, owners = _roles_and_owners(user_id, {request_id})
        basis = access_basis(role, owners.get(request_id), user_id, purpose)
    event = AuditEvent(
        at=datetime.now(UTC),
        action=action,
        user_id=user_id,
        request_id=request_id,
        client_address=client_address[:64],
        target=target[:200],
        basis=basis,
    )
    db.session.add(event)
    count_audit_event(action)
    if commit:
        db.session.commit()
    return event


# The events' INSERT: executed for every row at once, except on PostgreSQL.
_INSERT = insert(cast(Table, AuditEvent.__table__))
# The columns that differ between the events of one answer, and the PostgreSQL statement that
# writes them from one array each (``unnest``): a multi-row VALUES of 55 events has 385
# parameters, which took the driver and the server 4.3 ms to bind and parse against 1.8 ms.
_PER_ROW = {"action": String, "request_id": Integer, "target": String, "basis": String}
_ARRAYS = (
    func.unnest(*(bindparam(name, type_=ARRAY(kind)) for name, kind in _PER_ROW.items()))
    .table_valued(*_PER_ROW, name="events")
    .render_derived()
)
_INSERT_FROM_ARRAYS = _INSERT.from_select(
    ["at", "user_id", "client_address", *_PER_ROW],
    select(
        bindparam("at", type_=AuditEvent.at.type),
        bindparam("user_id", type_=Integer),
        bindparam("client_address", type_=String),
        *(_ARRAYS.c[name] for name in _PER_ROW),
    ),
)


def record_reads(reads: Sequence[Read], *, user_id: int, client_address: str) -> None:
    """Write the events of one answer in one INSERT (none when ``reads`` is empty): on
    PostgreSQL from one array per column that differs, elsewhere executed for every row at
    once. Either statement is compiled once and kept, whatever the number of rows. Not
    committed: the view commits them with the rest of its answer."""
    if not reads:
        return
    at = datetime.now(UTC)
    role, owners = _roles_and_owners(
        user_id,
        {read.request_id for read in reads if read.request_id is not None},
        known={read.request_id: read.owner_id for read in reads if read.owner_id != "unknown"},
    )
    rows = [
        {
            "at": at,
            "action": read.action,
            "user_id": user_id,
            "request_id": read.request_id,
            "client_address": client_address[:64],
            "target": read.target[:200],
            "basis": None
            if read.request_id is None
            else access_basis(role, owners.get(read.request_id), user_id),
        }
        for read in reads
    ]
    if db.session.get_bind().dialect.name == "postgresql":
        execute_core(
            _INSERT_FROM_ARRAYS,
            {
                "at": at,
                "user_id": user_id,
                "client_address": client_address[:64],
                **{name: [row[name] for row in rows] for name in _PER_ROW},
            },
        )
    else:
        execute_core(_INSERT, rows)
    audit_stream.add_inserted(db.session(), rows)
