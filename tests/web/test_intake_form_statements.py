"""What the form page and a submission cost the database: a first visit creates its session
with its form key in one INSERT; a submission stores the request and marks this browser's
session in one transaction; the idle rows of others are removed at most once a minute per
process, while an idle session is refused whenever it is read."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import event, func, select

from pyydaapua.database import db
from pyydaapua.intake import public_session
from pyydaapua.models import HelpRequest, PublicSession
from tests.helpers.app import count_queries
from tests.helpers.forms import hidden_fields


@pytest.fixture
def swept_just_now(monkeypatch) -> None:
    """This process removed the idle rows a moment ago: the next minute's sessions do not."""
    monkeypatch.setattr(public_session, "_swept_at", time.monotonic())


@pytest.fixture
def commits(app: Flask) -> Iterator[list[int]]:
    """Counts the commits sent to the database."""
    counted: list[int] = []

    def count(*_: object) -> None:
        counted.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "commit", count)
    yield counted
    event.remove(engine, "commit", count)


def sessions(app: Flask) -> list[PublicSession]:
    with app.app_context():
        return list(db.session.scalars(select(PublicSession).order_by(PublicSession.id)))


def idle_row(app: Flask, token_hash: str) -> None:
    """The session of a browser that was last used 20 minutes ago and never came back."""
    long_ago = datetime.now(UTC) - timedelta(minutes=20)
    with app.app_context():
        db.session.add(
            PublicSession(
                token_hash=token_hash,
                created_at=long_ago,
                last_seen_at=long_ago,
                sent=False,
                status_open=False,
                message_sent=False,
            )
        )
        db.session.commit()


def test_a_first_visit_to_the_form_page_is_one_insert(app, swept_just_now, commits) -> None:
    browser = app.test_client()
    page, statements = count_queries(app, lambda: browser.get("/fi/request"))
    assert page.status_code == 200
    assert len(statements) == 1 and statements[0].startswith("INSERT INTO public_session")
    assert len(commits) == 1
    # The row holds the key the page gave: a form posted with it was sent from here.
    (row,) = sessions(app)
    assert row.form_key == hidden_fields(page.get_data(as_text=True))["submission_key"]
    # Read again, the page runs one SELECT and writes nothing.
    again, statements = count_queries(app, lambda: browser.get("/fi/request"))
    assert hidden_fields(again.get_data(as_text=True))["submission_key"] == row.form_key
    assert len(statements) == 1 and statements[0].startswith("SELECT")


def test_a_submission_is_stored_with_its_session_in_one_transaction(
    app, swept_just_now, commits
) -> None:
    browser = app.test_client()
    hidden = hidden_fields(browser.get("/fi/request").get_data(as_text=True))
    commits.clear()
    data = {**hidden, "contact_method": "phone", "phone": "040 123 4567", "description": "Huoli"}
    sent, statements = count_queries(app, lambda: browser.post("/fi/request", data=data))
    assert sent.status_code == 303
    # The session read, the key looked up, the request stored, the session marked: no reads
    # after the commit.
    assert len(statements) <= 5, statements
    assert sum(s.startswith("SELECT help_request") for s in statements) == 1
    assert len(commits) == 1
    (row,) = sessions(app)
    with app.app_context():
        stored = db.session.scalars(select(HelpRequest)).one()
    assert row.sent and row.request_id == stored.id
    # The confirmation reads the session and the request (not its topics); the form page,
    # showing the sent request's key, only that key.
    confirmation, statements = count_queries(app, lambda: browser.get(sent.headers["Location"]))
    assert 'id="phone-number"' in confirmation.get_data(as_text=True)
    assert len(statements) == 2, statements
    page, statements = count_queries(app, lambda: browser.get("/fi/request"))
    assert hidden_fields(page.get_data(as_text=True))["submission_key"] == stored.submission_key
    assert len(statements) == 2 and "submission_key \nFROM help_request" in statements[1]


