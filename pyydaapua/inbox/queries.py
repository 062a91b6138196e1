"""The inbox: filters that live in the URL, search, counts per filter, pages in SQL.

Every query here runs a constant number of times per page, whatever the amount of data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple, cast

from sqlalchemy import ColumnElement, ScalarSelect, Select, and_, bindparam, case, func, select
from sqlalchemy.orm import aliased

from pyydaapua.audit import REQUEST_LISTED, SEARCH_NO_RESULTS, Read, search_action
from pyydaapua.database import db, execute_core, likely, planned_once, written_in
from pyydaapua.models import (
    HelpRequest,
    HomeVisit,
    RequestCount,
    RequestTopic,
    StaffUser,
    home_visit_staff,
)
from pyydaapua.rules import typed_text
from pyydaapua.rules.codes import LANGUAGES, TOPICS
from pyydaapua.rules.paging import Page
from pyydaapua.rules.phones import normalise_phone
from pyydaapua.rules.references import parse_reference
from pyydaapua.rules.repeats import SAME_FAMILY_DAYS, asked_within, excerpt
from pyydaapua.rules.status_flow import OPEN_STATUSES, STATUSES
from pyydaapua.web.params import parse_int

PER_PAGE = 50
# Written into the statement, not sent as parameters, so that the planner matches it with the
# partial index of open requests (ix_help_request_open_reached_due) before any value is known.
OPEN = HelpRequest.status.in_(written_in("open_statuses", OPEN_STATUSES))
# Whether the family has been reached (the first contact, casework/changes.py): the inbox shows
# the requests not yet reached first. The same expression as in the index's first column.
REACHED = HelpRequest.first_contact_at.is_not(None)
# The inbox's order: the requests not yet reached first, each part by the earliest due date.
INBOX_ORDER = (REACHED, HelpRequest.due_date, HelpRequest.submitted_at, HelpRequest.id)
# The characters of the request read for the excerpt in a row (one more tells it goes on).
EXCERPT_CHARS = 90
SEARCH_MAX = 100
# A search's status counts stop here: a count past it reads "more than COUNT_CAP" (each status
# reads at most COUNT_CAP + 1 matching rows), and the exact number is asked for with ``exact``.
# Counts without a search are exact (the kept counts, or few enough rows to count).
COUNT_CAP = 1000
STATUS_FILTERS = ("open", *STATUSES, "all")
OWNER_FILTERS = ("all", "mine", "unassigned")
# The filters in the inbox's folding panel; its summary says how many of them are in use.
FOLDED_FILTERS = ("status", "owner", "topic", "language", "overdue", "unreached", "messages")
# The presets ("views" on the page), one click away: each a set of filters, the rest at defaults.
PRESETS: dict[str, dict[str, str]] = {
    "all": {},
    "unreached": {"unreached": "1"},
    "messages": {"messages": "1"},
    "mine": {"owner": "mine"},
    "unassigned": {"owner": "unassigned"},
}


@dataclass(frozen=True)
class Filters:
    """What the inbox shows; unknown values fall back to the defaults."""

    status: str = "open"
    owner: str = "all"
    topic: str = ""
    language: str = ""
    overdue: bool = False
    # Only the requests whose family has not been reached yet (no first contact).
    unreached: bool = False
    # Only the requests with a message from the family that nobody has answered yet.
    messages: bool = False
    q: str = ""
    page: int = 1
    # Why the search text cannot be used ("control", "unreadable", "too_long"), or "".
    # The text is then shown back without its control characters and not searched for.
    q_problem: str = ""
    # A search's counts exact, past ``COUNT_CAP`` too (asked for from the count); only with a
    # search text that is searched for.
    exact: bool = False

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        def pick(name: str, allowed: tuple[str, ...], default: str) -> str:
            value = args.get(name, default)
            return value if value in allowed else default

        page = parse_int(args.get("page"), 1) or 1
        search = _search_text(args.get("q", ""))
        return cls(
            status=pick("status", STATUS_FILTERS, "open"),
            owner=pick("owner", OWNER_FILTERS, "all"),
            topic=pick("topic", ("", *TOPICS), ""),
            language=pick("language", ("", *LANGUAGES), ""),
            overdue=args.get("overdue") in ("1", "on", "true"),
            unreached=args.get("unreached") in ("1", "on", "true"),
            messages=args.get("messages") in ("1", "on", "true"),
            page=page,
            exact=bool(search["q"] and not search["q_problem"])
            and args.get("exact") in ("1", "on", "true"),
            **search,
        )

    def to_args(self, **changes: Any) -> dict[str, str]:
        """The non-default values, for links and the pushed URL."""
        args = {}
        for name, default in _DEFAULTS.items():
            value = changes[name] if name in changes else getattr(self, name)
            if value != default:
                args[name] = "1" if value is True else str(value)
        return args

    @property
    def in_use(self) -> int:
        """How many of the filters in the folded panel are in use (the search stays in view)."""
        defaults = Filters()
        return sum(getattr(self, name) != getattr(defaults, name) for name in FOLDED_FILTERS)

    @property
    def preset(self) -> str:
        """The preset (a named view) these filters are exactly (on any page), or ""."""
        args = self.to_args(page=1)
        return next((name for name, preset in PRESETS.items() if preset == args), "")


# Each filter's default, for ``to_args`` (links on every row); the search's problem is never
# part of an address.
_DEFAULTS = {field.name: field.default for field in fields(Filters) if field.name != "q_problem"}


def search_problem(text: str) -> str:
    """Why a search text cannot be used, or "": the text rules of every single-line field,
    and at most ``SEARCH_MAX`` characters."""
    problem = typed_text.find_problem(text, multiline=False)
    if problem is not None:
        return problem.kind
    return "too_long" if len(text) > SEARCH_MAX else ""


def _search_text(raw: str) -> dict[str, str]:
    text = typed_text.normalise(raw, multiline=False).strip()
    problem = search_problem(text)
    if problem:
        text = typed_text.without_control_characters(text, multiline=False).strip()
    return {"q": text, "q_problem": problem}


def search_kind(text: str) -> str:
    """What a search looks for: "reference", "phone" or "words" (in the name or description)."""
    if parse_reference(text):
        return "reference"
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 6 and not re.search(r"[^\d\s+()-]", text):
        return "phone"
    return "words"


def _search(query: Select, text: str) -> Select:
    """Reference, phone number in any format, or words in the name or the description."""
    kind = search_kind(text)
    if kind == "reference":
        return query.where(HelpRequest.reference == parse_reference(text))
    digits = re.sub(r"\D", "", text)
    if kind == "phone":
        phone = normalise_phone(text)
        if phone:
            return query.where(HelpRequest.phone == phone)
        return query.where(HelpRequest.phone.like(f"%{digits.lstrip('0')}%"))
    for word in text.lower().split():
        pattern = typed_text.like_any(word)
        query = query.where(HelpRequest.search_text.like(pattern, escape="\\"))
    return query


def _filtered(filters: Filters, user_id: int, today: date, *, status: bool = True) -> Select:
    query = select(HelpRequest)
    if status and filters.status == "open":
        query = query.where(OPEN)
    elif status and filters.status in STATUSES:
        query = query.where(HelpRequest.status == filters.status)
    if filters.owner == "mine":
        query = query.where(HelpRequest.assigned_to_id == user_id)
    elif filters.owner == "unassigned":
        query = query.where(HelpRequest.assigned_to_id.is_(None))
    if filters.topic:
        query = query.where(
            HelpRequest.id.in_(
                select(RequestTopic.request_id).where(RequestTopic.topic == filters.topic)
            )
        )
    if filters.language:
        query = query.where(HelpRequest.call_language == filters.language)
    if filters.overdue:
        query = query.where(
            HelpRequest.due_date < today,
            HelpRequest.first_contact_at.is_(None),
            HelpRequest.status.in_(OPEN_STATUSES),
        )
    if filters.unreached:
        query = query.where(HelpRequest.first_contact_at.is_(None))
    if filters.messages:
        query = query.where(HelpRequest.family_message_at.is_not(None))
    if filters.q and not filters.q_problem:
        query = _search(query, filters.q)
    return query


@dataclass(frozen=True)
class Counts:
    """How many requests each status filter would show, with the other filters applied. The
    status filters in ``capped`` have more than ``cap`` requests (their number is ``cap`` + 1
    or more, not exact): a search's counts stop at the cap unless asked to be exact."""

    by_status: dict[str, int]
    total: int
    newest_id: int
    capped: frozenset[str] = frozenset()
    cap: int = COUNT_CAP
    # Whether ``total`` (the shown status filter's count) stopped at the cap.
    total_capped: bool = False


