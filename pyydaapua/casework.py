"""Working a help request: every change is versioned, put on the timeline and committed once.

A change based on a stale version raises ``StaleVersion`` with the fresh request, so the view
can tell who changed it and when and keep what the counsellor typed. Two changes racing each
other are caught by the version column in the UPDATE itself (SQLAlchemy's version_id_col).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from . import workflow
from .extensions import db
from .models import (
    Call,
    HelpRequest,
    HomeVisit,
    Referral,
    Service,
    StaffUser,
    TimelineEvent,
)


class StaleVersion(Exception):
    """Someone else changed the request after the form was opened."""

    def __init__(self, fresh: HelpRequest) -> None:
        super().__init__("stale version")
        self.fresh = fresh


class NotFound(LookupError):
    """A record named in the change does not belong to this request or does not exist."""


def now_utc() -> datetime:
    return datetime.now(UTC)


def get_request(request_id: int) -> HelpRequest | None:
    """The request with its owner and last editor (one query; topics one more)."""
    return db.session.scalar(
        select(HelpRequest)
        .where(HelpRequest.id == request_id)
        .options(selectinload(HelpRequest.assigned_to), selectinload(HelpRequest.updated_by))
    )


def timeline(request_id: int) -> list[TimelineEvent]:
    """Everything that happened to the request, newest first, in a constant number of queries."""
    return list(
        db.session.scalars(
            select(TimelineEvent)
            .where(TimelineEvent.request_id == request_id)
            .order_by(TimelineEvent.at.desc(), TimelineEvent.id.desc())
        ).unique()
    )


def visits(request_id: int) -> list[HomeVisit]:
    return list(
        db.session.scalars(
            select(HomeVisit)
            .where(HomeVisit.request_id == request_id)
            .order_by(HomeVisit.starts_at)
        )
    )


def referrals(request_id: int) -> list[Referral]:
    return list(
        db.session.scalars(
            select(Referral).where(Referral.request_id == request_id).order_by(Referral.id)
        )
    )


def active_staff(roles: Iterable[str]) -> list[StaffUser]:
    return list(
        db.session.scalars(
            select(StaffUser)
            .where(StaffUser.active.is_(True), StaffUser.role.in_(tuple(roles)))
            .order_by(StaffUser.name)
        )
    )


@dataclass
class _Change:
    """A change in progress: the request, who does it, when."""

    request: HelpRequest
    actor: StaffUser
    at: datetime

    def event(self, kind: str, **fields: object) -> TimelineEvent:
        event = TimelineEvent(
            request_id=self.request.id, at=self.at, user_id=self.actor.id, kind=kind, **fields
        )
        db.session.add(event)
        return event


def _change(help_request: HelpRequest, actor: StaffUser, version: int | None) -> _Change:
    if version is None or help_request.version != version:
        raise StaleVersion(help_request)
    return _Change(help_request, actor, now_utc())


def _commit(change: _Change) -> HelpRequest:
    change.request.updated_at = change.at
    change.request.updated_by_id = change.actor.id
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        fresh = get_request(change.request.id)
        db.session.refresh(fresh)
        raise StaleVersion(fresh) from None
    return change.request


def _note_first_contact(change: _Change, contacted_at: datetime) -> None:
    request = change.request
    if request.first_contact_at is None:
        request.first_contact_at = contacted_at
        request.first_contact_on_time = workflow.first_contact_on_time(
            contacted_at, request.due_date
        )


def assign(
    help_request: HelpRequest, actor: StaffUser, version: int | None, assignee: StaffUser | None
) -> HelpRequest:
    """Make ``assignee`` the owner (``actor`` takes it when they are the same); None unassigns."""
    change = _change(help_request, actor, version)
    if assignee is None:
        help_request.assigned_to_id = None
        change.event("unassigned")
    else:
        help_request.assigned_to_id = assignee.id
        help_request.status = workflow.status_after_contact(help_request.status)
        if assignee.id == actor.id:
            change.event("taken")
        else:
            change.event("assigned", other_user_id=assignee.id)
    return _commit(change)


@dataclass(frozen=True)
class CallData:
    called_at: datetime
    result: str
    duration_minutes: int | None = None
    notes: str = ""
    coping: str | None = None
    coping_note: str = ""
    finances: str | None = None
    finances_note: str = ""
    daily_life: str | None = None
    daily_life_note: str = ""


def record_call(
    help_request: HelpRequest, actor: StaffUser, version: int | None, data: CallData
) -> HelpRequest:
    """Record a call; the first reached call stops the three-day clock."""
    change = _change(help_request, actor, version)
    call = Call(request_id=help_request.id, **data.__dict__)
    db.session.add(call)
    db.session.flush()
    help_request.call_attempts += 1
    help_request.status = workflow.status_after_contact(help_request.status)
    if workflow.counts_as_contact(data.result):
        _note_first_contact(change, data.called_at)
    change.event("call", value=data.result, call_id=call.id)
    return _commit(change)


def add_note(
    help_request: HelpRequest, actor: StaffUser, version: int | None, note: str
) -> HelpRequest:
    change = _change(help_request, actor, version)
    change.event("note", note=note)
    return _commit(change)


def change_status(
    help_request: HelpRequest,
    actor: StaffUser,
    version: int | None,
    status: str,
    outcome: str | None = None,
    note: str = "",
) -> HelpRequest:
    """Move the request on; closing needs an outcome, reopening clears it."""
    change = _change(help_request, actor, version)
    workflow.check_transition(help_request.status, status, outcome)
    if status == "closed":
        help_request.outcome = outcome
        help_request.closed_at = change.at
        change.event("closed", value=outcome or "", note=note)
    elif help_request.status == "closed":
        help_request.outcome = None
        help_request.closed_at = None
        change.event("reopened", note=note)
    else:
        change.event("status", value=status, note=note)
    help_request.status = status
    return _commit(change)


@dataclass(frozen=True)
class VisitData:
    starts_at: datetime
    duration_minutes: int
    address: str
    staff: list[StaffUser]


def book_visit(
    help_request: HelpRequest, actor: StaffUser, version: int | None, data: VisitData
) -> HelpRequest:
    change = _change(help_request, actor, version)
    visit = HomeVisit(
        request_id=help_request.id,
        starts_at=data.starts_at,
        duration_minutes=data.duration_minutes,
        address=data.address,
        staff=list(data.staff),
    )
    db.session.add(visit)
    db.session.flush()
    help_request.status = workflow.status_after_contact(help_request.status)
    change.event("visit_booked", visit_id=visit.id)
    return _commit(change)


def _visit_of(help_request: HelpRequest, visit_id: int) -> HomeVisit:
    visit = db.session.get(HomeVisit, visit_id)
    if visit is None or visit.request_id != help_request.id:
        raise NotFound(visit_id)
    return visit


def update_visit(
    help_request: HelpRequest,
    actor: StaffUser,
    version: int | None,
    visit_id: int,
    data: VisitData,
) -> HelpRequest:
    change = _change(help_request, actor, version)
    visit = _visit_of(help_request, visit_id)
    visit.starts_at = data.starts_at
    visit.duration_minutes = data.duration_minutes
    visit.address = data.address
    visit.staff = list(data.staff)
    change.event("visit_changed", visit_id=visit.id)
    return _commit(change)


def set_visit_status(
    help_request: HelpRequest,
    actor: StaffUser,
    version: int | None,
    visit_id: int,
    status: str,
    note: str = "",
) -> HelpRequest:
    change = _change(help_request, actor, version)
    visit = _visit_of(help_request, visit_id)
    if status not in ("done", "cancelled") or visit.status != "planned":
        raise workflow.WorkflowError("visit_not_planned")
    visit.status = status
    visit.status_note = note
    if status == "done":
        _note_first_contact(change, visit.starts_at)
    change.event("visit_" + status, visit_id=visit.id, note=note)
    return _commit(change)


def refer(
    help_request: HelpRequest,
    actor: StaffUser,
    version: int | None,
    service: Service,
    status: str,
    note: str = "",
) -> HelpRequest:
    change = _change(help_request, actor, version)
    referral = Referral(request_id=help_request.id, service_id=service.id, status=status, note=note)
    db.session.add(referral)
    db.session.flush()
    change.event("referral", value=status, referral_id=referral.id, note=note)
    return _commit(change)


def set_referral_status(
    help_request: HelpRequest,
    actor: StaffUser,
    version: int | None,
    referral_id: int,
    status: str,
    note: str = "",
) -> HelpRequest:
    change = _change(help_request, actor, version)
    referral = db.session.get(Referral, referral_id)
    if referral is None or referral.request_id != help_request.id:
        raise NotFound(referral_id)
    referral.status = status
    change.event("referral_status", value=status, referral_id=referral.id, note=note)
    return _commit(change)


def search_services(text: str, language: str, limit: int = 20) -> list[Service]:
    """Active services whose name (in either language) or provider contains ``text``."""
    query = select(Service).where(Service.active.is_(True))
    words = text.split()
    for word in words:
        pattern = f"%{word.lower()}%"
        query = query.where(
            db.or_(
                db.func.lower(Service.name_fi).like(pattern),
                db.func.lower(Service.name_sv).like(pattern),
                db.func.lower(Service.provider).like(pattern),
            )
        )
    order = Service.name_sv if language == "sv" else Service.name_fi
    return list(db.session.scalars(query.order_by(order).limit(limit)))
