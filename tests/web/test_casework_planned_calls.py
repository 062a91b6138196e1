"""Call-backs at a set time: the call form proposes the next try after "no answer", the
"plan a call" action plans or clears a call, closing clears it, the request page shows it, the
first contact keeps the calls it took; "My calls today" lists the counsellor's planned calls
then the unreached requests due today, audited, in a bounded number of statements; `flask
remind` sends each counsellor their planned calls of the day; the reports count the families
reached at the first call."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from pyydaapua.casework import changes
from pyydaapua.database import db
from pyydaapua.inbox import calls_today
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import AuditEvent, HelpRequest, OutboxMessage, StaffUser, TimelineEvent
from pyydaapua.rules.workdays import HELSINKI, add_working_days, callback_due_date
from tests.helpers.app import count_queries
from tests.helpers.forms import csrf_token
from tests.helpers.staff import make_staff, start_session

NAME, PHONE, WORDS = "Qzxname Perhe", "+358401112233", "Qzxwords of the family"


def add_request(app: Flask, key: str, sent: datetime | None = None, **values: Any) -> int:
    with app.app_context():
        stored = submit(
            NewRequest(
                submission_key=key.ljust(32, "k"),
                language="fi",
                call_language="fi",
                phone=PHONE,
                name=NAME,
                description=WORDS,
            ),
            now=sent or datetime.now(UTC) - timedelta(hours=1),
        )
        for name, value in values.items():
            setattr(stored, name, value)
        db.session.commit()
        return stored.id


def signed_in(app: Flask, language: str = "fi") -> tuple[Any, int]:
    client = app.test_client()
    user_id, email = make_staff(app, "counsellor", language)
    start_session(client, email)
    return client, user_id


def stored(app: Flask, request_id: int) -> HelpRequest:
    with app.app_context():
        found = db.session.get(HelpRequest, request_id)
        db.session.expunge(found)
        return found


def helsinki_text(moment: datetime) -> str:
    return moment.astimezone(HELSINKI).strftime("%-d.%-m.%Y %-H.%M")


def post(client: Any, app: Flask, request_id: int, path: str, data: dict, htmx: bool = False):
    prefix = {"calls": "call", "planned-call": "plan_call"}[path]
    version = stored(app, request_id).version
    body = {"csrf_token": csrf_token(client), f"{prefix}-version": version, **data}
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/staff/requests/{request_id}/{path}", data=body, headers=headers)


def call_form_value(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, name
    return found.group(1)


def test_the_call_form_proposes_the_next_try_and_no_answer_plans_it(app) -> None:
    client, user_id = signed_in(app)
    request_id = add_request(app, "a")
    page = client.get(f"/staff/requests/{request_id}").get_data(as_text=True)
    proposed = call_form_value(page, "call-planned_at")
    assert re.search(r'id="call-next_call-0"[^>]*value="retry" checked', page)
    response = post(
        client,
        app,
        request_id,
        "calls",
        {
            "call-called_at": call_form_value(page, "call-called_at"),
            "call-result": "no_answer",
            "call-next_call": "retry",
            "call-planned_at": proposed,
            "call-planned_agreed": "proposed",
        },
        htmx=True,
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    html = response.get_data(as_text=True)
    assert "Puhelu kirjattiin. Seuraava puhelu on suunniteltu ajalle" in html
    # The request's first lines, swapped out of band, show it.
    assert 'id="planned-call"' in html and "meidän ehdottamamme" in html
    plan = stored(app, request_id)
    assert plan.planned_call_by_id == user_id and plan.planned_call_agreed is False
    assert helsinki_text(plan.planned_call_at) == proposed
    assert plan.planned_call_at > datetime.now(UTC)
    with app.app_context():
        kinds = db.session.scalars(
            select(TimelineEvent.kind).where(TimelineEvent.request_id == request_id)
        ).all()
    assert "call_planned" in kinds


def test_a_reached_call_clears_the_plan_and_keeps_the_calls_it_took(app) -> None:
    client, _ = signed_in(app)
    request_id = add_request(app, "b")
    now = datetime.now(UTC)
    later = helsinki_text(now + timedelta(hours=3))
    for result in ("no_answer", "left_message", "reached"):
        response = post(
            client,
            app,
            request_id,
            "calls",
            {
                "call-called_at": helsinki_text(now),
                "call-result": result,
                "call-next_call": "retry",
                "call-planned_at": later,
            },
        )
        assert response.status_code == 303, response.get_data(as_text=True)
        if result != "reached":
            assert stored(app, request_id).planned_call_at is not None
    reached = stored(app, request_id)
    assert reached.planned_call_at is None and reached.planned_call_by_id is None
    assert reached.first_contact_attempts == 3
    # A later call does not change how many it took the first time.
    post(
        client,
        app,
        request_id,
        "calls",
        {"call-called_at": helsinki_text(now), "call-result": "reached"},
    )
    assert stored(app, request_id).first_contact_attempts == 3


def test_the_quick_call_counts_one_attempt_and_clears_the_plan(app) -> None:
    client, user_id = signed_in(app)
    request_id = add_request(
        app,
        "c",
        planned_call_at=datetime.now(UTC) + timedelta(hours=2),
        planned_call_agreed=True,
    )
    with app.app_context():
        db.session.get(HelpRequest, request_id).planned_call_by_id = user_id
        db.session.commit()
    version = stored(app, request_id).version
    response = client.post(
        f"/staff/requests/{request_id}/calls/all-fine",
        data={"csrf_token": csrf_token(client), "all_fine-version": version},
    )
    assert response.status_code == 303
    done = stored(app, request_id)
    assert done.first_contact_attempts == 1 and done.planned_call_at is None


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_plan_a_call_then_clear_it_audited(app, htmx) -> None:
    client, user_id = signed_in(app)
    request_id = add_request(app, "d")
    when = helsinki_text(datetime.now(UTC) + timedelta(days=1))
    response = post(
        client,
        app,
        request_id,
        "planned-call",
        {"plan_call-planned_at": when, "plan_call-agreed": "agreed"},
        htmx=htmx,
    )
    assert response.status_code == (200 if htmx else 303), response.get_data(as_text=True)
    plan = stored(app, request_id)
    assert (plan.planned_call_by_id, plan.planned_call_agreed) == (user_id, True)
    assert helsinki_text(plan.planned_call_at) == when
    page = client.get(f"/staff/requests/{request_id}").get_data(as_text=True)
    assert "sovittu perheen kanssa" in page and "Poista suunniteltu puhelu" in page
    response = post(client, app, request_id, "planned-call", {"plan_call-clear": "y"}, htmx=htmx)
    assert response.status_code == (200 if htmx else 303)
    assert stored(app, request_id).planned_call_at is None
    with app.app_context():
        audited = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.request_id == request_id)
        ).all()
        kinds = db.session.scalars(
            select(TimelineEvent.kind).where(TimelineEvent.request_id == request_id)
        ).all()
    assert audited.count("request_plan_call") == 2
    assert {"call_planned", "call_plan_cleared"} <= set(kinds)
    # Nothing left to clear: refused, and said why.
    refused = post(client, app, request_id, "planned-call", {"plan_call-clear": "y"})
    assert refused.status_code == 422
    assert "Tähän yhteydenottopyyntöön ei ole suunniteltu puhelua." in refused.get_data(
        as_text=True
    )


def test_a_call_in_the_past_is_refused_with_the_text_kept(app) -> None:
    client, _ = signed_in(app)
    request_id = add_request(app, "e")
    past = helsinki_text(datetime.now(UTC) - timedelta(hours=1))
    response = post(client, app, request_id, "planned-call", {"plan_call-planned_at": past}, True)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Suunniteltu puhelu ei voi olla menneisyydessä." in html
    assert f'value="{past}"' in html
    assert stored(app, request_id).planned_call_at is None


def test_closing_clears_the_plan_and_a_closed_request_offers_no_planning(app) -> None:
    client, _ = signed_in(app)
    request_id = add_request(app, "f")
    post(
        client,
        app,
        request_id,
        "planned-call",
        {"plan_call-planned_at": helsinki_text(datetime.now(UTC) + timedelta(hours=5))},
    )
    assert stored(app, request_id).planned_call_at is not None
    version = stored(app, request_id).version
    client.post(
        f"/staff/requests/{request_id}/calls/all-fine",
        data={"csrf_token": csrf_token(client), "all_fine-version": version, "all_fine-close": "y"},
    )
    closed = stored(app, request_id)
    assert closed.status == "closed" and closed.planned_call_at is None
    page = client.get(f"/staff/requests/{request_id}").get_data(as_text=True)
    assert 'id="form-plan_call"' not in page and 'id="planned-call"' not in page


def test_closing_with_the_status_form_clears_the_plan(app) -> None:
    _, user_id = signed_in(app)
    request_id = add_request(
        app, "g", planned_call_at=datetime.now(UTC) + timedelta(hours=2), planned_call_agreed=False
    )
    with app.app_context():
        changes.change_status(
            db.session.get(HelpRequest, request_id),
            db.session.get(StaffUser, user_id),
            stored(app, request_id).version,
            "closed",
            "conversation_enough",
        )
    assert stored(app, request_id).planned_call_at is None


def test_a_written_answer_request_is_not_offered_planning(app) -> None:
    client, _ = signed_in(app)
    request_id = add_request(app, "h", contact_method="status_page", phone="")
    page = client.get(f"/staff/requests/{request_id}").get_data(as_text=True)
    assert 'id="form-plan_call"' not in page
    refused = post(
        client,
        app,
        request_id,
        "planned-call",
        {"plan_call-planned_at": helsinki_text(datetime.now(UTC) + timedelta(hours=5))},
    )
    assert refused.status_code == 422
    assert "Perhe pyysi kirjallista vastausta" in refused.get_data(as_text=True)


def test_the_request_page_marks_a_call_whose_time_has_passed(app) -> None:
    client, user_id = signed_in(app)
    request_id = add_request(
        app,
        "i",
        sent=datetime.now(UTC) - timedelta(days=1),
        planned_call_at=datetime.now(UTC) - timedelta(minutes=20),
        planned_call_agreed=True,
    )
    with app.app_context():
        db.session.get(HelpRequest, request_id).planned_call_by_id = user_id
        db.session.commit()
    page = client.get(f"/staff/requests/{request_id}").get_data(as_text=True)
    planned = page[page.index('id="planned-call"') :]
    planned = planned[: planned.index("</dd>")]
    assert "Aika meni jo" in planned and "soittaja: Test counsellor" in planned


# --- My calls today ---

# Tuesday 1 December 2026 at 10.00 in Helsinki.
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)


def sent_for(due: date) -> datetime:
    """A moment in the morning three working days before ``due``."""
    day = due
    while add_working_days(day, 3) > due:
        day -= timedelta(days=1)
    sent = datetime(day.year, day.month, day.day, 7, tzinfo=UTC)
    assert callback_due_date(sent) == due
    return sent


@pytest.fixture
def calls_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calls_today, "now", lambda: NOW)


def test_my_calls_today_planned_by_time_then_due_today(app, calls_clock) -> None:
    client, me = signed_in(app)
    other, _ = make_staff(app, "counsellor")
    sent = sent_for(TODAY)
    late = add_request(app, "1", sent, planned_call_at=NOW + timedelta(hours=5))
    early = add_request(app, "2", sent, planned_call_at=NOW + timedelta(hours=1))
    missed = add_request(app, "3", sent, planned_call_at=NOW - timedelta(hours=20))
    tomorrow = add_request(app, "4", sent, planned_call_at=NOW + timedelta(days=1))
    colleagues = add_request(app, "5", sent, planned_call_at=NOW + timedelta(hours=2))
    due_unowned = add_request(app, "6", sent)
    due_mine = add_request(app, "7", sent - timedelta(minutes=5), assigned_to_id=me)
    due_others = add_request(app, "8", sent, assigned_to_id=other)
    add_request(app, "9", sent, first_contact_at=NOW)  # reached already
    add_request(app, "0", sent_for(date(2026, 12, 2)))  # due tomorrow
    with app.app_context():
        for request_id in (late, early, missed, tomorrow):
            db.session.get(HelpRequest, request_id).planned_call_by_id = me
        db.session.get(HelpRequest, colleagues).planned_call_by_id = other
        db.session.commit()
        references = {r.id: r.reference for r in db.session.scalars(select(HelpRequest))}
    html = client.get("/staff/calls/today").get_data(as_text=True)
    assert "<h1>Puheluni tänään</h1>" in html
    shown = re.findall(r'href="/staff/requests/(\d+)"', html[html.index('id="calls-today"') :])
    # The planned calls by time (yesterday's missed one first), then the due ones by arrival.
    # The request planned for tomorrow is due today: it is in the second part.
    assert [int(i) for i in shown] == [missed, early, late, due_mine, tomorrow, due_unowned]
    assert html.count("Aika meni jo") == 1
    assert f'href="tel:{PHONE}"' in html and NAME in html and WORDS not in html
    assert references[due_others] not in html and references[colleagues] not in html
    with app.app_context():
        read = db.session.scalars(
            select(AuditEvent.request_id).where(
                AuditEvent.action == "request_listed", AuditEvent.target == "calls_today"
            )
        ).all()
    assert sorted(read) == sorted([missed, early, late, due_mine, tomorrow, due_unowned])


def test_my_calls_today_in_swedish_and_empty(app, calls_clock) -> None:
    client, _ = signed_in(app, "sv")
    html = client.get("/staff/calls/today").get_data(as_text=True)
    assert "<h1>Mina samtal i dag</h1>" in html
    assert "Du har inga planerade samtal i dag." in html
    # The menu links to it.
    assert 'href="/staff/calls/today" aria-current="page"' in html


def test_my_calls_today_for_htmx_is_the_list_alone(app, calls_clock) -> None:
    client, _ = signed_in(app)
    html = client.get("/staff/calls/today", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert html.lstrip().startswith("<section") or 'id="calls-today"' in html
    assert "<html" not in html


def test_my_calls_today_statements_do_not_grow(app, calls_clock) -> None:
    client, me = signed_in(app)
    sent = sent_for(TODAY)

    def add(count: int, key: str) -> None:
        for number in range(count):
            add_request(app, f"{key}{number:03d}", sent, planned_call_at=NOW, planned_call_by_id=me)
            add_request(app, f"{key}due{number:03d}", sent)

    add(2, "p")
    _, small = count_queries(app, lambda: client.get("/staff/calls/today"))
    add(20, "q")
    response, large = count_queries(app, lambda: client.get("/staff/calls/today"))
    assert response.status_code == 200
    assert len(small) == len(large), (small, large)
    # The session (with the menu's numbers), the planned calls, the due ones, one INSERT of the
    # audit events.
    assert len(large) <= 4, large


# --- flask remind ---


def test_remind_sends_each_counsellor_their_planned_calls_once(app_factory) -> None:
    app = app_factory()
    _, email = make_staff(app, "counsellor", "sv")
    with app.app_context():
        me = db.session.scalars(select(StaffUser).where(StaffUser.email == email)).one()
        my_id = me.id
    sent = sent_for(TODAY)
    first = add_request(app, "r", sent, planned_call_at=NOW + timedelta(hours=3))
    second = add_request(app, "s", sent, planned_call_at=NOW + timedelta(hours=1))
    add_request(app, "t", sent, planned_call_at=NOW + timedelta(days=1), planned_call_by_id=my_id)
    with app.app_context():
        for request_id in (first, second):
            found = db.session.get(HelpRequest, request_id)
            found.planned_call_by_id = my_id
            found.planned_call_agreed = request_id == second
        db.session.commit()
        references = [
            db.session.get(HelpRequest, request_id).reference for request_id in (second, first)
        ]
    for _ in range(2):
        result = app.test_cli_runner().invoke(args=["remind", "--today", TODAY.isoformat()])
        assert result.exit_code == 0, result.output
    with app.app_context():
        messages = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "reminder_calls")
        ).all()
    assert len(messages) == 1
    message = messages[0]
    assert message.recipient == email and message.language == "sv"
    assert message.subject == "Dina planerade samtal i dag: 2"
    body = message.body
    # In time order, with the time, the reference and the link; never the family's data.
    first_at = body.index(references[0][:4] + "-" + references[0][4:])
    second_at = body.index(references[1][:4] + "-" + references[1][4:])
    assert first_at < second_at
    assert "1.12.2026 kl. 11.00" in body and "överenskommet med familjen" in body
    assert NAME not in body and WORDS not in body and "401112233" not in body


# --- The reports ---


def test_the_report_counts_the_families_reached_at_the_first_call(app_factory) -> None:
    app = app_factory()
    sent = datetime(2026, 11, 2, 9, tzinfo=UTC)
    for key, attempts in (("u", 1), ("v", 1), ("w", 2), ("x", 4), ("y", None)):
        add_request(app, key, sent, first_contact_attempts=attempts)
    client = app.test_client()
    _, email = make_staff(app, "supervisor", "fi")
    start_session(client, email)
    csv = client.get(
        "/staff/reports.csv?start=2026-11-01&end=2026-11-30&table=first_contact_tries"
    ).get_data(as_text=True)
    assert "Ensimmäisellä puhelulla;2" in csv and "Useamman puhelun jälkeen;2" in csv
    page = client.get("/staff/reports?start=2026-11-01&end=2026-11-30").get_data(as_text=True)
    assert "Puhelimitse tavoitetut perheet: ensimmäisellä puhelulla tai useammalla" in page
