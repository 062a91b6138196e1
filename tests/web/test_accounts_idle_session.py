"""The idle limit of a staff session: what counts as activity, "stay signed in", the warning's
data on the page, and the way back to the page after signing in again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from pyydaapua.database import db
from pyydaapua.models import AuditEvent, StaffSession
from tests.helpers.forms import csrf_token
from tests.helpers.staff import make_staff, sign_in

IDLE_SECONDS = 600
HTMX = {"HX-Request": "true"}


@pytest.fixture
def idle_app(app_factory) -> Flask:
    return app_factory(STAFF_IDLE_SECONDS=IDLE_SECONDS, STAFF_IDLE_WARNING_SECONDS=120)


@pytest.fixture
def counsellor(idle_app: Flask) -> FlaskClient:
    client = idle_app.test_client()
    _, email = make_staff(idle_app, "counsellor")
    assert sign_in(client, email).status_code == 303
    assert client.get("/staff/account").status_code == 200  # a staff page in their language
    return client


def last_seen(app: Flask) -> datetime:
    with app.app_context():
        return db.session.scalars(select(StaffSession.last_seen_at)).one()


def idle_for(app: Flask, seconds: float) -> datetime:
    """Make the only session look idle for ``seconds``; returns its new last activity."""
    moment = datetime.now(UTC) - timedelta(seconds=seconds)
    with app.app_context():
        db.session.scalars(select(StaffSession)).one().last_seen_at = moment
        db.session.commit()
    return last_seen(app)


def test_the_inbox_poll_does_not_count_as_activity(idle_app, counsellor) -> None:
    before = idle_for(idle_app, IDLE_SECONDS - 30)
    response = counsellor.get("/staff/inbox/new?since=0", headers=HTMX)
    assert response.status_code == 200
    assert last_seen(idle_app) == before
    assert 0 < int(response.headers["X-Session-Remaining"]) <= 30


def test_a_request_marked_as_background_does_not_count_as_activity(idle_app, counsellor) -> None:
    before = idle_for(idle_app, IDLE_SECONDS - 30)
    headers = {**HTMX, "X-Background-Request": "1"}
    assert counsellor.get("/staff/?q=x", headers=headers).status_code == 200
    assert last_seen(idle_app) == before


def test_after_the_idle_limit_the_poll_ends_the_session(idle_app, counsellor) -> None:
    idle_for(idle_app, IDLE_SECONDS - 30)
    assert counsellor.get("/staff/inbox/new?since=0", headers=HTMX).status_code == 200
    idle_for(idle_app, IDLE_SECONDS + 1)
    headers = {**HTMX, "HX-Current-URL": "http://localhost/staff/?status=new"}
    response = counsellor.get("/staff/inbox/new?since=0", headers=headers)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == (
        "/staff/login?next=/staff/?status%3Dnew&ended=idle&lang=fi"
    )
    assert counsellor.get("/staff/").status_code == 302  # the session has ended for good


def test_a_click_counts_as_activity(idle_app, counsellor) -> None:
    before = idle_for(idle_app, IDLE_SECONDS - 30)
    response = counsellor.get("/staff/?q=x", headers=HTMX)
    assert response.status_code == 200
    assert last_seen(idle_app) > before + timedelta(seconds=IDLE_SECONDS - 60)
    assert int(response.headers["X-Session-Remaining"]) >= IDLE_SECONDS - 1


def test_the_session_status_tells_the_time_left_without_counting(idle_app, counsellor) -> None:
    before = idle_for(idle_app, IDLE_SECONDS - 100)
    response = counsellor.get("/staff/session", headers=HTMX)
    assert response.status_code == 200
    assert 95 <= response.get_json()["remaining"] <= 100
    assert last_seen(idle_app) == before


def test_stay_signed_in_starts_the_idle_clock_again(idle_app, counsellor) -> None:
    # Even a moment after the last activity, within the resolution of the clock.
    before = idle_for(idle_app, 1)
    response = counsellor.post(
        "/staff/session", headers={**HTMX, "X-CSRFToken": csrf_token(counsellor)}
    )
    assert response.status_code == 204
    assert response.headers["X-Session-Remaining"] == str(IDLE_SECONDS)
    assert last_seen(idle_app) > before
    with idle_app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-1] == "session_extended"


def test_stay_signed_in_needs_the_csrf_token(idle_app, counsellor) -> None:
    before = idle_for(idle_app, 1)
    assert counsellor.post("/staff/session", headers=HTMX).status_code == 400
    assert last_seen(idle_app) == before
    with idle_app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert "session_extended" not in actions


def test_the_page_knows_when_the_session_ends(idle_app, counsellor) -> None:
    idle_for(idle_app, 100)
    html = counsellor.get("/staff/account").get_data(as_text=True)
    assert f'data-remaining="{IDLE_SECONDS}"' in html
    assert 'data-warn-seconds="120"' in html
    assert "Istuntosi on päättymässä" in html
    assert "kirjataan ulos 2 minuutin kuluttua" in html
    assert 'data-hx-post="/staff/session"' in html


def test_the_warning_comes_at_most_half_the_limit_before(app_factory) -> None:
    app = app_factory(STAFF_IDLE_SECONDS=20, STAFF_IDLE_WARNING_SECONDS=120)
    client = app.test_client()
    _, email = make_staff(app, "counsellor")
    sign_in(client, email)
    assert 'data-warn-seconds="10"' in client.get("/staff/account").get_data(as_text=True)


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fi", "Istuntosi päättyi, koska mitään ei tehty 30 minuuttiin."),
        ("sv", "Din session tog slut efter 30 minuter utan aktivitet."),
    ],
)
def test_the_sign_in_page_says_why(client, lang, message) -> None:
    html = client.get(f"/staff/login?ended=idle&lang={lang}").get_data(as_text=True)
    assert message in html
    assert message not in client.get(f"/staff/login?lang={lang}").get_data(as_text=True)


def test_an_ended_session_goes_back_to_the_page_it_was_on(idle_app, counsellor) -> None:
    """An htmx Save after the limit: to the sign-in page, then back to the request page."""
    idle_for(idle_app, IDLE_SECONDS + 1)
    headers = {**HTMX, "HX-Current-URL": "http://localhost/staff/requests/7"}
    response = counsellor.post(
        "/staff/requests/7/notes",
        data={"note-note": "kesken", "csrf_token": csrf_token(counsellor)},
        headers=headers,
    )
    assert response.status_code == 204
    target = response.headers["HX-Redirect"]
    assert target == "/staff/login?next=/staff/requests/7&ended=idle&lang=fi"
    with idle_app.app_context():
        email = db.session.scalars(select(StaffSession)).one().user.email
    signed_in = sign_in(counsellor, email, next="/staff/requests/7")
    assert signed_in.headers["Location"] == "/staff/requests/7"


def test_a_plain_form_after_the_limit_returns_to_its_page(idle_app, counsellor) -> None:
    idle_for(idle_app, IDLE_SECONDS + 1)
    response = counsellor.post(
        "/staff/requests/7/notes",
        data={"note-note": "kesken", "csrf_token": csrf_token(counsellor)},
        headers={"Referer": "http://localhost/staff/requests/7"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == (
        "/staff/login?next=/staff/requests/7&ended=idle&lang=fi"
    )


@pytest.mark.parametrize(
    "page",
    [
        "http://evil.example/staff/requests/7",
        "http://localhost//evil.example/x",
        "http://localhost/\\evil.example",
        "javascript:alert(1)",
    ],
)
def test_only_a_local_page_is_returned_to(idle_app, counsellor, page) -> None:
    idle_for(idle_app, IDLE_SECONDS + 1)
    response = counsellor.post(
        "/staff/requests/7/notes",
        data={"csrf_token": csrf_token(counsellor)},
        headers={**HTMX, "HX-Current-URL": page},
    )
    assert response.headers["HX-Redirect"] == "/staff/login?ended=idle&lang=fi"


def test_a_signed_out_session_is_not_called_idle(idle_app, counsellor) -> None:
    cookie = counsellor.get_cookie("session").value
    counsellor.post("/staff/logout", data={"csrf_token": csrf_token(counsellor)})
    counsellor.set_cookie("session", cookie)  # the signed-out session's cookie, replayed
    response = counsellor.get("/staff/requests/7", headers=HTMX)
    assert response.headers["HX-Redirect"] == "/staff/login?next=/staff/requests/7"


def test_a_page_load_after_the_limit_returns_to_that_page(idle_app, counsellor) -> None:
    idle_for(idle_app, IDLE_SECONDS + 1)
    response = counsellor.get("/staff/requests/7")
    assert response.status_code == 302
    assert response.headers["Location"] == (
        "/staff/login?next=/staff/requests/7&ended=idle&lang=fi"
    )


def test_the_page_that_starts_a_session_has_the_whole_limit(idle_app) -> None:
    """The recovery codes are shown by the answer that starts the session, before any check."""
    import pyotp

    from tests.helpers.staff import enrol_page_secret, password_step, post_code

    _, email = make_staff(idle_app, enrolled=False)
    client = idle_app.test_client()
    password_step(client, email)
    secret = enrol_page_secret(client.get("/staff/login/enrol").get_data(as_text=True))
    done = post_code(client, pyotp.TOTP(secret).now(), "/staff/login/enrol")
    assert f'data-remaining="{IDLE_SECONDS}"' in done.get_data(as_text=True)
