"""E-mail through the outbox, delivered by `flask send-mail` to a real SMTP server on the
loopback address: recipients, languages, no family data, retries, refusals, never twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from babel.dates import format_date
from flask import Flask
from sqlalchemy import func, select, update

from pyydaapua import notices
from pyydaapua.database import db
from pyydaapua.intake import submission
from pyydaapua.models import HelpRequest, OutboxMessage, StaffUser
from pyydaapua.notices import sender
from pyydaapua.notices.outbox import new_message
from tests.helpers.app import empty_tables, make_app
from tests.helpers.mail_server import SmtpServer, send_mail
from tests.helpers.servers import PROJECT, free_port
from tests.helpers.staff import make_staff

TEAM = "tiimi@perhekeskus.example"
PUBLIC = "https://apua.example.fi"

# The family's own words, name, phone and address: none may appear in any message's text.
NAME = "Qzxname Markerperson"
DESCRIPTION = "Qzxdescription only the family wrote"
PHONE_TYPED = "040 765 4329"
PHONE_STORED = "+358407654329"
EMAIL = "qzx.parent@example.fi"
MARKERS = (
    NAME,
    "Qzxname",
    DESCRIPTION,
    "Qzxdescription",
    PHONE_TYPED,
    PHONE_STORED,
    "7654329",
    EMAIL,
    "qzx.parent",
)


@pytest.fixture
def mail_app(app_factory: Any, smtp_server: SmtpServer) -> Flask:
    return app_factory(**smtp_server.config, TEAM_EMAIL=TEAM, TEAM_LANGUAGE="sv", PUBLIC_URL=PUBLIC)


def outbox(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return rows


def queue_one(app: Flask, recipient: str = "someone@example.fi", **values: Any) -> int:
    with app.app_context():
        message = new_message("test", recipient, "fi", "Aihe", "Viesti\n")
        for name, value in values.items():
            setattr(message, name, value)
        db.session.add(message)
        db.session.commit()
        return message.id


def shown(reference: str) -> str:
    return f"{reference[:4]}-{reference[4:]}"


def test_a_new_request_notifies_the_team_and_the_parent_each_in_their_language(
    mail_app,
    request_form,
    smtp_server,
) -> None:
    request_form.client = mail_app.test_client()
    response = request_form.submit(
        "fi", name=NAME, description=DESCRIPTION, phone=PHONE_TYPED, email=EMAIL
    )
    assert response.status_code == 303
    with mail_app.app_context():
        stored = db.session.scalars(select(HelpRequest)).one()
        reference, request_id, due = stored.reference, stored.id, stored.due_date
    assert smtp_server.received == []  # the web request only queued them
    assert [row.status for row in outbox(mail_app)] == ["pending", "pending"]

    assert "sent 2" in send_mail(mail_app)
    by_recipient = {received.recipients[0]: received for received in smtp_server.received}
    assert sorted(by_recipient) == sorted([TEAM, EMAIL])

    team = by_recipient[TEAM]
    assert team.subject == f"Ny kontaktbegäran: {shown(reference)}"
    assert f"Referenskod: {shown(reference)}" in team.body
    assert f"Ring senast: {format_date(due, 'full', locale='sv')}" in team.body
    assert f"{PUBLIC}/staff/requests/{request_id}" in team.body
    assert team.message["From"] == mail_app.config["MAIL_DEFAULT_SENDER"]
    assert team.message.get_content_type() == "text/plain"
    assert team.message.get_content_charset() == "utf-8"

    parent = by_recipient[EMAIL]
    assert parent.subject == f"Pyyntösi on vastaanotettu: {shown(reference)}"
    assert f"Pyyntösi tunnus: {shown(reference)}" in parent.body
    assert "Soitamme sinulle kolmen arkipäivän kuluessa, viimeistään:" in parent.body
    assert f"viimeistään: {format_date(due, 'full', locale='fi')}" in parent.body
    assert "/staff/" not in parent.body

    for received in smtp_server.received:
        for marker in MARKERS:
            assert marker not in received.text, (marker, received.text)
    for row in outbox(mail_app):
        assert row.status == "sent" and row.attempts == 1 and row.sent_at is not None
        for marker in MARKERS:
            assert marker not in row.subject + row.body


def test_the_status_page_confirmation_links_the_status_page_without_the_code(
    mail_app,
    smtp_server,
) -> None:
    with mail_app.app_context():
        now = datetime(2026, 11, 23, 10, tzinfo=UTC)
        help_request = HelpRequest(
            reference="ACDEFHJK",
            submission_key="s" * 32,
            language="sv",
            call_language="sv",
            phone="",
            email=EMAIL,
            contact_method="status_page",
            status_secret_hash="$argon2id$secret-hash-qzx",
            submitted_at=now,
            submitted_on=now.date(),
            submitted_month=202611,
            due_date=date(2026, 11, 26),
        )
        db.session.add(help_request)
        db.session.flush()
        notices.request_sent(help_request)
        db.session.commit()
    send_mail(mail_app)
    parent = next(r for r in smtp_server.received if r.recipients == [EMAIL])
    assert parent.subject == "Din begäran har tagits emot: ACDE-FHJK"
    assert "på sidan Begärans status inom tre vardagar, senast: torsdag 26 november 2026" in (
        parent.body
    )
    assert f"{PUBLIC}/sv/status" in parent.body
    assert "argon2" not in parent.text and "qzx" not in parent.text
    team = next(r for r in smtp_server.received if r.recipients == [TEAM])
    assert "Svara på sidan Begärans status senast: torsdag 26 november 2026" in team.body


def test_no_team_address_queues_only_the_parents_confirmation(app_factory) -> None:
    app = app_factory(TEAM_EMAIL="")
    with app.app_context():
        submission.submit(
            submission.NewRequest(
                submission_key="n" * 32,
                language="fi",
                call_language="fi",
                phone="+358401234567",
            )
        )
    assert outbox(app) == []  # no team address, no parent address


def test_family_and_counsellor_messages_name_no_words(mail_app, smtp_server) -> None:
    owner_id, owner_email = make_staff(mail_app, language="sv")
    with mail_app.app_context():
        help_request = submission.submit(
            submission.NewRequest(
                submission_key="f" * 32,
                language="fi",
                call_language="fi",
                phone=PHONE_STORED,
                name=NAME,
                description=DESCRIPTION,
                email=EMAIL,
            )
        )
        reference = help_request.reference
        help_request.assigned_to_id = owner_id
        db.session.commit()
        notices.family_wrote(help_request)
        notices.counsellor_wrote(help_request)
        db.session.commit()
        db.session.execute(update(StaffUser).values(active=False))
        db.session.commit()
        notices.family_wrote(db.session.get(HelpRequest, help_request.id))
        db.session.commit()
    send_mail(mail_app)
    kinds = [(row.kind, row.recipient, row.language) for row in outbox(mail_app)]
    assert kinds[2:] == [
        ("family_wrote", owner_email, "sv"),
        ("counsellor_wrote", EMAIL, "fi"),
        ("family_wrote", TEAM, "sv"),  # the owner is no longer active
    ]
    family = [r for r in smtp_server.received if r.subject.startswith("Nytt meddelande")]
    assert [r.recipients for r in family] == [[owner_email], [TEAM]]
    assert family[0].subject == f"Nytt meddelande från familjen: {shown(reference)}"
    counsellor = next(r for r in smtp_server.received if r.subject == "Sinulle on uusi viesti")
    assert counsellor.recipients == [EMAIL]
    assert f"{PUBLIC}/fi/status" in counsellor.body and shown(reference) not in counsellor.body
    for received in smtp_server.received:
        for marker in MARKERS:
            assert marker not in received.text, (marker, received.text)


def test_a_temporary_refusal_is_retried_later_and_sent_once(mail_app, smtp_server) -> None:
    message_id = queue_one(mail_app)
    smtp_server.handler.refusals.append("451 4.3.0 Try again later, someone@example.fi")
    before = datetime.now(UTC)
    assert "to retry 1" in send_mail(mail_app)
    [row] = outbox(mail_app)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "SMTP 451 4.3.0")
    assert row.next_attempt_at >= before + timedelta(seconds=55)
    assert row.claimed_at is None and smtp_server.received == []

    assert "sent 0" in send_mail(mail_app)  # not due yet
    assert smtp_server.received == []
    with mail_app.app_context():
        db.session.execute(
            update(OutboxMessage).values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        db.session.commit()
    assert "sent 1" in send_mail(mail_app)
    send_mail(mail_app)
    assert [r.recipients for r in smtp_server.received] == [["someone@example.fi"]]
    [row] = outbox(mail_app)
    assert (row.id, row.status, row.attempts, row.last_error) == (message_id, "sent", 2, "")


def test_after_the_last_attempt_it_fails(app_factory, smtp_server) -> None:
    app = app_factory(**smtp_server.config, MAIL_MAX_ATTEMPTS=2)
    queue_one(app)
    smtp_server.handler.refusals.extend(["421 4.7.0 busy", "421 4.7.0 busy"])
    send_mail(app)
    with app.app_context():
        db.session.execute(update(OutboxMessage).values(next_attempt_at=datetime.now(UTC)))
        db.session.commit()
    assert "failed 1" in send_mail(app)
    [row] = outbox(app)
    assert (row.status, row.attempts, row.last_error) == ("failed", 2, "SMTP 421 4.7.0")


def test_a_permanent_refusal_fails_at_once(mail_app, smtp_server) -> None:
    queue_one(mail_app, recipient="nobody@example.fi")
    queue_one(mail_app, recipient="other@example.fi")
    smtp_server.handler.refusals.append("550 5.1.1 <nobody@example.fi>: no such user")
    assert "sent 1" in send_mail(mail_app)
    first, second = outbox(mail_app)
    assert (first.status, first.attempts, first.last_error) == ("failed", 1, "SMTP 550 5.1.1")
    assert second.status == "sent"
    assert [r.recipients for r in smtp_server.received] == [["other@example.fi"]]


def test_without_a_mail_server_nothing_is_sent_and_messages_wait(app_factory) -> None:
    app = app_factory(MAIL_SERVER="")
    queue_one(app)
    assert "MAIL_SERVER is not set" in send_mail(app)
    [row] = outbox(app)
    assert (row.status, row.attempts, row.last_error) == ("pending", 0, "")


def test_a_message_left_sending_by_a_dead_sender_is_uncertain_not_resent(
    mail_app,
    smtp_server,
) -> None:
    now = datetime.now(UTC)
    abandoned = queue_one(
        mail_app, "a@example.fi", status="sending", claimed_at=now - timedelta(minutes=16)
    )
    busy = queue_one(
        mail_app, "b@example.fi", status="sending", claimed_at=now - timedelta(minutes=1)
    )
    queue_one(mail_app, "c@example.fi")
    assert "interrupted earlier and marked uncertain 1" in send_mail(mail_app)
    rows = {row.id: row for row in outbox(mail_app)}
    assert rows[abandoned].status == "uncertain"
    assert rows[abandoned].last_error == (
        "interrupted while sending: check the mail server's log before resending"
    )
    assert rows[busy].status == "sending"  # another sender is at it
    assert [r.recipients for r in smtp_server.received] == [["c@example.fi"]]


def make_due(app: Flask) -> None:
    with app.app_context():
        db.session.execute(
            update(OutboxMessage).values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        db.session.commit()


def test_a_server_too_slow_to_answer_data_gets_the_message_again_later(
    app_factory,
    smtp_server,
) -> None:
    """A timeout waiting for the answer to DATA: nothing of the message was sent, so it goes
    back to pending with the back-off, and the pass stops (the next would wait as long)."""
    app = app_factory(**{**smtp_server.config, "MAIL_TIMEOUT": 0.5})
    first = queue_one(app, "first@example.fi")
    queue_one(app, "second@example.fi")
    smtp_server.handler.delay_before_content = 1.5
    before = datetime.now(UTC)
    output = send_mail(app)
    assert "sent 0, to retry 1, failed 0, uncertain 0" in output
    assert "mail server unreachable: SMTPServerDisconnected" in output
    retried, waiting = outbox(app)
    assert (retried.id, retried.status, retried.attempts) == (first, "pending", 1)
    assert retried.last_error.startswith("SMTPServerDisconnected")
    assert retried.next_attempt_at >= before + timedelta(seconds=55)
    assert retried.claimed_at is None
    assert (waiting.status, waiting.attempts) == ("pending", 0)
    time.sleep(1.5)  # the server answers at last, to nobody
    assert smtp_server.received == []

    smtp_server.handler.delay_before_content = 0
    make_due(app)
    assert "sent 2" in send_mail(app)
    assert sorted(r.recipients[0] for r in smtp_server.received) == [
        "first@example.fi",
        "second@example.fi",
    ]


def test_a_reply_lost_after_the_message_was_sent_leaves_it_uncertain(
    app_factory,
    smtp_server,
) -> None:
    """The server has the whole message and its answer times out: it may have taken it, so the
    message is uncertain, left for a person, and never sent again on its own."""
    app = app_factory(**{**smtp_server.config, "MAIL_TIMEOUT": 0.5})
    queue_one(app, "slow@example.fi")
    queue_one(app, "next@example.fi")
    smtp_server.handler.delay = 1.5
    output = send_mail(app)
    assert "sent 0, to retry 0, failed 0, uncertain 1" in output
    uncertain, waiting = outbox(app)
    assert (uncertain.status, uncertain.attempts) == ("uncertain", 1)
    assert uncertain.last_error.startswith("no answer after the message was sent: ")
    assert (waiting.status, waiting.attempts) == ("pending", 0)
    assert [r.recipients for r in smtp_server.received] == [["slow@example.fi"]]  # it had it

    smtp_server.handler.delay = 0
    make_due(app)
    assert "sent 1" in send_mail(app)
    assert [r.recipients for r in smtp_server.received] == [
        ["slow@example.fi"],
        ["next@example.fi"],
    ]
    assert [row.status for row in outbox(app)] == ["uncertain", "sent"]


def test_a_request_is_stored_when_the_mail_server_is_down(
    app_factory, request_form, monkeypatch
) -> None:
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), TEAM_EMAIL=TEAM)
    request_form.client = app.test_client()

    def no_smtp_in_a_web_request(*args: object, **kwargs: object) -> None:
        raise AssertionError("a web request talked to the mail server")

    monkeypatch.setattr(sender.smtplib, "SMTP", no_smtp_in_a_web_request)
    monkeypatch.setattr(sender, "TrackingSMTP", no_smtp_in_a_web_request)
    monkeypatch.setattr(sender, "TrackingSMTPSSL", no_smtp_in_a_web_request)
    response = request_form.submit("fi", email=EMAIL)
    assert response.status_code == 303
    monkeypatch.undo()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HelpRequest)) == 1
    assert "mail server unreachable: ConnectionRefusedError" in send_mail(app)
    rows = outbox(app)
    assert len(rows) == 2
    first, second = rows
    assert (first.status, first.attempts) == ("pending", 1)
    assert first.last_error.startswith("ConnectionRefusedError")
    assert (second.status, second.attempts) == ("pending", 0)  # the pass stopped


def test_a_race_on_one_submission_leaves_one_request_and_one_set_of_notices(
    mail_app, monkeypatch
) -> None:
    new = submission.NewRequest(
        submission_key="race" * 8,
        language="fi",
        call_language="fi",
        phone=PHONE_STORED,
        email=EMAIL,
    )
    with mail_app.app_context():
        first_id = submission.submit(new).id
        real_find = submission.find_by_submission
        looks: list[str] = []

        def late_find(key: str) -> HelpRequest | None:
            looks.append(key)
            return None if len(looks) == 1 else real_find(key)

        monkeypatch.setattr(submission, "find_by_submission", late_find)
        assert submission.submit(new).id == first_id
        assert len(looks) == 2
    assert [(row.kind, row.request_id) for row in outbox(mail_app)] == [
        ("request_to_team", first_id),
        ("request_confirmation", first_id),
    ]


def test_send_mail_loop_stops_cleanly_on_sigterm(migrated_url, smtp_server, tmp_path) -> None:
    app = make_app(migrated_url)
    queue_one(app, "loop@example.fi")
    env = {
        **os.environ,
        "DATABASE_URL": migrated_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_server.port),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "send-mail", "--loop", "--pause", "0.5"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not smtp_server.received and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [r.recipients for r in smtp_server.received] == [["loop@example.fi"]]
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        empty_tables(app)
    assert process.returncode == 0, output
    assert "sent 1" in output and "Stopped: sent 1" in output


def _sender_thread(app: Flask, results: list[int], errors: list[BaseException]) -> None:
    try:
        with app.app_context():
            results.append(sender.send_pass().sent)
            db.engine.dispose()
    except BaseException as error:
        errors.append(error)


def test_two_senders_at_once_send_every_message_exactly_once(
    migrated_url,
    smtp_server,
) -> None:
    if not migrated_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL): SQLite has one writer, so one sender")
    app = make_app(migrated_url)
    try:
        with app.app_context():
            for number in range(30):
                db.session.add(
                    new_message("test", f"r{number}@example.fi", "fi", f"S{number}", "B\n")
                )
            db.session.commit()
        smtp_server.handler.delay = 0.02  # each message takes a while: the senders overlap
        results: list[int] = []
        errors: list[BaseException] = []
        # Each sender has an app of its own, made here: CPython 3.11's parser, which
        # Werkzeug uses to build URL rules, is not safe to run in two threads at once.
        senders = [make_app(migrated_url, **smtp_server.config) for _ in range(2)]
        threads = [
            threading.Thread(target=_sender_thread, args=(sender_app, results, errors))
            for sender_app in senders
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        recipients = sorted(r.recipients[0] for r in smtp_server.received)
        assert recipients == sorted(f"r{number}@example.fi" for number in range(30))
        assert sum(results) == 30
        assert all(count > 0 for count in results), results  # both really sent some
        assert {row.status for row in outbox(app)} == {"sent"}
    finally:
        empty_tables(app)


def test_a_stopping_sender_finishes_the_message_in_hand_only(mail_app, smtp_server) -> None:
    for number in range(3):
        queue_one(mail_app, f"s{number}@example.fi")
    asked: list[int] = []

    def stop_after_one() -> bool:
        asked.append(1)
        return len(asked) > 1

    with mail_app.app_context():
        assert sender.send_pass(should_stop=stop_after_one).sent == 1
    assert [row.status for row in outbox(mail_app)] == ["sent", "pending", "pending"]


def test_a_message_whose_address_retention_removed_fails_unsent(mail_app, smtp_server) -> None:
    queue_one(mail_app, "")
    queue_one(mail_app, "kept@example.fi")
    assert "sent 1, to retry 0, failed 1" in send_mail(mail_app)
    removed, kept = outbox(mail_app)
    assert (removed.status, removed.attempts) == ("failed", 0)
    assert removed.last_error == "no recipient: the address was removed with the family's data"
    assert kept.status == "sent"
    assert [r.recipients for r in smtp_server.received] == [["kept@example.fi"]]


def test_a_message_that_cannot_be_written_fails_unsent(mail_app, smtp_server) -> None:
    queue_one(mail_app, "bad\naddress@example.fi")
    queue_one(mail_app, "good@example.fi")
    assert "sent 1, to retry 0, failed 1" in send_mail(mail_app)
    bad, good = outbox(mail_app)
    assert (bad.status, bad.last_error) == ("failed", "unusable message: ValueError")
    assert good.status == "sent"
