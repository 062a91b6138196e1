"""Working a help request: every change is versioned, put on the timeline and committed once.

A change based on a stale version raises ``StaleVersion`` with the fresh request, so the view
can tell who changed it and when and keep what the counsellor typed. Two changes racing each
other are caught by the version column in the UPDATE itself (SQLAlchemy's version_id_col): the
one that lost runs again (``run_unit``), and its version check refuses it like any stale one.
An additive change (``@additive``: it only adds to the request, computed from its current
state) based on a version that is stale only through the actor's own later change (another
window of theirs) goes through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial, wraps
from typing import Any, Protocol

from sqlalchemy import Select, and_, bindparam, func, select
from sqlalchemy.orm import aliased, joinedload

from pyydaapua import notices
from pyydaapua.database import db, execute_core, planned_once
from pyydaapua.models import (
    Call,
    Disclosure,
    HelpRequest,
    HomeVisit,
    Referral,
    Service,
    StaffUser,
    TimelineEvent,
    home_visit_staff,
)
from pyydaapua.rules import disclosures, planned_calls, status_flow
from pyydaapua.web.transactions import run_unit


class StaleVersion(Exception):
    """The request was changed after the form was opened: by someone else, or by the same
    person in another window (``by_actor``)."""

    def __init__(self, fresh: HelpRequest, actor: StaffUser | None = None) -> None:
        super().__init__("stale version")
        self.fresh = fresh
        self.by_actor = actor is not None and fresh.updated_by_id == actor.id


class NotFound(LookupError):
    """A record named in the change does not belong to this request or does not exist."""


def now_utc() -> datetime:
    return datetime.now(UTC)


# Built once: a statement's cache key is worked out once per statement object, and the
# request page reads these on every answer.
_REQUEST = planned_once(
    select(HelpRequest)
    .where(HelpRequest.id == bindparam("request_id"))
    .options(
        joinedload(HelpRequest.topics),
        joinedload(HelpRequest.assigned_to),
        joinedload(HelpRequest.updated_by),
        joinedload(HelpRequest.planned_call_by),
    )
)


def get_request(request_id: int) -> HelpRequest | None:
    """The request with its topics, owner and last editor, in one query."""
    return db.session.scalars(_REQUEST, {"request_id": request_id}).unique().one_or_none()


def timeline(request_id: int) -> list[TimelineEvent]:
    """Everything that happened to the request, newest first, in a constant number of queries."""
    return list(
        db.session.scalars(
            select(TimelineEvent)
            .where(TimelineEvent.request_id == request_id)
            .options(joinedload(TimelineEvent.visit).lazyload(HomeVisit.staff))
            .order_by(TimelineEvent.at.desc(), TimelineEvent.id.desc())
        ).unique()
    )


def visits(request_id: int) -> list[HomeVisit]:
    return list(
        db.session.scalars(
            select(HomeVisit)
            .where(HomeVisit.request_id == request_id)
            .options(joinedload(HomeVisit.staff))
            .order_by(HomeVisit.starts_at)
        ).unique()
    )


def referrals(request_id: int) -> list[Referral]:
    return list(
        db.session.scalars(
            select(Referral).where(Referral.request_id == request_id).order_by(Referral.id)
        )
    )


def referrals_and_disclosures(request_id: int) -> tuple[list[Referral], list[Disclosure]]:
    """The request's referrals, and its disclosure log oldest first, in one query (each
    disclosure is written with its referral)."""
    rows = db.session.execute(
        select(Referral, Disclosure)
        .outerjoin(Disclosure, Disclosure.referral_id == Referral.id)
        .where(Referral.request_id == request_id)
        .order_by(Referral.id, Disclosure.at, Disclosure.id)
    ).all()
    found: dict[int, Referral] = {}
    for referral, _disclosure in rows:
        found.setdefault(referral.id, referral)
    logged = sorted(
        (disclosure for _referral, disclosure in rows if disclosure is not None),
        key=lambda d: (d.at, d.id),
    )
    return list(found.values()), logged


class Named(Protocol):
    """A member of staff as a timeline entry names them."""

    @property
    def name(self) -> str: ...


class CallShown(Protocol):
    """What a timeline entry shows of its call."""

    @property
    def duration_minutes(self) -> int | None: ...
    @property
    def notes(self) -> str: ...
    @property
    def coping(self) -> str | None: ...
    @property
    def coping_note(self) -> str: ...
    @property
    def finances(self) -> str | None: ...
    @property
    def finances_note(self) -> str: ...
    @property
    def daily_life(self) -> str | None: ...
    @property
    def daily_life_note(self) -> str: ...


class VisitNamed(Protocol):
    """What a timeline entry shows of the home visit it names."""

    @property
    def starts_at(self) -> datetime: ...


class ServiceNamed(Protocol):
    def name(self, language: str) -> str: ...


class ReferralNamed(Protocol):
    """What a timeline entry shows of the referral it names."""

    @property
    def consent(self) -> str | None: ...
    @property
    def service(self) -> ServiceNamed: ...


class TimelineEntry(Protocol):
    """What a timeline entry shows: a ``TimelineEvent`` (the family's export) or the request
    page's ``Entry``."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def value(self) -> str: ...
    @property
    def note(self) -> str: ...
    @property
    def user(self) -> Named | None: ...
    @property
    def other_user(self) -> Named | None: ...
    @property
    def call(self) -> CallShown | None: ...
    @property
    def visit(self) -> VisitNamed | None: ...
    @property
    def referral(self) -> ReferralNamed | None: ...


@dataclass(frozen=True, slots=True)
class Person:
    name: str


@dataclass(frozen=True, slots=True)
class Staffer:
    """A member of staff going on a home visit."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class EntryCall:
    duration_minutes: int | None
    notes: str
    coping: str | None
    coping_note: str
    finances: str | None
    finances_note: str
    daily_life: str | None
    daily_life_note: str


@dataclass(frozen=True, slots=True)
class VisitShown:
    """A home visit as the request page shows it, with the staff going (in the order read)."""

    id: int
    starts_at: datetime
    duration_minutes: int
    address: str
    status: str
    status_note: str
    staff: list[Staffer]


@dataclass(frozen=True, slots=True)
class ServiceShown:
    """What the request page shows of a referral's service."""

    name_fi: str
    name_sv: str
    provider_type: str
    phone: str
    email: str
    active: bool

    def name(self, language: str) -> str:
        return self.name_sv if language == "sv" else self.name_fi


@dataclass(frozen=True, slots=True)
class ReferralShown:
    id: int
    status: str
    note: str
    consent: str | None
    service: ServiceShown


@dataclass(frozen=True, slots=True)
class DisclosureShown:
    """An entry of the disclosure log, with the name of who passed the information on."""

    id: int
    referral_id: int | None
    at: datetime
    recipient: str
    categories: str
    basis: str
    user: Person | None


@dataclass(frozen=True, slots=True)
class Entry:
    """A timeline entry read as plain values, with the visit or referral it names."""

    id: int
    kind: str
    at: datetime
    value: str
    note: str
    user: Person | None
    other_user: Person | None
    call: EntryCall | None
    visit: VisitShown | None
    referral: ReferralShown | None


@dataclass
class Work:
    """What was done on a request: its timeline, newest first, and the home visits (by
    time), referrals (in the order made) and disclosure log (oldest first) it names."""

    timeline: list[Entry]
    visits: list[VisitShown]
    referrals: list[ReferralShown]
    disclosures: list[DisclosureShown]


_VISIT_STAFF = aliased(StaffUser)
_ENTRY_USER = aliased(StaffUser)
_OTHER_USER = aliased(StaffUser)
_DISCLOSED_BY = aliased(StaffUser)
# Each row's columns, read as plain values: 60 entries with their visits and referrals as ORM
# objects took half of the request page's reading. In this order: the entry (``_entry``), its
# visit with one of the staff going, its referral with the service, and a disclosure made with
# the referral.
_ENTRY_COLUMNS = (
    TimelineEvent.id,
    TimelineEvent.kind,
    TimelineEvent.at,
    TimelineEvent.value,
    TimelineEvent.note,
    _ENTRY_USER.name,
    _OTHER_USER.name,
    TimelineEvent.call_id,
    Call.duration_minutes,
    Call.notes,
    Call.coping,
    Call.coping_note,
    Call.finances,
    Call.finances_note,
    Call.daily_life,
    Call.daily_life_note,
)
_VISIT_COLUMNS = (
    HomeVisit.id,
    HomeVisit.starts_at,
    HomeVisit.duration_minutes,
    HomeVisit.address,
    HomeVisit.status,
    HomeVisit.status_note,
)
_REFERRAL_COLUMNS = (
    Referral.id,
    Referral.status,
    Referral.note,
    Referral.consent,
    Service.name_fi,
    Service.name_sv,
    Service.provider_type,
    Service.phone,
    Service.email,
    Service.active,
)
_DISCLOSURE_COLUMNS = (
    Disclosure.id,
    Disclosure.referral_id,
    Disclosure.at,
    Disclosure.recipient,
    Disclosure.categories,
    Disclosure.basis,
    _DISCLOSED_BY.name,
)
# Where each part of a row starts: the visit, its member of staff (id and name), the referral,
# the disclosure.
_VISIT_AT = len(_ENTRY_COLUMNS)
_STAFF_AT = _VISIT_AT + len(_VISIT_COLUMNS)
_REFERRAL_AT = _STAFF_AT + 2
_DISCLOSURE_AT = _REFERRAL_AT + len(_REFERRAL_COLUMNS)


# Built once: a statement's cache key is worked out once per statement object.
_WORK = planned_once(
    select(
        *_ENTRY_COLUMNS,
        *_VISIT_COLUMNS,
        _VISIT_STAFF.id,
        _VISIT_STAFF.name,
        *_REFERRAL_COLUMNS,
        *_DISCLOSURE_COLUMNS,
    )
    .select_from(TimelineEvent)
    .outerjoin(_ENTRY_USER, _ENTRY_USER.id == TimelineEvent.user_id)
    .outerjoin(_OTHER_USER, _OTHER_USER.id == TimelineEvent.other_user_id)
    .outerjoin(Call, Call.id == TimelineEvent.call_id)
    .outerjoin(Referral, Referral.id == TimelineEvent.referral_id)
    .outerjoin(Service, Service.id == Referral.service_id)
    .outerjoin(
        Disclosure,
        and_(
            TimelineEvent.kind == "referral",
            Disclosure.referral_id == TimelineEvent.referral_id,
        ),
    )
    .outerjoin(_DISCLOSED_BY, _DISCLOSED_BY.id == Disclosure.user_id)
    # The visits' staff joined one table after the other: a nested join of the link table
    # is built whole by SQLite for every page (every visit's staff).
    .outerjoin(HomeVisit, HomeVisit.id == TimelineEvent.visit_id)
    .outerjoin(home_visit_staff, home_visit_staff.c.visit_id == HomeVisit.id)
    .outerjoin(_VISIT_STAFF, _VISIT_STAFF.id == home_visit_staff.c.user_id)
    .where(TimelineEvent.request_id == bindparam("request_id"))
    .order_by(TimelineEvent.at.desc(), TimelineEvent.id.desc())
)


def _person(name: str | None) -> Person | None:
    return None if name is None else Person(name)


def _entry(
    columns: Sequence[Any], visit: VisitShown | None, referral: ReferralShown | None
) -> Entry:
    """The entry of a row's ``_ENTRY_COLUMNS``."""
    event_id, kind, at, value, note, user, other_user, call_id, *call = columns
    return Entry(
        event_id,
        kind,
        at,
        value,
        note or "",
        _person(user),
        _person(other_user),
        None if call_id is None else EntryCall(*call),
        visit,
        referral,
    )


def _visit(columns: Sequence[Any]) -> VisitShown:
    """The visit of a row's ``_VISIT_COLUMNS``, its staff not yet read."""
    visit_id, starts_at, duration_minutes, address, status, status_note = columns
    return VisitShown(visit_id, starts_at, duration_minutes, address, status, status_note, [])


def _referral(columns: Sequence[Any]) -> ReferralShown:
    """The referral of a row's ``_REFERRAL_COLUMNS``."""
    referral_id, status, note, consent, *service = columns
    return ReferralShown(referral_id, status, note, consent, ServiceShown(*service))


def _disclosure(columns: Sequence[Any]) -> DisclosureShown:
    """The disclosure of a row's ``_DISCLOSURE_COLUMNS``."""
    disclosure_id, referral_id, at, recipient, categories, basis, user = columns
    return DisclosureShown(
        disclosure_id, referral_id, at, recipient, categories, basis, _person(user)
    )


def work(request_id: int) -> Work:
    """The request's timeline with its visits, referrals and disclosures, in one query, as
    plain values.

    Each visit is written with its "visit_booked" entry (``book_visit``), each referral with
    its "referral" entry and each disclosure with its referral (``refer``), and the timeline is
    read whole: so the entries name every visit, referral and disclosure of the request. A
    disclosure is joined to its referral's "referral" entry only, so that each comes once; a
    visit comes once for each of its staff."""
    events: dict[int, Entry] = {}
    visits: dict[int, VisitShown] = {}
    referrals: dict[int, ReferralShown] = {}
    logged: dict[int, DisclosureShown] = {}
    for row in execute_core(_WORK, {"request_id": request_id}):
        visit_id, staff_id, staff_name = row[_VISIT_AT], row[_STAFF_AT], row[_STAFF_AT + 1]
        visit = visits.get(visit_id)
        if visit_id is not None and visit is None:
            visit = visits[visit_id] = _visit(row[_VISIT_AT:_STAFF_AT])
        if (
            visit is not None
            and staff_id is not None
            and all(each.id != staff_id for each in visit.staff)
        ):
            visit.staff.append(Staffer(staff_id, staff_name))
        referral_id = row[_REFERRAL_AT]
        referral = referrals.get(referral_id)
        if referral_id is not None and referral is None:
            referral = referrals[referral_id] = _referral(row[_REFERRAL_AT:_DISCLOSURE_AT])
        disclosure_id = row[_DISCLOSURE_AT]
        if disclosure_id is not None and disclosure_id not in logged:
            logged[disclosure_id] = _disclosure(row[_DISCLOSURE_AT:])
        if row[0] not in events:
            events[row[0]] = _entry(row[:_VISIT_AT], visit, referral)
    return Work(
        timeline=list(events.values()),
        visits=sorted(visits.values(), key=lambda v: (v.starts_at, v.id)),
        referrals=sorted(referrals.values(), key=lambda r: r.id),
        disclosures=sorted(logged.values(), key=lambda d: (d.at, d.id)),
    )


def _services_by_name(name: Any) -> Select:
    return planned_once(
        select(Service.id, name, Service.provider_type)
        .where(Service.active.is_(True))
        .order_by(name)
        .limit(bindparam("limit"))
    )


_SERVICES = {"fi": _services_by_name(Service.name_fi), "sv": _services_by_name(Service.name_sv)}
_ACTIVE_STAFF = planned_once(
    select(StaffUser.id, StaffUser.name)
    .where(StaffUser.active.is_(True), StaffUser.role.in_(bindparam("roles", expanding=True)))
    .order_by(StaffUser.name)
)


def service_choices(language: str, limit: int = 500) -> list[tuple[int, str, str]]:
    """The services a referral can be made to (the active ones), by name in ``language``:
    each one's id, name and provider type, read as plain values."""
    statement = _SERVICES["sv" if language == "sv" else "fi"]
    rows = db.session.execute(statement, {"limit": limit})
    return [(service_id, text, provider_type) for service_id, text, provider_type in rows]


def active_staff(roles: Iterable[str]) -> list[tuple[int, str]]:
    """The id and name of each active member of staff in ``roles``, by name."""
    rows = db.session.execute(_ACTIVE_STAFF, {"roles": list(roles)})
    return [(user_id, name) for user_id, name in rows]


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


def _claim(change: _Change) -> None:
    """The first casework action on a request without an owner makes the actor its owner. It
    runs before the action itself, so that an explicit change of owner (``assign``) wins. The
    action's own timeline entry and audit event name who did it; the header shows the owner."""
    if change.request.assigned_to_id is None:
        change.request.assigned_to_id = change.actor.id


def became_owner(owner_before: int | None, help_request: HelpRequest, actor: StaffUser) -> bool:
    """Whether a change made ``actor`` the owner of a request that had none."""
    return owner_before is None and help_request.assigned_to_id == actor.id


def versioned(
    operation: Callable[..., None], *, additive: bool = False, reopens: bool = False
) -> Callable[..., HelpRequest]:
    """Run ``operation(change, …)`` on ``(help_request, actor, version, …)`` as one versioned
    change: refused when ``version`` is stale, committed once, with one UPDATE of the request.
    ``record()``, when given, adds the change's audit event to the same transaction.

    ``additive``: the operation only adds to the request (a note, a call) and derives whatever
    it sets from the request as it is now, so it overwrites nothing. It then goes through on a
    stale version when the last change was the actor's own (their other window); after someone
    else's change it is refused like any other, so that they see it first, also when that
    change won a race with it in the UPDATE.

    A closed request takes no change but being reopened (``reopens``): any other is refused
    (``status_flow.check_open``), after the version check, so that a change made by someone
    else is seen first.

    Working on a request that has no owner makes the actor its owner (``_claim``)."""

    @wraps(operation)
    def run(
        help_request: HelpRequest,
        actor: StaffUser,
        version: int | None,
        *args: Any,
        record: Callable[[], object] | None = None,
        **kwargs: Any,
    ) -> HelpRequest:
        def unit() -> None:
            if version is None or help_request.version != version:
                own_change = version is not None and help_request.updated_by_id == actor.id
                if not (additive and own_change):
                    raise StaleVersion(help_request, actor)
            if not reopens:
                status_flow.check_open(help_request.status)
            change = _Change(help_request, actor, now_utc())
            _claim(change)
            operation(change, *args, **kwargs)
            help_request.updated_at = change.at
            help_request.updated_by_id = actor.id
            if record is not None:
                record()  # the audit event, committed with the change or not at all

        # A change that commits first makes this one's UPDATE stale: the unit runs again and
        # its version check refuses it, naming that change (``run_unit``).
        run_unit(unit)
        return help_request

    return run


def additive(operation: Callable[..., None]) -> Callable[..., HelpRequest]:
    """``versioned``, for a change that only adds to the request (see there)."""
    return versioned(operation, additive=True)


def _note_first_contact(change: _Change, contacted_at: datetime) -> None:
    request = change.request
    if request.first_contact_at is None:
        request.first_contact_at = contacted_at
        request.first_contact_on_time = status_flow.first_contact_on_time(
            contacted_at, request.due_date
        )
        request.first_contact_workdays = status_flow.working_days_to_contact(
            request.submitted_at, contacted_at
        )


@versioned
def assign(change: _Change, assignee: StaffUser | None) -> None:
    """Make ``assignee`` the owner (the actor takes it when they are the same); None unassigns."""
    request = change.request
    if assignee is None:
        request.assigned_to_id = None
        change.event("unassigned")
        return
    request.assigned_to_id = assignee.id
    request.status = status_flow.status_after_contact(request.status)
    if assignee.id == change.actor.id:
        change.event("taken")
    else:
        change.event("assigned", other_user_id=assignee.id)


@dataclass(frozen=True)
class PlannedCall:
    """The next call planned: when (UTC), and whether the time was agreed with the family (else
    proposed by the counsellor)."""

    at: datetime
    agreed: bool

    @property
    def code(self) -> str:
        """The timeline entry's value: "agreed 2026-12-01T08:00Z" (no free text)."""
        word = "agreed" if self.agreed else "proposed"
        return f"{word} {self.at.astimezone(UTC):%Y-%m-%dT%H:%MZ}"

    @classmethod
    def from_code(cls, code: str) -> PlannedCall:
        word, _, moment = code.partition(" ")
        at = datetime.strptime(moment, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
        return cls(at=at, agreed=word == "agreed")


def _set_plan(change: _Change, plan: PlannedCall | None) -> None:
    """Plan the request's next call for the actor (None clears it), on the timeline."""
    request = change.request
    if plan is None:
        if request.planned_call_at is not None:
            _clear_plan(request)
            change.event("call_plan_cleared")
        return
    planned_calls.check_can_plan(request.contact_method)
    if not planned_calls.check_planned_time(plan.at, change.at):
        raise status_flow.WorkflowError("planned_call_in_past", "planned_at")
    request.planned_call_at = plan.at
    request.planned_call_by_id = change.actor.id
    request.planned_call_agreed = plan.agreed
    change.event("call_planned", value=plan.code)


def _clear_plan(request: HelpRequest) -> None:
    request.planned_call_at = None
    request.planned_call_by_id = None
    request.planned_call_agreed = None


@versioned
def plan_call(change: _Change, plan: PlannedCall | None) -> None:
    """Plan the next call without recording one (None clears the plan): a call-back at a set
    time, made by the actor."""
    planned_calls.check_can_plan(change.request.contact_method)
    if plan is None and change.request.planned_call_at is None:
        raise status_flow.WorkflowError("no_planned_call")
    _set_plan(change, plan)


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


@additive
def record_call(
    change: _Change, data: CallData, plan: PlannedCall | None = None, clear_plan: bool = False
) -> None:
    """Record a call; the first reached call stops the three-day clock. ``plan`` plans the next
    call, ``clear_plan`` ends any plan; with neither, what the call leaves of the plan stays
    (``planned_calls.plan_after_call``)."""
    _record_call(change, data)
    if plan is not None or clear_plan:
        _set_plan(change, plan)


def _record_call(change: _Change, data: CallData) -> None:
    request = change.request
    status_flow.check_call_time(data.called_at, request.submitted_at, change.at)
    call = Call(request_id=request.id, **data.__dict__)
    db.session.add(call)
    request.call_attempts += 1
    request.status = status_flow.status_after_contact(request.status)
    reached = status_flow.counts_as_contact(data.result)
    if reached and request.first_contact_at is None:
        # The calls it took to reach the family the first time, this one included.
        request.first_contact_attempts = _calls_up_to(request.id, data.called_at)
        _note_first_contact(change, data.called_at)
    change.event("call", value=data.result, call=call)
    if request.planned_call_at is not None and (
        planned_calls.plan_after_call(request.planned_call_at, data.called_at, reached) is None
    ):
        _clear_plan(request)


def _calls_up_to(request_id: int, moment: datetime) -> int:
    """The request's calls at ``moment`` or before, the one being recorded included (it is not
    stored yet: the stored ones are counted, and it)."""
    with db.session.no_autoflush:
        stored = db.session.scalar(
            select(func.count())
            .select_from(Call)
            .where(Call.request_id == request_id, Call.called_at <= moment)
        )
    return (stored or 0) + 1


@additive
def add_note(change: _Change, note: str) -> None:
    change.event("note", note=note)


@additive
def message_family(change: _Change, message: str) -> None:
    """Write to the family on their status page. It answers whatever they wrote, and the first
    message counts as the first contact: for a request answered on the status page it is what
    a reached call is for a phone request (the three-day promise and the reports)."""
    request = change.request
    status_flow.check_message_to_family(request.contact_method, request.status)
    request.status = status_flow.status_after_contact(request.status)
    request.family_message_at = None
    _note_first_contact(change, change.at)
    change.event("message_to_family", note=message)
    notices.counsellor_wrote(request)


ALL_FINE = "fine"  # the check-in answer of each of the three questions in a quick call


def all_fine_call(called_at: datetime) -> CallData:
    """The family was reached and all is fine: coping, finances and daily life answered fine."""
    return CallData(
        called_at=called_at,
        result="reached",
        coping=ALL_FINE,
        finances=ALL_FINE,
        daily_life=ALL_FINE,
    )


@versioned
def record_all_fine(change: _Change, close: bool = False) -> None:
    """The most common call in one step: reached now, all fine; with ``close``, the request is
    closed too, with the outcome "the conversation was enough"."""
    _record_call(change, all_fine_call(change.at))
    if close:
        _settle_open_work(change, False, ())
        _change_status(change, "closed", "conversation_enough")


@dataclass(frozen=True)
class OpenWork:
    """What is still under way when a request is closed: home visits booked for a time still to
    come, and referrals sent to a service that has not answered yet."""

    visits: list[HomeVisit]
    referrals: list[Referral]

    def __bool__(self) -> bool:
        return bool(self.visits or self.referrals)


def open_work(request_id: int, now: datetime) -> OpenWork:
    """The request's open work at ``now``."""
    return OpenWork(
        visits=[
            visit
            for visit in visits(request_id)
            if status_flow.visit_is_open(visit.status, visit.starts_at, now)
        ],
        referrals=[r for r in referrals(request_id) if status_flow.referral_is_open(r.status)],
    )


@versioned
def change_status(
    change: _Change,
    status: str,
    outcome: str | None = None,
    note: str = "",
    *,
    open_work_seen: bool = False,
    cancel_visits: Iterable[int] = (),
    end_referrals: Iterable[int] = (),
) -> None:
    """Move the request on; closing needs an outcome, reopening clears it. Closing a request
    with open work (``open_work``) is refused until the closer has seen it
    (``open_work_seen``); the visits in ``cancel_visits`` are cancelled and the referrals in
    ``end_referrals`` ended in the same change."""
    if status == "closed":
        status_flow.check_transition(change.request.status, status, outcome)  # outcome first
        _settle_open_work(change, open_work_seen, cancel_visits, end_referrals)
    _change_status(change, status, outcome, note)


def _settle_open_work(
    change: _Change, seen: bool, cancel_visits: Iterable[int], end_referrals: Iterable[int] = ()
) -> None:
    if not seen and open_work(change.request.id, change.at):
        raise status_flow.WorkflowError("open_work")
    for visit_id in cancel_visits:
        _cancel_visit(change, _visit_of(change.request, visit_id))
    for referral_id in end_referrals:
        referral = _referral_of(change.request, referral_id)
        if not status_flow.referral_is_open(referral.status):
            raise status_flow.WorkflowError("referral_not_open")
        referral.status = "ended"
        change.event("referral_status", value="ended", referral=referral)


def _change_status(change: _Change, status: str, outcome: str | None, note: str = "") -> None:
    request = change.request
    status_flow.check_transition(request.status, status, outcome)
    if status == "closed":
        request.outcome = outcome
        request.closed_at = change.at
        request.family_message_at = None  # nothing waits for an answer on a closed request
        _clear_plan(request)  # nor is a call planned on it
        change.event("closed", value=outcome or "", note=note)
    else:
        change.event("status", value=status, note=note)
    request.status = status


@partial(versioned, reopens=True)
def reopen(change: _Change, reason: str) -> None:
    """Reopen a closed request, in progress again; the reason goes on the timeline."""
    request = change.request
    status_flow.check_reopen(request.status)
    request.status = "in_progress"
    request.outcome = None
    request.closed_at = None
    change.event("reopened", note=reason)


@dataclass(frozen=True)
class VisitData:
    starts_at: datetime
    duration_minutes: int
    address: str
    staff: list[StaffUser]


@versioned
def book_visit(change: _Change, data: VisitData) -> None:
    request = change.request
    status_flow.check_visit_time(data.starts_at, request.submitted_at)
    visit = HomeVisit(
        request_id=request.id,
        starts_at=data.starts_at,
        duration_minutes=data.duration_minutes,
        address=data.address,
        staff=list(data.staff),
    )
    db.session.add(visit)
    request.status = status_flow.status_after_contact(request.status)
    change.event("visit_booked", visit=visit)


def _visit_of(help_request: HelpRequest, visit_id: int) -> HomeVisit:
    visit = db.session.get(HomeVisit, visit_id)
    if visit is None or visit.request_id != help_request.id:
        raise NotFound(visit_id)
    return visit


@versioned
def update_visit(change: _Change, visit_id: int, data: VisitData) -> None:
    visit = _visit_of(change.request, visit_id)
    status_flow.check_visit_time(data.starts_at, change.request.submitted_at)
    visit.starts_at = data.starts_at
    visit.duration_minutes = data.duration_minutes
    visit.address = data.address
    visit.staff = list(data.staff)
    change.event("visit_changed", visit=visit)


@versioned
def set_visit_status(change: _Change, visit_id: int, status: str, note: str = "") -> None:
    """Mark a planned visit done (a contact with the family) or cancelled."""
    visit = _visit_of(change.request, visit_id)
    if status not in ("done", "cancelled") or visit.status != "planned":
        raise status_flow.WorkflowError("visit_not_planned")
    if status == "done":
        status_flow.check_visit_done(visit.starts_at, change.at)
    visit.status = status
    visit.status_note = note
    if status == "done":
        _note_first_contact(change, visit.starts_at)
    change.event("visit_" + status, visit=visit, note=note)


def _cancel_visit(change: _Change, visit: HomeVisit) -> None:
    """Cancel a planned visit as part of closing the request."""
    if visit.status != "planned":
        raise status_flow.WorkflowError("visit_not_planned")
    visit.status = "cancelled"
    change.event("visit_cancelled", visit=visit)


@dataclass(frozen=True)
class ConsentData:
    """The family's consent on a referral (``CONSENTS``), and with consent given what is passed
    on: the categories, the unit or worker at the service (optional), and when (None: now)."""

    consent: str
    categories: tuple[str, ...] = ()
    unit: str = ""
    disclosed_at: datetime | None = None


@versioned
def refer(
    change: _Change,
    service: Service,
    status: str,
    note: str = "",
    consent: ConsentData | None = None,
) -> None:
    """Refer the family to ``service``; a service no longer in use is not offered any more.
    With the family's consent given (``consent``), what is passed on is written to the
    disclosure log in the same change, and on the timeline. ``consent`` None: a referral
    recorded without asking (the demo data, older callers)."""
    if not service.active:
        raise status_flow.WorkflowError("service_inactive")
    request = change.request
    recipient = ""
    if consent is not None:
        # To whom, as it was then: the service's name in the family's language.
        recipient = disclosures.recipient_text(service.name(request.language), consent.unit)
        disclosures.check(consent.consent, consent.categories, recipient)
    referral = Referral(
        request_id=request.id,
        service_id=service.id,
        status=status,
        note=note,
        consent=consent.consent if consent is not None else None,
    )
    db.session.add(referral)
    change.event("referral", value=status, referral=referral, note=note)
    if consent is not None and consent.consent == disclosures.PASSED_ON:
        disclosed_at = consent.disclosed_at or change.at
        disclosures.check_time(disclosed_at, request.submitted_at, change.at)
        categories = disclosures.join_categories(consent.categories)
        db.session.add(
            Disclosure(
                request_id=request.id,
                referral=referral,
                at=disclosed_at,
                user_id=change.actor.id,
                recipient=recipient,
                categories=categories,
                basis=consent.consent,
            )
        )
        change.event("disclosure", value=categories, referral=referral)


def _referral_of(help_request: HelpRequest, referral_id: int) -> Referral:
    referral = db.session.get(Referral, referral_id)
    if referral is None or referral.request_id != help_request.id:
        raise NotFound(referral_id)
    return referral


@versioned
def set_referral_status(change: _Change, referral_id: int, status: str, note: str = "") -> None:
    referral = _referral_of(change.request, referral_id)
    referral.status = status
    change.event("referral_status", value=status, referral=referral, note=note)
