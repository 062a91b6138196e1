"""Every filter and search, with odd values in the URL, by a signed-in user of the role that
uses it: never a 5xx. Ids in the path are fuzzed too."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyydaapua.data_rights.audit_trail import AUDIT_LABELS
from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.rules.codes import LANGUAGES, TOPICS
from pyydaapua.rules.references import format_reference
from tests.property import strategies
from tests.property.tally import send

INBOX = {
    "status": strategies.choice(("open", "new", "in_progress", "waiting", "closed", "all")),
    "owner": strategies.choice(("all", "mine", "unassigned")),
    "topic": strategies.choice(TOPICS),
    "language": strategies.choice(LANGUAGES),
    "overdue": strategies.choice(("1", "on", "")),
    "q": st.one_of(
        strategies.text, st.sampled_from(["%", "_", "040", "+358401234567", "ABCD-EFGH"])
    ),
    "page": strategies.number,
}


@pytest.fixture
def stored(app) -> dict[str, str]:
    with app.app_context():
        request = submit(
            NewRequest(
                submission_key="q" * 32,
                language="fi",
                call_language="fi",
                phone="+358401234567",
                description="Perheen arki on raskasta",
                name="Aino",
                topics=[TOPICS[0]],
            )
        )
        db.session.commit()
        return {"id": str(request.id), "reference": format_reference(request.reference)}


@pytest.fixture
def counsellor(staff_client):
    return staff_client("counsellor")


@pytest.fixture
def supervisor(staff_client):
    return staff_client("supervisor")


@given(items=strategies.fields(INBOX), headers=strategies.htmx)
def test_inbox(counsellor, stored, items, headers) -> None:
    send("filter: inbox", counsellor, "GET", "/staff/", query_string=items, headers=headers)


@given(items=strategies.fields({"since": strategies.number, **INBOX}))
def test_inbox_poll(counsellor, stored, items) -> None:
    send("filter: inbox poll (since)", counsellor, "GET", "/staff/inbox/new", query_string=items)


@given(items=strategies.fields({"q": strategies.text}))
def test_service_search(counsellor, items) -> None:
    url = "/staff/services/options"
    send("filter: service search", counsellor, "GET", url, query_string=items)


TABLES = (
    "summary",
    "months",
    "topics",
    "first_contact",
    "workdays",
    "backlog",
    "outcomes",
    "visits",
)


@given(
    items=strategies.fields({"start": strategies.day, "end": strategies.day}),
    table=strategies.choice(TABLES),
)
def test_reporting_pages(supervisor, stored, items, table) -> None:
    send("filter: report period", supervisor, "GET", "/staff/reports", query_string=items)
    url = "/staff/reports.csv"
    query = [("table", table), *items]
    send("filter: report CSV", supervisor, "GET", url, query_string=query)


@given(data=st.data())
def test_audit_log(supervisor, stored, data) -> None:
    spec = {
        "user": st.one_of(strategies.number, st.just("")),
        "request": st.one_of(st.just(stored["reference"]), strategies.text),
        "action": strategies.choice(("", *AUDIT_LABELS)),
        "from": strategies.day,
        "to": strategies.day,
        "page": strategies.number,
    }
    today = date.today()
    calm = {
        "user": st.just(""),
        "request": st.sampled_from(["", stored["reference"]]),
        "action": st.sampled_from(["", *AUDIT_LABELS]),
        "from": st.sampled_from(["", f"1.1.{today.year}"]),
        "to": st.sampled_from(["", f"{today.day}.{today.month}.{today.year}"]),
        "page": st.sampled_from(["", "1"]),
    }
    items = data.draw(strategies.fields(spec, calm))
    send("filter: audit log", supervisor, "GET", "/staff/audit", query_string=items)


@given(data=st.data())
def test_access_log(supervisor, stored, data) -> None:
    spec = {"reference": st.one_of(st.sampled_from(["ABCD-EFGH", "abcdefgh"]), strategies.text)}
    calm = {"reference": st.sampled_from([stored["reference"], stored["reference"].lower()])}
    items = data.draw(strategies.fields(spec, calm))
    send("filter: who has handled", supervisor, "GET", "/staff/access-log", query_string=items)
    url = "/staff/access-log.csv"
    send("filter: who has handled (CSV)", supervisor, "GET", url, query_string=items)


ID_PAGES = (
    "/staff/requests/{}",
    "/staff/requests/{}/export",
    "/staff/requests/{}/export.json",
)


@given(data=st.data(), page=st.sampled_from(ID_PAGES))
def test_ids_in_the_path(supervisor, stored, data, page) -> None:
    # One in three the id of the stored request: that one is found.
    number = data.draw(st.one_of(st.just(stored["id"]), strategies.number, strategies.text))
    url = page.format(quote(number, safe="") or "0")
    send("path: request ids", supervisor, "GET", url)
