"""Odd request shapes: numbers beyond 64 bits, the hidden submission key, bodies that are not
a form's, repeated fields and a sign-in ``next`` that no link of ours has."""

from __future__ import annotations

import json
import re
from html import unescape
from io import BytesIO

import pytest
from sqlalchemy import func, select

from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import HelpRequest, TimelineEvent
from tests.helpers.forms import RequestFormHelper, csrf_token, hidden_fields
from tests.helpers.staff import make_staff, sign_in

TOO_BIG = str(2**63)  # beyond 64 bits
BEYOND_INTEGER = str(2**31)  # one more than PostgreSQL's INTEGER holds (ids, versions)
LARGEST = str(2**31 - 1)


def stored_requests(app) -> list[HelpRequest]:
    with app.app_context():
        return list(db.session.scalars(select(HelpRequest).order_by(HelpRequest.id)))


@pytest.fixture
def help_request(app) -> dict[str, int]:
    with app.app_context():
        stored = submit(
            NewRequest(
                submission_key="s" * 32, language="fi", call_language="fi", phone="+358401234567"
            )
        )
        return {"id": stored.id, "version": stored.version}


def int_routes(app) -> list[tuple[str, str]]:
    """Every staff route with an id in its path, as (method, rule)."""
    return sorted(
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if "<int:" in rule.rule
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


# ---- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [TOO_BIG, BEYOND_INTEGER, "9" * 30, "9" * 5000, "-1", "١", "1_0", "+1"]
)
def test_ids_beyond_64_bits_and_odd_ids_are_not_found(app, staff_client, value) -> None:
    clients = {role: staff_client(role) for role in ("supervisor", "admin")}
    routes = int_routes(app)
    assert len(routes) >= 15
    for method, rule in routes:
        path = re.sub(r"<int:[a-z_]+>", value, rule)
        client = clients["admin" if "/admin/" in rule else "supervisor"]
        data = {"csrf_token": csrf_token(client)} if method == "POST" else None
        response = client.open(path, method=method, data=data)
        assert response.status_code == 404, (method, path[:80], response.status_code)


def test_the_largest_id_is_simply_not_found(app, staff_client) -> None:
    client = staff_client("supervisor")
    for path in (f"/staff/requests/{LARGEST}", f"/staff/requests/{LARGEST}/export"):
        assert client.get(path).status_code == 404
    assert staff_client("admin").get(f"/staff/admin/users/{LARGEST}").status_code == 404


@pytest.mark.parametrize("since", ["9" * 30, TOO_BIG, BEYOND_INTEGER, "-1", "abc", "1.5", " 1"])
def test_an_odd_since_is_a_bad_request(staff_client, since) -> None:
    response = staff_client("counsellor").get("/staff/inbox/new", query_string={"since": since})
    assert response.status_code == 400
    assert "Palaa takaisin, päivitä sivu ja yritä uudelleen." in response.get_data(as_text=True)


def test_a_valid_since_still_counts(staff_client, help_request) -> None:
    client = staff_client("counsellor")
    assert client.get("/staff/inbox/new?since=0").status_code == 200
    assert client.get(f"/staff/inbox/new?since={LARGEST}").status_code == 200


@pytest.mark.parametrize("page", ["9" * 30, TOO_BIG, "-5", "0", "x", "9" * 5000])
def test_an_odd_page_number_shows_the_first_page(staff_client, help_request, page) -> None:
    inbox = staff_client("counsellor").get("/staff/", query_string={"page": page})
    assert inbox.status_code == 200
    audit = staff_client("supervisor").get("/staff/audit", query_string={"page": page})
    assert audit.status_code == 200


@pytest.mark.parametrize("version", ["9" * 30, TOO_BIG, BEYOND_INTEGER, "-1"])
def test_a_version_beyond_64_bits_is_refused_with_a_message(
    app, staff_client, help_request, version
) -> None:
    client = staff_client("counsellor")
    response = client.post(
        f"/staff/requests/{help_request['id']}/notes",
        data={"csrf_token": csrf_token(client), "note-version": version, "note-note": "Soitin"},
    )
    assert response.status_code == 422
    html = unescape(response.get_data(as_text=True))
    assert "Lomake on vanhentunut. Päivitä sivu ja yritä uudelleen." in html
    assert "Soitin</textarea>" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TimelineEvent)) == 0


# ---- the hidden submission key -------------------------------------------------------------