def capped_filters(by_status: Mapping[str, int], cap: int) -> frozenset[str]:
    """The status filters ("open", "all" and each status) whose count is past ``cap``, given
    each status counted up to ``cap`` + 1: a status read past the cap makes the sums that hold
    it ("open", "all") past it too. Sums of exact counts stay exact, however large."""
    over = {code for code in STATUSES if by_status[code] > cap}
    if over & set(OPEN_STATUSES):
        over.add("open")
    if over:
        over.add("all")
    return frozenset(over)


def _newest() -> ScalarSelect[int]:
    return select(func.max(HelpRequest.id)).scalar_subquery()


def _kept_counts(unassigned: bool) -> Select:
    """Every status's count from the kept counts (``RequestCount``), and the newest request."""
    kept = select(RequestCount.status, RequestCount.total)
    if unassigned:
        kept = kept.where(RequestCount.assigned.is_(False))
    totals = kept.subquery()
    columns = [func.coalesce(func.sum(totals.c.total), 0).label("all")] + [
        func.coalesce(func.sum(case((totals.c.status == code, totals.c.total), else_=0)), 0).label(
            code
        )
        for code in STATUSES
    ]
    return select(*columns, _newest().label("newest")).select_from(totals)


# The kept counts' two statements (all requests; the unassigned ones), built once.
_KEPT_COUNTS = {unassigned: planned_once(_kept_counts(unassigned)) for unassigned in (False, True)}


