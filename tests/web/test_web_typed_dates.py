"""Days and times are typed one way on every form: 9.12.2026 14.30, whatever the browser's
language. Each form accepts it, refuses 12/9/2026 in the user's language keeping the text, and
shows its fields as text with the format in the hint and a calendar button for the script."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import select

from pyydaapua.casework import changes
from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import Call, HelpRequest, StaffUser
from pyydaapua.rules.typed_dates import day_and_time_text, day_text
from pyydaapua.rules.workdays import HELSINKI
from tests.helpers.forms import csrf_token

HTMX = {"HX-Request": "true"}
DAY_AND_TIME_REFUSED = {
    "fi": "Kirjoita päivämäärä ja kellonaika, esimerkiksi 26.11.2026 14.30.",
    "sv": "Skriv datum och tid, till exempel 26.11.2026 14.30.",
}
HINT = {
    "fi": "Esimerkiksi 9.12.2026 14.30, Suomen aikaa",
    "sv": "Till exempel 9.12.2026 14.30, finsk tid",
}
CALENDAR = {"fi": "Kalenteri", "sv": "Kalender"}


@pytest.fixture
def req_id(app) -> int:
    with app.app_context():
        stored = submit(
            NewRequest(
                submission_key="d" * 32,
                language="fi",
                call_language="fi",
                phone="+358401234567",
                description="Tarvitsemme apua",
            ),
            now=datetime.now(UTC) - timedelta(days=2),
        )
        return stored.id


def version_of(app, request_id: int) -> str:
    with app.app_context():
        return str(db.session.get(HelpRequest, request_id).version)


def helsinki_day_at(days: int, hour: int, minute: int) -> datetime:
    """A Helsinki moment ``days`` from today, aware."""
    day = datetime.now(HELSINKI).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=HELSINKI)


def yesterday_at_half_past_two() -> datetime:
    return helsinki_day_at(-1, 14, 30)


def visit_form(app, client, request_id: int, prefix: str, starts_at: str) -> dict[str, str]:
    with app.app_context():
        staff_id = db.session.scalars(select(StaffUser.id)).first()
    return {
        f"{prefix}-version": version_of(app, request_id),
        "csrf_token": csrf_token(client),
        f"{prefix}-starts_at": starts_at,
        f"{prefix}-duration_minutes": "60",
        f"{prefix}-address": "Kotikatu 1",
        f"{prefix}-staff": str(staff_id),
    }


def call_form(app, client, request_id: int, called_at: str) -> dict[str, str]:
    return {
        "call-version": version_of(app, request_id),
        "csrf_token": csrf_token(client),
        "call-called_at": called_at,
        "call-result": "reached",
        "call-notes": "Soitin <äidille>",
    }


def booked_visit(app, request_id: int) -> int:
    with app.app_context():
        request = db.session.get(HelpRequest, request_id)
        user = db.session.scalars(select(StaffUser)).first()
        starts = datetime.now(UTC) + timedelta(days=5)
        changes.book_visit(
            request, user, request.version, changes.VisitData(starts, 60, "K 1", [user])
        )
        db.session.commit()
        return changes.visits(request_id)[0].id


def post_form(app, client, request_id: int, form: str, text: str, headers=None):
    """Post the call, visit or visit-change form with ``text`` as its day and time; returns the
    response and the field's id."""
    if form == "call":
        data = call_form(app, client, request_id, text)
        return client.post(
            f"/staff/requests/{request_id}/calls", data=data, headers=headers or {}
        ), "call-called_at"
    if form == "visit":
        data = visit_form(app, client, request_id, "visit", text)
        return client.post(
            f"/staff/requests/{request_id}/visits", data=data, headers=headers or {}
        ), "visit-starts_at"
    visit_id = booked_visit(app, request_id)
    prefix = f"visit{visit_id}"
    data = visit_form(app, client, request_id, prefix, text)
    return client.post(
        f"/staff/requests/{request_id}/visits/{visit_id}", data=data, headers=headers or {}
    ), f"{prefix}-starts_at"


def stored_moment(app, request_id: int, form: str) -> datetime:
    with app.app_context():
        if form == "call":
            return db.session.scalars(select(Call.called_at)).one()
        return changes.visits(request_id)[0].starts_at


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_request_page_shows_days_and_times_as_text_in_the_finnish_form(
    app, staff_client, req_id, lang
) -> None:
    client = staff_client("counsellor", lang)
    visit_id = booked_visit(app, req_id)
    html = client.get(f"/staff/requests/{req_id}").get_data(as_text=True)
    assert 'type="datetime-local"' not in html and 'type="date"' not in html
    for field_id in ("call-called_at", "visit-starts_at", f"visit{visit_id}-starts_at"):
        field = re.search(rf'<input [^>]*id="{field_id}"[^>]*>', html)
        assert field is not None, field_id
        tag = field.group(0)
        assert 'type="text"' in tag and 'inputmode="text"' in tag
        assert 'autocomplete="off"' in tag and "data-takes-time" in tag
        assert f'aria-describedby="{field_id}-hint"' in tag
        value = re.search(r'value="([^"]*)"', tag).group(1)
        assert re.fullmatch(r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4} [0-9]{1,2}\.[0-9]{2}", value)
        assert f'<p class="hint" id="{field_id}-hint">{HINT[lang]}</p>' in html
        button = re.search(rf'<button [^>]*data-day-picker="{field_id}"[^>]*>(.*?)</button>', html)
        assert button is not None and " hidden" in button.group(0)  # shown by the script
        assert 'type="button"' in button.group(0)
        assert button.group(1).startswith(CALENDAR[lang])
    with app.app_context():
        shown = changes.visits(req_id)[0].starts_at.astimezone(HELSINKI)
    assert f'id="visit{visit_id}-starts_at" name="visit{visit_id}-starts_at" ' in html
    assert f'value="{day_and_time_text(shown)}"' in html


