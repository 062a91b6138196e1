"""Writing to a family who asked for an answer on the status page: the casework action
"message to the family", the family's answers in the timeline, and the inbox's "new message
from the family" (a badge and a view)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from pyydaapua.casework import changes
from pyydaapua.data_rights import retention
from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import AuditEvent, HelpRequest, OutboxMessage, StaffUser, TimelineEvent
from pyydaapua.rules.status_flow import working_days_to_contact
from pyydaapua.status_page import access
from tests.helpers.app import count_queries
from tests.helpers.forms import csrf_token

HTMX = {"HX-Request": "true"}


def new_request(app, key: str, *, status_page: bool = True, hours_ago: int = 2) -> int:
    """A request; answered on the status page (no phone number) unless ``status_page`` is
    False."""
    with app.app_context():
        _code, code_hash = access.new_secret()
        stored = submit(
            NewRequest(
                submission_key=key * 32,
                language="fi",
                call_language="fi",
                phone="" if status_page else "+358401234567",
                description="Tarvitsemme apua",
                topics=["finances"],
                contact_method="status_page" if status_page else "phone",
                status_secret_hash=code_hash if status_page else None,
            ),
            now=datetime.now(UTC) - timedelta(hours=hours_ago),
        )
        return stored.id


def family_writes(app, request_id: int, text: str) -> None:
    """The family answers on the status page."""
    with app.app_context():
        access.family_wrote(db.session.get(HelpRequest, request_id), text)


def stored(app, request_id: int) -> HelpRequest:
    with app.app_context():
        db.session.expire_all()
        found = db.session.get(HelpRequest, request_id)
        db.session.expunge(found)
        return found


def post_message(client, app, request_id: int, text: str, headers=None):
    return client.post(
        f"/staff/requests/{request_id}/messages",
        data={
            "csrf_token": csrf_token(client),
            "message-version": stored(app, request_id).version,
            "message-message": text,
        },
        headers=headers or {},
    )


@pytest.fixture
def req_id(app) -> int:
    return new_request(app, "m")


def test_the_request_page_offers_the_message_first_and_says_the_family_sees_it(
    app, staff_client, req_id
) -> None:
    client = staff_client("counsellor")
    with app.app_context():
        name = db.session.scalars(select(StaffUser.name)).one()
    html = client.get(f"/staff/requests/{req_id}").get_data(as_text=True)
    titles = re.findall(r'<h3 class="action-title">([^<]+)</h3>', html)
    assert titles[0] == "Viesti perheelle"
    assert '<details class="action" id="action-message" open>' in html
    assert "<strong>Perhe näkee tämän viestin.</strong>" in html
    # Signed with the first name only; the page names the counsellor in full elsewhere.
    assert f"etunimelläsi ({name.split()[0]})" in html and name.split()[0] != name
    # No quick call for a family without a phone number; the details say how to answer.
    assert 'id="form-all_fine"' not in html
    assert "Viesti Pyynnön tilanne -sivulle: perhe ei antanut puhelinnumeroa" in html


def test_a_phone_request_offers_no_message(app, staff_client) -> None:
    phone_request = new_request(app, "p", status_page=False)
    html = staff_client("counsellor").get(f"/staff/requests/{phone_request}").get_data(as_text=True)
    assert 'id="form-message"' not in html and 'id="form-all_fine"' in html


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_a_message_is_the_first_contact_and_answers_the_family(
    app, staff_client, req_id, headers
) -> None:
    family_writes(app, req_id, "Kiitos, odotamme")
    client = staff_client("counsellor")
    before = stored(app, req_id)
    assert before.family_message_at is not None and before.first_contact_at is None
    response = post_message(client, app, req_id, "Hei! Soitan mielelläni, jos haluatte.", headers)
    after = stored(app, req_id)
    if headers:
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Viesti lähetettiin. Perhe näkee sen Pyynnön tilanne -sivulla." in html
        # The form comes back empty, the timeline out of band, with the message marked.
        assert 'id="form-message"' in html and "Hei! Soitan" in html.split('id="timeline"')[1]
        assert 'class="timeline-entry family-visible"' in html
    else:
        assert response.status_code == 303
    assert after.first_contact_at is not None and after.first_contact_on_time is True
    # Working days from the Helsinki day it was sent (two hours ago: yesterday, after midnight).
    assert after.first_contact_workdays == working_days_to_contact(
        after.submitted_at, after.first_contact_at
    )
    assert after.status == "in_progress"
    assert after.family_message_at is None  # answered
    assert after.assigned_to_id is not None  # the first action claims the request
    with app.app_context():
        events = db.session.scalars(
            select(TimelineEvent).where(TimelineEvent.request_id == req_id)
        ).all()
        kinds = [(e.kind, e.note, e.user_id is None) for e in events]
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.request_id == req_id)
        ).all()
    assert ("message_from_family", "Kiitos, odotamme", True) in kinds
    assert ("message_to_family", "Hei! Soitan mielelläni, jos haluatte.", False) in kinds
    assert "request_message" in actions


def test_the_timeline_names_the_family_as_the_writer_of_their_message(
    app, staff_client, req_id
) -> None:
    family_writes(app, req_id, "Voisitteko vastata illalla?")
    html = staff_client("counsellor").get(f"/staff/requests/{req_id}").get_data(as_text=True)
    timeline = html.split('id="timeline"')[1]
    assert re.search(r"<strong>Perhe</strong>:\s*viesti perheeltä", timeline)
    assert "Voisitteko vastata illalla?" in timeline
    # The header says a message waits for an answer.
    assert '<span class="badge badge-family-message">Uusi viesti perheeltä</span>' in html


@pytest.mark.parametrize(
    ("text", "error"),
    [("   ", "Kirjoita viesti."), ("x" * 4001, "enintään 4")],
)
def test_an_empty_or_too_long_message_is_refused_with_the_text_kept(
    app, staff_client, req_id, text, error
) -> None:
    response = post_message(staff_client("counsellor"), app, req_id, text)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error in html
    assert stored(app, req_id).first_contact_at is None


def test_no_message_to_a_family_who_asked_for_a_call(app, staff_client) -> None:
    phone_request = new_request(app, "q", status_page=False)
    response = post_message(staff_client("counsellor"), app, phone_request, "Hei")
    assert response.status_code == 422
    assert "Perhe pyysi puhelua" in response.get_data(as_text=True)
    assert stored(app, phone_request).first_contact_at is None


def test_no_message_to_a_closed_request_and_closing_answers_the_waiting_message(
    app, staff_client, req_id
) -> None:
    family_writes(app, req_id, "Kaikki hyvin nyt")
    client = staff_client("counsellor")
    with app.app_context():
        user = db.session.scalars(select(StaffUser)).one()
        request = db.session.get(HelpRequest, req_id)
        changes.change_status(request, user, request.version, "closed", "conversation_enough")
    assert stored(app, req_id).family_message_at is None
    response = post_message(client, app, req_id, "Hei vielä")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Yhteydenottopyyntö on suljettu, joten siihen ei kirjata enää mitään." in html
    assert "Hei vielä" in html  # kept, to copy


def rows(html: str) -> list[str]:
    return re.findall(r'<td class="reference-cell"><a href="/staff/requests/(\d+)[?"]', html)


def test_the_inbox_marks_and_filters_new_messages_from_families(app, staff_client) -> None:
    client = staff_client("counsellor")
    waiting, answered, quiet = (new_request(app, key) for key in "wax")
    phone_request = new_request(app, "t", status_page=False)
    family_writes(app, waiting, "Odotamme")
    family_writes(app, answered, "Kiitos")
    assert post_message(client, app, answered, "Hyvä kuulla").status_code == 303

    page = client.get("/staff/").get_data(as_text=True)
    assert set(rows(page)) == {str(i) for i in (waiting, answered, quiet, phone_request)}
    row_of = {m[0]: m[1] for m in re.findall(r'requests/(\d+)">(.*?)</tr>', page, re.S)}
    assert "Uusi viesti perheeltä" in row_of[str(waiting)]
    assert all("Uusi viesti perheeltä" not in row_of[str(i)] for i in (answered, quiet))
    assert "Kirjallinen vastaus" in row_of[str(quiet)]
    assert "Kirjallinen vastaus" not in row_of[str(phone_request)]

    for url in ("/staff/?messages=1",):
        for headers in ({}, HTMX):
            filtered = client.get(url, headers=headers).get_data(as_text=True)
            assert rows(filtered) == [str(waiting)]
    full = client.get("/staff/?messages=1").get_data(as_text=True)
    assert 'id="messages" name="messages" value="1" checked' in full
    assert re.search(r'id="view-messages" href="/staff/\?messages=1"[^>]*aria-current="page"', full)
    assert 'value="all">Kaikki (1)' in full


def test_the_message_view_reads_a_constant_number_of_statements(app, staff_client) -> None:
    client = staff_client("counsellor")

    def statements() -> int:
        _, queries = count_queries(app, lambda: client.get("/staff/?messages=1"))
        return len(queries)

    first = new_request(app, "f")
    family_writes(app, first, "Yksi")
    few = statements()
    for key in "ghijk":
        family_writes(app, new_request(app, key), "Lisää")
    assert statements() == few


def test_the_export_and_the_access_log_include_the_messages(app_factory, staff_client) -> None:
    app = app_factory(TEAM_EMAIL="tiimi@example.fi")
    req_id = new_request(app, "x")
    counsellor = staff_client("counsellor")
    family_writes(app, req_id, "Perheen oma viesti")
    assert post_message(counsellor, app, req_id, "Ohjaajan vastaus").status_code == 303
    supervisor = staff_client("supervisor")
    data = supervisor.get(f"/staff/requests/{req_id}/export.json").get_json()
    assert data["request"]["contact_method"] == "status_page"
    messages = [
        (event["kind"], event["note"], event["by"] is None)
        for event in data["timeline"]
        if event["kind"].startswith("message_")
    ]
    assert messages == [
        ("message_from_family", "Perheen oma viesti", True),
        ("message_to_family", "Ohjaajan vastaus", False),
    ]
    page = supervisor.get(f"/staff/requests/{req_id}/export").get_data(as_text=True)
    assert "Perheen oma viesti" in page and "Ohjaajan vastaus" in page
    # The e-mail written about the request: the team's notices of the new request and of the
    # family's message (nobody owned the request then).
    assert [(e["kind"], e["to"], e["status"]) for e in data["emails"]] == [
        ("request_to_team", "tiimi@example.fi", "pending"),
        ("family_wrote", "tiimi@example.fi", "pending"),
    ]
    assert 'id="export-emails"' in page and "tiimi@example.fi" in page
    reference = stored(app, req_id).reference
    log = supervisor.get(f"/staff/access-log?reference={reference}").get_data(as_text=True)
    assert '<tr data-action="request_message">' in log and "kirjoitti perheelle" in log


def test_a_parent_who_gave_an_address_hears_that_a_message_waits(app, staff_client) -> None:
    with_address = new_request(app, "e")
    with app.app_context():
        db.session.get(HelpRequest, with_address).email = "vanhempi@example.fi"
        db.session.commit()
    client = staff_client("counsellor")
    assert post_message(client, app, with_address, "Salainen vastaus perheelle").status_code == 303
    with app.app_context():
        mails = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "counsellor_wrote")
        ).all()
        sent = [(m.recipient, m.request_id, m.language) for m in mails]
        texts = " ".join(m.subject + m.body for m in mails)
    assert sent == [("vanhempi@example.fi", with_address, "fi")]
    assert "Salainen vastaus" not in texts and "/fi/status" in texts


def test_retention_clears_the_messages_and_the_code(app, staff_client) -> None:
    """Like every other free text: the messages both ways go, and so does the code's hash,
    so the status page opens no more."""
    with app.app_context():
        code, code_hash = access.new_secret()
        request = submit(
            NewRequest(
                submission_key="r" * 32,
                language="fi",
                call_language="fi",
                phone="",
                contact_method="status_page",
                status_secret_hash=code_hash,
            ),
            now=datetime.now(UTC) - timedelta(days=500),
        )
        req_id, reference = request.id, request.reference
    family_writes(app, req_id, "Perheen viesti")
    assert post_message(staff_client("counsellor"), app, req_id, "Vastaus").status_code == 303
    with app.app_context():
        user = db.session.scalars(select(StaffUser)).one()
        request = db.session.get(HelpRequest, req_id)
        changes.change_status(request, user, request.version, "closed", "conversation_enough")
        request.closed_at = datetime.now(UTC) - timedelta(days=400)
        db.session.commit()
        assert access.open_request(reference, code) is not None
        retention.run(12, apply=True)
        notes = db.session.scalars(
            select(TimelineEvent.note).where(
                TimelineEvent.request_id == req_id, TimelineEvent.kind.like("message_%")
            )
        ).all()
        assert notes == ["", ""]
        assert access.open_request(reference, code) is None


CALL_WORDS = (
    "Soitettava viimeistään",
    "Soittoyritykset",
    "Sopiva soittoaika",
    "Puhelun kieli",
    "Tekstiviesti",
    'id="form-call"',
    'id="form-all_fine"',
)


def test_a_written_channel_request_is_described_in_written_words(app, staff_client) -> None:
    written = new_request(app, "w")
    html = staff_client("counsellor").get(f"/staff/requests/{written}").get_data(as_text=True)
    contact = re.search(r'<section id="request-contact".*?</section>', html, re.S).group(0)
    assert "Vastaa perheelle" in contact and "Vastattava viimeistään" in contact
    assert "Vastauksen kieli" in contact and "Tarvitsemme apua" in contact
    for words in CALL_WORDS:
        assert words not in html, words
    assert 'id="form-message"' in html


def test_a_phone_request_keeps_its_call_words(app, staff_client) -> None:
    """The other side of the test above: the words it looks for are there on a call."""
    phone = new_request(app, "p", status_page=False)
    html = staff_client("counsellor").get(f"/staff/requests/{phone}").get_data(as_text=True)
    for words in CALL_WORDS:
        assert words in html, words
