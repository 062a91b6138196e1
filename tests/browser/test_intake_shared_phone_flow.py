"""Chromium: a phone shared with the person the worry is about. After the quick exit, Back
shows nothing of the family (with and without JavaScript, in Finnish and Swedish); the exit
stays in sight on a narrow phone at every scroll position and has a shortcut that never fires
while typing; the code is not lost on the way from the confirmation to the status page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import assert_no_axe_violations

DESCRIPTION = {"fi": "Kotona on raskasta, en tiedä kenelle puhua.", "sv": "Det är tungt hemma."}
TYPED = {"fi": "Kirjoitin tätä vastausta, kun jouduin lähtemään.", "sv": "Jag skrev svaret."}
STATUS_CHOICE = {
    "fi": "Vastatkaa minulle täällä; käyn katsomassa",
    "sv": "Svara mig här; jag tittar själv",
}


def send_for_the_status_page(page: Any, live_server: Any, lang: str) -> tuple[str, str]:
    page.goto(f"{live_server.url}/{lang}/")
    page.goto(f"{live_server.url}/{lang}/request")
    page.get_by_label(STATUS_CHOICE[lang]).check()
    page.locator("#description").fill(DESCRIPTION[lang])
    page.locator("#request-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/{lang}/request/sent$"))
    reference = page.locator("#reference").inner_text().strip()
    code = page.locator("#secret-code").inner_text().strip()
    return reference, code


def family_content_shown(page: Any, reference: str, code: str, lang: str) -> list[str]:
    html = page.content()
    values = page.evaluate(
        "() => Array.from(document.querySelectorAll('textarea, input'), e => e.value).join(' ')"
    )
    found = [
        secret
        for secret in (reference, code, DESCRIPTION[lang], TYPED[lang])
        if secret in html or secret in values
    ]
    return found


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_back_after_the_quick_exit_shows_nothing_of_the_family(
    context_factory: Any, live_server: Any, exit_to: str, lang: str, javascript: bool
) -> None:
    page = context_factory(java_script_enabled=javascript).new_page()
    reference, code = send_for_the_status_page(page, live_server, lang)
    page.locator("#status-page-link").click()
    page.wait_for_url(re.compile(rf"/{lang}/status$"))
    expect(page.locator("#message-form")).to_be_visible()
    page.locator("#message").fill(TYPED[lang])
    page.locator("#quick-exit").click()
    page.wait_for_url(exit_to)
    expect(page.locator("#neutral")).to_be_visible()
    for step in range(3):
        page.go_back()
        page.wait_for_load_state()
        if not page.url.startswith(live_server.url):
            break
        assert family_content_shown(page, reference, code, lang) == [], (step, page.url)


@pytest.mark.parametrize("width", [320, 375])
def test_the_exit_stays_in_sight_while_scrolling_the_form(
    context_factory: Any, live_server: Any, width: int
) -> None:
    page = context_factory(viewport={"width": width, "height": 640}).new_page()
    page.goto(f"{live_server.url}/fi/request")
    exit_link = page.locator("#quick-exit")
    for position in ("document.body.scrollHeight / 2", "document.body.scrollHeight"):
        page.evaluate(f"window.scrollTo(0, {position})")
        box = exit_link.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 640, box
        expect(exit_link).to_be_visible()
    # A field reached by keyboard is never hidden under the bar (WCAG 2.2 2.4.11).
    bar = page.locator(".exit-bar").bounding_box()
    for field in ("#email", "#description", "#name"):
        page.locator(field).focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        focused = page.locator(field).bounding_box()
        assert focused is not None and bar is not None
        assert focused["y"] >= bar["y"] + bar["height"] - 1, (field, focused, bar)
    assert_no_axe_violations(page)


def test_esc_twice_leaves_but_never_while_typing(
    context_factory: Any, live_server: Any, exit_to: str
) -> None:
    page = context_factory().new_page()
    page.goto(f"{live_server.url}/sv/request")
    page.locator("#description").click()
    page.keyboard.type("Hej")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    assert page.url.endswith("/sv/request")
    expect(page.locator("#description")).to_have_value("Hej")
    page.locator("h1").click()  # out of the field
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(exit_to)


def test_the_code_survives_the_way_to_the_status_page(
    context_factory: Any, live_server: Any
) -> None:
    page = context_factory().new_page()
    reference, code = send_for_the_status_page(page, live_server, "fi")
    assert_no_axe_violations(page)
    # Tapped before writing the code down: the status page opens, and shows the code.
    page.locator("#status-page-link").click()
    page.wait_for_url(re.compile(r"/fi/status$"))
    expect(page.locator("#message-form")).to_be_visible()
    expect(page.locator("#secret-code")).to_have_text(code)
    assert_no_axe_violations(page)
    page.go_back()
    page.wait_for_url(re.compile(r"/fi/request/sent$"))
    expect(page.locator("#secret-code")).to_have_text(code)
    # Copy and print are offered with JavaScript.
    expect(page.locator("[data-copy-code]")).to_be_visible()
    expect(page.locator("[data-print-page]")).to_be_visible()
    page.locator("#code-written").click()
    page.wait_for_url(re.compile(r"/fi/request/sent$"))
    expect(page.locator("#secret-code")).to_have_count(0)
    expect(page.locator("#secret-code-shown")).to_be_visible()
    expect(page.locator("#reference")).to_have_text(reference)
    assert_no_axe_violations(page)