@pytest.mark.parametrize(
    "key", [None, "", "short", "x" * 65, "a" * 31 + "!", "ä" * 32, "a" * 31 + "\x00"]
)
def test_a_missing_or_malformed_key_stores_the_request_under_a_fresh_key(
    app, request_form, key
) -> None:
    hidden = request_form.open("fi")
    if key is None:
        del hidden["submission_key"]
    else:
        hidden["submission_key"] = key
    response = request_form.submit("fi", hidden=hidden, description="Tarvitsen apua")
    assert response.status_code == 303
    [stored] = stored_requests(app)
    assert stored.description == "Tarvitsen apua"
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", stored.submission_key)
    assert response.headers["Location"] == "/fi/request/sent"
    confirmation = request_form.client.get(response.headers["Location"])
    assert stored.reference[:4] in confirmation.get_data(as_text=True)


def test_two_parents_with_empty_keys_are_both_stored(app) -> None:
    first, second = RequestFormHelper(app.test_client()), RequestFormHelper(app.test_client())
    for parent, text in ((first, "Ensimmäinen"), (second, "Toinen")):
        hidden = parent.open("fi")
        hidden["submission_key"] = ""
        assert parent.submit("fi", hidden=hidden, description=text).status_code == 303
    assert [r.description for r in stored_requests(app)] == ["Ensimmäinen", "Toinen"]


def test_a_valid_key_sent_twice_still_stores_once(app, request_form) -> None:
    hidden = request_form.open("fi")
    assert request_form.submit("fi", hidden=hidden).status_code == 303
    assert request_form.submit("fi", hidden=hidden).status_code == 303
    assert len(stored_requests(app)) == 1


def test_a_refused_form_gets_a_valid_key_back(request_form) -> None:
    hidden = request_form.open("sv")
    hidden["submission_key"] = "x" * 65
    response = request_form.submit("sv", hidden=hidden, phone="", description="Hej")
    assert response.status_code == 422
    assert re.fullmatch(
        r"[A-Za-z0-9_-]{32}", hidden_fields(response.get_data(as_text=True))["submission_key"]
    )


# ---- bodies that are not a form's ----------------------------------------------------------


def test_json_on_the_public_form_gives_the_form_back_filled_in(app, request_form) -> None:
    hidden = request_form.open("fi")
    body = {
        "contact_method": "phone",
        "phone": "040 123 4567",
        "description": "Lähetin tämän JSONina",
        "name": "Aino",
        "topics": ["finances", "moving"],
        "sms_ok": 1,
    }
    response = request_form.client.post(
        "/fi/request",
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-CSRFToken": hidden["csrf_token"]},
    )
    assert response.status_code == 415
    html = response.get_data(as_text=True)
    assert "ei tullut perille muodossa, jota pystymme lukemaan" in html
    assert "Lähetin tämän JSONina</textarea>" in html and 'value="Aino"' in html
    assert 'name="topics" value="finances" checked' in html
    assert 'name="topics" value="moving" checked' in html
    assert 'value="040 123 4567"' in html
    assert stored_requests(app) == []
    # The form it gives back can be sent as it is.
    again = request_form.submit(
        "fi", hidden=hidden_fields(html), description="Lähetin tämän JSONina"
    )
    assert again.status_code == 303


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b"[1, 2]"),
        ("application/json", b"{not json"),
        ("application/json", b"\xff\xfe"),
        ("application/json", b"[" * 5000),
        ("text/plain", b"phone=0401234567"),
        ("application/xml", b"<phone>0401234567</phone>"),
    ],
)
def test_other_bodies_on_the_public_form_are_refused_calmly(
    app, request_form, content_type, body
) -> None:
    hidden = request_form.open("sv")
    response = request_form.client.post(
        "/sv/request",
        data=body,
        content_type=content_type,
        headers={"X-CSRFToken": hidden["csrf_token"]},
    )
    assert response.status_code == 415
    assert "Din kontaktbegäran kom inte fram" in response.get_data(as_text=True)
    assert stored_requests(app) == []


def test_a_file_on_the_public_form_is_refused(app, request_form) -> None:
    hidden = request_form.open("fi")
    response = request_form.client.post(
        "/fi/request",
        data={**hidden, "phone": "0401234567", "description": (BytesIO(b"text"), "a.txt")},
    )
    assert response.status_code == 415
    assert stored_requests(app) == []