def test_idle_rows_of_others_are_removed_at_most_once_a_minute(app, monkeypatch) -> None:
    monkeypatch.setattr(public_session, "_swept_at", None)
    idle_row(app, "a" * 64)
    app.test_client().get("/fi/request")  # a new session: this process sweeps
    assert "a" * 64 not in [row.token_hash for row in sessions(app)]
    idle_row(app, "b" * 64)
    app.test_client().get("/fi/request")  # within the minute: no sweep
    assert "b" * 64 in [row.token_hash for row in sessions(app)]
    monkeypatch.setattr(
        public_session, "_swept_at", time.monotonic() - public_session.SWEEP_EVERY - 1
    )
    app.test_client().get("/fi/request")
    remaining = [row.token_hash for row in sessions(app)]
    assert "b" * 64 not in remaining and len(remaining) == 3


def test_an_idle_session_not_yet_swept_opens_nothing(app, swept_just_now, monkeypatch) -> None:
    browser = app.test_client()
    hidden = hidden_fields(browser.get("/fi/request").get_data(as_text=True))
    data = {**hidden, "contact_method": "phone", "phone": "040 123 4567", "description": "Huoli"}
    confirmation = browser.post("/fi/request", data=data).headers["Location"]
    later = datetime.now(UTC) + timedelta(minutes=16)
    monkeypatch.setattr(public_session, "now", lambda: later)
    html = browser.get(confirmation).get_data(as_text=True)
    assert 'id="confirmation-gone"' in html and "040 123 4567" not in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PublicSession)) == 0


def test_the_kept_form_is_the_form_as_rendered(app) -> None:
    """The untouched form is rendered once per language and kept; what it gives is what
    rendering the form gives, with this browser's own CSRF token and key."""
    from flask import render_template

    from pyydaapua.intake import views
    from pyydaapua.intake.forms import DESCRIPTION_MAX, RequestForm
    from pyydaapua.intake.submission import new_submission_key

    # Each case twice: the second time from what was kept.
    for lang, already_sent in [("fi", False), ("sv", True), ("fi", True), ("sv", False)] * 2:
        key = new_submission_key()
        with app.test_request_context(f"/{lang}/request"):
            app.preprocess_request()
            kept = str(views._fresh_form(key, already_sent))
            rendered = render_template(
                "intake/_request_form.html",
                form=RequestForm(call_language=lang, submission_key=key),
                banner=None,
                already_sent=already_sent,
                description_max=DESCRIPTION_MAX,
                family_centre_phone=None,
            )
        assert kept == rendered, (lang, already_sent)
        assert hidden_fields(kept)["submission_key"] == key
    assert len(app.extensions[views._FRESH_FORMS]) == 4


def test_each_browser_gets_its_own_token_and_key_in_the_kept_form(app) -> None:
    first, second = (
        hidden_fields(app.test_client().get("/fi/request").get_data(as_text=True)) for _ in range(2)
    )
    assert first["csrf_token"] != second["csrf_token"]
    assert first["submission_key"] != second["submission_key"]
    assert "mark-" not in first["csrf_token"] + first["submission_key"]


def test_the_form_page_builds_no_form_as_a_get_gives_it(app, monkeypatch) -> None:
    """A GET writes the kept form out with this browser's values: no form object is built
    (that and the ORM's flush of the new session were most of a first visit's time)."""
    from pyydaapua.intake import views

    def not_built(*_: object, **__: object) -> None:
        raise AssertionError("a form was built")

    browser = app.test_client()
    for lang in ("fi", "sv"):
        app.test_client().get(f"/{lang}/request")  # the kept form is rendered once
    monkeypatch.setattr(views, "RequestForm", not_built)
    for lang in ("fi", "sv"):
        answer = app.test_client().get(f"/{lang}/request")
        assert answer.status_code == 200
        assert hidden_fields(answer.get_data(as_text=True))["submission_key"]
    browser.get("/fi/request")
    again = browser.get("/fi/request", headers={"HX-Request": "true"})
    assert again.status_code == 200 and 'name="submission_key"' in again.get_data(as_text=True)
