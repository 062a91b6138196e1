"""When the database cannot be reached: a 503 in the user's language, with a Retry-After,
rendered without the database, that keeps everything the parent or counsellor typed, and
never a half-stored request. Other errors stay 500."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import HelpRequest, OutboxMessage, RequestTopic, TimelineEvent
from pyydaapua.tools import demo
from tests.helpers.app import make_app
from tests.helpers.forms import RequestFormHelper, csrf_token, form_notice, hidden_fields
from tests.helpers.outages import Outage
from tests.helpers.servers import free_port
from tests.helpers.staff import make_staff, sign_in

HTMX = {"HX-Request": "true"}
FI_TITLE = "Palvelu ei ole juuri nyt käytettävissä"
SV_TITLE = "Tjänsten är inte tillgänglig just nu"


@pytest.fixture
def outage(app) -> Iterator[Outage]:
    with app.app_context():
        engine = db.engine
    with Outage().listening(engine) as state:
        yield state


def count(app, model: type) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def unavailable_html(response) -> str:
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    return response.get_data(as_text=True)


UNAVAILABLE_NOTICE = {
    "fi": "Palvelu ei ole juuri nyt käytettävissä, joten emme voineet ottaa pyyntöäsi vastaan.",
    "sv": "Tjänsten är inte tillgänglig just nu, så vi kunde inte ta emot din begäran.",
}
TYPED = {
    "description": "Meillä on <vaikeaa> & raskasta",
    "name": "Sanna",
    "email": "sanna@example.fi",
    "topics": ["finances", "moving"],
    "child_ages": ["3-5"],
    "call_time": "morning",
}


@pytest.mark.parametrize(("lang", "title"), [("fi", FI_TITLE), ("sv", SV_TITLE)])
def test_public_form_keeps_everything_when_the_commit_fails(app, outage, lang, title) -> None:
    parent = RequestFormHelper(app.test_client())
    hidden = parent.open(lang)
    requests_before, topics_before = count(app, HelpRequest), count(app, RequestTopic)
    outage.commits_writing(HelpRequest)
    html = unavailable_html(parent.submit(lang, hidden=hidden, **TYPED))
    assert f'<html lang="{lang}">' in html
    assert UNAVAILABLE_NOTICE[lang] in form_notice(html)
    assert "Meillä on &lt;vaikeaa&gt; &amp; raskasta</textarea>" in html
    assert 'value="Sanna"' in html and 'value="sanna@example.fi"' in html
    assert 'name="topics" value="finances" checked' in html
    assert 'name="topics" value="moving" checked' in html
    assert 'value="040 123 4567"' in html
    assert hidden_fields(html)["submission_key"] == hidden["submission_key"]
    assert count(app, HelpRequest) == requests_before
    assert count(app, RequestTopic) == topics_before
    assert count(app, OutboxMessage) == 0  # the confirmation went with the request

    # The database is back: the same form sent again is stored once, with all its parts.
    outage.over()
    again = parent.submit(lang, hidden=hidden_fields(html), **TYPED)
    assert again.status_code == 303
    assert count(app, HelpRequest) == requests_before + 1
    assert count(app, RequestTopic) == topics_before + 2
    assert count(app, OutboxMessage) == 1  # the parent's confirmation, once


def test_public_form_for_htmx_is_the_form_in_place(app, outage) -> None:
    parent = RequestFormHelper(app.test_client())
    hidden = parent.open("sv")
    before = count(app, HelpRequest)
    outage.commits_writing(HelpRequest)
    response = parent.submit("sv", hidden=hidden, headers=HTMX, description="Vi behöver hjälp")
    html = unavailable_html(response)
    assert html.strip().startswith('<form id="request-form"')
    assert "Vi behöver hjälp</textarea>" in html
    assert UNAVAILABLE_NOTICE["sv"] in form_notice(html)
    assert "HX-Retarget" not in response.headers
    assert count(app, HelpRequest) == before


@pytest.fixture
def req_id(app) -> int:
    with app.app_context():
        demo.load_services()
        return submit(
            NewRequest(
                submission_key="d" * 32,
                language="fi",
                call_language="fi",
                phone="+358401234567",
                description="Tarvitsemme apua",
            )
        ).id


def note_data(client, app, req_id: int, text: str) -> dict[str, str]:
    with app.app_context():
        version = db.session.get(HelpRequest, req_id).version
    return {"note-version": str(version), "note-note": text, "csrf_token": csrf_token(client)}


@pytest.mark.parametrize(("lang", "title"), [("fi", FI_TITLE), ("sv", SV_TITLE)])
def test_casework_action_keeps_the_note_when_the_commit_fails(
    app, staff_client, req_id, outage, lang, title
) -> None:
    counsellor = staff_client("counsellor", lang)
    data = note_data(counsellor, app, req_id, "Soitin äidille:\nhän soittaa <huomenna> takaisin")
    timeline_before = count(app, TimelineEvent)
    outage.commits_writing(TimelineEvent)
    url = f"/staff/requests/{req_id}/notes"
    html = unavailable_html(counsellor.post(url, data=data))
    assert f'<html lang="{lang}">' in html and title in html
    assert response_no_store(counsellor, url, data)
    # The note is shown (to copy) and carried, with the token and version, to the same URL.
    assert "<li>Soitin äidille:\nhän soittaa &lt;huomenna&gt; takaisin</li>" in html
    form = re.search(r'<form method="post" action="([^"]+)" id="send-again"', html)
    assert form and form.group(1) == url
    carried = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))
    assert {name: unescape(value) for name, value in carried.items()} == data
    with app.app_context():
        assert db.session.get(HelpRequest, req_id).version == int(data["note-version"])
    assert count(app, TimelineEvent) == timeline_before

    # Sent again once the database is back: stored.
    outage.over()
    again = counsellor.post(url, data={name: unescape(v) for name, v in carried.items()})
    assert again.status_code == 303
    assert count(app, TimelineEvent) == timeline_before + 1


def response_no_store(client, url: str, data: dict[str, str]) -> bool:
    return client.post(url, data=data).headers["Cache-Control"] == "no-store"


def test_casework_action_with_htmx_leaves_the_form_and_shows_a_notice(
    app, staff_client, req_id, outage
) -> None:
    counsellor = staff_client("counsellor", "sv")
    data = note_data(counsellor, app, req_id, "Min anteckning")
    timeline_before = count(app, TimelineEvent)
    outage.commits_writing(TimelineEvent)
    response = counsellor.post(f"/staff/requests/{req_id}/notes", data=data, headers=HTMX)
    html = unavailable_html(response)
    # Swapped into the page's notice area; the form with the typed note stays as it is.
    assert response.headers["HX-Retarget"] == "#service-notice"
    assert response.headers["HX-Reswap"] == "innerHTML"
    assert "<html" not in html and 'role="alert"' in html and SV_TITLE in html
    assert count(app, TimelineEvent) == timeline_before


@pytest.mark.parametrize(("lang", "title"), [("fi", FI_TITLE), ("sv", SV_TITLE)])
def test_staff_page_when_the_user_cannot_be_loaded(app, staff_client, outage, lang, title) -> None:
    counsellor = staff_client("counsellor", lang)
    assert counsellor.get("/staff/").status_code == 200  # the language is remembered
    outage.everything()
    for path in ("/staff/", "/staff/requests/1", "/staff/reports?start=2026-01-01"):
        html = unavailable_html(counsellor.get(path))
        assert f'<html lang="{lang}">' in html and title in html
        assert f'href="{path}"' in html  # try again
    outage.over()
    assert counsellor.get("/staff/").status_code == 200


def test_sign_in_when_the_database_is_down_keeps_the_email_not_the_password(app, outage) -> None:
    _, email = make_staff(app, "counsellor")
    outage.everything()
    response = sign_in(app.test_client(), email, password="very secret words")
    html = unavailable_html(response)
    assert f'value="{email}"' in html
    assert "very secret words" not in html and 'name="password"' not in html
    outage.over()
    assert sign_in(app.test_client(), email).status_code == 303


def test_an_unreachable_database_server() -> None:
    """A real PostgreSQL URL where nothing listens: pages that need no data still work."""
    app = make_app(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing")
    parent = app.test_client()
    page = parent.get("/sv/request")
    assert page.status_code == 200
    data = {
        **hidden_fields(page.get_data(as_text=True)),
        "contact_method": "phone",
        "phone": "0401234567",
    }
    html = unavailable_html(parent.post("/sv/request", data={**data, "description": "Hjälp"}))
    assert "Hjälp</textarea>" in html and '<html lang="sv">' in html
    assert parent.get("/fi/").status_code == 200


def test_other_errors_are_still_500(app_factory) -> None:
    app = app_factory()

    @app.get("/boom")
    def boom() -> str:
        raise ValueError("not a database problem")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Retry-After" not in response.headers


def test_a_connection_lost_after_the_answer_does_not_fail_it(client, monkeypatch) -> None:
    """The database connection dies between the answer and the session's closing ROLLBACK
    (seen under pg_terminate_backend): the finished answer stands, and the next request works."""
    from sqlalchemy import exc as sa_exc
    from sqlalchemy.orm import Session

    original_close = Session.close
    failures = []

    def close_on_a_dead_connection(self: Session) -> None:
        if not failures:
            failures.append(True)
            raise sa_exc.OperationalError(
                "ROLLBACK", {}, Exception("terminating connection due to administrator command")
            )
        original_close(self)

    monkeypatch.setattr(Session, "close", close_on_a_dead_connection)
    page = "/fi/request"  # the form page starts a session in the database
    assert client.get(page).status_code == 200
    assert failures == [True]
    # The lost connection was given up at once, not left checked out for the garbage
    # collector to find after the pool is gone (psycopg then warns of an open connection).
    with client.application.app_context():
        assert db.engine.pool.checkedout() == 0
    assert client.get(page).status_code == 200
