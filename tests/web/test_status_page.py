"""The status page: the parent's choice on the form, the secret code shown once, opening the
page with the reference and code, what it shows, the family's messages, limits and its end."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from pyydaapua.accounts.users import create_user
from pyydaapua.casework import changes
from pyydaapua.database import db
from pyydaapua.intake import public_session
from pyydaapua.models import HelpRequest, PublicSession, TimelineEvent
from pyydaapua.rules.references import format_reference
from pyydaapua.rules.secret_codes import ALPHABET as CODE_ALPHABET
from pyydaapua.status_page import access
from tests.helpers.forms import RequestFormHelper, hidden_fields

CODE_SHOWN = re.compile(rf'id="secret-code">([{CODE_ALPHABET}]{{5}}-[{CODE_ALPHABET}]{{5}})<')
WRONG_PAIR = {
    "fi": "Emme voineet avata pyyntöä tällä tunnuksella ja salaisella koodilla.",
    "sv": "Vi kunde inte öppna en begäran med den här referenskoden och hemliga koden.",
}


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def stored(app: Flask) -> HelpRequest:
    with app.app_context():
        found = db.session.scalars(select(HelpRequest).order_by(HelpRequest.id.desc())).first()
        assert found is not None
        db.session.expunge(found)
        return found


class Parent:
    """A parent's browser: sends a status-page request, reads the code, opens the page."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.form = RequestFormHelper(client)
        self.reference = ""
        self.code = ""

    def send(self, lang: str = "fi", keep_session: bool = False, **fields: str) -> str:
        """Send a request for the status page and read its reference and code; then, unless
        ``keep_session``, close the page, as if later or in another browser."""
        data = {"contact_method": "status_page", "phone": "", **fields}
        response = self.form.submit(lang, **data)
        assert response.status_code == 303, response.get_data(as_text=True)
        confirmation = self.client.get(response.headers["Location"])
        html = confirmation.get_data(as_text=True)
        found = CODE_SHOWN.search(html)
        assert found, text_of(html)
        self.code = found.group(1)
        self.reference = re.search(r'id="reference">([^<]+)<', html).group(1)
        if not keep_session:
            self.close(lang)
        return html

    def close(self, lang: str = "fi"):
        return self.client.post(f"/{lang}/status/close", data={"csrf_token": self.csrf(lang)})

    def csrf(self, lang: str = "fi") -> str:
        return hidden_fields(self.client.get(f"/{lang}/status").get_data(as_text=True))[
            "csrf_token"
        ]

    def open(self, lang: str = "fi", reference: str | None = None, code: str | None = None, **more):
        return self.client.post(
            f"/{lang}/status",
            data={
                "csrf_token": self.csrf(lang),
                "reference": self.reference if reference is None else reference,
                "secret_code": self.code if code is None else code,
                **more,
            },
        )

    def write(self, text: str, lang: str = "fi"):
        return self.client.post(
            f"/{lang}/status/message", data={"csrf_token": self.csrf(lang), "message": text}
        )


@pytest.fixture
def parent(client) -> Parent:
    return Parent(client)


# --- The choice on the form -----------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_choice_comes_before_the_phone_with_a_call_chosen(client, lang) -> None:
    html = client.get(f"/{lang}/request").get_data(as_text=True)
    assert 'name="contact_method" value="phone" checked' in html
    assert 'name="contact_method" value="status_page">' in html
    assert html.index('name="contact_method"') < html.index('name="phone"')
    # The call's fields are grouped, and say without JavaScript that they are for a call.
    start = html.index('id="call-fields"')
    group = html[start : html.index('name="email"')]
    for name in ("phone", "call_time", "sms_ok"):
        assert f'name="{name}"' in group
    assert 'name="contact_method"' not in group
    assert "data-call-fields" in group


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fi", "Valitse, miten vastaamme sinulle"),
        ("sv", "Välj hur vi svarar dig"),
    ],
)
@pytest.mark.parametrize("value", ["", "email", "status"])
def test_an_empty_or_unknown_choice_is_refused_with_everything_kept(
    app, request_form, lang, message, value
) -> None:
    hidden = request_form.open(lang)
    data = {**hidden, "phone": "040 123 4567", "description": "Kerron tässä"}
    data["contact_method"] = value
    response = request_form.client.post(f"/{lang}/request", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in text_of(html)
    assert "Kerron tässä</textarea>" in html and 'value="040 123 4567"' in html
    assert 'name="contact_method" value="phone" checked' not in html
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(HelpRequest)) == 0


