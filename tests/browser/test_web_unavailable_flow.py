"""The database unavailable, in real Chromium: the parent's form and a counsellor's note come
back with everything typed, in both languages, with and without JavaScript, and are sent
again by keyboard once the database is back. axe-core checks every state."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from pyydaapua.models import HelpRequest, TimelineEvent
from tests.helpers.browser import (
    assert_no_axe_violations,
    open_from_inbox,
    parent_sends,
    plain_submit,
    sign_in_by_keyboard,
    tab_to,
)
from tests.helpers.outages import Outage
from tests.helpers.staff import make_staff

TITLE = {
    "fi": "Palvelu ei ole juuri nyt käytettävissä",
    "sv": "Tjänsten är inte tillgänglig just nu",
}


def fill_in_the_form(page: Any, live_server: Any, lang: str) -> str:
    page.goto(f"{live_server.url}/{lang}/request")
    words = f"Arki on raskasta {uuid.uuid4().hex[:6]}"
    page.locator("#description").fill(words)
    page.locator("#topics-1").check()
    page.locator("#phone").fill("040 123 4567")
    return words


def assert_form_kept(page: Any, words: str, lang: str) -> None:
    expect(page.locator("#form-notice")).to_be_visible()
    expect(page.locator("#description")).to_have_value(words)
    expect(page.locator("#topics-1")).to_be_checked()
    expect(page.locator("#phone")).to_have_value("040 123 4567")
    assert page.locator("html").get_attribute("lang") == lang


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "full-page"])
@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_parent_form_comes_back_filled_in_and_is_sent_again_by_keyboard(
    page: Any, live_server: Any, outage: Outage, lang: str, htmx: bool
) -> None:
    words = fill_in_the_form(page, live_server, lang)
    outage.commits_writing(HelpRequest)
    if htmx:
        page.locator("#request-form button[type=submit]").click()
    else:
        plain_submit(page, "#request-form")
    assert_form_kept(page, words, lang)
    assert_no_axe_violations(page)

    outage.over()
    tab_to(page, "#request-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/{lang}/request/sent$"))


def test_parent_form_without_javascript(
    context_factory: Any, live_server: Any, outage: Outage
) -> None:
    page = context_factory(java_script_enabled=False).new_page()
    words = fill_in_the_form(page, live_server, "sv")
    outage.commits_writing(HelpRequest)
    page.locator("#request-form button[type=submit]").click()
    assert_form_kept(page, words, "sv")
    outage.over()
    page.locator("#request-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/sv/request/sent$"))


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_counsellor_note_kept_in_place_with_htmx(
    context_factory: Any, live_server: Any, outage: Outage, lang: str
) -> None:
    reference = parent_sends(context_factory, live_server, "Palvelu katkeaa")
    _, email = make_staff(live_server.app, "counsellor", lang)
    page = context_factory().new_page()
    sign_in_by_keyboard(page, live_server, email, lang)
    page.wait_for_url(f"{live_server.url}/staff/")
    open_from_inbox(page, live_server, reference)
    page.locator("details.action", has=page.locator("#form-note")).locator("summary").click()
    page.locator("#note-note").fill("Soitan huomenna uudelleen")
    outage.commits_writing(TimelineEvent)
    page.locator("#form-note button[type=submit]").click()

    alert = page.locator("#service-notice [role=alert]")
    expect(alert).to_contain_text(TITLE[lang])
    expect(page.locator("#note-note")).to_have_value("Soitan huomenna uudelleen")
    assert_no_axe_violations(page)

    # Back: sending again by keyboard stores the note and the notice goes away.
    outage.over()
    page.locator("#form-note button[type=submit]").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#timeline")).to_contain_text("Soitan huomenna uudelleen")
    expect(page.locator("#service-notice")).to_be_empty()


def staff_on_request_page(context_factory: Any, live_server: Any, lang: str, **options: Any):
    reference = parent_sends(context_factory, live_server, "Ei tallennettu")
    _, email = make_staff(live_server.app, "counsellor", lang)
    page = context_factory(**options).new_page()
    sign_in_by_keyboard(page, live_server, email, lang)
    page.wait_for_url(f"{live_server.url}/staff/")
    page.goto(f"{live_server.url}/staff/?q={reference}")
    page.locator("#inbox-results .reference-cell a", has_text=reference).click()
    page.wait_for_url(re.compile(r"/staff/requests/\d+(\?.*)?$"))
    page.locator("details.action", has=page.locator("#form-note")).locator("summary").click()
    page.locator("#note-note").fill("Kirjoitin tämän huolella")
    return page


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_counsellor_note_as_a_full_page_is_sent_again_by_keyboard(
    context_factory: Any, live_server: Any, outage: Outage, lang: str
) -> None:
    page = staff_on_request_page(context_factory, live_server, lang)
    request_url = page.url.split("?")[0]  # the inbox view it came from is not posted
    outage.commits_writing(TimelineEvent)
    plain_submit(page, "#form-note")

    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE[lang])
    expect(page.locator(".posted-values")).to_contain_text("Kirjoitin tämän huolella")
    assert page.locator("html").get_attribute("lang") == lang
    assert_no_axe_violations(page)

    outage.over()
    tab_to(page, "#send-again button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(request_url)
    expect(page.locator("#timeline")).to_contain_text("Kirjoitin tämän huolella")

    # A staff page read while nothing can be loaded, not even the signed-in user.
    outage.everything()
    page.goto(request_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE[lang])
    assert page.locator("html").get_attribute("lang") == lang
    assert_no_axe_violations(page)
    outage.over()
    tab_to(page, "#error-message a[href$='/staff/requests/" + request_url.rsplit("/", 1)[1] + "']")
    page.keyboard.press("Enter")
    expect(page.locator("#timeline")).to_be_visible()


def test_counsellor_note_without_javascript(
    context_factory: Any, live_server: Any, outage: Outage
) -> None:
    page = staff_on_request_page(context_factory, live_server, "sv", java_script_enabled=False)
    request_url = page.url.split("?")[0]  # the inbox view it came from is not posted
    outage.commits_writing(TimelineEvent)
    page.locator("#form-note button[type=submit]").click()
    expect(page.locator(".posted-values")).to_contain_text("Kirjoitin tämän huolella")
    outage.over()
    page.locator("#send-again button[type=submit]").click()
    page.wait_for_url(request_url)
    expect(page.locator("#timeline")).to_contain_text("Kirjoitin tämän huolella")
