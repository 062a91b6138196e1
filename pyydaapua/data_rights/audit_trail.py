"""The audit trail: the audit log, and who has handled a request (its access log).

Plain Python on the models; every function runs a constant number of queries, whatever the
amount of data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from pyydaapua.audit import SEARCH_KINDS, search_action
from pyydaapua.casework.actions import AUDIT_LABELS as CASEWORK_LABELS
from pyydaapua.database import db
from pyydaapua.models import (
    AuditEvent,
    Disclosure,
    HelpRequest,
    Service,
    StaffUser,
    TimelineEvent,
)
from pyydaapua.reporting.tables import TABLE_TITLES
from pyydaapua.rules.paging import Page
from pyydaapua.rules.references import format_reference
from pyydaapua.rules.workdays import day_start
from pyydaapua.web.i18n import date_short
from pyydaapua.web.labels import EVENT_LABELS

PER_PAGE = 50

# Every audit event's label: the events recorded outside casework, then each casework action's.
AUDIT_LABELS = {**EVENT_LABELS, **CASEWORK_LABELS}


def audit_label(code: str) -> str:
    """An audit event's label in the page's language (its code for an event no longer made)."""
    return str(AUDIT_LABELS.get(code, code))


# The codes an audit event's target is made of (audit.py Read, the views' targets), in words.
TARGET_WORDS = {
    "page": _l("the request page"),
    "inbox": _l("a row of the inbox"),
    "visits": _l("upcoming home visits"),
    "calls_today": _l("My calls today"),
    "same_phone": _l("another request from the same phone number"),
    "csv": _l("CSV file"),
    "json": _l("JSON file"),
    "not_found": _l("not found"),
    "reference": _l("search by reference code"),
    "phone": _l("search by phone number"),
    "words": _l("search by words"),
    "sso": _l("with the city's account"),
    "local_sign_in_off": _l("password sign-in not allowed"),
    "failed": _l("the sign-in did not succeed"),
    "no_subject": _l("the person was not named"),
    "no_mfa": _l("no second step"),
    "no_role": _l("no role"),
    "no_account": _l("no account"),
    "deactivated": _l("account deactivated"),
}
# The audit log's own filters, as its viewing records them ("action=request_call").
FILTER_WORDS = {
    "user": _l("Staff member"),
    "request": _l("Request"),
    "action": _l("Action"),
    "from": _l("From"),
    "to": _l("To"),
    "page": _l("Page"),
}
_PERIOD = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
# A staff account or a service named by its number: "user:12" (an administrator's change),
# "user=12" (the audit log's filter), "service:3" (the catalogue).
_NUMBERED = re.compile(r"^(user|service)[:=](\d{1,10})$")
NUMBERED_WORDS = {"user": _l("Staff member"), "service": _l("Service")}
# The names of the accounts and services a page's targets name, by (kind, number).
Names = dict[tuple[str, int], str]


def audit_target(target: str, names: Names | None = None) -> str:
    """An audit event's target in the page's language: the service's codes (a part of a page,
    a report table, a period, a casework action, the audit log's filters) in words, staff
    members and services by their names (``names``; the number when the name is not known);
    a reference code or an HTTP status as they are."""
    words = []
    for token in target.split():
        key, _sep, value = token.partition("=")
        if numbered := _NUMBERED.match(token):
            kind, number = numbered.group(1), int(numbered.group(2))
            name = (names or {}).get((kind, number), number)
            words.append(f"{NUMBERED_WORDS[kind]}: {name}")
        elif period := _PERIOD.match(token):
            start, end = (date.fromisoformat(day) for day in period.groups())
            words.append(f"{date_short(start)}–{date_short(end)}")
        elif token in TARGET_WORDS:
            words.append(str(TARGET_WORDS[token]))
        elif token in TABLE_TITLES:
            words.append(str(TABLE_TITLES[token]))
        elif "request_" + token in CASEWORK_LABELS:
            words.append(audit_label("request_" + token))
        elif value and key in FILTER_WORDS:
            shown = audit_label(value) if key == "action" else value
            words.append(f"{FILTER_WORDS[key]}: {shown}")
        else:
            words.append(token)
    return ", ".join(words)


@dataclass(frozen=True)
class AuditFilters:
    """What the audit log shows. ``reference`` is the stored form (no hyphen); the period is
    in whole Helsinki days, both ends included."""

    user_id: int | None = None
    reference: str | None = None
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1

    def to_args(self, **changes: Any) -> dict[str, str]:
        """The filters as URL arguments (the names the filter form uses), for page links."""
        values = {
            "user": self.user_id,
            "request": format_reference(self.reference) if self.reference else None,
            "action": self.action,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "page": self.page,
        }
        values.update(changes)
        if values["page"] == 1:
            values["page"] = None
        return {key: str(value) for key, value in values.items() if value not in (None, "")}

    def describe(self) -> str:
        """A short record of the filters for the audit event of viewing the log."""
        args = self.to_args()
        return " ".join(f"{key}={value}" for key, value in args.items())

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.user_id is not None:
            conditions.append(AuditEvent.user_id == self.user_id)
        if self.reference:
            conditions.append(
                AuditEvent.request_id.in_(
                    select(HelpRequest.id).where(HelpRequest.reference == self.reference)
                )
            )
        if self.action:
            conditions.append(AuditEvent.action == self.action)
        if self.date_from:
            conditions.append(AuditEvent.at >= day_start(self.date_from))
        if self.date_to:
            conditions.append(AuditEvent.at < day_start(self.date_to + timedelta(days=1)))
        return conditions


@dataclass(frozen=True)
class AuditRow:
    """An audit event with the names the log shows, and its target in words."""

    event: AuditEvent
    user_name: str | None
    user_role: str | None
    reference: str | None
    target: str = ""


def target_names(targets: Iterable[str]) -> Names:
    """The names of the staff members and services these targets name by number: at most one
    query for each kind, none when no target names one."""
    wanted: dict[str, set[int]] = {"user": set(), "service": set()}
    for target in targets:
        for token in target.split():
            if numbered := _NUMBERED.match(token):
                wanted[numbered.group(1)].add(int(numbered.group(2)))
    names: Names = {}
    if wanted["user"]:
        rows = db.session.execute(
            select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(wanted["user"]))
        )
        names.update((("user", number), name) for number, name in rows)
    if wanted["service"]:
        language = str(get_locale() or "fi")
        services = db.session.scalars(select(Service).where(Service.id.in_(wanted["service"])))
        names.update((("service", service.id), service.name(language)) for service in services)
    return names


def _rows(query: Select) -> list[AuditRow]:
    found = db.session.execute(query).all()
    names = target_names(event.target for event, *_rest in found)
    return [
        AuditRow(event, name, role, reference, audit_target(event.target, names))
        for event, name, role, reference in found
    ]


def _with_names() -> Select:
    return (
        select(AuditEvent, StaffUser.name, StaffUser.role, HelpRequest.reference)
        .outerjoin(StaffUser, StaffUser.id == AuditEvent.user_id)
        .outerjoin(HelpRequest, HelpRequest.id == AuditEvent.request_id)
    )


def audit_page(filters: AuditFilters, per_page: int = PER_PAGE) -> Page[AuditRow]:
    """One page of the audit log, newest first: two queries (the count and the page)."""
    conditions = filters.conditions()
    total = db.session.execute(
        select(func.count()).select_from(AuditEvent).where(*conditions)
    ).scalar_one()
    number = min(max(1, filters.page), max(1, -(-total // per_page)))
    items = _rows(
        _with_names()
        .where(*conditions)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(per_page)
        .offset((number - 1) * per_page)
    )
    return Page(items, total, number, per_page)


def staff_members() -> list[StaffUser]:
    """Every staff account, also closed ones (their events stay in the log), by name."""
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.name, StaffUser.id)))


def action_codes(known: Iterable[str]) -> list[str]:
    """The known actions, then any other action recorded in the log."""
    codes = list(known)
    recorded = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    return codes + [code for code in recorded if code not in codes]


def request_by_reference(reference: str) -> HelpRequest | None:
    """The request with this stored reference (no hyphen), if any."""
    return db.session.scalar(select(HelpRequest).where(HelpRequest.reference == reference))


def access_events(request_id: int) -> list[AuditRow]:
    """Every read and change of the request by staff, oldest first."""
    return _rows(
        _with_names()
        .where(AuditEvent.request_id == request_id)
        .order_by(AuditEvent.at, AuditEvent.id)
    )


def disclosure_log(request_id: int) -> list[Disclosure]:
    """What of the family's information was passed on, to whom, when, by whom and on what
    basis (the disclosure log), oldest first; kept at retention like the audit log."""
    return list(
        db.session.scalars(
            select(Disclosure)
            .where(Disclosure.request_id == request_id)
            .order_by(Disclosure.at, Disclosure.id)
        )
    )


# The log review (Client Data Act 703/2023 §11: the controller reviews the access log).
# What counts as looking a request up: opening its page or finding it by a search. A row of the
# shared inbox list is the team duty itself and is not listed.
REVIEWED_READS = ("request_viewed", *(search_action(kind) for kind in SEARCH_KINDS))


@dataclass(frozen=True)
class ReviewRow:
    """One staff member's reads on team duty of requests they neither own nor recorded
    anything on, in the period: how many, of how many requests."""

    user_id: int
    name: str
    reads: int
    requests: int


@dataclass(frozen=True)
class ReviewedRequest:
    """One request a staff member looked up on team duty without working on it."""

    request_id: int
    reference: str
    reads: int
    first: datetime
    last: datetime


def _unworked_team_reads(start: date, end: date) -> ColumnElement[bool]:
    """Reads on team duty in the period, of requests the reader does not own and has recorded
    nothing on (no timeline entry of theirs)."""
    worked = (
        select(TimelineEvent.id)
        .where(
            TimelineEvent.request_id == AuditEvent.request_id,
            TimelineEvent.user_id == AuditEvent.user_id,
        )
        .exists()
    )
    return and_(
        AuditEvent.basis == "team",
        AuditEvent.action.in_(REVIEWED_READS),
        AuditEvent.at >= day_start(start),
        AuditEvent.at < day_start(end + timedelta(days=1)),
        or_(HelpRequest.assigned_to_id.is_(None), HelpRequest.assigned_to_id != AuditEvent.user_id),
        ~worked,
    )


def review_summary(start: date, end: date) -> list[ReviewRow]:
    """Every staff member with such reads in the period, the most first (one query)."""
    rows = db.session.execute(
        select(
            StaffUser.id,
            StaffUser.name,
            func.count(AuditEvent.id),
            func.count(AuditEvent.request_id.distinct()),
        )
        .join(StaffUser, StaffUser.id == AuditEvent.user_id)
        .join(HelpRequest, HelpRequest.id == AuditEvent.request_id)
        .where(_unworked_team_reads(start, end))
        .group_by(StaffUser.id, StaffUser.name)
        .order_by(func.count(AuditEvent.id).desc(), StaffUser.name)
    ).all()
    return [ReviewRow(*row) for row in rows]


def review_requests(
    user_id: int, start: date, end: date, page: int, per_page: int = PER_PAGE
) -> Page[ReviewedRequest]:
    """The requests one staff member looked up that way, most read first (two queries)."""
    grouped = (
        select(
            HelpRequest.id,
            HelpRequest.reference,
            func.count(AuditEvent.id).label("reads"),
            func.min(AuditEvent.at),
            func.max(AuditEvent.at),
        )
        .join(HelpRequest, HelpRequest.id == AuditEvent.request_id)
        .where(AuditEvent.user_id == user_id, _unworked_team_reads(start, end))
        .group_by(HelpRequest.id, HelpRequest.reference)
    )
    total = db.session.scalar(select(func.count()).select_from(grouped.subquery())) or 0
    number = min(max(1, page), max(1, -(-total // per_page)))
    rows = db.session.execute(
        grouped.order_by(func.count(AuditEvent.id).desc(), HelpRequest.id)
        .limit(per_page)
        .offset((number - 1) * per_page)
    ).all()
    return Page([ReviewedRequest(*row) for row in rows], total, number, per_page)
