"""Revision 0015 (the reports' counts per submission day): the upgrade fills the counts from the
requests, topics, referrals and visits that exist, equal to counting them, and from then on its
triggers keep them. On SQLite, and on PostgreSQL when the tests run there."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import flask_migrate
import pytest
from sqlalchemy import MetaData, create_engine, insert, text
from sqlalchemy.engine import make_url

from pyydaapua.database import db
from pyydaapua.models import RequestTopic
from pyydaapua.web.config import normalise_database_url
from tests.helpers.app import make_app
from tests.helpers.day_counts import assert_kept_as_counted, kept

SENT = datetime(2026, 11, 2, 8, tzinfo=UTC)  # a Monday: due Thursday 5.11.


@pytest.fixture
def empty_url(tmp_path) -> Iterator[str]:
    """An empty database of the test's own, on the server the tests run on."""
    server = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not server:
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    url = make_url(normalise_database_url(server))
    name = f"pyydaapua_migration_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


SERVICE = {
    "name_sv": "Tjänst",
    "provider": "",
    "description_fi": "",
    "description_sv": "",
    "phone": "",
    "email": "",
    "url": "",
    "active": True,
}


def request_row(number: int, day: int, **fields: object) -> dict:
    sent = SENT + timedelta(days=day)
    values: dict = {
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
        "submitted_at": sent,
        "submitted_on": sent.date(),
        "submitted_month": sent.year * 100 + sent.month,
        "due_date": sent.date() + timedelta(days=3),
        "status": "in_progress",
        "version": 1,
        "call_attempts": 0,
        "contact_method": "phone",
        "first_contact_at": None,
        "first_contact_on_time": None,
        "first_contact_workdays": None,
        "first_contact_attempts": None,
        "outcome": None,
    }
    values.update(fields)
    return values


# The inbox's index on an expression is not reflected (the tables are read for their columns).
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression")
def test_revision_0015_fills_the_counts_as_counting_the_rows(empty_url: str) -> None:
    app = make_app(empty_url)
    with app.app_context():
        flask_migrate.upgrade(revision="0014_access_basis")
        old = MetaData()
        old.reflect(db.engine, only=["help_request", "request_topic", "service", "referral"])
        old.reflect(db.engine, only=["home_visit"])
        tables = old.tables
        reached = SENT + timedelta(days=1)
        with db.engine.begin() as connection:
            connection.execute(
                insert(tables["service"]),
                [
                    {**SERVICE, "id": 1, "name_fi": "Palvelu", "provider_type": "city"},
                    {**SERVICE, "id": 2, "name_fi": "Järjestö", "provider_type": "ngo"},
                ],
            )
            connection.execute(
                insert(tables["help_request"]),
                [
                    # Reached at the first call, on time, closed with an outcome.
                    request_row(
                        1,
                        0,
                        first_contact_at=reached,
                        first_contact_on_time=True,
                        first_contact_workdays=1,
                        first_contact_attempts=1,
                        call_attempts=1,
                        status="closed",
                        outcome="conversation_enough",
                    ),
                    # Reached late after four calls, in Swedish.
                    request_row(
                        2,
                        0,
                        call_language="sv",
                        first_contact_at=reached + timedelta(days=6),
                        first_contact_on_time=False,
                        first_contact_workdays=5,
                        first_contact_attempts=4,
                        call_attempts=4,
                    ),
                    # Not reached yet, two calls; and one answered on the status page.
                    request_row(3, 1, call_attempts=2),
                    request_row(4, 30, contact_method="status_page", phone=""),
                ],
            )
            connection.execute(
                insert(tables["request_topic"]),
                [
                    {"request_id": 1, "topic": "finances"},
                    {"request_id": 1, "topic": "moving"},
                    {"request_id": 2, "topic": "finances"},
                    {"request_id": 4, "topic": "finances"},
                ],
            )
            connection.execute(
                insert(tables["referral"]),
                [
                    {"request_id": 1, "service_id": 1, "status": "sent", "note": "",
                     "consent": None},
                    {"request_id": 1, "service_id": 2, "status": "accepted", "note": "",
                     "consent": "given"},
                    {"request_id": 2, "service_id": 2, "status": "accepted", "note": "",
                     "consent": "given"},
                ],
            )  # fmt: skip
            connection.execute(
                insert(tables["home_visit"]),
                [
                    {"request_id": 2, "starts_at": reached, "duration_minutes": 60,
                     "address": "", "status": "done", "status_note": ""},
                ],
            )  # fmt: skip
        db.engine.dispose()

        flask_migrate.upgrade(revision="0015_report_day_counts")
        assert_kept_as_counted()
        found = kept()
        monday, tuesday = date(2026, 11, 2), date(2026, 11, 3)
        assert found[(monday, 202611, "received", "fi")] == 1
        assert found[(monday, 202611, "received", "sv")] == 1
        assert found[(monday, 202611, "on_time", "fi")] == 1
        assert found[(monday, 202611, "reached_by_call", "first_try")] == 1
        assert found[(monday, 202611, "reached_by_call", "more_tries")] == 1
        assert found[(monday, 202611, "calls", "3+")] == 1
        assert found[(monday, 202611, "calls_made", "")] == 5
        assert found[(monday, 202611, "topic", "finances")] == 2
        assert found[(monday, 202611, "referral", "1 sent ")] == 1
        assert found[(monday, 202611, "referral", "2 accepted given")] == 2
        assert found[(monday, 202611, "visit", "done")] == 1
        # Those not reached by their due date, written the same on both databases.
        assert found[(tuesday, 202611, "unreached", "2026-11-06")] == 1
        assert found[(date(2026, 12, 2), 202612, "contact_method", "status_page")] == 1

        # From then on the triggers keep them.
        db.session.add(RequestTopic(request_id=3, topic="moving"))
        db.session.commit()
        assert_kept_as_counted()
        db.session.remove()
        db.engine.dispose()
