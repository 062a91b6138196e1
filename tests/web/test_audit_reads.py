"""Every answer that shows a help request's content, or the results of a search over personal
data, writes an audit event: who, which request, and what kind of view. The search text itself
is never stored (only a reference may be)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from pyydaapua.casework import changes
from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import AuditEvent, HelpRequest, Service, StaffUser
from pyydaapua.rules.references import format_reference
from pyydaapua.rules.typed_dates import day_and_time_text
from pyydaapua.rules.workdays import HELSINKI
from pyydaapua.tools import demo
from pyydaapua.web.days import helsinki_today
from tests.helpers.app import count_queries
from tests.helpers.forms import csrf_token
from tests.helpers.staff import make_staff, sign_in

HTMX = {"HX-Request": "true"}

# Every staff GET route is in exactly one of these two tables.
AUDITED_READS = {
    "/staff/": "the inbox: references, topics and status of requests, the user's upcoming home "
    "visits with their addresses, and search results",
    "/staff/requests/<int:request_id>": "the request page",
    "/staff/calls/today": "the user's planned calls and the requests due today: names, numbers, "
    "references",
    "/staff/requests/<int:request_id>/export": "everything stored about a request",
    "/staff/requests/<int:request_id>/export.json": "everything stored about a request",
    "/staff/access-log": "who has handled a request",
    "/staff/access-log.csv": "who has handled a request",
    "/staff/audit": "the audit log: events and the references they concern, with its filters",
    "/staff/audit/review": "the log review: staff members and the references they looked up",
}
NO_FAMILY_DATA = {
    "/staff/login": "the sign-in form",
    "/staff/sso": "leaves for the city's identity provider",
    "/staff/sso/callback": "back from the identity provider: signs in or says why not",
    "/staff/login/code": "the sign-in's second step: a field for the one-time code",
    "/staff/login/enrol": "the user's own two-factor enrolment",
    "/staff/account": "the user's own account and language",
    "/staff/account/password": "the user's own password form",
    "/staff/inbox/new": "only how many requests have arrived, nothing about any of them",
    "/staff/inbox/next/<int:request_id>": "only which request comes next (a redirect to its "
    "page, which is audited)",
    "/staff/session": "only how many seconds of the user's own session are left",
    "/staff/services/options": "the service catalogue",
    "/staff/reports": "counts and shares only (recorded as reports_viewed)",
    "/staff/reports.csv": "counts and shares only (recorded as report_downloaded)",
    "/staff/admin/users": "staff accounts",
    "/staff/admin/users/new": "staff accounts",
    "/staff/admin/users/<int:user_id>": "staff accounts",
    "/staff/admin/services": "the service catalogue",
    "/staff/admin/services/new": "the service catalogue",
    "/staff/admin/services/<int:service_id>": "the service catalogue",
    "/staff/mail": "undelivered e-mail: kinds, masked addresses and reply codes, never a "
    "message's text (recorded as mail_problems_viewed)",
}

PHONE_A = "+358401112223"
TYPED_PHONE = "040 111 2223"


def helsinki_text(moment: datetime) -> str:
    return day_and_time_text(moment.astimezone(HELSINKI))


@dataclass
class World:
    """Two requests (A worked on: a planned visit for the counsellor, a referral; B plain) and
    a signed-in counsellor and supervisor."""

    app: Flask
    a: int
    b: int
    reference_a: str
    visit: int
    referral: int
    service: int
    users: dict[str, int]
    clients: dict[str, FlaskClient]

    def ids(self) -> dict[str, Any]:
        return {
            "request_id": self.a,
            "visit_id": self.visit,
            "referral_id": self.referral,
            "reference": format_reference(self.reference_a),
        }


@pytest.fixture
def world(app) -> World:
    clients, users = {}, {}
    for role in ("counsellor", "supervisor"):
        users[role], email = make_staff(app, role, name=f"Test {role}")
        clients[role] = app.test_client()
        assert sign_in(clients[role], email).status_code == 303
    now = datetime.now(UTC)
    yesterday = now - timedelta(days=1)
    with app.app_context():
        demo.load_services()
        a = submit(
            NewRequest(
                submission_key="a" * 32,
                language="fi",
                call_language="fi",
                phone=PHONE_A,
                name="Maija Virtanen",
                description="Lapsen koulunkäynti huolettaa",
                topics=["school_attendance"],
            ),
            now=yesterday,
        )
        b = submit(
            NewRequest(
                submission_key="b" * 32,
                language="sv",
                call_language="sv",
                phone="+358409998887",
                name="Bo Lindqvist",
                description="Vi behöver hjälp",
            ),
            now=yesterday,
        )
        counsellor = db.session.get(StaffUser, users["counsellor"])
        service = db.session.scalars(select(Service)).first()
        changes.book_visit(
            a,
            counsellor,
            a.version,
            changes.VisitData(
                datetime.now(UTC) + timedelta(days=2), 60, "Kotikatu 1", [counsellor]
            ),
        )
        changes.refer(a, counsellor, a.version, service, "suggested")
        # A call planned for an hour ago, not made yet: on the counsellor's "My calls today".
        a.planned_call_at, a.planned_call_by_id = now - timedelta(hours=1), counsellor.id
        db.session.commit()
        world = World(
            app=app,
            a=a.id,
            b=b.id,
            reference_a=a.reference,
            visit=changes.visits(a.id)[0].id,
            referral=changes.referrals(a.id)[0].id,
            service=service.id,
            users=users,
            clients=clients,
        )
    return world


def last_event_id(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(AuditEvent.id))) or 0


def events_after(app: Flask, after: int) -> list[AuditEvent]:
    with app.app_context():
        events = list(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.id > after).order_by(AuditEvent.id)
            )
        )
        db.session.expunge_all()
        return events


def concrete(path: str, ids: dict[str, Any]) -> str:
    for name, value in ids.items():
        path = path.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
    return path


def test_every_staff_get_route_is_audited_or_shows_no_family_data(app) -> None:
    rules = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/staff/") and "GET" in rule.methods
    }
    assert not set(AUDITED_READS) & set(NO_FAMILY_DATA)
    assert rules == set(AUDITED_READS) | set(NO_FAMILY_DATA)


# (role, path with query, htmx, expected events as (action, request "a"/"b"/None, target)).
# "<ref>" in a target is request A's stored reference.
READ_CASES = [
    ("supervisor", "/staff/audit/review", False, [("log_review_viewed", None, "<period>")]),
    ("counsellor", "/staff/calls/today", False, [("request_listed", "a", "calls_today")]),
    ("counsellor", "/staff/calls/today", True, [("request_listed", "a", "calls_today")]),
    (
        "counsellor",
        "/staff/",
        False,
        [
            ("request_listed", "a", "inbox"),
            ("request_listed", "b", "inbox"),
            ("request_listed", "a", "visits"),
        ],
    ),
    (
        "counsellor",
        "/staff/?status=all&topic=school_attendance",
        True,
        [("request_listed", "a", "inbox")],
    ),
    ("supervisor", "/staff/?q=<reference>", False, [("request_found_reference", "a", "<ref>")]),
    ("counsellor", "/staff/?q=<reference>", True, [("request_found_reference", "a", "<ref>")]),
    (
        "counsellor",
        f"/staff/?q={TYPED_PHONE}",
        False,
        [("request_found_phone", "a", ""), ("request_listed", "a", "visits")],
    ),
    ("supervisor", f"/staff/?q={TYPED_PHONE}", True, [("request_found_phone", "a", "")]),
    (
        "counsellor",
        "/staff/?q=Virtanen",
        False,
        [("request_found_words", "a", ""), ("request_listed", "a", "visits")],
    ),
    (
        "counsellor",
        "/staff/?q=hjälp",
        True,
        [("request_found_words", "b", "")],
    ),
    (
        "counsellor",
        "/staff/?q=Lindqvist&status=all",
        False,
        [("request_found_words", "b", ""), ("request_listed", "a", "visits")],
    ),
    ("counsellor", "/staff/?q=0405550000", True, [("search_no_results", None, "phone")]),
    ("supervisor", "/staff/?q=Korhonen", False, [("search_no_results", None, "words")]),
    (
        "counsellor",
        "/staff/?q=AAAA-AAAA",
        True,
        [("search_no_results", None, "reference AAAAAAAA")],
    ),
    ("counsellor", "/staff/requests/<request_id>", False, [("request_viewed", "a", "page")]),
    ("supervisor", "/staff/requests/<request_id>", False, [("request_viewed", "a", "page")]),
    (
        "supervisor",
        "/staff/requests/<request_id>/export",
        False,
        [("request_exported", "a", "page")],
    ),
    (
        "supervisor",
        "/staff/requests/<request_id>/export.json",
        False,
        [("request_exported", "a", "json")],
    ),
    (
        "supervisor",
        "/staff/access-log?reference=<reference>",
        False,
        [("access_log_viewed", "a", "")],
    ),
    (
        "supervisor",
        "/staff/access-log.csv?reference=<reference>",
        False,
        [("access_log_viewed", "a", "csv")],
    ),
    (
        "supervisor",
        "/staff/audit?request=<reference>",
        False,
        [("audit_log_viewed", None, "request=<reference>")],
    ),
]


def _rule_of(path: str) -> str:
    bare = path.split("?")[0]
    return bare.replace("<request_id>", "<int:request_id>")


def last_month() -> str:
    """The log review's default period as its audit event names it."""
    end = helsinki_today().replace(day=1) - timedelta(days=1)
    return f"{end.replace(day=1)}..{end}"


