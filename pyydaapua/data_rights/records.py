"""The family's data rights: the audit log, who has handled a request, and everything stored
about one request (a subject access export).

Plain Python on the models; every function runs a constant number of queries, whatever the
amount of data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from pyydaapua.models import (
    AuditEvent,
    Call,
    HelpRequest,
    HomeVisit,
    Referral,
    StaffUser,
    TimelineEvent,
)
from pyydaapua.rules.paging import Page
from pyydaapua.rules.references import format_reference
from pyydaapua.rules.workdays import HELSINKI
from pyydaapua.web.extensions import db

PER_PAGE = 50


def day_start(day: date) -> datetime:
    """The first moment of a Helsinki day, in UTC."""
    return datetime.combine(day, time(), HELSINKI).astimezone(UTC)


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
    """An audit event with the names the log shows."""

    event: AuditEvent
    user_name: str | None
    user_role: str | None
    reference: str | None


def _rows(query: Select[AuditEvent, str, str, str]) -> list[AuditRow]:
    return [
        AuditRow(event, name, role, reference)
        for event, name, role, reference in db.session.execute(query).all()
    ]


def _with_names() -> Select[AuditEvent, str, str, str]:
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


@dataclass
class RequestRecord:
    """Everything stored about one request."""

    request: HelpRequest
    timeline: list[TimelineEvent] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    visits: list[HomeVisit] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    access: list[AuditRow] = field(default_factory=list)


def request_record(request_id: int) -> RequestRecord | None:
    """The request and everything linked to it, in a constant number of queries."""
    help_request = db.session.scalar(
        select(HelpRequest)
        .where(HelpRequest.id == request_id)
        .options(selectinload(HelpRequest.assigned_to))
    )
    if help_request is None:
        return None
    timeline = db.session.scalars(
        select(TimelineEvent)
        .where(TimelineEvent.request_id == request_id)
        .options(joinedload(TimelineEvent.visit).lazyload(HomeVisit.staff))
        .order_by(TimelineEvent.at, TimelineEvent.id)
    ).unique()
    calls = db.session.scalars(
        select(Call).where(Call.request_id == request_id).order_by(Call.called_at, Call.id)
    )
    visits = db.session.scalars(
        select(HomeVisit)
        .where(HomeVisit.request_id == request_id)
        .options(joinedload(HomeVisit.staff))
        .order_by(HomeVisit.starts_at, HomeVisit.id)
    ).unique()
    referrals = db.session.scalars(
        select(Referral).where(Referral.request_id == request_id).order_by(Referral.id)
    )
    return RequestRecord(
        request=help_request,
        timeline=list(timeline),
        calls=list(calls),
        visits=list(visits),
        referrals=list(referrals),
        access=access_events(request_id),
    )


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _name(user: StaffUser | None) -> str | None:
    return user.name if user is not None else None


def export_data(record: RequestRecord, exported_at: datetime) -> dict[str, Any]:
    """The record as JSON-ready data: stable English keys, codes as stored, ISO 8601 times."""
    req = record.request
    return {
        "format": "pyydaapua-request-export/1",
        "exported_at": _iso(exported_at),
        "reference": format_reference(req.reference),
        "request": {
            "reference": format_reference(req.reference),
            "form_language": req.language,
            "call_language": req.call_language,
            "submitted_at": _iso(req.submitted_at),
            "submitted_on": _iso(req.submitted_on),
            "call_back_due_date": _iso(req.due_date),
            "topics": req.topic_codes,
            "child_ages": req.child_age_codes,
            "description": req.description,
            "name": req.name,
            "phone": req.phone,
            "email": req.email,
            "call_time": req.call_time,
            "sms_ok": req.sms_ok,
            "status": req.status,
            "owner": _name(req.assigned_to),
            "call_attempts": req.call_attempts,
            "first_contact_at": _iso(req.first_contact_at),
            "first_contact_on_time": req.first_contact_on_time,
            "first_contact_working_days": req.first_contact_workdays,
            "outcome": req.outcome,
            "closed_at": _iso(req.closed_at),
            "updated_at": _iso(req.updated_at),
            "personal_data_removed_at": _iso(req.personal_data_removed_at),
        },
        "timeline": [
            {
                "at": _iso(event.at),
                "by": _name(event.user),
                "kind": event.kind,
                "value": event.value,
                "note": event.note,
                "other_staff_member": _name(event.other_user),
                "call_id": event.call_id,
                "home_visit_id": event.visit_id,
                "referral_id": event.referral_id,
            }
            for event in record.timeline
        ],
        "calls": [
            {
                "id": call.id,
                "called_at": _iso(call.called_at),
                "result": call.result,
                "duration_minutes": call.duration_minutes,
                "notes": call.notes,
                "check_in": {
                    key: {"answer": getattr(call, key), "note": getattr(call, f"{key}_note")}
                    for key in ("coping", "finances", "daily_life")
                },
            }
            for call in record.calls
        ],
        "home_visits": [
            {
                "id": visit.id,
                "starts_at": _iso(visit.starts_at),
                "duration_minutes": visit.duration_minutes,
                "address": visit.address,
                "status": visit.status,
                "status_note": visit.status_note,
                "staff": [user.name for user in visit.staff],
            }
            for visit in record.visits
        ],
        "referrals": [
            {
                "id": referral.id,
                "service": {
                    "name_fi": referral.service.name_fi,
                    "name_sv": referral.service.name_sv,
                    "provider_type": referral.service.provider_type,
                    "provider": referral.service.provider,
                },
                "status": referral.status,
                "note": referral.note,
            }
            for referral in record.referrals
        ],
        "access_log": [
            {
                "at": _iso(row.event.at),
                "by": row.user_name,
                "role": row.user_role,
                "action": row.event.action,
            }
            for row in record.access
        ],
    }
