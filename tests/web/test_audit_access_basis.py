"""The basis of each access, recorded with the audit event as the view writes it, shown in words
in who has handled, the export and the audit log; and the supervisor's log review."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import AuditEvent, HelpRequest, StaffUser, TimelineEvent
from pyydaapua.rules.references import format_reference
from pyydaapua.rules.workdays import helsinki_date
from tests.helpers.staff import make_staff, start_session


def new_request(key: str, phone: str = "+358401234567") -> tuple[int, str]:
    request = submit(NewRequest(submission_key=key * 32, language="fi", call_language="fi",
                                phone=phone))  # fmt: skip
    return request.id, request.reference


def signed_in(app, role: str, name: str):
    user_id, email = make_staff(app, role, name=name)
    client = app.test_client()
    start_session(client, email)
    return user_id, client


def bases(app, user_id: int, request_id: int) -> list[tuple[str, str | None]]:
    with app.app_context():
        return list(
            db.session.execute(
                select(AuditEvent.action, AuditEvent.basis)
                .where(AuditEvent.user_id == user_id, AuditEvent.request_id == request_id)
                .order_by(AuditEvent.id)
            ).all()
        )


def own(app, request_id: int, user_id: int | None) -> None:
    with app.app_context():
        db.session.get(HelpRequest, request_id).assigned_to_id = user_id
        db.session.commit()


def test_each_read_records_its_basis_from_the_role_and_the_owner(app) -> None:
    with app.app_context():
        request_id, _ = new_request("a")
    anna_id, anna = signed_in(app, "counsellor", "Anna")
    bo_id, bo = signed_in(app, "counsellor", "Bo")
    lead_id, lead = signed_in(app, "supervisor", "Leena")

    anna.get(f"/staff/requests/{request_id}")  # nobody owns it: team duty
    anna.get("/staff/")  # a row of the shared list
    assert bases(app, anna_id, request_id) == [
        ("request_viewed", "team"),
        ("request_listed", "team"),
    ]
    own(app, request_id, anna_id)
    anna.get(f"/staff/requests/{request_id}")
    bo.get(f"/staff/requests/{request_id}")
    lead.get(f"/staff/requests/{request_id}")
    lead.get(f"/staff/requests/{request_id}/export")
    assert bases(app, anna_id, request_id)[-1] == ("request_viewed", "own")
    assert bases(app, bo_id, request_id) == [("request_viewed", "team")]
    assert bases(app, lead_id, request_id) == [
        ("request_viewed", "supervision"),
        ("request_exported", "data_rights"),
    ]


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fi", ["tiimin vuoro", "esihenkilön valvonta"]),
        ("sv", ["teamets tur", "förmannens tillsyn"]),
    ],
)
def test_the_basis_reads_in_words(app, lang, words) -> None:
    with app.app_context():
        request_id, reference = new_request("b")
    _, counsellor = signed_in(app, "counsellor", "Anna")
    counsellor.get(f"/staff/requests/{request_id}")
    _, email = make_staff(app, "supervisor", lang, name="Leena")
    lead = app.test_client()
    start_session(lead, email)
    lead.get(f"/staff/requests/{request_id}")
    shown = lead.get(f"/staff/access-log?reference={format_reference(reference)}")
    html = shown.get_data(as_text=True)
    for word in words:
        assert word in html
    assert 'data-basis="team"' in html and 'data-basis="supervision"' in html
    audit_log = lead.get("/staff/audit").get_data(as_text=True)
    assert words[0] in audit_log
    export = lead.get(f"/staff/requests/{request_id}/export.json").get_json()
    assert {row["basis"] for row in export["access_log"]} >= {"team", "supervision"}
    csv = lead.get(f"/staff/access-log.csv?reference={format_reference(reference)}")
    assert words[0] in csv.get_data(as_text=True)


def test_the_log_review_lists_lookups_on_team_duty_of_requests_not_worked_on(app) -> None:
    with app.app_context():
        looked_up, looked_ref = new_request("c", "+358401111111")
        worked, _ = new_request("d", "+358402222222")
        owned, _ = new_request("e", "+358403333333")
    anna_id, anna = signed_in(app, "counsellor", "Anna")
    own(app, owned, anna_id)
    for request_id in (looked_up, looked_up, worked, owned):
        anna.get(f"/staff/requests/{request_id}")
    anna.get("/staff/")  # rows of the shared list are the duty itself, not looked up
    with app.app_context():
        db.session.add(TimelineEvent(request_id=worked, at=datetime.now(UTC), user_id=anna_id,
                                     kind="note", note="soitin"))  # fmt: skip
        db.session.commit()
    _, lead = signed_in(app, "supervisor", "Leena")
    today = helsinki_date(datetime.now(UTC))  # the review's days are Helsinki's
    period = {"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()}
    page = lead.get("/staff/audit/review", query_string=period)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    row = re.search(rf'<tr data-user="{anna_id}">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", row) == ["2", "1"]  # two look-ups of one request
    detail = lead.get("/staff/audit/review", query_string={**period, "user": anna_id})
    requests = re.findall(r'<tr data-request="(\d+)">', detail.get_data(as_text=True))
    assert requests == [str(looked_up)]
    assert format_reference(looked_ref) in detail.get_data(as_text=True)
    with app.app_context():
        viewed = db.session.scalars(
            select(AuditEvent.target).where(AuditEvent.action == "log_review_viewed")
        ).all()
        assert viewed[-1] == f"user={anna_id} {period['from']}..{period['to']}"
        assert db.session.get(StaffUser, anna_id) is not None


def test_the_log_review_defaults_to_last_month_and_keeps_bad_days(app) -> None:
    _, lead = signed_in(app, "supervisor", "Leena")
    html = lead.get("/staff/audit/review").get_data(as_text=True)
    assert "Lokien läpikäynti" in html
    bad = lead.get("/staff/audit/review?from=31.2.2026")
    assert bad.status_code == 422
    assert 'value="31.2.2026"' in bad.get_data(as_text=True)