def counts(filters: Filters, user_id: int, today: date) -> Counts:
    """One aggregate query for every status count: from the kept counts when only the owner
    filter "unassigned" (or none) applies; for a search, up to the cap (``capped_counts``)
    unless asked to be exact; else over the filtered requests."""
    cap = COUNT_CAP
    if filters.q and not filters.q_problem and not filters.exact:
        return capped_counts(filters, user_id, today, cap)
    if _counted_ahead(filters):
        statement = _KEPT_COUNTS[filters.owner == "unassigned"]
    else:
        base = _filtered(filters, user_id, today, status=False).subquery()
        columns = [func.count().label("all")] + [
            func.coalesce(func.sum(case((base.c.status == code, 1), else_=0)), 0).label(code)
            for code in STATUSES
        ]
        statement = select(*columns, _newest().label("newest")).select_from(base)
    row = execute_core(statement).one()._mapping
    by_status = {code: int(row[code]) for code in STATUSES}
    by_status["open"] = sum(by_status[code] for code in OPEN_STATUSES)
    by_status["all"] = int(row["all"])
    shown = by_status[filters.status]
    return Counts(by_status, shown, int(row["newest"] or 0), cap=cap)


def capped_counts(filters: Filters, user_id: int, today: date, cap: int) -> Counts:
    """A search's counts in one query: each status counted over at most ``cap`` + 1 matching
    requests (a ``LIMIT`` in each status's subquery), so that a search matching a fifth of
    all requests reads a few thousand of them, not all. "open" and "all" are the sums."""
    matching = _filtered(filters, user_id, today, status=False).with_only_columns(HelpRequest.id)
    columns = [
        select(func.count())
        .select_from(matching.where(HelpRequest.status == code).limit(cap + 1).subquery())
        .scalar_subquery()
        .label(code)
        for code in STATUSES
    ]
    row = execute_core(select(*columns, _newest().label("newest"))).one()._mapping
    by_status = {code: int(row[code]) for code in STATUSES}
    by_status["open"] = sum(by_status[code] for code in OPEN_STATUSES)
    by_status["all"] = sum(by_status[code] for code in STATUSES)
    capped = capped_filters(by_status, cap)
    return Counts(
        by_status,
        by_status[filters.status],
        int(row["newest"] or 0),
        capped,
        cap,
        filters.status in capped,
    )


def _counted_ahead(filters: Filters) -> bool:
    """Whether the kept counts (``RequestCount``) answer for these filters."""
    searching = bool(filters.q and not filters.q_problem)
    return filters.owner != "mine" and not (
        filters.topic
        or filters.language
        or filters.overdue
        or filters.unreached
        or filters.messages
        or searching
    )


