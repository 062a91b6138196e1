"""The inbox search refusing a text it cannot use, in real Chromium: typed by keyboard (htmx
answers 422 and the message appears next to the field) and opened from a URL with a control
character (the full page), axe-core on both states in both languages."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.helpers.browser import assert_no_axe_violations, sign_in_by_keyboard, tab_to
from tests.helpers.staff import make_staff

TOO_LONG = {"fi": "Kirjoita enintään 100 merkkiä.", "sv": "Skriv högst 100 tecken."}
CONTROL = {"fi": "Hakutekstissä oli näkymättömiä ohjausmerkkejä.", "sv": "Söktexten innehöll"}


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_inbox_search_errors_by_keyboard(page: Any, live_server: Any, lang: str) -> None:
    _, email = make_staff(live_server.app, "counsellor", lang)
    sign_in_by_keyboard(page, live_server, email, lang)
    page.wait_for_url(f"{live_server.url}/staff/")
    tab_to(page, "#q")
    with page.expect_response(re.compile(r"/staff/\?")) as answer:
        page.keyboard.type("a" * 101)
    assert answer.value.status == 422
    error = page.locator("#q-error")
    error.filter(has_text=TOO_LONG[lang]).wait_for()
    assert page.evaluate("document.activeElement.id") == "q"  # typing goes on undisturbed
    assert_no_axe_violations(page)

    page.goto(f"{live_server.url}/staff/?q=apua%00")
    assert CONTROL[lang] in page.locator("#q-error").inner_text()
    assert page.locator("#q").get_attribute("aria-invalid") == "true"
    assert page.locator("#q").input_value() == "apua"
    assert_no_axe_violations(page)