def test_a_form_opened_before_the_choice_existed_asks_for_a_call(app, request_form) -> None:
    """A post without the field (a page loaded before the update) is a call, as it was."""
    hidden = request_form.open("fi")
    data = {**hidden, "phone": "040 123 4567"}
    assert request_form.client.post("/fi/request", data=data).status_code == 303
    with app.app_context():
        stored = db.session.scalars(select(HelpRequest)).one()
        assert (stored.contact_method, stored.phone) == ("phone", "+358401234567")
    hidden = request_form.open("fi")
    response = request_form.client.post("/fi/request", data={**hidden, "phone": ""})
    assert response.status_code == 422
    assert "Kirjoita puhelinnumerosi" in text_of(response.get_data(as_text=True))


def test_a_call_still_needs_a_phone_number(app, request_form) -> None:
    response = request_form.submit("fi", contact_method="phone", phone="")
    assert response.status_code == 422
    assert "Kirjoita puhelinnumerosi" in text_of(response.get_data(as_text=True))


def test_the_status_page_needs_no_phone_and_drops_a_typed_one(app, request_form) -> None:
    response = request_form.submit(
        "fi", contact_method="status_page", phone="040 765 4321", sms_ok="yes", call_time="morning"
    )
    assert response.status_code == 303
    help_request = stored(app)
    assert help_request.contact_method == "status_page"
    assert (help_request.phone, help_request.sms_ok, help_request.call_time) == ("", False, "any")
    # Even a phone number that would be refused does not stop the request.
    response = request_form.submit("fi", contact_method="status_page", phone="not a number")
    assert response.status_code == 303
    assert stored(app).phone == ""


def test_a_call_request_has_no_secret_code(app, request_form) -> None:
    response = request_form.submit("fi", contact_method="phone")
    html = request_form.client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="secret-code"' not in html and 'id="phone-number"' in html
    help_request = stored(app)
    assert (help_request.contact_method, help_request.status_secret_hash) == ("phone", None)


