"""The inbox for planning calls: the phone column (a number to call, or the written channel's
mark), the folding panels remembered per user, and the filters panel's count of filters in use."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from pyydaapua.casework import changes
from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import AuditEvent, HelpRequest, StaffUser
from tests.helpers.forms import csrf_token

HX = {"HX-Request": "true"}


def add(app, key: str, **fields) -> int:
    with app.app_context():
        values = {"phone": "+358401234567", **fields}
        stored = submit(
            NewRequest(submission_key=f"{key:x<32}", language="fi", call_language="fi", **values),
            now=datetime.now(UTC) - timedelta(days=1),
        )
        return stored.id


def row_of(html: str, request_id: int) -> str:
    match = re.search(
        rf'<tr[^>]*>\s*<td class="reference-cell"><a href="/staff/requests/{request_id}[?"]'
        r".*?</tr>",
        html,
        re.S,
    )
    assert match, html
    return match.group(0)


def phone_cell(row: str) -> str:
    match = re.search(r'<td class="phone-cell">(.*?)</td>', row, re.S)
    assert match, row
    return match.group(1)


@pytest.mark.parametrize(
    ("language", "written_mark"), [("fi", "Kirjallinen vastaus"), ("sv", "Skriftligt svar")]
)
def test_the_phone_column_has_the_number_to_call_or_the_written_mark(
    app, staff_client, language, written_mark
) -> None:
    call = add(app, "call", phone="+358401234567", sms_ok=True)
    abroad = add(app, "abroad", phone="+46701234567")
    written = add(app, "written", phone="", contact_method="status_page")
    html = staff_client("counsellor", language).get("/staff/").get_data(as_text=True)
    assert '<a href="tel:+358401234567" class="phone">040 123 4567</a>' in phone_cell(
        row_of(html, call)
    )
    assert '<a href="tel:+46701234567" class="phone">+46 70 123 45 67</a>' in phone_cell(
        row_of(html, abroad)
    )
    cell = phone_cell(row_of(html, written))
    assert written_mark in cell and "tel:" not in cell
    assert written_mark not in row_of(html, call)
    # The htmx answer has the same column.
    partial = staff_client("counsellor", language).get("/staff/", headers=HX)
    assert 'href="tel:+358401234567"' in partial.get_data(as_text=True)


def details(html: str, panel: str) -> str:
    """The opening tag of a folding panel."""
    match = re.search(rf'<details [^>]*data-panel="{panel}"[^>]*>', html)
    assert match, html
    return match.group(0)


def is_open(html: str, panel: str) -> bool:
    return bool(re.search(r"\sopen[\s>]", details(html, panel)))


def save(client, panel: str, state: str, headers: dict[str, str] | None = None):
    return client.post(
        "/staff/inbox/panels",
        data={"csrf_token": csrf_token(client), "panel": panel, "open": state},
        headers=headers or {},
    )


def stored_panels(app) -> dict[str, str]:
    with app.app_context():
        return {user.email: user.inbox_panels for user in db.session.scalars(select(StaffUser))}


def with_a_visit(app, client) -> None:
    """A planned home visit of the user signed in with ``client`` (its visits panel shows)."""
    request_id = add(app, "visit")
    with app.app_context():
        user = db.session.scalars(select(StaffUser).order_by(StaffUser.id.desc())).first()
        stored = db.session.get(HelpRequest, request_id)
        changes.book_visit(
            stored,
            user,
            stored.version,
            changes.VisitData(datetime.now(UTC) + timedelta(days=2), 60, "Katu 1", [user]),
        )


def test_the_panels_are_folded_until_opened_and_remembered_per_user(app, staff_client) -> None:
    mine = staff_client("counsellor")
    with_a_visit(app, mine)
    html = mine.get("/staff/").get_data(as_text=True)
    assert not is_open(html, "filters") and not is_open(html, "visits")
    other = staff_client("counsellor")
    assert save(mine, "filters", "1", HX).status_code == 204
    assert save(mine, "visits", "1").status_code == 303  # a plain form goes back to the inbox
    html = mine.get("/staff/").get_data(as_text=True)
    assert is_open(html, "filters") and is_open(html, "visits")
    # Another user's inbox is as they left it.
    assert not is_open(other.get("/staff/").get_data(as_text=True), "filters")
    assert sorted(stored_panels(app).values()) == ["", "filters,visits"]
    # Folding one keeps the other open.
    assert save(mine, "filters", "0", HX).status_code == 204
    html = mine.get("/staff/").get_data(as_text=True)
    assert not is_open(html, "filters") and is_open(html, "visits")
    # The filter form swapped in by a view's link is drawn as the user keeps it.
    swapped = mine.get("/staff/?owner=mine", headers={**HX, "HX-Trigger": "view-mine"})
    assert not is_open(swapped.get_data(as_text=True), "filters")
    assert save(mine, "filters", "1", HX).status_code == 204
    swapped = mine.get("/staff/?owner=mine", headers={**HX, "HX-Trigger": "view-mine"})
    assert is_open(swapped.get_data(as_text=True), "filters")


@pytest.mark.parametrize("panel", ["", "search", "filters,visits", "FILTERS", "x" * 200])
def test_a_name_that_is_no_panel_is_refused(app, staff_client, panel) -> None:
    client = staff_client("counsellor")
    response = save(client, panel, "1", HX)
    assert response.status_code == 400
    assert "Sivulla tapahtui virhe" in response.get_data(as_text=True)  # in the user's language
    assert set(stored_panels(app).values()) == {""}


def test_saving_a_panel_is_not_audited_and_needs_the_token(app, staff_client) -> None:
    """A panel is how the user's own page is laid out: no request is shown or changed."""
    client = staff_client("counsellor")
    response = client.post("/staff/inbox/panels", data={"panel": "filters", "open": "1"})
    assert response.status_code == 400
    assert set(stored_panels(app).values()) == {""}
    with app.app_context():
        before = db.session.scalar(select(db.func.count()).select_from(AuditEvent))
    assert save(client, "filters", "1", HX).status_code == 204
    with app.app_context():
        after = db.session.scalar(select(db.func.count()).select_from(AuditEvent))
    assert after == before


