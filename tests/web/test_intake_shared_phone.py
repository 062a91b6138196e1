"""A phone shared with the person the worry is about: what the next person holding it can see.

The quick exit and closing end the session on the server; a copy of an old cookie, an address
from the history or a submission key from elsewhere opens nothing; the cookie holds nothing
that can be read."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from pyydaapua.database import db
from pyydaapua.intake import public_session
from pyydaapua.models import HelpRequest, PublicSession, TimelineEvent
from tests.helpers.forms import RequestFormHelper, form_notice, hidden_fields

CODE = re.compile(r'id="secret-code">([^<]+)<')
REFERENCE = re.compile(r'id="reference">([^<]+)<')
EXIT_URL = "https://www.ilmatieteenlaitos.fi/"


@pytest.fixture
def app(app_factory) -> Flask:
    return app_factory(QUICK_EXIT_URL=EXIT_URL)


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def with_cookie(app: Flask, value: str) -> FlaskClient:
    """A fresh browser given a copy of another's session cookie."""
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def send_for_status_page(client: FlaskClient, lang: str = "fi") -> tuple[str, str, str]:
    """Send a request answered on the status page; its confirmation, reference and code."""
    sent = RequestFormHelper(client).submit(
        lang, contact_method="status_page", phone="", description="Kotona on vaikeaa"
    )
    assert sent.status_code == 303
    html = client.get(sent.headers["Location"]).get_data(as_text=True)
    return html, REFERENCE.search(html).group(1), CODE.search(html).group(1)


def post_message(client: FlaskClient, text: str, lang: str = "fi"):
    csrf = hidden_fields(client.get(f"/{lang}/").get_data(as_text=True)).get("csrf_token")
    page = client.get(f"/{lang}/status").get_data(as_text=True)
    csrf = hidden_fields(page).get("csrf_token", csrf)
    return client.post(f"/{lang}/status/message", data={"csrf_token": csrf, "message": text})


def shows_family_content(html: str, *secrets: str) -> bool:
    return (
        any(secret in html for secret in secrets)
        or 'id="message-form"' in html
        or '<strong class="reference"' in html
        or "Kotona on vaikeaa" in html
    )


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_quick_exit_ends_the_session_on_the_server(app, client, lang) -> None:
    _html, reference, code = send_for_status_page(client, lang)
    assert 'id="message-form"' in client.get(f"/{lang}/status").get_data(as_text=True)
    cookie = session_cookie(client)
    leave = client.get(f"/{lang}/exit")
    assert leave.status_code == 303 and leave.headers["Location"] == EXIT_URL
    assert leave.headers["Cache-Control"] == "no-store"
    assert leave.headers["Clear-Site-Data"] == '"cache"'
    assert count(app, PublicSession) == 0
    # Back, any number of times: every page is fetched again and shows nothing of the family.
    for path in ("/status", "/request/sent", "/request"):
        html = client.get(f"/{lang}{path}").get_data(as_text=True)
        assert not shows_family_content(html, reference, code), path
    # Nor does a copy of the cookie as it was before the exit.
    replayed = with_cookie(app, cookie)
    for path in ("/status", "/request/sent"):
        html = replayed.get(f"/{lang}{path}").get_data(as_text=True)
        assert not shows_family_content(html, reference, code), path


@pytest.mark.parametrize("end", ["close", "quick exit", "idle"])
def test_a_copy_of_the_old_cookie_opens_nothing_and_posts_nothing(
    app, client, monkeypatch, end
) -> None:
    _html, reference, code = send_for_status_page(client)
    cookie = session_cookie(client)
    if end == "close":
        csrf = hidden_fields(client.get("/fi/status").get_data(as_text=True))["csrf_token"]
        client.post("/fi/status/close", data={"csrf_token": csrf})
    elif end == "quick exit":
        client.get("/fi/exit")
    else:
        later = datetime.now(UTC) + timedelta(minutes=16)
        monkeypatch.setattr(public_session, "now", lambda: later)
        client.get("/fi/status")
    replayed = with_cookie(app, cookie)
    html = replayed.get("/fi/status").get_data(as_text=True)
    assert 'name="secret_code"' in html and not shows_family_content(html, reference, code)
    refused = post_message(replayed, "Viesti vanhalla evästeellä")
    assert refused.status_code == 403
    assert count(app, TimelineEvent) == 0
    assert count(app, PublicSession) == 0


