"""Everything stored about one request, for the family's right of access: the page and the
JSON file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from pyydaapua.data_rights.audit_trail import AuditRow, access_events, disclosure_log
from pyydaapua.database import db
from pyydaapua.models import (
    Call,
    Disclosure,
    HelpRequest,
    HomeVisit,
    OutboxMessage,
    Referral,
    StaffUser,
    TimelineEvent,
)
from pyydaapua.rules.disclosures import split_categories
from pyydaapua.rules.references import format_reference


@dataclass
class RequestExport:
    """Everything stored about one request."""

    request: HelpRequest
    timeline: list[TimelineEvent] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    visits: list[HomeVisit] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    # The disclosure log: what of the family's information was passed on, to whom, when.
    disclosures: list[Disclosure] = field(default_factory=list)
    # The e-mail written about the request (the outbox: its texts hold no family data).
    emails: list[OutboxMessage] = field(default_factory=list)
    access: list[AuditRow] = field(default_factory=list)


def request_export(request_id: int) -> RequestExport | None:
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
    emails = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.request_id == request_id)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    return RequestExport(
        request=help_request,
        timeline=list(timeline),
        calls=list(calls),
        visits=list(visits),
        referrals=list(referrals),
        disclosures=disclosure_log(request_id),
        emails=list(emails),
        access=access_events(request_id),
    )


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _name(user: StaffUser | None) -> str | None:
    return user.name if user is not None else None


def export_data(record: RequestExport, exported_at: datetime) -> dict[str, Any]:
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
            "contact_method": req.contact_method,
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
                "consent": referral.consent,
                "note": referral.note,
            }
            for referral in record.referrals
        ],
        "disclosures": [
            {
                "at": _iso(disclosure.at),
                "by": _name(disclosure.user),
                "recipient": disclosure.recipient,
                "categories": split_categories(disclosure.categories),
                "basis": disclosure.basis,
                "referral_id": disclosure.referral_id,
            }
            for disclosure in record.disclosures
        ],
        "emails": [
            {
                "created_at": _iso(email.created_at),
                "kind": email.kind,
                "to": email.recipient,
                "language": email.language,
                "subject": email.subject,
                "status": email.status,
                "sent_at": _iso(email.sent_at),
            }
            for email in record.emails
        ],
        "access_log": [
            {
                "at": _iso(row.event.at),
                "by": row.user_name,
                "role": row.user_role,
                "action": row.event.action,
                "basis": row.event.basis,
            }
            for row in record.access
        ],
    }
