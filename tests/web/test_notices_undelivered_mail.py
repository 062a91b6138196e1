"""Undelivered e-mail for supervisors: the number in the staff menu (read with the session),
the list of failed and uncertain messages (no text, addresses masked), "send again" (audited),
and nobody else reaching either."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import select

from pyydaapua.database import db
from pyydaapua.models import AuditEvent, OutboxMessage
from pyydaapua.notices.outbox import REQUEST_CONFIRMATION, REQUEST_TO_TEAM, new_message
from pyydaapua.notices.problems import mask_address
from pyydaapua.web.i18n import datetime_text
from tests.helpers.app import count_queries
from tests.helpers.forms import csrf_token
from tests.helpers.mail_server import send_mail
from tests.helpers.staff import make_staff, sign_in

PARENT = "qzx.parent@example.fi"
SUBJECT = "Qzxsubject of the message"
BODY = "Qzxbody of the message\n"


def queue(
    app: Flask, recipient: str, status: str, kind: str = REQUEST_TO_TEAM, **values: Any
) -> int:
    with app.app_context():
        message = new_message(kind, recipient, "fi", SUBJECT, BODY)
        message.status = status
        for name, value in values.items():
            setattr(message, name, value)
        db.session.add(message)
        db.session.commit()
        return message.id


def row(app: Flask, message_id: int) -> OutboxMessage:
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        db.session.expunge(message)
        return message


def events(app: Flask) -> list[tuple[str, int | None, str]]:
    with app.app_context():
        return [
            (e.action, e.user_id, e.target)
            for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
            if e.action.startswith("mail_") or e.action == "access_refused"
        ]


def signed_in(app: Flask, role: str, language: str = "fi") -> tuple[FlaskClient, int]:
    user_id, email = make_staff(app, role, language)
    client = app.test_client()
    assert sign_in(client, email).status_code == 303
    return client, user_id


def send_again(client: FlaskClient, message_id: int) -> Any:
    return client.post(
        f"/staff/mail/{message_id}/send-again", data={"csrf_token": csrf_token(client)}
    )


def menu(html: str) -> str:
    found = re.search(r'<nav class="staff-nav".*?</nav>', html, re.S)
    assert found is not None
    return found.group()


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("qzx.parent@example.fi", "q…@example.fi"),
        ("a@b.example", "a…@b.example"),
        ("", ""),
        ("  ", ""),
        ("no-at-sign", "…"),
    ],
)
def test_an_address_is_shown_masked(address: str, shown: str) -> None:
    assert mask_address(address) == shown


def test_the_supervisor_sees_how_many_wait_and_which(app) -> None:
    failed = queue(app, "tiimi@perhekeskus.example", "failed", last_error="SMTP 550 5.1.1")
    uncertain = queue(
        app,
        PARENT,
        "uncertain",
        kind=REQUEST_CONFIRMATION,
        attempts=1,
        last_error="no answer after the message was sent: SMTPServerDisconnected",
    )
    removed = queue(app, "", "failed", last_error="no recipient")
    queue(app, "pending@example.fi", "pending")
    queue(app, "sent@example.fi", "sent")
    client, supervisor = signed_in(app, "supervisor")

    assert 'data-count="3"' in menu(client.get("/staff/account").get_data(as_text=True))
    response = client.get("/staff/mail")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'aria-current="page"' in menu(html) and "Toimittamattomat sähköpostit" in menu(html)
    ids = [int(i) for i in re.findall(r'<tr id="mail-(\d+)"', html)]
    assert sorted(ids) == sorted([failed, uncertain, removed])
    assert '<caption id="mail-caption"' in html and html.count('<th scope="col">') == 8
    assert "q…@example.fi" in html and "t…@perhekeskus.example" in html
    for private in (PARENT, "qzx.parent", "tiimi@", "pending@", "sent@", "Qzxsubject", "Qzxbody"):
        assert private not in html, private
    uncertain_row = re.search(rf'<tr id="mail-{uncertain}".*?</tr>', html, re.S).group()
    assert 'data-status="uncertain"' in uncertain_row and "Epävarma" in uncertain_row
    assert "Vahvistus yhteydenottopyynnöstä, perheelle" in uncertain_row
    with app.app_context(), force_locale("fi"):
        created = datetime_text(row(app, uncertain).created_at, "short")
    assert " klo " in created and created in uncertain_row
    removed_row = re.search(rf'<tr id="mail-{removed}".*?</tr>', html, re.S).group()
    assert "<button" not in removed_row and "Poistettu perheen tietojen mukana" in removed_row
    assert events(app) == [("mail_problems_viewed", supervisor, "")]


def test_the_page_in_swedish(app) -> None:
    queue(app, PARENT, "uncertain")
    client, _ = signed_in(app, "supervisor", "sv")
    html = client.get("/staff/mail").get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert "Ej levererad e-post" in html and "Osäker" in html and "Skicka igen" in html
    assert " kl. " in html


def test_the_menu_number_is_read_with_the_session(app) -> None:
    """No statement of its own: the count is a column of the session's statement."""
    queue(app, PARENT, "failed")
    client, _ = signed_in(app, "supervisor")
    response, queries = count_queries(app, lambda: client.get("/staff/account"))
    assert 'data-count="1"' in response.get_data(as_text=True)
    about_mail = [sql for sql in queries if "outbox_message" in sql]
    assert len(about_mail) == 1 and "staff_session" in about_mail[0]


