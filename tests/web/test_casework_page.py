"""The request page and every action: full page and htmx answers, errors, stale versions, audit."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from pyydaapua.casework import changes
from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import AuditEvent, HelpRequest, Service, StaffUser
from pyydaapua.rules.typed_dates import day_and_time_text
from pyydaapua.rules.workdays import HELSINKI
from pyydaapua.tools import demo
from tests.helpers.app import count_queries
from tests.helpers.forms import csrf_token

HTMX = {"HX-Request": "true"}


def helsinki_text(moment: datetime) -> str:
    return day_and_time_text(moment.astimezone(HELSINKI))


@pytest.fixture
def req_id(app) -> int:
    with app.app_context():
        demo.load_services()
        stored = submit(
            NewRequest(
                submission_key="r" * 32,
                language="sv",
                call_language="sv",
                phone="+358401234567",
                description="Vi behöver hjälp",
                topics=["finances"],
            ),
            now=datetime.now(UTC) - timedelta(hours=2),  # calls and visits come after it
        )
        return stored.id


@pytest.fixture
def counsellor(staff_client):
    return staff_client("counsellor")


def version_of(app, request_id: int) -> int:
    with app.app_context():
        return db.session.get(HelpRequest, request_id).version


def user_id(app, role: str = "counsellor") -> int:
    with app.app_context():
        return db.session.scalars(select(StaffUser.id).where(StaffUser.role == role)).first()


def service_id(app) -> int:
    with app.app_context():
        return db.session.scalars(select(Service.id)).first()


def valid_data(app, action: str) -> dict[str, str]:
    now = datetime.now(UTC)
    return {
        "take": {},
        "assign": {"assign-assignee": str(user_id(app))},
        "calls": {
            "call-called_at": helsinki_text(now - timedelta(minutes=10)),
            "call-result": "reached",
            "call-duration_minutes": "12",
            "call-notes": "Puhuttiin arjesta",
            "call-coping": "some_worries",
            "call-coping_note": "väsynyt",
            "call-finances": "fine",
            "call-daily_life": "serious_worries",
        },
        "notes": {"note-note": "Soitan huomenna uudelleen"},
        "status": {"status-status": "waiting", "status-note": "odotetaan perhettä"},
        "visits": {
            "visit-starts_at": helsinki_text(now + timedelta(days=2)),
            "visit-duration_minutes": "60",
            "visit-address": "Kotikatu 1",
            "visit-staff": str(user_id(app)),
        },
        "referrals": {
            "referral-service": str(service_id(app)),
            "referral-status": "suggested",
            "referral-consent": "self",
            "referral-note": "Soittakaa heille",
        },
    }[action]


PREFIX = {
    "take": "assign",
    "assign": "assign",
    "calls": "call",
    "notes": "note",
    "status": "status",
    "visits": "visit",
    "referrals": "referral",
}
AUDIT = {
    "take": "request_assign",
    "assign": "request_assign",
    "calls": "request_call",
    "notes": "request_note",
    "status": "request_status",
    "visits": "request_visit",
    "referrals": "request_referral",
}
INVALID = ["assign", "calls", "notes", "status", "visits", "referrals"]


def invalid_data(app, action: str) -> tuple[dict[str, str], list[str]]:
    """A submission of ``action`` with an error, and the fragments of the re-rendered form
    that must show the error and everything that was typed, exactly."""
    now = datetime.now(UTC)
    called_at = helsinki_text(now - timedelta(minutes=10))
    starts_at = helsinki_text(now + timedelta(days=2))
    staff = str(user_id(app))
    return {
        "assign": (
            {"assign-assignee": "not-a-user"},
            ['id="assign-assignee-error"'],
        ),
        "calls": (
            {
                "call-called_at": called_at,
                "call-result": "",
                "call-duration_minutes": "17",
                "call-notes": "Soitin <äidille> & jätin viestin",
                "call-coping": "some_worries",
                "call-coping_note": "väsynyt",
                "call-finances_note": "laskuja rästissä",
                "call-daily_life_note": "arki rullaa",
            },
            [
                'id="call-result-error"',
                f'id="call-called_at" name="call-called_at" value="{called_at}"',
                'id="call-duration_minutes" name="call-duration_minutes" value="17"',
                'id="call-notes" name="call-notes" rows="4">'
                "Soitin &lt;äidille&gt; &amp; jätin viestin</textarea>",
                'name="call-coping" value="some_worries" checked',
                'id="call-coping_note" name="call-coping_note" value="väsynyt"',
                'id="call-finances_note" name="call-finances_note" value="laskuja rästissä"',
                'id="call-daily_life_note" name="call-daily_life_note" value="arki rullaa"',
            ],
        ),
        "notes": ({"note-note": "   "}, ['id="note-note-error"']),
        "status": (
            {"status-status": "closed", "status-note": "Perhe <ei> vastaa"},
            [
                "Valitse lopputulos, jotta voit sulkea yhteydenottopyynnön.",
                'name="status-status" value="closed" checked',
                'rows="4">Perhe &lt;ei&gt; vastaa</textarea>',
            ],
        ),
        "visits": (
            {
                "visit-starts_at": starts_at,
                "visit-duration_minutes": "45",
                "visit-address": "",
                "visit-staff": staff,
            },
            [
                'id="visit-address-error"',
                f'id="visit-starts_at" name="visit-starts_at" value="{starts_at}"',
                'id="visit-duration_minutes" name="visit-duration_minutes" value="45"',
                f'name="visit-staff" value="{staff}" checked',
            ],
        ),
        "referrals": (
            {
                "referral-service": "",
                "referral-status": "suggested",
                "referral-note": "Soittakaa <heille>",
            },
            [
                'id="referral-service-error"',
                'name="referral-status" value="suggested" checked',
                'id="referral-note" name="referral-note" rows="4">'
                "Soittakaa &lt;heille&gt;</textarea>",
            ],
        ),
    }[action]


def post(client, app, request_id, action, data, version=None, headers=None):
    payload = {f"{PREFIX[action]}-version": str(version or version_of(app, request_id)), **data}
    payload["csrf_token"] = csrf_token(client)
    return client.post(
        f"/staff/requests/{request_id}/{action}", data=payload, headers=headers or {}
    )


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_request_page_shows_what_the_parent_sent_and_is_audited(app, counsellor, req_id) -> None:
    response = counsellor.get(f"/staff/requests/{req_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<dd lang="sv" class="parent-words" id="parent-words">Vi behöver hjälp</dd>' in html
    assert "+358401234567" in html
    assert "request_viewed" in audit_actions(app)
    assert counsellor.get("/staff/requests/99999").status_code == 404


@pytest.mark.parametrize("action", list(PREFIX))
def test_action_as_a_plain_form(app, counsellor, req_id, action) -> None:
    before = version_of(app, req_id)
    response = post(counsellor, app, req_id, action, valid_data(app, action))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"] == f"/staff/requests/{req_id}"
    assert version_of(app, req_id) == before + 1
    assert audit_actions(app)[-1] == AUDIT[action]
    page = counsellor.get(f"/staff/requests/{req_id}").get_data(as_text=True)
    assert 'class="notice" role="status"' in page  # the flashed result
    assert page.count('class="timeline-entry"') == 2


@pytest.mark.parametrize("action", list(PREFIX))
def test_action_inline_with_htmx(app, counsellor, req_id, action) -> None:
    response = post(counsellor, app, req_id, action, valid_data(app, action), headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert 'data-hx-swap-oob="innerHTML:#announcer"' in html
    assert (
        'id="timeline" class="timeline" aria-labelledby="timeline-title" data-hx-swap-oob="true"'
        in html
    )
    new_version = version_of(app, req_id)
    assert f'id="request-version" name="version" value="{new_version}"' in html
    # The inbox counter in the menu follows: this request has an owner after any first action
    # (take and assign name one; any other action makes the counsellor the owner).
    counter = re.search(
        r'<span id="inbox-counter" class="counter" data-hx-swap-oob="true">([^<]*)<', html
    ).group(1)
    assert counter == "(0 ilman käsittelijää)"
    assert "data-focus" in html
    if action in ("take", "assign"):
        assert html.lstrip().startswith('<section id="request-header"')
    else:
        assert 'id="request-header" class="request-header"' in html and "hx-swap-oob" in html
        assert re.match(r'\s*<form id="form-', html)


@pytest.mark.parametrize("action", INVALID)
def test_invalid_action_keeps_the_input(app, counsellor, req_id, action) -> None:
    before = version_of(app, req_id)
    data, kept = invalid_data(app, action)
    for headers in ({}, HTMX):
        response = post(counsellor, app, req_id, action, data, headers=headers)
        assert response.status_code == 422, action
        html = response.get_data(as_text=True)
        assert "error-summary" in html
        assert ("<html" in html) == (headers == {})
        for fragment in kept:
            assert fragment in html, fragment
    assert version_of(app, req_id) == before


@pytest.mark.parametrize("action", list(PREFIX))
def test_every_action_refuses_a_stale_version(app, staff_client, req_id, action) -> None:
    anna, erik = staff_client("counsellor"), staff_client("supervisor")
    seen = version_of(app, req_id)
    assert post(anna, app, req_id, "notes", {"note-note": "first"}, version=seen).status_code == 303
    before = audit_actions(app)
    for headers in ({}, HTMX):
        refused = post(
            erik, app, req_id, action, valid_data(app, action), version=seen, headers=headers
        )
        assert refused.status_code == 409, action
        html = refused.get_data(as_text=True)
        # The name is in the timeline anyway: look in the notice itself.
        assert re.search(
            r'<div id="request-notice"[^>]*><div class="notice"[^>]*><p>'
            r"Test counsellor [^<]+</p></div></div>",
            html,
        ), html
        if headers:  # read out by the page's live region, which is not itself replaced
            assert re.search(
                r'<div data-hx-swap-oob="innerHTML:#announcer">Test counsellor [^<]+</div>', html
            ), html
        assert f'id="request-version" name="version" value="{seen + 1}"' in html
    assert version_of(app, req_id) == seen + 1
    # Nothing was changed, so no change is recorded; the fresh state shown twice is a read.
    assert audit_actions(app) == [*before, "request_viewed_refused", "request_viewed_refused"]


def test_stale_change_is_refused_and_keeps_the_text(app, staff_client, req_id) -> None:
    anna, erik = staff_client("counsellor"), staff_client("supervisor", language="sv")
    seen = version_of(app, req_id)
    assert post(anna, app, req_id, "notes", {"note-note": "first"}, version=seen).status_code == 303
    for headers in ({}, HTMX):
        refused = post(
            erik, app, req_id, "notes", {"note-note": "mitt utkast"}, version=seen, headers=headers
        )
        assert refused.status_code == 409
        html = refused.get_data(as_text=True)
        assert "mitt utkast</textarea>" in html
        assert "Test counsellor" in html  # who changed it
        assert f'id="request-version" name="version" value="{seen + 1}"' in html  # the fresh state
        assert f'name="note-version" value="{seen + 1}"' in html
    assert version_of(app, req_id) == seen + 1


def test_the_version_the_page_shows_counts_over_a_form_left_unchanged(
    app, counsellor, req_id
) -> None:
    """With htmx every form also sends the header's version (data-hx-include), which each
    answer refreshes; a form that no answer replaced still holds the version it was drawn
    with, and that one does not count."""
    drawn = version_of(app, req_id)
    note = post(counsellor, app, req_id, "notes", {"note-note": "one"}, headers=HTMX)
    assert note.status_code == 200
    # The note form was replaced; the status form on the same page still says ``drawn``.
    waiting = {"status-status": "waiting", "version": str(drawn + 1)}
    changed = post(counsellor, app, req_id, "status", waiting, version=drawn, headers=HTMX)
    assert changed.status_code == 200
    # A page that did not see that change sends its older version: refused, the text kept.
    in_progress = {"status-status": "in_progress", "status-note": "kolme", "version": str(drawn)}
    stale = post(counsellor, app, req_id, "status", in_progress, version=drawn + 2, headers=HTMX)
    assert stale.status_code == 409
    assert "kolme</textarea>" in stale.get_data(as_text=True)
    assert version_of(app, req_id) == drawn + 2


def test_closing_needs_an_outcome_and_reopens(app, counsellor, req_id) -> None:
    refused = post(counsellor, app, req_id, "status", {"status-status": "closed"})
    assert refused.status_code == 422
    closed = post(
        counsellor,
        app,
        req_id,
        "status",
        {"status-status": "closed", "status-outcome": "conversation_enough"},
    )
    assert closed.status_code == 303
    # A closed request takes no change of status: it is reopened, with the reason.
    not_allowed = post(counsellor, app, req_id, "status", {"status-status": "in_progress"})
    assert not_allowed.status_code == 409
    reopened = counsellor.post(
        f"/staff/requests/{req_id}/reopen",
        data={
            "reopen-version": str(version_of(app, req_id)),
            "reopen-reason": "Perhe soitti",
            "csrf_token": csrf_token(counsellor),
        },
    )
    assert reopened.status_code == 303
    with app.app_context():
        assert db.session.get(HelpRequest, req_id).status == "in_progress"


def test_first_reached_call_shows_on_time(app, counsellor, req_id) -> None:
    post(counsellor, app, req_id, "calls", valid_data(app, "calls"))
    with app.app_context():
        stored = db.session.get(HelpRequest, req_id)
        assert stored.first_contact_on_time is True and stored.call_attempts == 1


def test_visit_and_referral_status_updates(app, counsellor, req_id) -> None:
    # A visit that has started, so that it can be marked done.
    started = helsinki_text(datetime.now(UTC) - timedelta(hours=1))
    post(
        counsellor, app, req_id, "visits", {**valid_data(app, "visits"), "visit-starts_at": started}
    )
    post(counsellor, app, req_id, "referrals", valid_data(app, "referrals"))
    with app.app_context():
        visit = changes.visits(req_id)[0]
        referral = changes.referrals(req_id)[0]
    version = version_of(app, req_id)
    token = csrf_token(counsellor)
    done = counsellor.post(
        f"/staff/requests/{req_id}/visits/{visit.id}/status",
        headers=HTMX,
        data={"visit_status-version": version, "visit_status-status": "done", "csrf_token": token},
    )
    assert done.status_code == 200
    assert '<section id="visits" class="record-list" aria-labelledby="visits-title">' in (
        done.get_data(as_text=True)
    )
    missing = counsellor.post(
        f"/staff/requests/{req_id}/referrals/{referral.id}/status",
        data={
            "referral_status-version": version + 1,
            "referral_status-status": "nonsense",
            "csrf_token": token,
        },
    )
    assert missing.status_code == 422
    sent = counsellor.post(
        f"/staff/requests/{req_id}/referrals/{referral.id}/status",
        data={
            "referral_status-version": version + 1,
            "referral_status-status": "sent",
            "csrf_token": token,
        },
    )
    assert sent.status_code == 303
    assert (
        counsellor.post(
            f"/staff/requests/{req_id}/referrals/9999/status",
            data={
                "referral_status-version": version + 2,
                "referral_status-status": "sent",
                "csrf_token": token,
            },
        ).status_code
        == 404
    )
    assert audit_actions(app)[-3:] == [
        "request_visit_status",
        "request_viewed_refused",  # the refused status, shown again with its error
        "request_referral_status",
    ]


def test_service_search_as_you_type(counsellor, req_id) -> None:
    html = counsellor.get("/staff/services/options?q=perheneuvola").get_data(as_text=True)
    # An empty first choice (nothing chosen for the counsellor), then the one service found.
    assert re.findall(r'<option value="(\d*)"', html)[0] == ""
    assert len(re.findall(r'<option value="\d+"', html)) == 1 and "Perheneuvola" in html
    nothing = counsellor.get("/staff/services/options?q=zzzz").get_data(as_text=True)
    assert "disabled" in nothing


def test_supervisor_sees_who_has_handled_the_request(app, staff_client, req_id) -> None:
    staff_client("counsellor").get(f"/staff/requests/{req_id}")
    supervisor = staff_client("supervisor")
    html = supervisor.get(f"/staff/requests/{req_id}").get_data(as_text=True)
    # The names are in the assign and visit forms anyway: look in the audit section.
    audit = re.search(r'<section id="audit".*?</section>', html, re.S)
    assert audit is not None
    assert "</time> Test counsellor: avasi yhteydenottopyynnön</li>" in audit.group(0)
    counsellor_view = staff_client("counsellor").get(f"/staff/requests/{req_id}")
    assert 'id="audit"' not in counsellor_view.get_data(as_text=True)


def fill_timeline(app, request_id: int, entries: int) -> None:
    with app.app_context():
        stored = db.session.get(HelpRequest, request_id)
        user = db.session.scalars(select(StaffUser)).first()
        service = db.session.scalars(select(Service)).first()
        for number in range(entries):
            kind = number % 4
            if kind == 0:
                changes.record_call(
                    stored, user, stored.version, changes.CallData(datetime.now(UTC), "no_answer")
                )
            elif kind == 1:
                changes.book_visit(
                    stored,
                    user,
                    stored.version,
                    changes.VisitData(datetime.now(UTC), 60, "Katu 1", [user]),
                )
            elif kind == 2:
                changes.refer(stored, user, stored.version, service, "sent")
            else:
                changes.add_note(stored, user, stored.version, f"note {number}")


def test_request_page_query_count_does_not_grow(app, staff_client, req_id) -> None:
    with app.app_context():
        other_id = submit(
            NewRequest(
                submission_key="o" * 32, language="fi", call_language="fi", phone="+358401234567"
            )
        ).id
    supervisor = staff_client("supervisor")  # sees the audit list too
    fill_timeline(app, req_id, 1)
    fill_timeline(app, other_id, 100)  # calls, visits, referrals and notes
    counts = {}
    for request_id, entries in ((req_id, 1), (other_id, 100)):
        response, queries = count_queries(
            app, lambda rid=request_id: supervisor.get(f"/staff/requests/{rid}")
        )
        assert response.status_code == 200
        assert response.get_data(as_text=True).count('class="timeline-entry"') == entries + 1
        counts[entries] = len(queries)
    assert counts[1] == counts[100], counts
    # The session (with the menu's counters), the request with its topics and people, the
    # other requests from the same phone number (the two requests here share one), one INSERT
    # of the audit events (the page's read and each other request shown), the timeline with
    # the visits, referrals and disclosures it names, the staff and services of the forms, and
    # the supervisor's list of who has handled the request.
    assert counts[100] <= 8, queries
    counsellor = staff_client("counsellor")
    response, queries = count_queries(app, lambda: counsellor.get(f"/staff/requests/{other_id}"))
    assert response.status_code == 200
    # The same without the list of who has handled the request.
    assert len(queries) <= 7, queries


def test_planned_visit_can_be_changed(app, counsellor, req_id) -> None:
    post(counsellor, app, req_id, "visits", valid_data(app, "visits"))
    with app.app_context():
        visit = changes.visits(req_id)[0]
    page = counsellor.get(f"/staff/requests/{req_id}").get_data(as_text=True)
    assert f'name="visit{visit.id}-address" value="Kotikatu 1"' in page
    prefix = f"visit{visit.id}"
    data = {
        f"{prefix}-version": version_of(app, req_id),
        "csrf_token": csrf_token(counsellor),
        f"{prefix}-starts_at": helsinki_text(datetime.now(UTC) + timedelta(days=3)),
        f"{prefix}-duration_minutes": "90",
        f"{prefix}-address": "",
        f"{prefix}-staff": str(user_id(app)),
    }
    refused = counsellor.post(
        f"/staff/requests/{req_id}/visits/{visit.id}", data=data, headers=HTMX
    )
    assert refused.status_code == 422
    assert f'id="{prefix}-errors"' in refused.get_data(as_text=True)
    data[f"{prefix}-address"] = "Uusikatu 2"
    changed = counsellor.post(f"/staff/requests/{req_id}/visits/{visit.id}", data=data)
    assert changed.status_code == 303
    with app.app_context():
        visit = changes.visits(req_id)[0]
        assert (visit.address, visit.duration_minutes) == ("Uusikatu 2", 90)
    assert audit_actions(app)[-1] == "request_visit_edit"


@pytest.mark.parametrize(
    ("lang", "message"), [("fi", "Virheellinen valinta"), ("sv", "Inte ett giltigt val")]
)
def test_an_unknown_visitor_is_refused_in_the_language(
    app, staff_client, req_id, lang, message
) -> None:
    """A hand-made post names someone not on the list: the refusal is in the user's language
    (WTForms' own message for it is in English and repeats the value)."""
    client = staff_client("counsellor", lang)
    response = client.post(
        f"/staff/requests/{req_id}/visits",
        data={
            "visit-version": version_of(app, req_id),
            "visit-starts_at": helsinki_text(datetime.now(UTC) + timedelta(days=2)),
            "visit-duration_minutes": "45",
            "visit-address": "Kotikatu 1",
            "visit-staff": "999999",
            "csrf_token": csrf_token(client),
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<li><a href="#visit-staff">{message}</a></li>' in html
    assert "is not a valid choice" not in html


@pytest.mark.parametrize(
    ("language", "own_words", "others_words"),
    [
        ("fi", "Muutit tätä yhteydenottopyyntöä toisessa ikkunassa", "Test counsellor muutti"),
        ("sv", "Du ändrade den här kontaktbegäran i ett annat fönster", "Test counsellor ändrade"),
    ],
)
def test_own_change_in_another_window_is_named_as_yours(
    app, staff_client, req_id, language, own_words, others_words
) -> None:
    """Two windows of one counsellor: a change that sets state, based on what the first
    window showed, is refused with the counsellor's own change named as such, not by name."""
    client = staff_client("counsellor", language=language)
    seen = version_of(app, req_id)
    status = {"status-status": "waiting", "status-note": ""}
    assert post(client, app, req_id, "status", status, version=seen).status_code == 303
    for headers in ({}, HTMX):
        back = {"status-status": "in_progress", "status-note": "toinen ikkuna"}
        refused = post(client, app, req_id, "status", back, version=seen, headers=headers)
        assert refused.status_code == 409
        html = refused.get_data(as_text=True)
        notice = re.search(r'<div id="request-notice"[^>]*>(.*?)</div></div>', html).group(1)
        assert own_words in notice and others_words not in notice
        assert "toinen ikkuna</textarea>" in html  # what was typed is kept
        if headers:
            assert re.search(
                rf'<div data-hx-swap-oob="innerHTML:#announcer">{own_words}[^<]+</div>', html
            )
    assert version_of(app, req_id) == seen + 1


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_note_and_call_from_ones_other_window_go_through(
    app, counsellor, staff_client, req_id, headers
) -> None:
    """A note and a call only add: sent from a window that has not seen the counsellor's own
    change made in another, they are stored on top of it and change nothing it set. After
    someone else's change they are refused as before."""
    seen = version_of(app, req_id)
    status = {"status-status": "waiting", "status-note": ""}
    assert post(counsellor, app, req_id, "status", status, version=seen).status_code == 303
    for action in ("notes", "calls"):
        stored = post(
            counsellor, app, req_id, action, valid_data(app, action), version=seen, headers=headers
        )
        assert stored.status_code == (200 if headers else 303), action
    with app.app_context():
        request = db.session.get(HelpRequest, req_id)
        assert request.version == seen + 3
        assert request.status == "waiting"  # not put back in progress by the call
        assert request.call_attempts == 1
        kinds = [event.kind for event in changes.timeline(req_id)]
    assert kinds == ["call", "note", "status"]
    erik = staff_client("supervisor")
    refused = post(erik, app, req_id, "notes", {"note-note": "x"}, version=seen, headers=headers)
    assert refused.status_code == 409


def badge(html: str) -> str:
    return re.search(r'<span class="badge badge-[a-z_]+">[^<]*</span>', html).group(0)


def test_request_page_shows_the_overdue_badge_of_the_inbox(app, counsellor) -> None:
    """The same badge as the inbox row, until the first contact stops the clock."""
    with app.app_context():
        request_id = submit(
            NewRequest(
                submission_key="d" * 32, language="fi", call_language="fi", phone="+358401234567"
            ),
            now=datetime.now(UTC) - timedelta(days=14),
        ).id
    inbox_row = counsellor.get("/staff/").get_data(as_text=True)
    page = counsellor.get(f"/staff/requests/{request_id}").get_data(as_text=True)
    header = re.search(r'<section id="request-contact".*?</section>', page, re.S).group(0)
    assert 'class="badge badge-overdue"' in header and "arkipäivää myöhässä" in header
    assert badge(header) == badge(inbox_row)
    call = {**valid_data(app, "calls"), "call-called_at": helsinki_text(datetime.now(UTC))}
    answer = post(counsellor, app, request_id, "calls", call, headers=HTMX)
    assert answer.status_code == 200
    header = re.search(
        r'<section id="request-contact".*?</section>', answer.get_data(as_text=True), re.S
    )
    assert header is not None and 'class="badge' not in header.group(0)


@pytest.mark.parametrize(
    ("phone", "shown", "href"),
    [
        ("+358401234567", "040 123 4567", "tel:+358401234567"),
        ("+46701234567", "+46 70 123 45 67", "tel:+46701234567"),
    ],
)
def test_phone_number_is_shown_for_reading_and_dials_e164(
    app, counsellor, phone, shown, href
) -> None:
    with app.app_context():
        request_id = submit(
            NewRequest(submission_key="p" * 32, language="fi", call_language="fi", phone=phone)
        ).id
    html = counsellor.get(f"/staff/requests/{request_id}").get_data(as_text=True)
    assert f'<dd><a href="{href}" class="phone phone-to-call">{shown}</a></dd>' in html


def test_timeline_is_strictly_newest_first(app, counsellor, req_id) -> None:
    """Newest first, the parent's request last, on the page and in every htmx answer."""
    for text in ("first", "second"):
        post(counsellor, app, req_id, "notes", {"note-note": text})
    answer = post(counsellor, app, req_id, "notes", {"note-note": "third"}, headers=HTMX)
    for html in (
        counsellor.get(f"/staff/requests/{req_id}").get_data(as_text=True),
        answer.get_data(as_text=True),
    ):
        timeline = re.search(r'<section id="timeline".*?</section>', html, re.S).group(0)
        entries = re.findall(r'<li class="timeline-entry".*?</li>', timeline, re.S)
        notes = [re.search(r'entry-note">([^<]*)<', entry) for entry in entries[:3]]
        assert [note.group(1) for note in notes if note] == ["third", "second", "first"]
        assert "Vanhempi lähetti yhteydenottopyynnön." in entries[-1]
        assert len(entries) == 4


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fi", "Puhelun aika ei voi olla tulevaisuudessa."),
        ("sv", "Samtalets tid kan inte vara i framtiden."),
    ],
)
def test_a_call_in_the_future_is_refused_on_its_time_field(
    app, staff_client, req_id, lang, message
) -> None:
    counsellor = staff_client("counsellor", language=lang)
    tomorrow = helsinki_text(datetime.now(UTC) + timedelta(days=1))
    response = counsellor.post(
        f"/staff/requests/{req_id}/calls",
        data={
            **valid_data(app, "calls"),
            "call-called_at": tomorrow,
            "call-notes": "Soitan huomenna",
            "call-version": version_of(app, req_id),
            "csrf_token": csrf_token(counsellor),
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    field_error = re.search(r'<p class="field-error" id="call-called_at-error">(.*?)</p>', html)
    assert field_error is not None and message in field_error.group(1)
    assert ">Soitan huomenna</textarea>" in html  # what was typed is kept
    with app.app_context():
        assert db.session.get(HelpRequest, req_id).call_attempts == 0


def test_the_call_comes_first_on_the_request_page(app, counsellor) -> None:
    words = "Lapsi ei nuku öisin ja olemme aivan väsyneitä. " * 12
    with app.app_context():
        stored = submit(
            NewRequest(
                submission_key="f" * 32,
                language="fi",
                call_language="sv",
                phone="+358401234567",
                name="Maija",
                description=words,
                topics=["parent_coping"],
                sms_ok=True,
            )
        ).id
    response = counsellor.get(f"/staff/requests/{stored}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    contact = re.search(r'<section id="request-contact".*?</section>', html, re.S).group(0)
    assert html.index('id="request-contact"') < html.index('id="request-header"')
    assert html.index('id="request-header"') < html.index('id="form-all_fine"')
    assert html.index('id="form-all_fine"') < html.index('id="form-call"')
    assert '<a href="tel:+358401234567" class="phone phone-to-call">040 123 4567</a>' in contact
    for shown in (
        "Maija",
        "Sopiva soittoaika",
        "Puhelun kieli",
        "svenska",
        "Tekstiviesti sallittu",
    ):
        assert shown in contact, shown
    assert "Soitettava viimeistään" in contact and 'class="badge' in contact
    excerpt = re.search(r'<blockquote class="words-excerpt" lang="fi"><p>([^<]*)</p>', contact)
    assert excerpt and excerpt.group(1).endswith("…") and len(excerpt.group(1)) <= 241
    assert words.startswith(excerpt.group(1)[:-1])
    assert '<a href="#parent-words">Lue kaikki, mitä perhe kirjoitti</a>' in contact
    assert 'id="parent-words">' + words.strip() in html