@pytest.mark.parametrize("form", ["call", "visit", "visit change"])
@pytest.mark.parametrize(
    "typed",
    [
        "{d}.{m}.{y} {H}.{M}",
        "{d:02d}.{m:02d}.{y} {H:02d}:{M:02d}",
        "{d}.{m}.{y} klo {H}.{M}",
        "{y}-{m:02d}-{d:02d}T{H:02d}:{M:02d}",  # the machine form of a browser's date input
    ],
)
def test_each_form_accepts_the_day_and_time_as_typed(
    app, staff_client, req_id, form, typed
) -> None:
    moment = yesterday_at_half_past_two() if form == "call" else helsinki_day_at(2, 14, 30)
    text = typed.format(d=moment.day, m=moment.month, y=moment.year, H=14, M=30)
    client = staff_client()
    response, _ = post_form(app, client, req_id, form, text)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert stored_moment(app, req_id, form) == moment.astimezone(UTC)


@pytest.mark.parametrize("lang", ["fi", "sv"])
@pytest.mark.parametrize("form", ["call", "visit", "visit change"])
@pytest.mark.parametrize("text", ["12/9/2026 14.30", "12/9/2026", "9.12.2026 2:30 PM"])
def test_each_form_refuses_another_format_in_the_users_language_keeping_the_text(
    app, staff_client, req_id, lang, form, text
) -> None:
    client = staff_client("counsellor", lang)
    response, field_id = post_form(app, client, req_id, form, text, HTMX)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>', html)
    assert error is not None and DAY_AND_TIME_REFUSED[lang] in error.group(1)
    assert f'id="{field_id}" name="{field_id}" value="{text}"' in html
    if form == "call":
        assert "Soitin &lt;äidille&gt;</textarea>" in html
    with app.app_context():
        assert db.session.scalars(select(Call)).first() is None


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_audit_log_takes_its_period_as_typed_days(app, staff_client, lang) -> None:
    client = staff_client("supervisor", lang)
    today = datetime.now(HELSINKI).date()
    typed = f"{today.day:02d}.{today.month:02d}.{today.year}"
    response = client.get(f"/staff/audit?from={typed}&to={day_text(today)}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="from" name="from" value="{typed}"' in html  # kept as it was typed
    assert f'id="to" name="to" value="{day_text(today)}"' in html
    assert 'type="date"' not in html
    assert re.search(r'<button [^>]*data-day-picker="from"', html)
    # A link's machine form is shown as people type it.
    html = client.get(f"/staff/audit?from={today.isoformat()}").get_data(as_text=True)
    assert f'id="from" name="from" value="{day_text(today)}"' in html


@pytest.mark.parametrize(
    ("lang", "message"),
    [("fi", "Anna päivämäärä muodossa 26.11.2026."), ("sv", "Ange datumet som 26.11.2026.")],
)
@pytest.mark.parametrize("text", ["12/9/2026", "9.12.26", "2026-12-9"])
def test_the_audit_log_refuses_another_format_keeping_the_text(
    app, staff_client, lang, message, text
) -> None:
    client = staff_client("supervisor", lang)
    response = client.get(f"/staff/audit?from={quote(text)}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'<li><a href="#from">{message}</a></li>' in html
    assert f'id="from" name="from" value="{text}"' in html


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_reports_take_their_period_as_typed_days(app, staff_client, lang) -> None:
    client = staff_client("supervisor", lang)
    response = client.get("/staff/reports?start=01.12.2026&end=9.12.2026")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="start" name="start" value="01.12.2026"' in html
    assert 'id="end" name="end" value="9.12.2026"' in html
    assert re.search(r'<button [^>]*data-day-picker="start"', html)


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fi", "Anna ensimmäinen päivä päivämääränä, esimerkiksi 1.12.2025."),
        ("sv", "Ange den första dagen som ett datum, till exempel 1.12.2025."),
    ],
)
def test_the_reports_refuse_another_format_keeping_the_text(
    app, staff_client, lang, message
) -> None:
    client = staff_client("supervisor", lang)
    response = client.get(f"/staff/reports?start={quote('12/9/2026')}&end=9.12.2026")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'<li><a href="#start">{message}</a></li>' in html
    assert 'id="start" name="start" value="12/9/2026"' in html
