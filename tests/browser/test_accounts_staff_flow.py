"""Staff pages in real Chromium: sign in by keyboard, the inbox, axe-core on each page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.helpers.browser import assert_no_axe_violations, sign_in_by_keyboard, tab_to
from tests.helpers.staff import make_staff

SIGN_IN = {"fi": "Kirjaudu sisään", "sv": "Logga in"}


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_counsellor_signs_in_by_keyboard_and_sees_the_inbox(
    page: Any, live_server: Any, lang: str
) -> None:
    _, email = make_staff(live_server.app, "counsellor", lang)
    page.goto(f"{live_server.url}/staff/login?lang={lang}")
    assert page.get_by_role("heading", name=SIGN_IN[lang]).is_visible()
    assert_no_axe_violations(page)
    sign_in_by_keyboard(page, live_server, email, lang)
    page.wait_for_url(f"{live_server.url}/staff/")
    assert page.locator("html").get_attribute("lang") == lang
    assert_no_axe_violations(page)
    page.goto(f"{live_server.url}/staff/account")
    assert_no_axe_violations(page)
    tab_to(page, ".link-button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff/login$"))
    page.go_back()
    page.wait_for_load_state()
    assert "/staff/login" in page.url  # the back button does not show the signed-out page


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_failed_sign_in_has_no_axe_violations(page: Any, live_server: Any, lang: str) -> None:
    page.goto(f"{live_server.url}/staff/login?lang={lang}")
    page.locator("#email").fill("nobody@example.fi")
    page.locator("#password").fill("wrong password")
    page.locator("form.narrow-form button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    assert page.locator("html").get_attribute("lang") == lang
    assert_no_axe_violations(page)
