"""Races as deployed: gunicorn with three workers on PostgreSQL, and pairs of requests that
start at the same moment (a barrier), each from its own HTTP session.

A family's message racing a counsellor's message, the same message sent twice at once (a
double click), and two counsellors writing at once. Whatever the order in which they land:
no answer is a 5xx, every message the family sent is stored exactly once, and a counsellor's
change that lost the race is refused with the "changed meanwhile" answer (409), not stored.

PostgreSQL only: SQLite has one writer at a time, and the in-process tests in
test_status_page.py cover the same rules there.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from pyydaapua.casework import changes
from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import HelpRequest, StaffUser, TimelineEvent
from pyydaapua.rules.references import format_reference
from pyydaapua.status_page import access
from tests.helpers.app import PRODUCTION, empty_tables, make_app
from tests.helpers.servers import Browser, Gunicorn
from tests.helpers.staff import STAFF_PASSWORD, fresh_code, make_staff

# Rounds per pair: enough for the pairs to land in every order, bounded for CI.
ROUNDS = 10


@pytest.fixture(scope="module")
def server(migrated_url: str) -> Iterator[Any]:
    if migrated_url.startswith("sqlite"):
        pytest.skip("races between gunicorn workers are tested on PostgreSQL")
    env = {
        "APP_ENV": "production",
        "SECRET_KEY": PRODUCTION["SECRET_KEY"],
        "DATABASE_URL": migrated_url,
        "ALLOW_MEMORY_RATE_LIMITS": "1",
        # Plain HTTP on the loopback address: what is tested is the database, not TLS.
        "SESSION_COOKIE_SECURE": "0",
        "TEAM_EMAIL": "team@example.fi",  # every change queues a notice in its transaction
        "FLASK_DEBUG": "0",
    }
    with Gunicorn(env, workers=3) as running:
        running.app = make_app(migrated_url)  # the same database, for set-up and checks
        yield running
        empty_tables(running.app)


@dataclass
class Case:
    """The request the pairs race on, and the sessions that work on it."""

    server: Any
    request_id: int
    family: Browser
    anna: Browser
    erik: Browser

    def version(self) -> int:
        with self.server.app.app_context():
            help_request = db.session.get(HelpRequest, self.request_id)
            assert help_request is not None
            return help_request.version

    def messages(self, kind: str) -> list[str]:
        with self.server.app.app_context():
            return list(
                db.session.scalars(
                    select(TimelineEvent.note)
                    .where(TimelineEvent.request_id == self.request_id, TimelineEvent.kind == kind)
                    .order_by(TimelineEvent.id)
                )
            )


def _signed_in(server: Any, email: str) -> Browser:
    browser = Browser(server.url)
    browser.page("/staff/login")
    status, _ = browser.send("/staff/login", {"email": email, "password": STAFF_PASSWORD})
    assert status == 303, status
    browser.page("/staff/login/code")
    status, _ = browser.send("/staff/login/code", {"code": fresh_code(server.app, email)})
    assert status == 303, status
    return browser


@pytest.fixture
def case(server: Any) -> Iterator[Case]:
    """A request answered on the status page, opened by the family, and owned by Anna (the
    family's notices go to her), with Anna and Erik signed in on its page."""
    anna_id, anna_email = make_staff(server.app, "counsellor", name="Anna")
    _, erik_email = make_staff(server.app, "counsellor", name="Erik")
    code, code_hash = access.new_secret()
    with server.app.app_context():
        help_request = submit(
            NewRequest(
                submission_key="race" + "k" * 28,
                language="fi",
                call_language="fi",
                phone="",
                email="parent@example.fi",
                description="Tarvitsemme apua.",
                contact_method="status_page",
                status_secret_hash=code_hash,
            )
        )
        anna = db.session.get(StaffUser, anna_id)
        changes.assign(help_request, anna, help_request.version, anna)
        request_id, reference = help_request.id, help_request.reference
    family = Browser(server.url)
    family.page("/fi/status")
    status, _ = family.send(
        "/fi/status", {"reference": format_reference(reference), "secret_code": code}
    )
    assert status == 303, status
    family.page("/fi/status")
    counsellors = [_signed_in(server, email) for email in (anna_email, erik_email)]
    for counsellor in counsellors:
        counsellor.page(f"/staff/requests/{request_id}")
    yield Case(server, request_id, family, *counsellors)
    empty_tables(server.app)


Send = Callable[[], tuple[int, str]]


def at_once(first: Send, second: Send) -> list[int]:
    """Start both sends at the same moment (a barrier), each in its own thread; their statuses."""
    barrier = threading.Barrier(2)
    statuses: list[int] = [0, 0]

    def run(index: int, send: Send) -> None:
        barrier.wait(timeout=30)
        statuses[index] = send()[0]

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def family_sends(case: Case, text: str) -> Send:
    return lambda: case.family.send("/fi/status/message", {"message": text})


def counsellor_sends(case: Case, browser: Browser, text: str, version: int) -> Send:
    """The counsellor's message to the family, from a form opened at ``version``."""
    return lambda: browser.send(
        f"/staff/requests/{case.request_id}/messages",
        {"message-message": text, "message-version": str(version)},
    )


def no_server_errors(server: Any, rounds: list[list[int]]) -> None:
    failed = [statuses for statuses in rounds if any(status >= 500 for status in statuses)]
    assert not failed, (
        f"{len(failed)} of {len(rounds)} rounds answered 5xx: {rounds}\n{server.output()[-3000:]}"
    )


def test_a_family_message_racing_a_counsellors_message_is_stored(case: Case) -> None:
    rounds: list[list[int]] = []
    sent_by_counsellor: list[str] = []
    for number in range(ROUNDS):
        family_text, answer = f"Perheen viesti {number}", f"Ohjaajan vastaus {number}"
        rounds.append(
            at_once(
                family_sends(case, family_text),
                counsellor_sends(case, case.anna, answer, case.version()),
            )
        )
        if rounds[-1][1] == 303:
            sent_by_counsellor.append(answer)
    no_server_errors(case.server, rounds)
    # "Sent" to the family; the counsellor's was stored, or they were told that the family's
    # message landed first (409), with what they wrote kept.
    assert all(family == 303 and counsellor in (303, 409) for family, counsellor in rounds)
    family_messages = case.messages(access.FROM_FAMILY)
    assert family_messages == [f"Perheen viesti {number}" for number in range(ROUNDS)]
    assert Counter(case.messages(access.TO_FAMILY)) == Counter(sent_by_counsellor)


def test_the_same_message_sent_twice_at_once_is_stored_once(case: Case) -> None:
    rounds: list[list[int]] = []
    for number in range(ROUNDS):
        text = f"Tuplaklikkaus {number}"
        rounds.append(at_once(family_sends(case, text), family_sends(case, text)))
    no_server_errors(case.server, rounds)
    assert all(statuses == [303, 303] for statuses in rounds), rounds  # "sent", both times
    assert case.messages(access.FROM_FAMILY) == [f"Tuplaklikkaus {n}" for n in range(ROUNDS)]


def test_two_counsellors_writing_at_once_one_is_told_of_the_other(case: Case) -> None:
    rounds: list[list[int]] = []
    sent: list[str] = []
    for number in range(ROUNDS):
        version = case.version()
        texts = (f"Annan viesti {number}", f"Erikin viesti {number}")
        rounds.append(
            at_once(
                counsellor_sends(case, case.anna, texts[0], version),
                counsellor_sends(case, case.erik, texts[1], version),
            )
        )
        sent += [text for text, status in zip(texts, rounds[-1], strict=True) if status == 303]
    no_server_errors(case.server, rounds)
    # Both forms were opened at one version: one is stored, the other is told (409).
    assert all(sorted(statuses) == [303, 409] for statuses in rounds), rounds
    assert Counter(case.messages(access.TO_FAMILY)) == Counter(sent)