def test_every_audited_read_is_walked() -> None:
    assert {_rule_of(path) for _, path, _, _ in READ_CASES} == set(AUDITED_READS)


@pytest.mark.parametrize(("role", "path", "htmx", "expected"), READ_CASES)
def test_each_read_writes_its_audit_event(world, role, path, htmx, expected) -> None:
    app = world.app
    ids = world.ids()
    url = concrete(path, ids)
    before = last_event_id(app)
    response = world.clients[role].get(url, headers=HTMX if htmx else {})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    requests = {"a": world.a, "b": world.b, None: None}
    wanted = sorted(
        (
            action,
            requests[key],
            target.replace("<ref>", world.reference_a)
            .replace("<reference>", ids["reference"])
            .replace("<period>", last_month()),
        )
        for action, key, target in expected
    )
    events = events_after(app, before)
    assert sorted((e.action, e.request_id, e.target) for e in events) == wanted
    assert {e.user_id for e in events} == {world.users[role]}
    assert all(e.client_address == "127.0.0.1" for e in events)


@pytest.mark.parametrize(
    "typed", [TYPED_PHONE, "0401112223", PHONE_A, "Maija Virtanen", "koulunkäynti", "Korhonen"]
)
@pytest.mark.parametrize("htmx", [False, True])
def test_a_search_never_stores_what_was_typed(world, typed, htmx) -> None:
    client = world.clients["counsellor"]
    response = client.get("/staff/", query_string={"q": typed}, headers=HTMX if htmx else {})
    assert response.status_code == 200
    events = events_after(world.app, 0)
    assert any(e.action.startswith(("request_found_", "search_no_results")) for e in events)
    digits = re.sub(r"\D", "", typed)
    for event in events:
        stored = f"{event.action} {event.target} {event.client_address}".lower()
        assert typed.lower() not in stored
        for word in typed.lower().split():
            assert word not in stored
        if digits:
            assert digits[-7:] not in re.sub(r"\D", "", stored)