def test_the_cookie_holds_only_a_random_token(app, client) -> None:
    _html, reference, code = send_for_status_page(client)
    raw = session_cookie(client)
    serializer = app.session_interface.get_signing_serializer(app)
    content = serializer.loads(raw)
    # (Flask-Login's "_fresh" is a flag of its own.)
    assert set(content) <= {"csrf_token", "_fresh", public_session.TOKEN_KEY}
    token = content[public_session.TOKEN_KEY]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    with app.app_context():
        stored = db.session.scalars(select(HelpRequest)).one()
        row = db.session.scalars(select(PublicSession)).one()
        # Only its hash is kept on the server.
        assert token not in row.token_hash and row.token_hash != token
        internal = (stored.submission_key, reference, code, code.replace("-", ""))
    for secret in internal:
        assert secret not in str(content)
    assert f'"{stored.id}"' not in str(content) and "request" not in str(content)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_a_used_submission_key_grants_nothing_to_another_browser(app, client, lang) -> None:
    """The form's key sits in the page and may be copied: posted from a fresh browser, the
    same form or a language switch shows neither the phone number nor the reference."""
    helper = RequestFormHelper(client)
    hidden = helper.open(lang)
    sent = helper.submit(lang, hidden=hidden, phone="040 123 4567", description="Huoli")
    assert sent.status_code == 303
    own = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert 'id="phone-number"' in own
    reference = REFERENCE.search(own).group(1)

    stranger = RequestFormHelper(app.test_client())
    token = stranger.open(lang)["csrf_token"]
    data = {
        "csrf_token": token,
        "submission_key": hidden["submission_key"],
        "contact_method": "phone",
        "phone": "040 123 4567",
        "description": "Huoli",
    }
    replay = stranger.client.post(f"/{lang}/request", data=data)
    assert replay.status_code == 303
    html = stranger.client.get(replay.headers["Location"]).get_data(as_text=True)
    assert "040 123 4567" not in html and reference not in html
    assert 'id="confirmation-gone"' in html
    switch = stranger.client.post(f"/{lang}/request", data={**data, "switch_language": lang})
    html = switch.get_data(as_text=True)
    assert switch.status_code == 200 and 'id="sent-notice"' not in html
    assert "Huoli" not in html and "040 123 4567" not in html and reference not in html
    assert hidden_fields(html)["submission_key"] != hidden["submission_key"]
    assert count(app, HelpRequest) == 1


@pytest.mark.parametrize(
    ("lang", "title"),
    [("fi", "Tämä pyyntö on jo lähetetty"), ("sv", "Den här kontaktbegäran har redan skickats")],
)
def test_a_new_text_with_a_used_key_is_kept_and_can_be_sent(app, client, lang, title) -> None:
    helper = RequestFormHelper(client)
    hidden = helper.open(lang)
    assert helper.submit(lang, hidden=hidden, description="Ensimmäinen").status_code == 303
    again = helper.submit(lang, hidden=hidden, description="Toinen asia, kirjoitettu uudelleen")
    assert again.status_code == 409
    html = again.get_data(as_text=True)
    assert title in form_notice(html)
    assert "Toinen asia, kirjoitettu uudelleen</textarea>" in html
    fresh = hidden_fields(html)
    assert fresh["submission_key"] != hidden["submission_key"]
    assert count(app, HelpRequest) == 1
    # Sent again as it now is: a second request, and its confirmation in this browser.
    sent = helper.submit(lang, hidden=fresh, description="Toinen asia, kirjoitettu uudelleen")
    assert sent.status_code == 303
    assert count(app, HelpRequest) == 2
    with app.app_context():
        newest = db.session.scalars(select(HelpRequest).order_by(HelpRequest.id.desc())).first()
        assert newest.description == "Toinen asia, kirjoitettu uudelleen"
        expected = newest.reference
    html = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert expected[:4] in html and 'id="phone-number"' in html


def test_the_same_form_sent_twice_leads_to_one_confirmation(app, client) -> None:
    helper = RequestFormHelper(client)
    hidden = helper.open("fi")
    first = helper.submit("fi", hidden=hidden, description="Sama")
    second = helper.submit("fi", hidden=hidden, description="Sama")
    assert (first.status_code, second.status_code) == (303, 303)
    assert first.headers["Location"] == second.headers["Location"]
    assert 'id="phone-number"' in client.get("/fi/request/sent").get_data(as_text=True)
    assert count(app, HelpRequest) == 1


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fi", ["koskaan ole sitä, mitä kirjoitit", "Jätä kenttä tyhjäksi, jos joku muu"]),
        ("sv", ["aldrig det du skrev", "Lämna fältet tomt om någon annan"]),
    ],
)
def test_the_email_field_says_what_is_sent_and_warns(client, lang, words) -> None:
    html = client.get(f"/{lang}/request").get_data(as_text=True)
    hint = re.search(r'<p class="hint" id="email-hint">(.*?)</p>', html, re.S).group(1)
    for word in words:
        assert word in hint


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_shortcut_is_documented_on_the_front_page(client, lang) -> None:
    html = client.get(f"/{lang}/").get_data(as_text=True)
    assert ("Esc-näppäintä kahdesti" if lang == "fi" else "två gånger på Esc") in html