class Listed(NamedTuple):
    """A request as the inbox lists it: the columns its row shows, read as plain values (no
    ORM object: loading 50 of them cost more than the rest of the query; a tuple, as a frozen
    dataclass of 19 fields took three times as long to make). Of the family's own text only
    the name and the number; the first words come beside it."""

    id: int
    reference: str
    submitted_at: datetime
    due_date: date
    status: str
    first_contact_at: datetime | None
    first_contact_on_time: bool | None
    contact_method: str
    phone: str
    sms_ok: bool
    name: str
    language: str
    family_message_at: datetime | None
    call_time: str
    call_language: str
    call_attempts: int
    assigned_to_id: int | None
    owner_name: str | None
    topic_codes: tuple[str, ...]


# The owner's name beside each listed request.
_OWNER = aliased(StaffUser)
LISTED_COLUMNS = (
    *(getattr(HelpRequest, name) for name in Listed._fields[:-2]),
    _OWNER.name.label("owner_name"),
)


# The listed columns with the request's topic codes (joined by commas), its first words (cut
# in SQL) and the owner's name: the rows of a page's ids (joined on), built once. The topics
# come in the same statement, one round trip fewer than reading them apart.
_TOPIC_CODES = (
    select(func.aggregate_strings(RequestTopic.topic, ","))
    .where(RequestTopic.request_id == HelpRequest.id)
    .scalar_subquery()
)
_LISTED_ROWS = select(
    *LISTED_COLUMNS,
    _TOPIC_CODES.label("topic_codes"),
    func.substr(HelpRequest.description, 1, EXCERPT_CHARS + 1).label("excerpt"),
).outerjoin(_OWNER, _OWNER.id == HelpRequest.assigned_to_id)


def _topic_codes_of(joined: str | None) -> tuple[str, ...]:
    """A request's topic codes, read joined by commas, in the form's order."""
    if not joined:
        return ()
    return tuple(sorted(joined.split(","), key=TOPICS.index))


@dataclass(frozen=True)
class ListPage(Page[Listed]):
    """A page of the inbox, with the first words of each request by its id. When the total
    stopped at the count's cap (``capped``), the number of pages is not known: a page is
    followed by another while rows remain (``more``)."""

    excerpts: dict[int, str] = field(default_factory=dict)
    capped: bool = False
    more: bool = False

    @property
    def pages(self) -> int:
        if self.capped:
            return self.number + 1 if self.more else self.number
        return super().pages


