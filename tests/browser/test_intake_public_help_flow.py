"""What a parent sees around the form, in real Chromium: the quick exit (with a mouse, by
keyboard, without JavaScript), and a confirmation that can be checked."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import assert_no_axe_violations, read_confirmation

QUICK_EXIT = {"fi": "Poistu sivulta nopeasti", "sv": "Lämna sidan snabbt"}
HOURS = {"fi": "maanantai–perjantai klo 9.00–15.00", "sv": "måndag–fredag kl. 9.00–15.00"}
EMERGENCY = {"fi": "Sosiaalipäivystys", "sv": "Socialjouren"}


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_quick_exit_leaves_and_takes_the_form_out_of_the_history(
    page: Any, live_server: Any, exit_to: str, lang: str
) -> None:
    page.goto(f"{live_server.url}/{lang}/")
    page.goto(f"{live_server.url}/{lang}/request")
    page.locator("#description").fill("Tätä ei saa nähdä kukaan")
    page.get_by_role("link", name=QUICK_EXIT[lang], exact=True).click()
    page.wait_for_url(exit_to)
    # Back goes to the page before the form: the form itself is no longer in the history.
    page.go_back()
    page.wait_for_url(f"{live_server.url}/{lang}/")


def test_quick_exit_is_among_the_first_keys_pressed(
    page: Any, live_server: Any, exit_to: str
) -> None:
    page.goto(f"{live_server.url}/fi/request")
    exit_link = page.locator("#quick-exit")
    for _ in range(4):  # the skip link, the service's name, the language, the quick exit
        page.keyboard.press("Tab")
        if exit_link.evaluate("element => element === document.activeElement"):
            break
    expect(exit_link).to_be_focused()
    expect(exit_link).to_be_visible()
    page.keyboard.press("Enter")
    page.wait_for_url(exit_to)


def test_quick_exit_without_javascript_is_a_plain_link(
    context_factory: Any, live_server: Any, exit_to: str
) -> None:
    page = context_factory(java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}/sv/request")
    page.get_by_role("link", name=QUICK_EXIT["sv"], exact=True).click()
    page.wait_for_url(exit_to)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_confirmation_can_be_checked(page: Any, live_server: Any, lang: str) -> None:
    page.goto(f"{live_server.url}/{lang}/request")
    page.locator("#phone").fill("0401234567")  # anonymous: no name
    page.locator("#request-form button[type=submit]").click()
    read_confirmation(page, live_server, lang)
    expect(page.locator("#phone-number")).to_have_text("040 123 4567")
    centre = page.locator("#family-centre-phone")
    expect(centre).to_have_text("09 310 12345")
    assert centre.get_attribute("href") == "tel:+358931012345"
    expect(page.locator("#opening-hours")).to_have_text(HOURS[lang])
    emergency = page.locator("#emergency")
    expect(emergency).to_contain_text("112")
    expect(emergency).to_contain_text(EMERGENCY[lang])
    assert emergency.get_by_role("link").first.get_attribute("href") == "tel:112"
    assert_no_axe_violations(page)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_confirmation_link_to_the_emergency_numbers_moves_there(
    page: Any, live_server: Any, lang: str
) -> None:
    page.goto(f"{live_server.url}/{lang}/request")
    page.locator("#phone").fill("040 765 4321")
    page.locator("#request-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/{lang}/request/sent$"))
    page.locator('a[href="#emergency"]').click()
    expect(page.locator("#emergency")).to_be_in_viewport()