# Every casework action: its rule, the form's prefix, data that fails validation (422) and data
# that is valid (refused as stale when sent with an old version: 409).
def _actions(world: World) -> dict[str, tuple[str, str, dict[str, str], dict[str, str]]]:
    now = datetime.now(UTC)
    counsellor = str(world.users["counsellor"])
    visit_prefix = f"visit{world.visit}"
    return {
        "/staff/requests/<int:request_id>/take": (
            "assign",
            "assign",
            {"assign-version": "not a number"},
            {},
        ),
        "/staff/requests/<int:request_id>/assign": (
            "assign",
            "assign",
            {"assign-assignee": "not-a-user"},
            {"assign-assignee": counsellor},
        ),
        "/staff/requests/<int:request_id>/calls": (
            "call",
            "call",
            {"call-called_at": "yesterday", "call-result": ""},
            {"call-called_at": helsinki_text(now - timedelta(minutes=5)), "call-result": "reached"},
        ),
        "/staff/requests/<int:request_id>/calls/all-fine": (
            "all_fine",
            "all_fine",
            {"all_fine-version": "not a number"},
            {},
        ),
        "/staff/requests/<int:request_id>/notes": (
            "note",
            "note",
            {"note-note": "   "},
            {"note-note": "Soitan huomenna"},
        ),
        "/staff/requests/<int:request_id>/planned-call": (
            "plan_call",
            "plan_call",
            {"plan_call-planned_at": "yesterday"},
            {"plan_call-planned_at": helsinki_text(now + timedelta(hours=3))},
        ),
        "/staff/requests/<int:request_id>/messages": (
            "message",
            "message",
            {"message-message": "   "},
            {"message-message": "Hei, vastaan täällä"},
        ),
        "/staff/requests/<int:request_id>/status": (
            "status",
            "status",
            {"status-status": "closed"},
            {"status-status": "waiting"},
        ),
        "/staff/requests/<int:request_id>/reopen": (
            "reopen",
            "reopen",
            {"reopen-reason": "   "},
            {"reopen-reason": "Perhe soitti uudelleen"},
        ),
        "/staff/requests/<int:request_id>/visits": (
            "visit",
            "visit",
            {"visit-starts_at": "", "visit-address": ""},
            {
                "visit-starts_at": helsinki_text(now + timedelta(days=3)),
                "visit-duration_minutes": "60",
                "visit-address": "Kotikatu 2",
                "visit-staff": counsellor,
            },
        ),
        "/staff/requests/<int:request_id>/visits/<int:visit_id>": (
            "visit_edit",
            visit_prefix,
            {f"{visit_prefix}-starts_at": "", f"{visit_prefix}-duration_minutes": "60"},
            {
                f"{visit_prefix}-starts_at": helsinki_text(now + timedelta(days=4)),
                f"{visit_prefix}-duration_minutes": "45",
                f"{visit_prefix}-address": "Kotikatu 3",
                f"{visit_prefix}-staff": counsellor,
            },
        ),
        "/staff/requests/<int:request_id>/visits/<int:visit_id>/status": (
            "visit_status",
            "visit_status",
            {"visit_status-status": "nonsense"},
            {"visit_status-status": "cancelled", "visit_status-note": "Perhe perui"},
        ),
        "/staff/requests/<int:request_id>/referrals": (
            "referral",
            "referral",
            {"referral-service": ""},
            {
                "referral-service": str(world.service),
                "referral-status": "suggested",
                "referral-consent": "self",
            },
        ),
        "/staff/requests/<int:request_id>/referrals/<int:referral_id>/status": (
            "referral_status",
            "referral_status",
            {"referral_status-status": "nonsense"},
            {"referral_status-status": "sent"},
        ),
    }


