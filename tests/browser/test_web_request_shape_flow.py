"""A form that reaches the server as JSON instead of a form body (a proxy or a broken client
changed it), in real Chromium with htmx: the parent gets the form back filled in, in place,
with a calm notice, and sends it again by keyboard; a staff form gets a clear page. axe-core
in both languages."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import assert_no_axe_violations, read_confirmation, tab_to

NOTICE = {
    "fi": "ei tullut perille muodossa, jota pystymme lukemaan",
    "sv": "kom inte fram i en form som vi kan läsa",
}
ERROR_TITLE = {
    "fi": "Lomakkeen voi lähettää vain sen omalta sivulta",
    "sv": "Formuläret kan bara skickas från sin egen sida",
}


def as_json(route: Any) -> None:
    """Send the form's fields as a JSON object instead of a form body."""
    request = route.request
    if request.method != "POST":
        route.continue_()
        return
    fields: dict[str, Any] = {}
    for name, value in parse_qsl(request.post_data or "", keep_blank_values=True):
        fields.setdefault(name, []).append(value)
    headers = {name: value for name, value in request.headers.items() if name != "content-length"}
    headers["content-type"] = "application/json"
    route.continue_(headers=headers, post_data=json.dumps(fields))


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_a_form_sent_as_json_comes_back_filled_in(page: Any, live_server: Any, lang: str) -> None:
    page.goto(f"{live_server.url}/{lang}/request")
    page.locator("#topics-1").check()
    text = "Erosta ja huoltajuudesta." if lang == "fi" else "Om skilsmässa och vårdnad."
    page.locator("#description").fill(text)
    page.locator("#phone").fill("040 123 4567")
    page.route(re.compile(rf".*/{lang}/request$"), as_json)
    tab_to(page, "#request-form button[type=submit]")
    page.keyboard.press("Enter")
    notice = page.locator("#form-notice")
    notice.wait_for()
    expect(notice).to_contain_text(NOTICE[lang])
    expect(notice).to_be_focused()
    assert page.locator("#description").input_value() == text
    assert page.locator("#phone").input_value() == "040 123 4567"
    assert page.locator("#topics-1").is_checked()
    assert_no_axe_violations(page)
    page.unroute(re.compile(rf".*/{lang}/request$"))
    tab_to(page, "#request-form button[type=submit]")
    page.keyboard.press("Enter")
    request = read_confirmation(page, live_server, lang)
    assert request.description == text
    assert request.topic_codes == ["separation_custody"]


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_a_staff_form_sent_as_json_gets_a_clear_page(
    context_factory: Any, live_server: Any, lang: str
) -> None:
    page = context_factory(locale="fi-FI" if lang == "fi" else "sv-FI").new_page()
    page.goto(f"{live_server.url}/staff/login?lang={lang}")
    page.locator("#email").fill("nobody@example.fi")
    page.locator("#password").fill("not a password")
    page.route(re.compile(r".*/staff/login.*"), as_json)
    page.locator("#password").press("Enter")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(ERROR_TITLE[lang])
    assert page.locator("html").get_attribute("lang") == lang
    assert_no_axe_violations(page)