def test_send_again_queues_it_and_is_audited(app_factory, smtp_server) -> None:
    app = app_factory(**smtp_server.config)
    message_id = queue(app, PARENT, "uncertain", attempts=1, last_error="no answer")
    client, supervisor = signed_in(app, "supervisor")
    before = datetime.now(UTC)
    response = send_again(client, message_id)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/mail"
    message = row(app, message_id)
    assert (message.status, message.attempts, message.last_error) == ("pending", 0, "")
    assert message.next_attempt_at <= datetime.now(UTC) + timedelta(seconds=1)
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "mail_sent_again")
        ).one()
        assert (event.user_id, event.target) == (supervisor, f"outbox:{message_id}")
        assert event.at >= before - timedelta(seconds=1)
    html = client.get("/staff/mail").get_data(as_text=True)
    assert 'role="status"' in html and f'id="mail-{message_id}"' not in html
    assert 'data-count="0"' in menu(html)

    assert "sent 1" in send_mail(app)
    assert [r.recipients for r in smtp_server.received] == [[PARENT]]

    again = send_again(client, message_id)  # already sent: nothing changes
    assert again.status_code == 303
    assert row(app, message_id).status == "sent"
    assert "ei enää odota" in client.get("/staff/mail").get_data(as_text=True)
    assert [action for action, *_ in events(app)].count("mail_sent_again") == 1


def test_a_message_without_an_address_is_not_queued(app) -> None:
    message_id = queue(app, "", "failed", last_error="no recipient")
    client, _ = signed_in(app, "supervisor")
    assert send_again(client, message_id).status_code == 303
    assert row(app, message_id).status == "failed"
    assert "ei voi lähettää" in client.get("/staff/mail").get_data(as_text=True)
    assert "mail_sent_again" not in [action for action, *_ in events(app)]


def test_an_unknown_message_is_a_404(app) -> None:
    client, _ = signed_in(app, "supervisor")
    assert send_again(client, 999999).status_code == 404


@pytest.mark.parametrize("role", ["counsellor", "admin"])
def test_others_are_refused_and_nothing_changes(app, role) -> None:
    message_id = queue(app, PARENT, "failed")
    client, user_id = signed_in(app, role)
    assert "/staff/mail" not in menu(client.get("/staff/account").get_data(as_text=True))
    assert client.get("/staff/mail").status_code == 403
    assert send_again(client, message_id).status_code == 403
    assert row(app, message_id).status == "failed"
    assert events(app) == [
        ("access_refused", user_id, "notices.mail_problems"),
        ("access_refused", user_id, "notices.mail_send_again"),
    ]


def test_send_again_needs_the_csrf_token(app) -> None:
    message_id = queue(app, PARENT, "failed")
    client, _ = signed_in(app, "supervisor")
    assert client.post(f"/staff/mail/{message_id}/send-again").status_code == 400
    assert row(app, message_id).status == "failed"