ACTION_RULES = [
    "/staff/requests/<int:request_id>/take",
    "/staff/requests/<int:request_id>/assign",
    "/staff/requests/<int:request_id>/calls",
    "/staff/requests/<int:request_id>/calls/all-fine",
    "/staff/requests/<int:request_id>/planned-call",
    "/staff/requests/<int:request_id>/notes",
    "/staff/requests/<int:request_id>/messages",
    "/staff/requests/<int:request_id>/status",
    "/staff/requests/<int:request_id>/reopen",
    "/staff/requests/<int:request_id>/visits",
    "/staff/requests/<int:request_id>/visits/<int:visit_id>",
    "/staff/requests/<int:request_id>/visits/<int:visit_id>/status",
    "/staff/requests/<int:request_id>/referrals",
    "/staff/requests/<int:request_id>/referrals/<int:referral_id>/status",
]


def test_every_casework_action_is_walked(app) -> None:
    rules = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/staff/")
        and "POST" in rule.methods
        and rule.rule.startswith("/staff/requests/")
    }
    assert rules == set(ACTION_RULES)


def version_of(app: Flask, request_id: int) -> int:
    with app.app_context():
        return db.session.get(HelpRequest, request_id).version


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("status", [422, 409])
@pytest.mark.parametrize("rule", ACTION_RULES)
def test_a_refused_action_is_an_audited_read(world, rule, status, htmx) -> None:
    app = world.app
    name, prefix, invalid, valid = _actions(world)[rule]
    client = world.clients["counsellor"]
    if status == 409:
        # Changed meanwhile by someone else: after one's own change (another window) a note or
        # a call would go through.
        with app.app_context():
            db.session.get(HelpRequest, world.a).updated_by_id = world.users["supervisor"]
            db.session.commit()
    current = version_of(app, world.a)
    if status == 422:
        data = {f"{prefix}-version": str(current), **invalid}
    else:
        data = {f"{prefix}-version": str(current - 1), **valid}
    data.setdefault(f"{prefix}-version", str(current))
    data["csrf_token"] = csrf_token(client)
    before = last_event_id(app)
    response = client.post(concrete(rule, world.ids()), data=data, headers=HTMX if htmx else {})
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    html = response.get_data(as_text=True)
    assert ("<html" in html) is not htmx
    events = events_after(app, before)
    assert [(e.action, e.user_id, e.request_id, e.target) for e in events] == [
        ("request_viewed_refused", world.users["counsellor"], world.a, f"{name} {status}")
    ]
    assert version_of(app, world.a) == current  # nothing was changed


