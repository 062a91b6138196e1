"""`flask remind`: the due-today and overdue reminders to the owner or the team, each once,
only on working days, and the team's daily summary, in a constant number of queries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import HelpRequest, OutboxMessage, StaffUser
from pyydaapua.notices.reminders import remind
from tests.helpers.app import count_queries
from tests.helpers.mail_server import SmtpServer
from tests.helpers.staff import make_staff

TEAM = "tiimi@perhekeskus.example"
# Sent on Thursday 26 November 2026: due on Tuesday 1 December (three working days later).
THURSDAY = datetime(2026, 11, 26, 10, tzinfo=UTC)
WEDNESDAY_BEFORE = datetime(2026, 11, 25, 10, tzinfo=UTC)  # due Monday 30 November
FRIDAY = datetime(2026, 11, 27, 10, tzinfo=UTC)  # due Wednesday 2 December
NAME, DESCRIPTION = "Qzxname Family", "Qzxwords of the family"


@pytest.fixture
def team_app(app_factory: Any, smtp_server: SmtpServer) -> Flask:
    return app_factory(**smtp_server.config, TEAM_EMAIL=TEAM, TEAM_LANGUAGE="fi")


def add_request(app: Flask, key: str, sent: datetime, **values: Any) -> tuple[int, str]:
    with app.app_context():
        help_request = submit(
            NewRequest(
                submission_key=key * 32,
                language="fi",
                call_language="fi",
                phone="+358401234567",
                name=NAME,
                description=DESCRIPTION,
            ),
            now=sent,
        )
        for name, value in values.items():
            setattr(help_request, name, value)
        db.session.commit()
        return help_request.id, help_request.reference


def run_remind(app: Flask, day: str) -> str:
    result = app.test_cli_runner().invoke(args=["remind", "--today", day])
    assert result.exit_code == 0, result.output
    return result.output


def reminders(app: Flask) -> list[tuple[str | None, str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(OutboxMessage.dedupe_key, OutboxMessage.recipient, OutboxMessage.language)
            .where(OutboxMessage.dedupe_key.is_not(None))
            .order_by(OutboxMessage.id)
        )
        return [tuple(row) for row in rows]


def shown(reference: str) -> str:
    return f"{reference[:4]}-{reference[4:]}"


def test_due_and_overdue_reminders_go_to_the_owner_or_the_team_once(
    team_app,
    smtp_server,
) -> None:
    owner_id, owner_email = make_staff(team_app, language="sv")
    owned, owned_ref = add_request(team_app, "a", THURSDAY, assigned_to_id=owner_id)
    unowned, unowned_ref = add_request(team_app, "b", THURSDAY)
    add_request(team_app, "c", THURSDAY, first_contact_at=THURSDAY)  # reached: no reminder
    add_request(team_app, "d", THURSDAY, status="closed")  # closed: no reminder
    later, _ = add_request(team_app, "e", FRIDAY)
    earlier, earlier_ref = add_request(team_app, "f", WEDNESDAY_BEFORE)

    assert "queued 2 due-today and 1 overdue reminders and 1 summary" in run_remind(
        team_app, "2026-12-01"
    )
    assert sorted(reminders(team_app)) == sorted(
        [
            (f"due:{owned}", owner_email, "sv"),
            (f"due:{unowned}", TEAM, "fi"),
            (f"overdue:{earlier}", TEAM, "fi"),
            ("summary:2026-12-01", TEAM, "fi"),
        ]
    )
    # A second run the same day queues nothing.
    assert "queued 0 due-today and 0 overdue reminders and 0 summary" in run_remind(
        team_app, "2026-12-01"
    )
    assert len(reminders(team_app)) == 4

    # The next morning: the two are overdue, the later one due; the earlier one not again.
    run_remind(team_app, "2026-12-02")
    assert sorted(reminders(team_app)[4:]) == sorted(
        [
            (f"overdue:{owned}", owner_email, "sv"),
            (f"overdue:{unowned}", TEAM, "fi"),
            (f"due:{later}", TEAM, "fi"),
            ("summary:2026-12-02", TEAM, "fi"),
        ]
    )
    # A missed morning: the overdue reminder comes on the next run, once.
    run_remind(team_app, "2026-12-04")
    run_remind(team_app, "2026-12-07")
    assert [key for key, _, _ in reminders(team_app)[8:]] == [
        f"overdue:{later}",
        "summary:2026-12-04",
        "summary:2026-12-07",
    ]

    app_runner = team_app.test_cli_runner()
    # The eleven reminders and summaries, and the six new requests' notices to the team.
    assert "sent 17" in app_runner.invoke(args=["send-mail"]).output
    received = {(r.recipients[0], r.subject) for r in smtp_server.received}
    assert (owner_email, f"Sista dag i dag: {shown(owned_ref)}") in received
    assert (owner_email, f"Försenad: {shown(owned_ref)}") in received
    assert (TEAM, f"Määräpäivä tänään: {shown(unowned_ref)}") in received
    assert (TEAM, f"Myöhässä: {shown(earlier_ref)}") in received
    team_due = next(
        r for r in smtp_server.received if r.subject == f"Määräpäivä tänään: {shown(unowned_ref)}"
    )
    assert "määräpäivä on tänään, tiistai 1. joulukuuta 2026" in team_due.body
    assert "Kukaan ei ole vielä ottanut sitä käsittelyyn." in team_due.body
    assert f"/staff/requests/{unowned}" in team_due.body
    for message in smtp_server.received:
        assert "Qzx" not in message.text


def test_an_inactive_owner_is_replaced_by_the_team(team_app) -> None:
    owner_id, _ = make_staff(team_app)
    owned, _ = add_request(team_app, "a", THURSDAY, assigned_to_id=owner_id)
    with team_app.app_context():
        db.session.execute(update(StaffUser).values(active=False))
        db.session.commit()
    run_remind(team_app, "2026-12-01")
    assert reminders(team_app)[0] == (f"due:{owned}", TEAM, "fi")


@pytest.mark.parametrize("day", ["2026-12-05", "2026-12-06", "2026-12-24", "2026-12-25"])
def test_nothing_on_a_day_that_is_not_a_working_day(team_app, day: str) -> None:
    add_request(team_app, "a", THURSDAY)
    assert f"{day} is not a working day: no reminders queued." in run_remind(team_app, day)
    assert reminders(team_app) == []


def test_the_summary_lists_counts_and_references_only(team_app, smtp_server) -> None:
    _, first = add_request(team_app, "a", THURSDAY)
    _, second = add_request(team_app, "b", THURSDAY)
    _, earlier = add_request(team_app, "c", WEDNESDAY_BEFORE)
    run_remind(team_app, "2026-12-01")
    run_remind(team_app, "2026-11-26")  # nothing due or overdue yet
    team_app.test_cli_runner().invoke(args=["send-mail"])
    summaries = [r for r in smtp_server.received if r.subject.startswith("Tavoittamatta")]
    assert [s.subject for s in summaries] == [
        "Tavoittamatta olevat pyynnöt: tiistai 1. joulukuuta 2026",
        "Tavoittamatta olevat pyynnöt: torstai 26. marraskuuta 2026",
    ]
    body = summaries[0].body
    listed = ", ".join(sorted([shown(first), shown(second)]))
    assert f"Määräpäivä tänään: 2\n{listed}\n" in body
    assert f"Myöhässä: 1\n{shown(earlier)}\n" in body
    assert "Qzx" not in summaries[0].text
    assert "Määräpäivä tänään: ei yhtään" in summaries[1].body
    assert "Myöhässä: ei yhtään" in summaries[1].body


def test_no_team_address_sends_the_owners_reminders_only(app_factory) -> None:
    app = app_factory(TEAM_EMAIL="")
    owner_id, owner_email = make_staff(app)
    owned, _ = add_request(app, "a", THURSDAY, assigned_to_id=owner_id)
    add_request(app, "b", THURSDAY)
    output = run_remind(app, "2026-12-01")
    assert "1 with nobody to send to" in output
    assert reminders(app) == [(f"due:{owned}", owner_email, "fi")]


def test_the_query_count_does_not_grow_with_the_requests(team_app) -> None:
    owner_id, _ = make_staff(team_app)
    for key in "ab":
        add_request(team_app, key, THURSDAY, assigned_to_id=owner_id)

    def run(day: date) -> Any:
        with team_app.app_context():
            return remind(day)

    first, few = count_queries(team_app, lambda: run(date(2026, 12, 1)))
    assert first.due == 2
    for key in "cdefghijkl":
        add_request(team_app, key, FRIDAY, assigned_to_id=owner_id if key < "g" else None)
    second, many = count_queries(team_app, lambda: run(date(2026, 12, 2)))
    assert (second.due, second.overdue) == (10, 2)
    assert len(many) == len(few), many
    with team_app.app_context():
        assert db.session.query(HelpRequest).count() == 12