def requests_page(
    filters: Filters,
    user_id: int,
    today: date,
    total: int,
    per_page: int = PER_PAGE,
    *,
    capped: bool = False,
) -> ListPage:
    """The requests of one page: the ones not yet reached first, each part by the earliest due
    date, so overdue ones come first. When ``total`` stopped at the cap, any page may be asked
    for, and one row more is read to tell whether another page follows."""
    if capped:
        number = min(max(1, filters.page), PAGE_LIMIT)
    else:
        number = min(filters.page, max(1, -(-total // per_page)))
    view = replace(filters, page=1, exact=False)
    if filters.q:
        statement = _rows_of(view, user_id, today)
    else:  # the user and the day only where the view depends on them
        mine, overdue = view.owner == "mine", view.overdue
        statement = _page_rows(view, user_id if mine else 0, today if overdue else date.min)
    # Each row is the listed columns in Listed's order, then the first words.
    rows = cast(
        list[tuple[Any, ...]],
        execute_core(
            statement,
            {
                "page_size": per_page + 1 if capped else per_page,
                "page_start": (number - 1) * per_page,
            },
        ).all(),
    )
    # Back in the inbox's order here, so that the database sorts no rows for the default page.
    listed = sorted(
        ((Listed._make((*row[:-2], _topic_codes_of(row[-2]))), row[-1]) for row in rows),
        key=lambda pair: _in_inbox_order(pair[0]),
    )
    more = len(listed) > per_page
    listed = listed[:per_page]
    excerpts = {item.id: excerpt(words or "", EXCERPT_CHARS) for item, words in listed}
    return ListPage([item for item, _ in listed], total, number, per_page, excerpts, capped, more)


def _rows_of(view: Filters, user_id: int, today: date) -> Select:
    """The rows of one page of ``view``, its size and start as parameters (``page_size``,
    ``page_start``). The page's ids are found first, in order, and only their rows are read: a
    search that matches thousands of requests sorts their ids, not their rows with owners and
    excerpts."""
    page_ids = (
        requests_query(view, user_id, today)
        .with_only_columns(HelpRequest.id)
        .limit(bindparam("page_size"))
        .offset(bindparam("page_start"))
        .subquery("page_ids")
    )
    return _LISTED_ROWS.join(page_ids, page_ids.c.id == HelpRequest.id)


# A view without a search, built once (for each user and day where it depends on them):
# building the statement and its cache key anew took 0.3 of the 1.0 ms of reading a page. A
# search's text is not kept in memory.
_page_rows = lru_cache(maxsize=64)(_rows_of)


def _in_inbox_order(item: Listed) -> tuple[bool, date, datetime, int]:
    """The inbox's order (``INBOX_ORDER``) of a listed request."""
    return (item.first_contact_at is not None, item.due_date, item.submitted_at, item.id)


# The highest page number read: far past any inbox, its offset well within 64 bits.
PAGE_LIMIT = 10**9


def next_in_view(
    filters: Filters, user_id: int, today: date, current_id: int, per_page: int = PER_PAGE
) -> int | None:
    """The request after ``current_id`` in the view ``filters`` describe: the next on its page
    or the first of the page after (one query of two pages' ids). A request that has left the
    view meanwhile (taken, closed) is followed by the first of its page. None at the end."""
    # A page past every request finds nothing (and its offset stays within SQL's integers).
    number = min(max(1, filters.page), PAGE_LIMIT)
    ids = list(
        db.session.scalars(
            requests_query(filters, user_id, today)
            .with_only_columns(HelpRequest.id)
            .limit(2 * per_page)
            .offset((number - 1) * per_page)
        )
    )
    if current_id in ids:
        rest = ids[ids.index(current_id) + 1 :]
        return rest[0] if rest else None
    return next((found for found in ids if found != current_id), None)


def requests_query(filters: Filters, user_id: int, today: date) -> Select:
    """The filtered requests in the inbox's order (the open ones by the index of open ones)."""
    return _filtered(filters, user_id, today).order_by(*INBOX_ORDER)


@dataclass(frozen=True)
class Other:
    """Another request from the same phone number, close in time."""

    id: int
    reference: str
    submitted_at: datetime
    owner_id: int | None = None


# The two sides of the same-number join, made once: an alias copies every column of the table.
_MINE, _OTHER = aliased(HelpRequest), aliased(HelpRequest)
# The most other requests read for one request: a number that sent more within the window is
# flooding the service, and its requests must not slow down every page that lists them.
SAME_NUMBER_MOST = 20


def _asked_again_statement() -> Select:
    """The other requests from each request's number in the time window, the newest first, at
    most ``SAME_NUMBER_MOST`` for each request (numbered in SQL); built once, only its values
    change (the ids and the time window)."""
    pairs = (
        select(
            _MINE.id.label("mine_id"),
            _MINE.submitted_at.label("mine_at"),
            _OTHER.id.label("other_id"),
            _OTHER.reference.label("reference"),
            _OTHER.submitted_at.label("other_at"),
            _OTHER.assigned_to_id.label("owner_id"),
            func.row_number()
            .over(partition_by=_MINE.id, order_by=(_OTHER.submitted_at.desc(), _OTHER.id.desc()))
            .label("place"),
        )
        .join(_OTHER, and_(_OTHER.phone == _MINE.phone, _OTHER.id != _MINE.id))
        .where(
            _MINE.id.in_(bindparam("ids", expanding=True)),
            _MINE.phone != "",
            # Most requests are within the window: the join starts from the page's requests
            # and finds the others by their number, not from every request of the window.
            likely(
                _OTHER.submitted_at >= bindparam("earliest", type_=HelpRequest.submitted_at.type)
            ),
            likely(_OTHER.submitted_at <= bindparam("latest", type_=HelpRequest.submitted_at.type)),
        )
        .subquery("pairs")
    )
    columns = [column for column in pairs.c if column.name != "place"]
    return (
        select(*columns)
        .where(pairs.c.place <= SAME_NUMBER_MOST)
        .order_by(pairs.c.other_at, pairs.c.other_id)
    )


_ASKED_AGAIN = _asked_again_statement()


def asked_again(requests: Sequence[HelpRequest | Listed]) -> dict[int, list[Other]]:
    """For each of ``requests``, the other requests from the same phone number sent within
    ``SAME_FAMILY_DAYS`` days of it, oldest first: one query for all of them (none without
    requests), reading at most ``SAME_NUMBER_MOST`` for each. Numbers are compared as stored,
    normalised (E.164) by the form."""
    if not requests:
        return {}
    times = [item.submitted_at for item in requests]
    window = timedelta(days=SAME_FAMILY_DAYS)
    rows = execute_core(
        _ASKED_AGAIN,
        {
            "ids": [item.id for item in requests],
            "earliest": min(times) - window,
            "latest": max(times) + window,
        },
    )
    found: dict[int, list[Other]] = {}
    for mine_id, mine_at, other_id, reference, other_at, owner_id in rows:
        if asked_within(mine_at, other_at):
            found.setdefault(mine_id, []).append(Other(other_id, reference, other_at, owner_id))
    return found


def shown(filters: Filters, items: list[Listed], visits: list[Upcoming]) -> list[Read]:
    """The audit events of an inbox answer: a row per request shown in the list (a search
    records its kind, never the words or number typed; a reference may be kept), a row per
    upcoming home visit shown, and one row for a search that found nothing. A search text
    that was refused was not searched for: the rows are the plain list's."""
    if filters.q and not filters.q_problem:
        kind = search_kind(filters.q)
        target = (parse_reference(filters.q) or "") if kind == "reference" else ""
        reads = [Read(search_action(kind), item.id, target, item.assigned_to_id) for item in items]
        if not items:
            reads.append(Read(SEARCH_NO_RESULTS, None, f"{kind} {target}".strip()))
    else:
        reads = [Read(REQUEST_LISTED, item.id, "inbox", item.assigned_to_id) for item in items]
    return reads + [
        Read(REQUEST_LISTED, visit.request_id, "visits", visit.owner_id) for visit in visits
    ]


def arrived_since(request_id: int) -> int:
    """How many requests have arrived after the one with ``request_id``."""
    return db.session.scalar(select(func.count()).where(HelpRequest.id > request_id)) or 0


class Upcoming(NamedTuple):
    """A planned home visit as the inbox lists it, with the family's name and the request's
    reference: plain values, not the visit and the whole request as ORM objects."""

    id: int
    starts_at: datetime
    address: str
    request_id: int
    name: str
    reference: str
    owner_id: int | None  # for the audit event's basis


# The user's planned visits from a moment on, soonest first, with their requests' names and
# references; built once.
_UPCOMING_VISITS = (
    select(
        HomeVisit.id,
        HomeVisit.starts_at,
        HomeVisit.address,
        HomeVisit.request_id,
        HelpRequest.name,
        HelpRequest.reference,
        HelpRequest.assigned_to_id,
    )
    .join(HelpRequest, HelpRequest.id == HomeVisit.request_id)
    .join(home_visit_staff, home_visit_staff.c.visit_id == HomeVisit.id)
    .where(
        home_visit_staff.c.user_id == bindparam("user_id"),
        HomeVisit.status == "planned",
        HomeVisit.starts_at >= bindparam("now", type_=HomeVisit.starts_at.type),
    )
    .order_by(HomeVisit.starts_at)
    .limit(bindparam("limit"))
)


def upcoming_visits(user_id: int, now: datetime, limit: int = 10) -> list[Upcoming]:
    """The user's planned home visits from now on, soonest first."""
    rows = execute_core(_UPCOMING_VISITS, {"user_id": user_id, "now": now, "limit": limit})
    return [Upcoming._make(row) for row in rows]


def unassigned_open_column() -> ColumnElement[int]:
    """Open requests that nobody owns yet, from the kept counts, as a column to read."""
    return (
        select(func.coalesce(func.sum(RequestCount.total), 0))
        .where(
            RequestCount.assigned.is_(False),
            # Written into the statement: it is read with the staff session, planned once.
            RequestCount.status.in_(written_in("open_count", OPEN_STATUSES)),
        )
        .scalar_subquery()
    )