def test_a_successful_htmx_action_is_recorded_as_the_change(world) -> None:
    client = world.clients["counsellor"]
    before = last_event_id(world.app)
    response = client.post(
        f"/staff/requests/{world.a}/notes",
        data={
            "note-version": str(version_of(world.app, world.a)),
            "note-note": "Soitan huomenna",
            "csrf_token": csrf_token(client),
        },
        headers=HTMX,
    )
    assert response.status_code == 200 and 'id="timeline"' in response.get_data(as_text=True)
    events = events_after(world.app, before)
    assert [(e.action, e.user_id, e.request_id) for e in events] == [
        ("request_note", world.users["counsellor"], world.a)
    ]


def add_matching(app: Flask, count: int, start: int) -> None:
    with app.app_context():
        for number in range(start, start + count):
            submit(
                NewRequest(
                    submission_key=f"match-{number:04d}-{'x' * 20}",
                    language="fi",
                    call_language="fi",
                    phone=f"+3584055{number:05d}",
                    description=f"yhteinen sana {number}",
                )
            )


def found(events: list[AuditEvent]) -> int:
    return sum(event.action == "request_found_words" for event in events)


@pytest.mark.parametrize("htmx", [False, True])
def test_a_page_of_search_results_is_one_insert(world, htmx) -> None:
    app = world.app
    client = world.clients["counsellor"]
    headers = HTMX if htmx else {}
    add_matching(app, 3, 0)
    before = last_event_id(app)
    _, few = count_queries(app, lambda: client.get("/staff/?q=yhteinen", headers=headers))
    assert found(events_after(app, before)) == 3
    add_matching(app, 60, 3)
    before = last_event_id(app)
    response, many = count_queries(app, lambda: client.get("/staff/?q=yhteinen", headers=headers))
    assert response.status_code == 200
    assert found(events_after(app, before)) == 50  # a full page
    inserts = [query for query in many if query.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 1 and "audit_event" in inserts[0]
    assert len(few) == len(many), (few, many)


@pytest.mark.parametrize(
    ("language", "search", "list_label"),
    [
        ("fi", "näki pyynnön hakutuloksissa (puhelinnumero)", "näki pyynnön saapuneiden listalla"),
        ("sv", "såg begäran i sökresultaten (telefonnummer)", "såg begäran i inkorgen"),
    ],
)
def test_who_has_handled_shows_the_reads_understandably(
    app, world, language, search, list_label
) -> None:
    world.clients["counsellor"].get("/staff/", query_string={"q": TYPED_PHONE})
    world.clients["counsellor"].get("/staff/")
    _, email = make_staff(app, "supervisor", language, email=f"reader-{language}@example.fi")
    reader = app.test_client()
    assert sign_in(reader, email).status_code == 303
    reference = format_reference(world.reference_a)
    html = reader.get(f"/staff/access-log?reference={reference}").get_data(as_text=True)
    assert search in html and list_label in html
    csv = reader.get(f"/staff/access-log.csv?reference={reference}").get_data().decode("utf-8-sig")
    assert search in csv
    other = reader.get(
        f"/staff/access-log?reference={format_reference(reference_of(app, world.b))}"
    ).get_data(as_text=True)
    assert search not in other  # B was not in the phone search's results


def reference_of(app: Flask, request_id: int) -> str:
    with app.app_context():
        return db.session.get(HelpRequest, request_id).reference
