"""Call-backs at a set time in real Chromium, by keyboard, in both staff languages: a call
that did not reach the family plans the next try at the time the form proposes, the request
shows it, and "My calls today" lists it first at its time; a planned call whose time has passed
is marked. axe-core finds nothing in any of these states.

The app's clock is set to 10.00 on the next working day (``changes.now_utc`` and
``calls_today.now``), so that the proposal (two hours later, inside the opening hours) falls on
the same day whatever the time the tests run."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from pyydaapua.casework import changes
from pyydaapua.database import db
from pyydaapua.inbox import calls_today
from pyydaapua.models import HelpRequest
from pyydaapua.rules.workdays import HELSINKI, add_working_days
from tests.helpers.browser import (
    assert_no_axe_violations,
    open_from_inbox,
    parent_sends,
    sign_in_by_keyboard,
    tab_to,
)
from tests.helpers.staff import make_staff

PASSED = {"fi": "Aika meni jo", "sv": "Tiden har passerat"}
HEADING = {"fi": "Puheluni tänään", "sv": "Mina samtal i dag"}


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    today = datetime.now(HELSINKI).date()
    moment = datetime.combine(add_working_days(today, 1), time(10), HELSINKI).astimezone(UTC)
    monkeypatch.setattr(changes, "now_utc", lambda: moment)
    monkeypatch.setattr(calls_today, "now", lambda: moment)
    return moment


def shift_tab_to(page: Any, selector: str, limit: int = 200) -> None:
    """Press Shift+Tab until the element matching ``selector`` has the focus."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Shift+Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{selector} was not reached with Shift+Tab")


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_no_answer_plans_the_next_try_and_my_calls_today_lists_it_first(
    context_factory: Any, live_server: Any, clock: datetime, lang: str
) -> None:
    reference = parent_sends(context_factory, live_server, "Toivomme soittoa iltapäivällä.")
    user_id, email = make_staff(live_server.app, "counsellor", lang)
    page = context_factory(viewport={"width": 1280, "height": 900}).new_page()
    sign_in_by_keyboard(page, live_server, email, lang)
    page.wait_for_url(f"{live_server.url}/staff/")
    open_from_inbox(page, live_server, reference)

    # "Record a call" from the first screen, the result "no answer"; the next try is proposed.
    tab_to(page, "#record-call-link")
    page.keyboard.press("Enter")
    tab_to(page, "#call-result-0")
    page.keyboard.press("ArrowDown")  # no answer
    expect(page.locator("#call-result-1")).to_be_checked()
    expect(page.locator("#call-next_call-0")).to_be_checked()  # try again at the time below
    proposed = page.locator("#call-planned_at").input_value()
    expected = (clock + timedelta(hours=2)).astimezone(HELSINKI)
    assert proposed == f"{expected.day}.{expected.month}.{expected.year} {expected.hour}.00"
    assert_no_axe_violations(page)
    tab_to(page, "#form-call button[type=submit]")
    page.keyboard.press("Enter")
    planned = page.locator("#planned-call")
    planned.wait_for()
    expect(page.locator("#announcer")).not_to_be_empty()
    assert f"{expected.hour}.00" in planned.inner_text()
    assert_no_axe_violations(page)

    # My calls today, from the staff menu: the call is first, at its time, not passed.
    shift_tab_to(page, ".staff-nav a[href='/staff/calls/today']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/staff/calls/today")
    expect(page.locator("h1")).to_have_text(HEADING[lang])
    first = page.locator("#calls-planned tbody tr").first
    expect(first.locator(".reference-cell a")).to_have_text(reference)
    assert f"{expected.hour}.00" in first.locator("time").first.inner_text()
    assert PASSED[lang] not in first.inner_text()
    assert_no_axe_violations(page)

    # Its time passes (it is moved to an hour ago) and it is not made: marked as passed.
    with live_server.app.app_context():
        earlier = db.session.scalars(
            select(HelpRequest).where(HelpRequest.reference == reference.replace("-", ""))
        ).one()
        earlier.planned_call_at = clock - timedelta(hours=1)
        earlier.planned_call_by_id = user_id
        db.session.commit()
        request_id = earlier.id
    page.reload()
    first = page.locator("#calls-planned tbody tr").first
    expect(first).to_contain_text(PASSED[lang])
    expect(first).to_have_class("call-passed")
    assert_no_axe_violations(page)
    # The request page marks it too.
    tab_to(page, "#calls-planned .reference-cell a")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/staff/requests/{request_id}")
    expect(page.locator("#planned-call")).to_contain_text(PASSED[lang])
    assert_no_axe_violations(page)
    # "Plan a call" opened, with the planned call and the button that clears it.
    tab_to(page, "#action-plan_call summary", limit=120)
    page.keyboard.press("Enter")
    expect(page.locator("#form-plan_call")).to_be_visible()
    assert_no_axe_violations(page)
