"""One unit of work per change (web/transactions.py): run again as a whole when another change
to the same request committed first, wherever the conflict shows."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from pyydaapua.accounts.users import create_user
from pyydaapua.casework import changes
from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import HelpRequest, OutboxMessage, TimelineEvent
from pyydaapua.notices.outbox import FAMILY_WROTE
from pyydaapua.status_page import access
from pyydaapua.web import transactions
from pyydaapua.web.transactions import is_conflict, run_unit


@pytest.fixture
def request_id(ctx: Flask) -> int:
    """A status-page request that Anna owns; nothing of it is left loaded."""
    anna = create_user("anna@example.fi", "Anna", "counsellor", "long enough pw")
    help_request = submit(
        NewRequest(
            submission_key="t" * 32,
            language="fi",
            call_language="fi",
            phone="",
            email="parent@example.fi",
            contact_method="status_page",
            status_secret_hash=access.new_secret()[1],
        )
    )
    changes.assign(help_request, anna, 1, anna)
    found = help_request.id
    db.session.remove()
    return found


def a_counsellors_note_commits(app: Flask, request_id: int) -> None:
    """Another worker's change to the request, committed in its own session."""
    with app.app_context():
        help_request = db.session.get(HelpRequest, request_id)
        assert help_request is not None and help_request.assigned_to is not None
        changes.add_note(
            help_request, help_request.assigned_to, help_request.version, "Soitin perheelle."
        )


def test_a_family_message_is_stored_when_a_change_commits_before_its_notice(
    ctx: Flask, request_id: int
) -> None:
    """The reported loss: the notice to the request's owner loads the owner, and that read's
    autoflush met the counsellor's change committed meanwhile. Now the unit runs again."""
    help_request = db.session.get(HelpRequest, request_id)  # the family's page, loaded
    assert help_request is not None
    a_counsellors_note_commits(ctx, request_id)
    access.family_wrote(help_request, "Tärkeä asia")
    db.session.remove()
    events = db.session.scalars(select(TimelineEvent.kind).order_by(TimelineEvent.id)).all()
    assert events == ["taken", "note", access.FROM_FAMILY]
    notices = db.session.scalars(
        select(OutboxMessage.recipient).where(OutboxMessage.kind == FAMILY_WROTE)
    ).all()
    assert notices == ["anna@example.fi"]  # one notice of the message, to its owner
    stored = db.session.get(HelpRequest, request_id)
    assert stored is not None and stored.version == 4 and stored.family_message_at is not None


def test_a_counsellors_change_that_lost_the_race_is_refused_with_the_winner_named(
    ctx: Flask, request_id: int
) -> None:
    help_request = db.session.get(HelpRequest, request_id)
    assert help_request is not None and help_request.assigned_to is not None
    erik = create_user("erik@example.fi", "Erik", "counsellor", "long enough pw")
    seen = help_request.version  # Erik's form
    a_counsellors_note_commits(ctx, request_id)  # Anna's, after Erik's form was checked
    with pytest.raises(changes.StaleVersion) as stale:
        changes.add_note(help_request, erik, seen, "Kirjoitin samaan aikaan.")
    assert stale.value.fresh.version == seen + 1 and not stale.value.by_actor
    assert stale.value.fresh.updated_by is not None
    assert stale.value.fresh.updated_by.name == "Anna"
    notes = db.session.scalars(select(TimelineEvent.note).where(TimelineEvent.kind == "note"))
    assert list(notes) == ["Soitin perheelle."]


def test_the_unit_runs_again_as_a_whole_and_its_reads_write_nothing(
    ctx: Flask, request_id: int
) -> None:
    help_request = db.session.get(HelpRequest, request_id)
    assert help_request is not None
    a_counsellors_note_commits(ctx, request_id)
    runs: list[int] = []

    def unit() -> int:
        runs.append(help_request.version)
        help_request.call_attempts += 1
        # A read after a change: with autoflush it would write the stale UPDATE here.
        db.session.scalars(select(TimelineEvent)).all()
        return len(runs)

    assert run_unit(unit) == 2
    assert runs == [2, 3]  # the second run read the request as the note left it
    db.session.remove()
    stored = db.session.get(HelpRequest, request_id)
    assert stored is not None and (stored.call_attempts, stored.version) == (1, 4)


def test_any_other_error_rolls_the_unit_back_and_is_not_run_again(
    ctx: Flask, request_id: int
) -> None:
    help_request = db.session.get(HelpRequest, request_id)
    assert help_request is not None
    runs: list[None] = []

    def unit() -> None:
        runs.append(None)
        help_request.call_attempts += 1
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        run_unit(unit)
    assert len(runs) == 1 and not db.session.dirty
    assert help_request.call_attempts == 0


def test_a_unit_that_keeps_losing_gives_up(ctx: Flask) -> None:
    runs: list[None] = []

    def unit() -> None:
        runs.append(None)
        raise StaleDataError("another change won")

    with pytest.raises(StaleDataError):
        run_unit(unit)
    assert len(runs) == transactions.TRIES


def test_a_deadlock_on_postgresql_is_run_again(ctx: Flask, request_id: int) -> None:
    """PostgreSQL ends one of two transactions that wait for each other (made here on purpose:
    each updates two requests, in opposite orders); its unit runs again and both go in. The
    two requests were sent on different days: a change of requests of the same day also waits
    for the reports' count of that day (``report_day_count``), which the first change holds."""
    if not db.engine.url.get_backend_name().startswith("postgresql"):
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL): SQLite has one writer")
    sent = db.session.get(HelpRequest, request_id).submitted_at
    other = submit(
        NewRequest(submission_key="u" * 32, language="fi", call_language="fi", phone=""),
        now=sent - timedelta(days=3),
    )
    ids, app = (request_id, other.id), ctx
    db.session.remove()
    table = HelpRequest.__table__
    barrier = threading.Barrier(2)
    runs: list[int] = []
    errors: list[BaseException] = []

    def one_more_call(row: int) -> None:
        db.session.execute(
            update(table).where(table.c.id == row).values(call_attempts=table.c.call_attempts + 1)
        )

    def worker(first: int, second: int) -> None:
        with app.app_context():

            def unit() -> None:
                runs.append(first)
                one_more_call(first)
                if runs.count(first) == 1:
                    barrier.wait(timeout=30)  # both hold their first row
                one_more_call(second)

            try:
                run_unit(unit)
            except BaseException as error:  # reported by the assertion below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=pair) for pair in (ids, ids[::-1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(runs) == 3  # one of the two ran again
    attempts = db.session.scalars(select(HelpRequest.call_attempts).where(HelpRequest.id.in_(ids)))
    assert list(attempts) == [2, 2]


class _DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("error", "conflict"),
    [
        (StaleDataError("0 rows matched"), True),
        (DBAPIError("UPDATE", {}, _DriverError("40001")), True),  # serialisation failure
        (DBAPIError("UPDATE", {}, _DriverError("40P01")), True),  # deadlock
        (IntegrityError("INSERT", {}, _DriverError("23505")), False),  # a unique key
        (DBAPIError("SELECT", {}, _DriverError("08006")), False),  # the connection failed
        (ValueError("no"), False),
    ],
)
def test_what_counts_as_a_lost_race(error: BaseException, conflict: bool) -> None:
    assert is_conflict(error) is conflict