def summary(html: str) -> str:
    match = re.search(r'data-panel="filters"[^>]*>\s*<summary>(.*?)</summary>', html, re.S)
    assert match, html
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_the_folded_filters_say_how_many_are_in_use(app, staff_client) -> None:
    add(app, "one")
    client = staff_client("counsellor")
    assert summary(client.get("/staff/").get_data(as_text=True)) == "Rajaukset"
    assert summary(client.get("/staff/?owner=mine").get_data(as_text=True)) == (
        "Rajaukset (1 käytössä)"
    )
    html = client.get("/staff/?status=all&topic=finances&unreached=1&q=x").get_data(as_text=True)
    assert summary(html) == "Rajaukset (3 käytössä)"  # the search is in view, not counted
    sv = staff_client("counsellor", "sv")
    assert (
        summary(sv.get("/staff/?overdue=1").get_data(as_text=True)) == "Filtreringsval (1 aktivt)"
    )
    assert summary(sv.get("/staff/?overdue=1&language=sv").get_data(as_text=True)) == (
        "Filtreringsval (2 aktiva)"
    )
    # A filter changed with htmx: the count follows out of band, the form stays.
    partial = client.get(
        "/staff/?owner=mine&overdue=1", headers={**HX, "HX-Trigger": "inbox-filters"}
    ).get_data(as_text=True)
    assert '<form id="inbox-filters"' not in partial
    assert re.search(
        r'<span id="filters-in-use" class="panel-note" data-hx-swap-oob="true">'
        r"\(2 käytössä\)</span>",
        partial,
    )
    cleared = client.get("/staff/", headers={**HX, "HX-Trigger": "inbox-filters"})
    assert re.search(
        r'<span id="filters-in-use" class="panel-note" data-hx-swap-oob="true"></span>',
        cleared.get_data(as_text=True),
    )


def test_the_folded_visits_say_how_many_and_how_many_today(app, staff_client) -> None:
    client = staff_client("counsellor")
    with_a_visit(app, client)
    with_a_visit(app, client)
    html = client.get("/staff/").get_data(as_text=True)
    match = re.search(r'data-panel="visits"[^>]*>\s*<summary>(.*?)</summary>', html, re.S)
    assert match, html
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1))).strip()
    assert text == "Tulevat kotikäyntini (2 käyntiä)"
    assert html.count("Katu 1") == 2  # listed inside the panel, folded or not
