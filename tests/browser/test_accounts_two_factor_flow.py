"""Two-factor sign-in in real Chromium, by keyboard only, with axe-core on the enrolment page
(also with an error), the recovery codes and the code page (also with an error), in fi and sv."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import (
    assert_no_axe_violations,
    code_by_keyboard,
    password_by_keyboard,
    tab_to,
)
from tests.helpers.staff import current_code, make_staff, wrong_code

ENROL = {
    "fi": "Ota kaksivaiheinen tunnistautuminen käyttöön",
    "sv": "Ta tvåstegsverifiering i bruk",
}
WRONG = {"fi": "Koodi ei ole oikein.", "sv": "Koden är inte korrekt."}


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_new_counsellor_enrols_and_signs_in_by_keyboard(
    context_factory: Any, live_server: Any, lang: str
) -> None:
    _, email = make_staff(live_server.app, "counsellor", lang, enrolled=False)
    page = context_factory().new_page()
    password_by_keyboard(page, live_server, email, lang)

    # Enrolment: the QR code with its name, the key as text, one field.
    page.wait_for_url(re.compile(r"/staff/login/enrol$"))
    assert page.locator("html").get_attribute("lang") == lang
    expect(page.get_by_role("heading", level=1)).to_have_text(ENROL[lang])
    expect(page.get_by_role("img", name=re.compile("QR"))).to_be_visible()
    assert_no_axe_violations(page)
    secret = re.sub(r"\s", "", page.locator("#secret-key").inner_text())
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)

    # A wrong code first: the error summary, focused; axe-core again.
    tab_to(page, "#code")
    page.keyboard.type(wrong_code(secret))
    page.keyboard.press("Enter")
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary")).to_contain_text(WRONG[lang])
    assert page.title().startswith(("Virhe:", "Fel:"))
    assert_no_axe_violations(page)
    assert re.sub(r"\s", "", page.locator("#secret-key").inner_text()) == secret

    # The code read from the key typed into an authenticator.
    tab_to(page, "#code")
    page.keyboard.type(current_code(email, secret))
    page.keyboard.press("Enter")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    expect(page.locator("#recovery-codes-once")).to_be_visible()
    assert_no_axe_violations(page)
    tab_to(page, "#continue")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/staff/")
    assert page.locator("html").get_attribute("lang") == lang

    # Signed out and in again: now the code page, first with a wrong code. Signed out from a
    # page without the inbox's poll, whose answer after the sign-out would go to the sign-in
    # page too, with the inbox as the address to return to.
    page.goto(f"{live_server.url}/staff/account")
    tab_to(page, ".link-button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff/login$"))
    password_by_keyboard(page, live_server, email, lang)
    page.wait_for_url(re.compile(r"/staff/login/code$"))
    assert_no_axe_violations(page)
    code_by_keyboard(page, wrong_code(secret))
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary")).to_contain_text(WRONG[lang])
    assert_no_axe_violations(page)
    tab_to(page, "#code")
    page.keyboard.type(current_code(email, secret))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/staff/")