def test_json_on_a_staff_form_is_refused_with_a_clear_page(app, staff_client, help_request):
    client = staff_client("counsellor")
    response = client.post(
        f"/staff/requests/{help_request['id']}/notes",
        json={"note-note": "JSON", "note-version": help_request["version"]},
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert response.status_code == 415
    assert "Lomakkeen voi lähettää vain sen omalta sivulta" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TimelineEvent)) == 0


def test_a_post_without_a_body_is_still_a_form(app, staff_client) -> None:
    client = staff_client("counsellor")
    response = client.post("/staff/logout", headers={"X-CSRFToken": csrf_token(client)})
    assert response.status_code == 303


# ---- repeated fields: the first value counts -----------------------------------------------


def test_blank_choices_are_left_out(app, request_form) -> None:
    from werkzeug.datastructures import MultiDict

    hidden = request_form.open("fi")
    data = MultiDict(
        [
            *hidden.items(),
            ("contact_method", "phone"),
            ("phone", "0401234567"),
            ("topics", ""),
            ("topics", "finances"),
            ("child_ages", ""),
        ]
    )
    assert request_form.client.post("/fi/request", data=data).status_code == 303
    [stored] = stored_requests(app)
    assert (stored.topic_codes, stored.child_ages) == (["finances"], "")


@pytest.mark.parametrize("first", ["", " "])
def test_an_unknown_choice_after_a_blank_one_is_refused(app, request_form, first) -> None:
    from werkzeug.datastructures import MultiDict

    hidden = request_form.open("fi")
    data = MultiDict(
        [*hidden.items(), ("phone", "0401234567"), ("topics", first), ("topics", "bogus")]
    )
    assert request_form.client.post("/fi/request", data=data).status_code == 422
    assert stored_requests(app) == []


def test_a_repeated_field_on_the_public_form_takes_the_first_value(app, request_form) -> None:
    hidden = request_form.open("fi")
    data = [
        *hidden.items(),
        ("contact_method", "phone"),
        ("phone", "040 123 4567"),
        ("phone", "not a phone"),
        ("description", "Ensimmäinen"),
        ("description", "Toinen"),
        ("name", "Aino"),
        ("name", "Eino"),
    ]
    from werkzeug.datastructures import MultiDict

    response = request_form.client.post("/fi/request", data=MultiDict(data))
    assert response.status_code == 303
    [stored] = stored_requests(app)
    assert (stored.description, stored.name, stored.phone) == (
        "Ensimmäinen",
        "Aino",
        "+358401234567",
    )


def test_a_repeated_note_takes_the_first_value(app, staff_client, help_request) -> None:
    from werkzeug.datastructures import MultiDict

    client = staff_client("counsellor")
    data = MultiDict(
        [
            ("csrf_token", csrf_token(client)),
            ("note-version", str(help_request["version"])),
            ("note-note", "Ensimmäinen"),
            ("note-note", "Toinen"),
        ]
    )
    assert client.post(f"/staff/requests/{help_request['id']}/notes", data=data).status_code == 303
    with app.app_context():
        assert db.session.scalars(select(TimelineEvent.note)).all() == ["Ensimmäinen"]


# ---- the sign-in's next --------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "/staff/\x00",
        "/staff/\r\nSet-Cookie: a=b",
        "/staff/\x7f",
        "/staff/\u2028",
        "/staff/\u200e",
        "//[",
        "/staff/" + "a" * 3000,
    ],
)
def test_sign_in_refuses_an_odd_next_and_goes_home(app, target) -> None:
    _, email = make_staff(app, "counsellor")
    response = sign_in(app.test_client(), email, next=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/"


def test_an_odd_next_in_the_sign_in_address_is_dropped(app) -> None:
    html = app.test_client().get("/staff/login?next=/staff/%00").get_data(as_text=True)
    assert 'name="next" type="hidden" value=""' in html


def test_a_next_with_letters_of_any_language_is_kept(app) -> None:
    _, email = make_staff(app, "counsellor")
    response = sign_in(app.test_client(), email, next="/staff/?q=äiti")
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/?q=%C3%A4iti"


@pytest.mark.parametrize("reference", ["\xa0" * 300, "   ", "\u2003"])
def test_a_reference_of_white_space_only_asks_for_the_reference(staff_client, reference) -> None:
    client = staff_client("supervisor")
    page = client.get("/staff/access-log", query_string={"reference": reference})
    assert page.status_code == 422
    assert "Anna pyynnön tunnus." in page.get_data(as_text=True)
    csv = client.get("/staff/access-log.csv", query_string={"reference": reference})
    assert csv.status_code == 404
