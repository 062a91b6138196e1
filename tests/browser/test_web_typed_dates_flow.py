"""Days and times in a browser whose language is English: the fields stay day.month.year
text (never the browser's mm/dd/yyyy), are typed by keyboard, and the calendar button writes
the chosen day back as day.month.year keeping the time. Fi and sv, axe-clean."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import HomeVisit
from pyydaapua.rules.typed_dates import day_text
from pyydaapua.rules.workdays import HELSINKI
from tests.helpers.browser import assert_no_axe_violations, sign_in_by_keyboard, tab_to
from tests.helpers.staff import make_staff

DAY_AND_TIME = re.compile(r"^[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4} [0-9]{1,2}\.[0-9]{2}$")
CALENDAR = {"fi": "Kalenteri", "sv": "Kalender"}
REFUSED = {
    "fi": "Kirjoita päivämäärä ja kellonaika, esimerkiksi 26.11.2026 14.30.",
    "sv": "Skriv datum och tid, till exempel 26.11.2026 14.30.",
}
HINT = {
    "fi": "Esimerkiksi 9.12.2026 14.30, Suomen aikaa",
    "sv": "Till exempel 9.12.2026 14.30, finsk tid",
}


def new_request(live_server: Any) -> int:
    with live_server.app.app_context():
        stored = submit(
            NewRequest(
                submission_key=uuid.uuid4().hex,
                language="fi",
                call_language="fi",
                phone="+358401234567",
                description="Tarvitsemme apua",
            ),
            now=datetime.now(UTC) - timedelta(days=1),
        )
        return stored.id


def pick(page: Any, field_id: str, iso_day: str) -> None:
    """The calendar button is pressed, and a day chosen in the browser's own picker: headless
    Chromium shows no picker to click in, so the invisible date input the button opened gets
    the day and a change event, as the picker would give it."""
    button = page.locator(f'[data-day-picker="{field_id}"]')
    button.press("Enter")
    page.keyboard.press("Escape")
    picker = button.locator("xpath=preceding-sibling::input[@type='date']")
    expect(picker).to_have_count(1)
    picker.evaluate(
        "(input, day) => { input.value = day;"
        " input.dispatchEvent(new Event('change', { bubbles: true })); }",
        iso_day,
    )


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_days_are_typed_as_in_finland_in_an_english_browser(
    context_factory: Any, live_server: Any, lang: str
) -> None:
    request_id = new_request(live_server)
    _, email = make_staff(live_server.app, "counsellor", lang)
    page = context_factory(locale="en-US", timezone_id="Europe/Helsinki").new_page()
    sign_in_by_keyboard(page, live_server, email, lang)
    page.wait_for_url(f"{live_server.url}/staff/")
    page.goto(f"{live_server.url}/staff/requests/{request_id}")
    assert page.evaluate("navigator.language") == "en-US"

    # The call's time: text in the Finnish form, now, with the format in the user's language.
    called_at = page.locator("#call-called_at")
    assert called_at.get_attribute("type") == "text"
    assert DAY_AND_TIME.match(called_at.input_value()), called_at.input_value()
    expect(page.locator("#call-called_at-hint")).to_have_text(HINT[lang])
    call_button = page.locator('[data-day-picker="call-called_at"]')
    expect(call_button).to_be_visible()  # shown by the script
    expect(call_button).to_contain_text(CALENDAR[lang])

    # A visit typed by keyboard: the day and time, then Tab reaches the calendar button.
    page.locator("details.action", has=page.locator("#form-visit")).locator("summary").click()
    starts_at = page.locator("#visit-starts_at")
    assert starts_at.get_attribute("type") == "text"
    assert DAY_AND_TIME.match(starts_at.input_value()), starts_at.input_value()
    day = datetime.now(HELSINKI).date() + timedelta(days=3)
    tab_to(page, "#visit-starts_at")
    page.keyboard.press("Control+A")
    page.keyboard.type(f"{day_text(day)} 9.5")  # "9.5": 9.05 or 9.50? Corrected below.
    page.keyboard.press("Backspace")
    page.keyboard.type("45")
    expect(starts_at).to_have_value(f"{day_text(day)} 9.45")
    page.keyboard.press("Tab")
    visit_button = page.locator('[data-day-picker="visit-starts_at"]')
    expect(visit_button).to_be_focused()
    box = visit_button.bounding_box()
    assert box is not None and box["width"] >= 24 and box["height"] >= 24

    # The picker's day is written back as day.month.year; the typed time stays.
    later = day + timedelta(days=1)
    pick(page, "visit-starts_at", later.isoformat())
    expect(starts_at).to_have_value(f"{day_text(later)} 9.45")
    expect(starts_at).to_be_focused()
    assert_no_axe_violations(page)

    page.locator("#visit-address").fill("Kotikatu 5")
    page.locator("#visit-staff-0").check()
    page.locator("#form-visit button[type=submit]").click()
    page.locator("#visits .record").wait_for()
    with live_server.app.app_context():
        starts = db.session.scalars(
            select(HomeVisit.starts_at).where(HomeVisit.request_id == request_id)
        ).one()
    assert starts == datetime.combine(later, time(9, 45), tzinfo=HELSINKI).astimezone(UTC)

    # The call's time in the browser's own format is refused in the user's language, kept.
    # (Filled, not typed: the visit's answer moves the focus to its notice a moment later.)
    page.locator("#call-called_at").fill("12/9/2026 2:30 PM")
    expect(page.locator("#call-called_at")).to_have_value("12/9/2026 2:30 PM")
    page.locator("#call-result-0").check()
    page.locator("#form-call button[type=submit]").click()
    page.locator("#call-errors").wait_for()
    expect(page.locator("#call-called_at-error")).to_contain_text(REFUSED[lang])
    expect(page.locator("#call-called_at")).to_have_value("12/9/2026 2:30 PM")
    assert_no_axe_violations(page)

    # The picker changes only the day: what follows it stays as it was typed.
    pick(page, "call-called_at", "2026-12-01")
    expect(page.locator("#call-called_at")).to_have_value("1.12.2026 2:30 PM")


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_report_period_is_typed_and_picked_in_an_english_browser(
    context_factory: Any, live_server: Any, lang: str
) -> None:
    _, email = make_staff(live_server.app, "supervisor", lang)
    page = context_factory(locale="en-US").new_page()
    sign_in_by_keyboard(page, live_server, email, lang)
    page.wait_for_url(f"{live_server.url}/staff/")
    page.goto(f"{live_server.url}/staff/reports")
    start = page.locator("#start")
    assert start.get_attribute("type") == "text"
    assert re.match(r"^[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}$", start.input_value())
    tab_to(page, "#start")
    page.keyboard.press("Control+A")
    page.keyboard.type("1.3.2026")
    page.keyboard.press("Tab")
    expect(page.locator('[data-day-picker="start"]')).to_be_focused()
    pick(page, "end", "2026-03-31")
    expect(page.locator("#end")).to_have_value("31.3.2026")  # a day field takes no time
    assert_no_axe_violations(page)
    page.locator("#end").press("Enter")
    page.wait_for_url(re.compile(r"start=1\.3\.2026&end=31\.3\.2026"))
    expect(page.locator("#start")).to_have_value("1.3.2026")
    expect(page.locator("#end")).to_have_value("31.3.2026")