@pytest.mark.parametrize(("left", "to"), [("fi", "sv"), ("sv", "fi")])
def test_switching_language_keeps_the_choice(request_form, left, to) -> None:
    hidden = request_form.open(left)
    response = request_form.client.post(
        f"/{to}/request",
        data={**hidden, "contact_method": "status_page", "switch_language": left},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="contact_method" value="status_page" checked' in html
    assert 'name="contact_method" value="phone" checked' not in html


# --- The secret code ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_code_is_shown_once_and_stored_only_as_an_argon2id_hash(app, parent, lang) -> None:
    response = parent.form.submit(lang, contact_method="status_page", phone="")
    location = response.headers["Location"]
    assert "secret" not in location.lower()
    first = parent.client.get(location)
    assert first.headers["Cache-Control"] == "no-store"
    html = first.get_data(as_text=True)
    code = CODE_SHOWN.search(html).group(1)
    assert code.replace("-", "") not in location and code not in location
    assert 'id="phone-number"' not in html  # nothing to check: no phone number
    assert f'href="/{lang}/status"' in html
    hashed = stored(app).status_secret_hash
    assert hashed is not None and hashed.startswith("$argon2id$")
    assert code not in hashed and code.replace("-", "") not in hashed
    # Reloading, or coming back from the status page, still shows it: the code is not lost on
    # the way. Once the parent says it is written down, it is no longer kept or shown.
    again = parent.client.get(location)
    assert again.headers["Cache-Control"] == "no-store"
    assert CODE_SHOWN.search(again.get_data(as_text=True)).group(1) == code
    status_page = parent.client.get(f"/{lang}/status").get_data(as_text=True)
    assert 'id="message-form"' in status_page
    assert CODE_SHOWN.search(status_page).group(1) == code
    written = parent.client.post(
        f"/{lang}/request/sent/code-written",
        data={"csrf_token": hidden_fields(html)["csrf_token"], "next": "confirmation"},
    )
    assert written.status_code == 303 and written.headers["Location"] == location
    after = parent.client.get(location).get_data(as_text=True)
    assert 'id="secret-code"' not in after and code not in after
    assert 'id="secret-code-shown"' in after
    assert format_reference(stored(app).reference) in after
    with app.app_context():
        assert db.session.scalars(select(PublicSession.secret_code)).one() is None


def test_the_code_is_not_shown_to_another_browser(app, parent, app_factory) -> None:
    response = parent.form.submit("fi", contact_method="status_page", phone="")
    other = app.test_client()
    html = other.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="secret-code"' not in html


# --- Opening the page -----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_right_pair_opens_the_page_in_any_spelling(app, parent, lang) -> None:
    parent.send(lang)
    form = parent.client.get(f"/{lang}/status")
    assert form.status_code == 200 and form.headers["Cache-Control"] == "no-store"
    assert 'name="reference"' in form.get_data(as_text=True)
    response = parent.open(
        lang, reference=parent.reference.lower(), code=parent.code.lower().replace("-", " ")
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/{lang}/status"
    page = parent.client.get(f"/{lang}/status")
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert 'id="message-form"' in html
    assert parent.reference in html
    assert parent.code not in html and parent.code.replace("-", "") not in html


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_a_wrong_pair_gets_one_message_that_names_no_part(app, parent, lang) -> None:
    parent.send(lang)
    wrong_code = parent.open(lang, code="ABCDE-FGHJK")
    other_reference = "ACDE-FH34" if parent.reference != "ACDE-FH34" else "ACDE-FH37"
    unknown_reference = parent.open(lang, reference=other_reference)
    for response, reference in (
        (wrong_code, parent.reference),
        (unknown_reference, other_reference),
    ):
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert WRONG_PAIR[lang] in text_of(html)
        assert f'value="{reference}"' in html  # the reference is kept
        assert "ABCDE" not in html and parent.code not in html  # a code is never echoed
        assert 'id="message-form"' not in html
    assert text_of(wrong_code.get_data(as_text=True)).count(WRONG_PAIR[lang]) == 1


def test_a_call_request_cannot_be_opened(app, parent, request_form) -> None:
    response = request_form.submit("fi", contact_method="phone")
    request_form.client.get(response.headers["Location"])
    parent.reference = format_reference(stored(app).reference)
    parent.code = "ABCDE-FGHJK"
    assert parent.open("fi").status_code == 422


def test_the_code_never_appears_in_an_address(app, parent) -> None:
    parent.send("fi")
    responses = [
        parent.open("fi"),
        parent.write("Hei"),
        parent.client.post("/fi/status/close", data={"csrf_token": parent.csrf()}),
    ]
    for response in responses:
        location = response.headers.get("Location", "")
        assert parent.code not in location and parent.code.replace("-", "") not in location


# --- Limits of wrong tries ------------------------------------------------------------------


def test_wrong_tries_are_limited_per_reference_and_only_failures_count(app_factory) -> None:
    app = app_factory(
        RATELIMIT_ENABLED=True,
        STATUS_RATE_LIMIT="2 per hour",
        STATUS_ADDRESS_RATE_LIMIT="50 per hour",
    )
    parent = Parent(app.test_client())
    parent.send("fi")
    # Right pairs are never counted.
    for _ in range(3):
        assert parent.open("fi").status_code == 303
    assert parent.open("fi", code="ABCDE-FGHJK").status_code == 422
    # Another spelling of the same reference counts for it.
    assert (
        parent.open("fi", reference=parent.reference.lower(), code="ABCDE-FGHJM").status_code == 422
    )
    refused = parent.open("sv", code="ABCDE-FGHJN")
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert 'id="family-centre-phone"' in html and "ABCDE" not in html
    assert f'value="{parent.reference}"' in html
    # Now the right pair waits too; another reference from the same address does not.
    assert parent.open("fi").status_code == 429
    assert (
        parent.open(
            "fi", reference="ACDE-FH34" if parent.reference != "ACDE-FH34" else "ACDE-FH37"
        ).status_code
        == 422
    )


def test_wrong_tries_are_limited_per_address(app_factory) -> None:
    app = app_factory(
        RATELIMIT_ENABLED=True,
        STATUS_RATE_LIMIT="50 per hour",
        STATUS_ADDRESS_RATE_LIMIT="2 per hour",
    )
    parent = Parent(app.test_client())
    parent.send("fi")
    assert parent.open("fi").status_code == 303
    assert parent.open("fi", reference="ACDE-FH34", code="ABCDE-FGHJK").status_code in (422,)
    assert parent.open("fi", reference="ACDE-FH36", code="ABCDE-FGHJK").status_code == 422
    refused = parent.open("fi", reference="ACDE-FH37", code="ABCDE-FGHJK")
    assert refused.status_code == 429
    assert "Voit myös soittaa perhekeskukseen" in text_of(refused.get_data(as_text=True))
    # From another address the parent's own pair still opens.
    other = Parent(app.test_client())
    other.reference, other.code = parent.reference, parent.code
    response = other.client.post(
        "/fi/status",
        data={"csrf_token": other.csrf(), "reference": other.reference, "secret_code": other.code},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert response.status_code == 303


# --- What the page shows --------------------------------------------------------------------


def add_counsellor_message(
    app: Flask, text: str, name: str = "Anna-Liisa Virtanen", minutes: int = 5
):
    with app.app_context():
        help_request = db.session.scalars(select(HelpRequest)).first()
        user = create_user(
            f"{name.split()[0].lower()}@example.fi", name, "counsellor", "long enough pw"
        )
        db.session.add(
            TimelineEvent(
                request_id=help_request.id,
                at=datetime.now(UTC) - timedelta(minutes=minutes),
                user_id=user.id,
                kind="message_to_family",
                note=text,
            )
        )
        db.session.commit()
        return user.id


def test_the_page_shows_the_messages_and_nothing_internal(app, parent) -> None:
    parent.send("fi", description="Salainen kuvaus", name="Maija Meikäläinen")
    user_id = add_counsellor_message(app, "Hei, kiitos viestistä.")
    with app.app_context():
        help_request = db.session.scalars(select(HelpRequest)).first()
        from pyydaapua.models import StaffUser

        anna = db.session.get(StaffUser, user_id)
        changes.add_note(help_request, anna, help_request.version, "Sisäinen huomio perheestä")
        changes.record_call(
            help_request,
            anna,
            help_request.version,
            changes.CallData(
                called_at=datetime.now(UTC), result="no_answer", notes="Puhelun muistiinpano"
            ),
        )
    parent.open("fi")
    html = parent.client.get("/fi/status").get_data(as_text=True)
    text = text_of(html)
    assert "Hei, kiitos viestistä." in text and "Anna-Liisa" in text
    assert "Virtanen" not in text
    for secret in ("Sisäinen huomio", "Puhelun muistiinpano", "Salainen kuvaus", "Maija"):
        assert secret not in text
    assert "Palveluohjaaja käsittelee pyyntöäsi" in text  # owned now: being handled
    assert 'id="due-date"' in html


def test_a_new_request_is_received(app, parent) -> None:
    parent.send("sv")
    parent.open("sv")
    text = text_of(parent.client.get("/sv/status").get_data(as_text=True))
    assert "Mottagen" in text and "Inga meddelanden ännu" in text


def test_messages_are_oldest_first_and_the_familys_are_yours(app, parent) -> None:
    parent.send("fi")
    add_counsellor_message(app, "Ensimmäinen viesti", minutes=10)
    parent.open("fi")
    assert parent.write("Toinen viesti").status_code == 303
    text = text_of(parent.client.get("/fi/status").get_data(as_text=True))
    assert text.index("Ensimmäinen viesti") < text.index("Toinen viesti")
    assert "Sinä" in text


# --- The family's message -------------------------------------------------------------------


def test_a_message_is_stored_and_waits_for_an_answer(app, parent) -> None:
    parent.send("fi")
    before = stored(app)
    parent.open("fi")
    response = parent.write("  Meillä on kysymys.  ")
    assert response.status_code == 303 and response.headers["Location"] == "/fi/status"
    after = stored(app)
    assert after.version == before.version + 1
    assert after.family_message_at is not None and after.updated_by_id is None
    first_time = after.family_message_at
    with app.app_context():
        events = db.session.scalars(select(TimelineEvent)).all()
        assert [(e.kind, e.note, e.user_id) for e in events] == [
            ("message_from_family", "Meillä on kysymys.", None)
        ]
    html = parent.client.get("/fi/status").get_data(as_text=True)
    assert "Viestisi lähetettiin" in text_of(html)
    # The notice is shown once.
    assert "Viestisi lähetettiin" not in text_of(
        parent.client.get("/fi/status").get_data(as_text=True)
    )
    # A second message keeps the time of the oldest unanswered one.
    parent.write("Vielä yksi asia.")
    assert stored(app).family_message_at == first_time


@pytest.mark.parametrize(("text", "status"), [("", 422), ("x" * 4001, 422)])
def test_an_empty_or_long_message_is_refused_with_the_text_kept(app, parent, text, status) -> None:
    parent.send("fi")
    parent.open("fi")
    response = parent.write(text)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert 'id="error-summary"' in html
    if text:
        assert text + "</textarea>" in html
    with app.app_context():
        assert db.session.scalars(select(TimelineEvent)).all() == []


def family_messages(app: Flask) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(TimelineEvent.note)
                .where(TimelineEvent.kind == "message_from_family")
                .order_by(TimelineEvent.id)
            )
        )


def test_the_same_message_sent_twice_is_stored_once(app, parent) -> None:
    parent.send("fi")
    parent.open("fi")
    # A double click on "Send", or the form sent again: one message, and "sent" both times.
    assert parent.write("Voitteko soittaa?").status_code == 303
    assert parent.write(" Voitteko soittaa? ").status_code == 303
    assert "Viestisi lähetettiin" in text_of(parent.client.get("/fi/status").get_data(as_text=True))
    assert family_messages(app) == ["Voitteko soittaa?"]
    # Another text is a new message, and so is the same one after a counsellor has answered.
    parent.write("Kiitos")
    add_counsellor_message(app, "Soitan huomenna.", minutes=0)
    parent.write("Kiitos")
    assert family_messages(app) == ["Voitteko soittaa?", "Kiitos", "Kiitos"]


def test_two_sends_racing_each_other_store_one_message(app, parent, monkeypatch) -> None:
    parent.send("fi")
    request_id = stored(app).id
    repeats = access._repeats_last_message
    raced: list[bool] = []

    def the_other_send_commits_meanwhile(help_request: HelpRequest, text: str) -> bool:
        answer = repeats(help_request, text)
        if not raced:
            raced.append(True)
            with app.app_context():  # the other click's request, committed after this check
                access.family_wrote(db.session.get(HelpRequest, request_id), text)
        return answer

    monkeypatch.setattr(access, "_repeats_last_message", the_other_send_commits_meanwhile)
    with app.app_context():
        access.family_wrote(db.session.get(HelpRequest, request_id), "Hei")
    assert raced and family_messages(app) == ["Hei"]


def test_a_message_racing_a_counsellors_change_is_not_lost(app, parent) -> None:
    parent.send("fi")
    before = stored(app)
    with app.app_context():
        help_request = db.session.get(HelpRequest, before.id)
        with app.app_context():  # a counsellor writes a note after the family's page was loaded
            user = create_user("anna@example.fi", "Anna Virtanen", "counsellor", "long enough pw")
            changes.add_note(
                db.session.get(HelpRequest, before.id), user, before.version, "Muistio"
            )
        access.family_wrote(help_request, "Tärkeä asia")
    assert family_messages(app) == ["Tärkeä asia"]
    after = stored(app)
    assert after.version == before.version + 2 and after.family_message_at is not None


def test_a_closed_request_shows_its_messages_and_takes_none(app, parent) -> None:
    parent.send("fi")
    user_id = add_counsellor_message(app, "Hyvää jatkoa!")
    with app.app_context():
        from pyydaapua.models import StaffUser

        help_request = db.session.scalars(select(HelpRequest)).first()
        anna = db.session.get(StaffUser, user_id)
        changes.change_status(
            help_request, anna, help_request.version, "closed", "conversation_enough"
        )
    parent.open("fi")
    html = parent.client.get("/fi/status").get_data(as_text=True)
    assert "Hyvää jatkoa!" in html and 'id="message-form"' not in html
    assert 'id="closed-note"' in html
    refused = parent.write("Vielä kysyisin")
    assert refused.status_code == 409
    assert "Vielä kysyisin</textarea>" in refused.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalars(
                select(TimelineEvent).where(TimelineEvent.kind == "message_from_family")
            ).all()
            == []
        )


