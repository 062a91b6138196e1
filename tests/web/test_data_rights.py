"""The family's data rights: the audit log, who has handled a request (page and CSV), the
export of everything stored about a request; each view audited, supervisors only."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import func, insert, select

from pyydaapua import audit
from pyydaapua.casework import changes
from pyydaapua.casework.views import ACTIONS
from pyydaapua.data_rights import retention
from pyydaapua.data_rights.audit_trail import AUDIT_LABELS
from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import AuditEvent, HelpRequest, Service, StaffUser
from pyydaapua.rules.references import format_reference
from pyydaapua.tools import demo
from pyydaapua.web.labels import ACCESS_BASIS_LABELS, ROLE_LABELS
from tests.helpers.app import count_queries
from tests.helpers.staff import make_staff, sign_in

ROOT = Path(__file__).resolve().parents[2]
# 1 March 2026 23.30 and 2 March 00.30 in Helsinki (UTC+2): two different Helsinki days.
SENT = datetime(2026, 3, 1, 7, 15, tzinfo=UTC)
LATE_EVENING = datetime(2026, 3, 1, 21, 30, tzinfo=UTC)
AFTER_MIDNIGHT = datetime(2026, 3, 1, 22, 30, tzinfo=UTC)


def new_request(key: str, **fields: object) -> HelpRequest:
    """A request sent before every event of these tests (a call cannot precede it)."""
    values = {"language": "fi", "call_language": "fi", "phone": "+358401234567"}
    values.update(fields)
    return submit(NewRequest(submission_key=key * 32, **values), now=SENT)


def add_event(action: str, at: datetime, user_id: int | None, request_id: int | None) -> int:
    event = AuditEvent(
        action=action, at=at, user_id=user_id, request_id=request_id, client_address="10.0.0.9"
    )
    db.session.add(event)
    db.session.commit()
    return event.id


@pytest.fixture
def logged(app) -> dict[str, object]:
    """Two counsellors, two requests and four audit events at known times."""
    anna, _ = make_staff(app, "counsellor", name="Anna")
    bo, _ = make_staff(app, "counsellor", name="Bo")
    with app.app_context():
        first, second = new_request("a"), new_request("b")
        ids = {
            "e1": add_event("request_viewed", LATE_EVENING, anna, first.id),
            "e2": add_event("request_viewed", AFTER_MIDNIGHT, bo, second.id),
            "e3": add_event("request_call", datetime(2026, 3, 5, 10, tzinfo=UTC), anna, first.id),
            "e4": add_event("sign_in", datetime(2026, 3, 6, 8, tzinfo=UTC), bo, None),
        }
        return {
            **ids,
            "anna": anna,
            "bo": bo,
            "first": first.id,
            "reference": first.reference,
            "second": second.id,
        }


@pytest.fixture
def supervisor(staff_client):
    return staff_client("supervisor")


def event_ids(html: str) -> list[int]:
    return [int(value) for value in re.findall(r'data-event-id="(\d+)"', html)]


def mine(html: str, logged: dict) -> list[int]:
    """The fixture's events shown on the page, in the page's order."""
    ours = {logged[key] for key in ("e1", "e2", "e3", "e4")}
    return [event_id for event_id in event_ids(html) if event_id in ours]


def last_event(app) -> AuditEvent:
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        db.session.expunge(event)
        return event


def event_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent))


# The audit log


def test_audit_log_lists_every_event_newest_first(app, supervisor, logged) -> None:
    response = supervisor.get("/staff/audit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert mine(html, logged) == [logged["e4"], logged["e3"], logged["e2"], logged["e1"]]
    row = re.search(rf'data-event-id="{logged["e1"]}".*?</tr>', html, re.S).group(0)
    assert "Anna" in row and "10.0.0.9" in row and 'datetime="2026-03-01T21:30:00+00:00"' in row
    assert f'href="/staff/requests/{logged["first"]}"' in row
    assert format_reference(logged["reference"]) in row
    assert f"<td>{expected_texts(app, 'fi')['viewed']}</td>" in row


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("user={anna}", ["e3", "e1"]),
        ("request={reference_lower}", ["e3", "e1"]),
        ("request={reference_shown}", ["e3", "e1"]),
        ("action=request_viewed", ["e2", "e1"]),
        ("from=2026-03-02&to=2026-03-02", ["e2"]),
        ("from=2026-03-01&to=2026-03-01", ["e1"]),
        ("from=1.3.2026&to=1.3.2026", ["e1"]),
        ("from=2026-03-02", ["e4", "e3", "e2"]),
        ("to=2026-03-01", ["e1"]),
        ("user={bo}&action=sign_in", ["e4"]),
    ],
)
def test_each_filter_narrows_the_log(supervisor, logged, query, expected) -> None:
    reference = logged["reference"]
    url = "/staff/audit?" + query.format(
        anna=logged["anna"],
        bo=logged["bo"],
        reference_lower=reference.lower(),
        reference_shown=format_reference(reference),
    )
    response = supervisor.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert mine(html, logged) == [logged[key] for key in expected]
    if not re.search(r"\b(to|action|request)=", query):
        return  # the supervisor's own sign-in and views are in the other filters' results
    # Events outside the filter (such as this very view) are not shown either.
    assert len(event_ids(html)) == len(expected)


ALL = ("e1", "e2", "e3", "e4")


@pytest.mark.parametrize(
    ("query", "field", "typed", "shown"),
    [
        ("request=XYZ", "request", 'value="XYZ"', ALL),
        # The period's end is left out; its start still applies.
        ("from=5.3.2026&to=1.3.2026", "to", 'value="1.3.2026"', ("e3", "e4")),
        ("from=31.2.2026", "from", 'value="31.2.2026"', ALL),
        ("user=999999", "user", None, ALL),
        ("action=no_such_action", "action", None, ALL),
    ],
)
def test_bad_filters_are_explained_and_kept(supervisor, logged, query, field, typed, shown) -> None:
    response = supervisor.get("/staff/audit?" + query)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="error-summary"' in html and f'href="#{field}"' in html
    assert "<title>Virhe:" in html
    if typed:
        assert typed in html
    # The bad filter is left out: the events are still listed.
    assert set(mine(html, logged)) == {logged[key] for key in shown}


def test_action_choices_are_the_labels_and_any_recorded_code(app, supervisor, logged) -> None:
    with app.app_context():
        add_event("legacy_action", LATE_EVENING, None, None)
    html = supervisor.get("/staff/audit").get_data(as_text=True)
    select_html = re.search(r'<select[^>]*id="action".*?</select>', html, re.S).group(0)
    values = re.findall(r'<option value="([^"]*)"', select_html)
    assert values == ["", *AUDIT_LABELS, "legacy_action"]
    user_select = re.search(r'<select[^>]*id="user".*?</select>', html, re.S).group(0)
    assert f'value="{logged["anna"]}"' in user_select and ">Anna<" in user_select


def test_every_recorded_action_has_a_label() -> None:
    source = "\n".join(path.read_text() for path in (ROOT / "pyydaapua").rglob("*.py"))
    calls = re.findall(r'audit\.record\(\s*("\w+"(?:\s+if\s+\w+\s+else\s+"\w+")?),', source)
    codes = {code for call in calls for code in re.findall(r'"(\w+)"', call)}
    codes |= {"request_" + name for name in ACTIONS}
    # The reads of many requests at once (audit.record_reads).
    codes |= {audit.REQUEST_LISTED, audit.SEARCH_NO_RESULTS}
    codes |= {audit.search_action(kind) for kind in audit.SEARCH_KINDS}
    assert {"sign_in", "audit_log_viewed", "retention_run", "retention_dry_run"} <= codes
    assert codes - set(AUDIT_LABELS) == set()


def test_audit_log_pages_in_sql(app, supervisor) -> None:
    start = datetime(2026, 2, 1, tzinfo=UTC)
    with app.app_context():
        db.session.execute(
            insert(AuditEvent),
            [
                {"action": "sign_in_failed", "at": start + timedelta(minutes=n), "target": ""}
                for n in range(120)
            ],
        )
        db.session.commit()
    first = supervisor.get("/staff/audit?action=sign_in_failed").get_data(as_text=True)
    second = supervisor.get("/staff/audit?action=sign_in_failed&page=2").get_data(as_text=True)
    third = supervisor.get("/staff/audit?action=sign_in_failed&page=3").get_data(as_text=True)
    beyond = supervisor.get("/staff/audit?action=sign_in_failed&page=99").get_data(as_text=True)
    assert [len(event_ids(page)) for page in (first, second, third)] == [50, 50, 20]
    assert not set(event_ids(first)) & set(event_ids(second))
    assert event_ids(beyond) == event_ids(third)
    assert 'href="/staff/audit?action=sign_in_failed&amp;page=2" rel="next"' in first
    assert 'href="/staff/audit?action=sign_in_failed" rel="prev"' in second
    assert "120" in first


@pytest.mark.parametrize(
    ("lang", "member", "service"), [("fi", "Työntekijä", "Palvelu"), ("sv", "Anställd", "Tjänst")]
)
def test_audit_log_names_staff_members_and_services(
    app, staff_client, logged, lang, member, service
) -> None:
    with app.app_context():
        place = Service(name_fi="Perheneuvola", name_sv="Familjerådgivningen", provider_type="city")
        db.session.add(place)
        db.session.commit()
        for target in (f"user:{logged['bo']}", f"service:{place.id}", "user=999999"):
            event = AuditEvent(
                action="user_changed", at=LATE_EVENING, user_id=logged["anna"], target=target
            )
            db.session.add(event)
        db.session.commit()
    html = staff_client("supervisor", language=lang).get("/staff/audit").get_data(as_text=True)
    cells = [
        re.sub(r"\s+", " ", cell).strip()
        for cell in re.findall(r'<td class="target-cell">(.*?)</td>', html, re.S)
    ]
    named = "Familjerådgivningen" if lang == "sv" else "Perheneuvola"
    assert f"{member}: Bo" in cells
    assert f"{service}: {named}" in cells
    assert f"{member}: 999999" in cells  # an account that does not exist keeps its number
    assert not any(re.search(r"\b(user|service)[:=]", cell) for cell in cells), cells


def test_audit_log_query_count_does_not_grow(app, supervisor, logged) -> None:
    supervisor.get("/staff/audit")
    _, few = count_queries(app, lambda: supervisor.get("/staff/audit"))
    with app.app_context():
        db.session.execute(
            insert(AuditEvent),
            [
                {
                    "action": "request_viewed",
                    "at": LATE_EVENING + timedelta(seconds=n),
                    "user_id": logged["anna"] if n % 2 else logged["bo"],
                    "request_id": logged["first"] if n % 3 else logged["second"],
                    "target": "",
                }
                for n in range(300)
            ],
        )
        db.session.commit()
    response, many = count_queries(app, lambda: supervisor.get("/staff/audit"))
    assert len(event_ids(response.get_data(as_text=True))) == 50
    assert len(few) == len(many), (few, many)
    assert len(many) <= 10


def test_viewing_the_audit_log_is_audited(app, supervisor, logged) -> None:
    supervisor.get(f"/staff/audit?action=sign_in&user={logged['bo']}")
    event = last_event(app)
    assert event.action == "audit_log_viewed"
    assert event.target == f"user={logged['bo']} action=sign_in"
    with app.app_context():
        assert db.session.get(StaffUser, event.user_id).role == "supervisor"


def test_menu_links_for_supervisors_only(app, supervisor, staff_client) -> None:
    html = supervisor.get("/staff/audit").get_data(as_text=True)
    assert '<a href="/staff/audit" aria-current="page">' in html
    assert '<a href="/staff/access-log">' in html
    access = supervisor.get("/staff/access-log").get_data(as_text=True)
    assert '<a href="/staff/access-log" aria-current="page">' in access
    counsellor = staff_client("counsellor").get("/staff/").get_data(as_text=True)
    assert "/staff/audit" not in counsellor and "/staff/access-log" not in counsellor


# Who has handled a request


def test_access_log_form_alone_is_not_audited(app, supervisor) -> None:
    before = event_count(app)
    response = supervisor.get("/staff/access-log")
    assert response.status_code == 200
    assert 'id="reference"' in response.get_data(as_text=True)
    assert event_count(app) == before


def test_access_log_lists_the_requests_handling_oldest_first(app, supervisor, logged) -> None:
    response = supervisor.get(f"/staff/access-log?reference={logged['reference'].lower()}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    table = re.search(r'<table class="data-table" id="access-events">.*?</table>', html, re.S)
    actions = re.findall(r'data-action="(\w+)"', table.group(0))
    assert actions == ["request_viewed", "request_call", "access_log_viewed"]
    assert table.group(0).count("Anna") == 2 and "Bo" not in table.group(0)
    assert f'data-reference="{logged["reference"]}"' in html
    assert f"/staff/access-log.csv?reference={format_reference(logged['reference'])}" in html
    assert f'/staff/requests/{logged["first"]}/export"' in html
    assert f'/staff/requests/{logged["first"]}/export.json"' in html
    event = last_event(app)
    assert (event.action, event.request_id) == ("access_log_viewed", logged["first"])


def test_access_log_unknown_reference(app, supervisor, logged) -> None:
    unknown = "ACDE-FHJK" if logged["reference"] != "ACDEFHJK" else "KJHF-EDCA"
    response = supervisor.get(f"/staff/access-log?reference={unknown}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # The reference is in the search field anyway: look for it in the notice.
    notice = f"Pyynnön tunnuksella {unknown} ei löydy pyyntöä. Tarkista tunnus perheeltä."
    assert f"<p>{notice}</p>" in html
    assert 'id="not-found"' in html and 'id="access-events"' not in html
    event = last_event(app)
    assert (event.action, event.request_id, event.target) == (
        "access_log_viewed",
        None,
        "not_found",
    )
    assert supervisor.get(f"/staff/access-log.csv?reference={unknown}").status_code == 404


def test_access_log_malformed_reference(supervisor, logged) -> None:
    response = supervisor.get("/staff/access-log?reference=not-a-code")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="error-summary"' in html and 'value="not-a-code"' in html
    empty = supervisor.get("/staff/access-log?reference=")
    assert empty.status_code == 422
    assert supervisor.get("/staff/access-log.csv?reference=not-a-code").status_code == 404
    assert supervisor.get("/staff/access-log.csv").status_code == 404


def expected_texts(app, lang: str) -> dict[str, object]:
    with app.test_request_context(), force_locale(lang):
        from flask_babel import gettext

        return {
            "headers": [
                gettext("Time"),
                gettext("Staff member"),
                gettext("Role"),
                gettext("Action"),
                gettext("Basis"),
            ],
            "viewed": str(AUDIT_LABELS["request_viewed"]),
            "call": str(AUDIT_LABELS["request_call"]),
            "counsellor": str(ROLE_LABELS["counsellor"]),
            "supervisor": str(ROLE_LABELS["supervisor"]),
            "exported": str(AUDIT_LABELS["access_log_viewed"]),
            "supervision": str(ACCESS_BASIS_LABELS["supervision"]),
        }


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_access_log_csv_opens_in_excel(app, staff_client, logged, lang) -> None:
    client = staff_client("supervisor", language=lang)
    shown = format_reference(logged["reference"])
    response = client.get(f"/staff/access-log.csv?reference={shown.lower()}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    named = {"fi": "kuka-on-k%C3%A4sitellyt", "sv": "vem-har-hanterat"}[lang]
    assert f"{named}_{shown}.csv" in response.headers["Content-Disposition"]
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.endswith(b"\r\n") and data.count(b"\n") == data.count(b"\r\n")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    expected = expected_texts(app, lang)
    assert rows[0] == expected["headers"]
    # Times in Helsinki as d.M.yyyy H.mm; names, roles and actions in the reader's language.
    # Events written before the basis was kept have none; the download's own is supervision.
    assert rows[1] == ["1.3.2026 23.30", "Anna", expected["counsellor"], expected["viewed"], ""]
    assert rows[2] == ["5.3.2026 12.00", "Anna", expected["counsellor"], expected["call"], ""]
    assert re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4} \d{1,2}\.\d{2}", rows[3][0])
    assert rows[3][1:] == [
        "Test supervisor",
        expected["supervisor"],
        expected["exported"],
        expected["supervision"],
    ]
    assert len(rows) == 4  # the CSV download itself is the last line
    event = last_event(app)
    assert (event.action, event.request_id, event.target) == (
        "access_log_viewed",
        logged["first"],
        "csv",
    )


def test_csv_follows_the_staff_members_language(app, logged) -> None:
    assert expected_texts(app, "fi")["viewed"] != expected_texts(app, "sv")["viewed"]
    assert expected_texts(app, "fi")["counsellor"] != expected_texts(app, "sv")["counsellor"]


# Everything stored about a request


@pytest.fixture
def worked(app, logged) -> dict[str, object]:
    """The first request worked through: call, home visit, referral, note, closing."""
    with app.app_context():
        demo.load_services()
        service = db.session.scalars(select(Service).order_by(Service.id)).first()
        anna = db.session.get(StaffUser, logged["anna"])
        req = db.session.get(HelpRequest, logged["first"])
        req.description, req.name, req.email = "Tarvitsemme apua", "Maija", "maija@example.fi"
        req.child_ages = "0-2,6-12"
        db.session.commit()
        changes.assign(req, anna, req.version, anna)
        changes.record_call(
            req,
            anna,
            req.version,
            changes.CallData(
                called_at=datetime(2026, 3, 2, 8, tzinfo=UTC),
                result="reached",
                duration_minutes=15,
                notes="Puhuttiin arjesta",
                coping="some_worries",
                coping_note="väsynyt",
            ),
        )
        changes.book_visit(
            req,
            anna,
            req.version,
            changes.VisitData(datetime(2026, 3, 9, 10, tzinfo=UTC), 60, "Kotikatu 1", [anna]),
        )
        visit_id = changes.visits(req.id)[0].id
        changes.set_visit_status(req, anna, req.version, visit_id, "done", "Hyvä käynti")
        changes.refer(req, anna, req.version, service, "sent", "Soita maanantaina")
        changes.add_note(req, anna, req.version, "Sisäinen huomio")
        changes.change_status(
            req, anna, req.version, "closed", "referred_city", "Valmis", open_work_seen=True
        )
        return {
            "service_fi": service.name_fi,
            "service_sv": service.name_sv,
            "provider_type": service.provider_type,
        }


def test_export_json_has_everything(app, supervisor, logged, worked) -> None:
    response = supervisor.get(f"/staff/requests/{logged['first']}/export.json")
    assert response.status_code == 200
    shown = format_reference(logged["reference"])
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="request-{shown}.json"'
    data = json.loads(response.get_data(as_text=True))
    assert data["reference"] == shown
    req = data["request"]
    assert req["description"] == "Tarvitsemme apua" and req["name"] == "Maija"
    assert req["phone"] == "+358401234567" and req["email"] == "maija@example.fi"
    assert req["child_ages"] == ["0-2", "6-12"] and req["topics"] == []
    assert (req["status"], req["outcome"], req["owner"]) == ("closed", "referred_city", "Anna")
    assert req["personal_data_removed_at"] is None
    assert [event["kind"] for event in data["timeline"]] == [
        "taken",
        "call",
        "visit_booked",
        "visit_done",
        "referral",
        "note",
        "closed",
    ]
    assert {event["by"] for event in data["timeline"]} == {"Anna"}
    assert data["timeline"][-1]["value"] == "referred_city"
    assert data["timeline"][-1]["note"] == "Valmis"
    (call,) = data["calls"]
    assert call["called_at"] == "2026-03-02T08:00:00+00:00"
    assert (call["result"], call["duration_minutes"], call["notes"]) == (
        "reached",
        15,
        "Puhuttiin arjesta",
    )
    assert call["check_in"]["coping"] == {"answer": "some_worries", "note": "väsynyt"}
    assert call["check_in"]["finances"] == {"answer": None, "note": ""}
    (visit,) = data["home_visits"]
    assert (visit["address"], visit["status"], visit["status_note"], visit["staff"]) == (
        "Kotikatu 1",
        "done",
        "Hyvä käynti",
        ["Anna"],
    )
    (referral,) = data["referrals"]
    assert referral["service"]["name_fi"] == worked["service_fi"]
    assert referral["service"]["name_sv"] == worked["service_sv"]
    assert referral["service"]["provider_type"] == worked["provider_type"]
    assert (referral["status"], referral["note"]) == ("sent", "Soita maanantaina")
    assert [row["action"] for row in data["access_log"]][:2] == ["request_viewed", "request_call"]
    for moment in [req["submitted_at"], *(e["at"] for e in data["timeline"])]:
        assert datetime.fromisoformat(moment).tzinfo is not None
    event = last_event(app)
    assert (event.action, event.request_id, event.target) == (
        "request_exported",
        logged["first"],
        "json",
    )


def test_export_page_shows_everything_with_labels(app, supervisor, logged, worked) -> None:
    response = supervisor.get(f"/staff/requests/{logged['first']}/export")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in (
        "Tarvitsemme apua",
        "Maija",
        "maija@example.fi",
        "Puhuttiin arjesta",
        "väsynyt",
        "Kotikatu 1",
        "Hyvä käynti",
        "Soita maanantaina",
        "Sisäinen huomio",
        worked["service_fi"],
    ):
        assert text in html, text
    for section in ("export-calls", "export-visits", "export-referrals", "timeline"):
        assert f'id="{section}"' in html
    assert 'id="access-events"' in html and 'data-action="request_viewed"' in html
    assert f'/staff/requests/{logged["first"]}/export.json"' in html
    event = last_event(app)
    assert (event.action, event.request_id, event.target) == (
        "request_exported",
        logged["first"],
        "page",
    )
    sv = app.test_client()
    _, email = make_staff(app, "supervisor", "sv")
    sign_in(sv, email)
    sv_html = sv.get(f"/staff/requests/{logged['first']}/export").get_data(as_text=True)
    assert '<html lang="sv">' in sv_html and worked["service_sv"] in sv_html


def test_export_query_count_does_not_grow(app, supervisor, logged, worked) -> None:
    url = f"/staff/requests/{logged['first']}/export"
    supervisor.get(url)
    _, few = count_queries(app, lambda: supervisor.get(url))
    with app.app_context():
        req = db.session.get(HelpRequest, logged["first"])
        anna = db.session.get(StaffUser, logged["anna"])
        service = db.session.scalars(select(Service).order_by(Service.id.desc())).first()
        changes.reopen(req, anna, req.version, "reopened for the test")
        for number in range(5):
            at = datetime(2026, 4, 1 + number, 9, tzinfo=UTC)
            changes.record_call(req, anna, req.version, changes.CallData(at, "no_answer"))
            visit = changes.VisitData(at, 30, f"Katu {number}", [anna])
            changes.book_visit(req, anna, req.version, visit)
            changes.refer(req, anna, req.version, service, "suggested")
            changes.add_note(req, anna, req.version, f"note {number}")
    response, many = count_queries(app, lambda: supervisor.get(url))
    assert response.get_data(as_text=True).count('class="record"') == 3 + 15
    assert len(few) == len(many) and len(many) <= 14, (few, many)


def test_export_of_a_missing_request_is_not_found(supervisor) -> None:
    assert supervisor.get("/staff/requests/999999/export").status_code == 404
    assert supervisor.get("/staff/requests/999999/export.json").status_code == 404


def test_request_page_links_for_supervisors_only(supervisor, staff_client, logged) -> None:
    html = supervisor.get(f"/staff/requests/{logged['first']}").get_data(as_text=True)
    assert 'id="data-rights"' in html
    assert f'/staff/requests/{logged["first"]}/export"' in html
    assert f'/staff/requests/{logged["first"]}/export.json"' in html
    counsellor = staff_client("counsellor").get(f"/staff/requests/{logged['first']}")
    text = counsellor.get_data(as_text=True)
    assert 'id="data-rights"' not in text and "/export" not in text


# After retention


def test_cleared_request_shows_a_notice_and_keeps_working(app, supervisor, logged, worked):
    with app.app_context():
        req = db.session.get(HelpRequest, logged["first"])
        req.closed_at = datetime.now(UTC) - timedelta(days=800)
        db.session.commit()
        assert retention.run(12, apply=True).count == 1
    page = supervisor.get(f"/staff/requests/{logged['first']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="personal-data-removed"' in html and 'href="tel:' not in html
    assert "Tarvitsemme apua" not in html and "Puhuttiin arjesta" not in html
    data = supervisor.get(f"/staff/requests/{logged['first']}/export.json").get_json()
    assert data["request"]["phone"] == "" and data["request"]["personal_data_removed_at"]
    assert data["calls"][0]["notes"] == "" and data["home_visits"][0]["address"] == ""
    assert data["request"]["outcome"] == "referred_city"
    export = supervisor.get(f"/staff/requests/{logged['first']}/export").get_data(as_text=True)
    assert 'id="personal-data-removed"' in export
    # The inbox search copes with cleared rows: phone numbers, words and references.
    for query in ("040 123 4567", "apua", "Maija", logged["reference"]):
        response = supervisor.get("/staff/", query_string={"status": "all", "q": query})
        assert response.status_code == 200
    found = supervisor.get("/staff/", query_string={"status": "all", "q": logged["reference"]})
    assert re.search(f'/staff/requests/{logged["first"]}[?"]', found.get_data(as_text=True))
    # A cleared request can be reopened; the notice stays.
    with app.app_context():
        req = db.session.get(HelpRequest, logged["first"])
        anna = db.session.get(StaffUser, logged["anna"])
        changes.reopen(req, anna, req.version, "reopened for the test")
    reopened = supervisor.get(f"/staff/requests/{logged['first']}").get_data(as_text=True)
    assert 'id="personal-data-removed"' in reopened


@pytest.mark.parametrize("lang", ["fi", "sv"])
@pytest.mark.parametrize(
    "target",
    [
        "first_contact 2026-01-01..2026-12-31",
        "2026-01-01..2026-03-31",
        "visits",
        "inbox",
        "same_phone",
        "note 409",
        "csv",
        "action=request_call from=2026-01-01",
        "reference ACDEFHJK",
    ],
)
def test_an_audit_target_reads_in_words(app, lang, target) -> None:
    from flask_babel import force_locale

    from pyydaapua.data_rights.audit_trail import audit_target

    with app.test_request_context(), force_locale(lang):
        shown = audit_target(target)
    for code in ("first_contact", "visits", "inbox", "same_phone", "note", "request_call", ".."):
        assert code not in shown, shown
    assert "ACDEFHJK" in shown or "ACDEFHJK" not in target  # a reference code stays
    if "2026-01-01.." in target:
        assert "1.1.2026–" in shown
