"""The supervisor's log review in Chromium, by keyboard, in fi and sv: the period typed, a staff
member's team-duty look-ups listed, and on to who has handled the request, where the basis of
each access reads in words; axe finds nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from pyydaapua.rules.typed_dates import day_text
from pyydaapua.rules.workdays import helsinki_date
from tests.helpers.browser import (
    assert_no_axe_violations,
    open_from_inbox,
    parent_sends,
    sign_in_by_keyboard,
    tab_to,
)
from tests.helpers.staff import make_staff

TEAM_DUTY = {"fi": "tiimin vuoro", "sv": "teamets tur"}


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_a_supervisor_reviews_team_duty_look_ups_by_keyboard(
    context_factory: Any, live_server: Any, lang: str
) -> None:
    reference = parent_sends(context_factory, live_server, f"Lokikatselmus {lang}")
    name = f"Katja {lang}"
    _, counsellor_email = make_staff(live_server.app, "counsellor", lang, name=name)
    counsellor = context_factory().new_page()
    sign_in_by_keyboard(counsellor, live_server, counsellor_email, lang)
    counsellor.wait_for_url(f"{live_server.url}/staff/")
    open_from_inbox(counsellor, live_server, reference)  # looked up, not taken, nothing written

    _, supervisor_email = make_staff(live_server.app, "supervisor", lang, name=f"Lea {lang}")
    page = context_factory(viewport={"width": 1280, "height": 800}).new_page()
    sign_in_by_keyboard(page, live_server, supervisor_email, lang)
    page.wait_for_url(f"{live_server.url}/staff/")
    page.goto(f"{live_server.url}/staff/audit")
    tab_to(page, "#log-review-link", limit=80)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff/audit/review$"))
    assert_no_axe_violations(page)

    today = helsinki_date(datetime.now(UTC))  # the review's days are Helsinki's
    tab_to(page, "#from")
    page.keyboard.type(day_text(today - timedelta(days=1)))
    tab_to(page, "#to")
    page.keyboard.type(day_text(today))
    tab_to(page, "#review-filters button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff/audit/review\?"))
    row = page.locator("#review-summary tbody tr", has_text=name)
    expect(row).to_have_count(1)
    tab_to(page, f'#review-summary a:text("{name}")', limit=80)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"user=\d+"))
    link = page.locator("#review-requests .reference-cell a", has_text=reference)
    expect(link).to_have_count(1)
    assert_no_axe_violations(page)

    tab_to(page, f'#review-requests .reference-cell a:text("{reference}")', limit=80)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff/access-log\?"))
    basis = page.locator("#access-events td[data-basis='team']").first
    expect(basis).to_have_text(re.compile(TEAM_DUTY[lang]))
    assert_no_axe_violations(page)