# --- The end of the session -----------------------------------------------------------------


def test_closing_the_page_ends_it(app, parent) -> None:
    parent.send("sv")
    parent.open("sv")
    response = parent.client.post("/sv/status/close", data={"csrf_token": parent.csrf("sv")})
    assert response.status_code == 303 and response.headers["Location"] == "/sv/"
    html = parent.client.get("/sv/status").get_data(as_text=True)
    assert 'id="message-form"' not in html and 'name="secret_code"' in html


def test_the_page_ends_after_the_idle_limit_and_a_late_message_is_kept(
    app, parent, monkeypatch
) -> None:
    parent.send("fi")
    parent.open("fi")
    start = datetime.now(UTC)
    # Every page load keeps it open.
    monkeypatch.setattr(public_session, "now", lambda: start + timedelta(minutes=14))
    assert 'id="message-form"' in parent.client.get("/fi/status").get_data(as_text=True)
    monkeypatch.setattr(public_session, "now", lambda: start + timedelta(minutes=28))
    assert 'id="message-form"' in parent.client.get("/fi/status").get_data(as_text=True)
    # Fifteen minutes without a click end it; the message typed meanwhile comes back.
    monkeypatch.setattr(public_session, "now", lambda: start + timedelta(minutes=44))
    late = parent.write("Kirjoitin tämän pitkään")
    assert late.status_code == 403
    html = late.get_data(as_text=True)
    assert "Kirjoitin tämän pitkään</textarea>" in html
    assert 'id="message-form"' not in html and 'name="secret_code"' in html
    with app.app_context():
        assert db.session.scalars(select(TimelineEvent)).all() == []
    # Entering the pair again sends it.
    response = parent.open("fi", message="Kirjoitin tämän pitkään")
    assert response.status_code == 303
    with app.app_context():
        assert [e.note for e in db.session.scalars(select(TimelineEvent))] == [
            "Kirjoitin tämän pitkään"
        ]
    assert "Viestisi lähetettiin" in text_of(parent.client.get("/fi/status").get_data(as_text=True))


def test_an_idle_session_is_deleted_on_the_server(app, parent, monkeypatch) -> None:
    parent.send("fi")
    parent.open("fi")
    start = datetime.now(UTC)
    monkeypatch.setattr(public_session, "now", lambda: start + timedelta(minutes=16))
    html = parent.client.get("/fi/status").get_data(as_text=True)
    assert 'name="secret_code"' in html and 'id="status-notice"' in html
    with app.app_context():
        assert db.session.scalars(select(PublicSession)).all() == []
    monkeypatch.setattr(public_session, "now", lambda: start)
    # Even were the clock to go back, nothing holds the request any more.
    assert 'name="secret_code"' in parent.client.get("/fi/status").get_data(as_text=True)


def test_the_landing_page_links_to_the_status_page(client) -> None:
    for lang in ("fi", "sv"):
        assert f'href="/{lang}/status"' in client.get(f"/{lang}/").get_data(as_text=True)


def test_an_expired_token_keeps_the_message(app_factory) -> None:
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    client.get("/fi/status")
    response = client.post(
        "/fi/status/message", data={"csrf_token": "old", "message": "Tärkeä asia"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Tärkeä asia</textarea>" in html and 'name="secret_code"' in html
