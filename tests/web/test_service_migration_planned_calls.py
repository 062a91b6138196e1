"""Revision 0010 (call-backs at a set time): requests reached before it get the number of calls
it took to reach the family the first time, from their calls."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import flask_migrate
import pytest
from sqlalchemy import MetaData, insert, select

from pyydaapua.database import db
from tests.helpers.app import make_app

SENT = datetime(2026, 11, 2, 8, tzinfo=UTC)


# The inbox's index on an expression is not reflected (the tables are read for their columns).
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression")
def test_revision_0010_counts_the_calls_up_to_the_first_reached_one(tmp_path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    with app.app_context():
        flask_migrate.upgrade(revision="0009_public_session")
        old = MetaData()
        old.reflect(db.engine, only=["help_request", "call"])
        requests, calls = old.tables["help_request"], old.tables["call"]

        def request_row(number: int, reached: datetime | None) -> dict:
            values = {
                "id": number,
                "reference": f"REF{number:05d}",
                "submission_key": f"key-{number}",
                "language": "fi",
                "call_language": "fi",
                "description": "vanha",
                "child_ages": "",
                "name": "",
                "phone": "+358401234567",
                "email": "",
                "call_time": "any",
                "sms_ok": False,
                "submitted_at": SENT,
                "submitted_on": SENT.date(),
                "submitted_month": 202611,
                "due_date": date(2026, 11, 5),
                "first_contact_at": reached,
                "status": "in_progress",
                "version": 1,
                "call_attempts": 0,
                "contact_method": "phone",
            }
            return {key: value for key, value in values.items() if key in requests.c}

        def call_row(request_id: int, hours: int, result: str) -> dict:
            values = {
                "request_id": request_id,
                "called_at": SENT + timedelta(hours=hours),
                "result": result,
                "notes": "",
                "coping_note": "",
                "finances_note": "",
                "daily_life_note": "",
            }
            return {key: value for key, value in values.items() if key in calls.c}

        reached_at = SENT + timedelta(hours=3)
        with db.engine.begin() as connection:
            connection.execute(
                insert(requests),
                [
                    request_row(1, SENT + timedelta(hours=1)),  # reached at the first call
                    request_row(2, reached_at),  # two tries before, one call after
                    request_row(3, None),  # not reached yet
                    request_row(4, SENT + timedelta(hours=5)),  # reached on a home visit
                ],
            )
            connection.execute(
                insert(calls),
                [
                    call_row(1, 1, "reached"),
                    call_row(2, 1, "no_answer"),
                    call_row(2, 2, "left_message"),
                    call_row(2, 3, "reached"),
                    call_row(2, 4, "reached"),
                    call_row(3, 1, "no_answer"),
                    call_row(4, 1, "no_answer"),
                ],
            )
        db.engine.dispose()
        flask_migrate.upgrade(revision="0010_planned_calls")
        new = MetaData()
        new.reflect(db.engine, only=["help_request"])
        table = new.tables["help_request"]
        with db.engine.connect() as connection:
            found = connection.execute(
                select(
                    table.c.id, table.c.first_contact_attempts, table.c.planned_call_at
                ).order_by(table.c.id)
            ).all()
        db.engine.dispose()
    assert [tuple(row) for row in found] == [
        (1, 1, None),
        (2, 3, None),
        (3, None, None),
        (4, None, None),
    ]
