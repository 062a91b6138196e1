"""An inline action that fails, in real Chromium: refused, gone, a server error or no
connection at all. The counsellor sees and hears what happened in the page's language, the
note they typed stays in the form, and the notice goes when an action succeeds again."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import (
    assert_no_axe_violations,
    open_from_inbox,
    parent_sends,
    sign_in_by_keyboard,
)
from tests.helpers.staff import make_staff

NOTE = "Soitan perheelle huomenna uudelleen"
NOTES_URL = re.compile(r"/staff/requests/\d+/notes$")

# The notice's heading for each failure, as base.html renders them from the catalogues.
HEADINGS = {
    "fi": {
        403: "Sinulla ei ole oikeutta tähän",
        404: "Tätä ei ole enää olemassa",
        500: "Jokin meni vikaan",
        "network": "Ei yhteyttä",
    },
    "sv": {
        403: "Du har inte behörighet till detta",
        404: "Det här finns inte längre",
        500: "Något gick fel",
        "network": "Ingen anslutning",
    },
}


def counsellor_typing_a_note(context_factory: Any, live_server: Any, lang: str) -> Any:
    reference = parent_sends(context_factory, live_server, "Tarvitsemme apua")
    _, email = make_staff(live_server.app, "counsellor", lang)
    page = context_factory().new_page()
    sign_in_by_keyboard(page, live_server, email, lang)
    page.wait_for_url(f"{live_server.url}/staff/")
    open_from_inbox(page, live_server, reference)
    page.locator("details.action", has=page.locator("#form-note")).locator("summary").click()
    page.locator("#note-note").fill(NOTE)
    return page


def answering(status: int) -> Any:
    """A route handler that answers every request with ``status`` and a body of its own."""

    def answer(route: Any) -> None:
        route.fulfill(status=status, content_type="text/html", body="<p>refused</p>")

    return answer


def send_and_expect_notice(page: Any, heading: str) -> None:
    page.locator("#form-note button[type=submit]").click()
    notice = page.locator("#service-notice")
    expect(notice.get_by_role("heading", level=2)).to_have_text(heading)
    expect(notice).to_be_visible()
    expect(page.locator("#announcer")).to_contain_text(heading)
    expect(page.locator("#note-note")).to_have_value(NOTE)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_failed_note_is_shown_announced_and_kept(
    context_factory: Any, live_server: Any, lang: str
) -> None:
    page = counsellor_typing_a_note(context_factory, live_server, lang)
    headings = HEADINGS[lang]

    for status in (404, 403, 500):
        page.route(NOTES_URL, answering(status))
        send_and_expect_notice(page, headings[status])
        page.unroute(NOTES_URL)
        if status == 404:
            assert_no_axe_violations(page)
    assert "refused" not in page.locator("main").inner_text()  # nothing was swapped in

    page.route(NOTES_URL, lambda route: route.abort("internetdisconnected"))
    send_and_expect_notice(page, headings["network"])
    assert_no_axe_violations(page)
    page.unroute(NOTES_URL)

    # The connection is back: the note is saved and the notice goes away.
    page.locator("#form-note button[type=submit]").click()
    expect(page.locator("#timeline")).to_contain_text(NOTE)
    expect(page.locator("#service-notice")).to_be_empty()


def test_ended_session_goes_to_the_sign_in_page(context_factory: Any, live_server: Any) -> None:
    """A staff session that has ended is not a failure notice: htmx follows the app's
    HX-Redirect to the sign-in page, which is told why and where to return."""
    page = counsellor_typing_a_note(context_factory, live_server, "fi")
    config = live_server.app.config
    idle = config["STAFF_IDLE_MINUTES"]
    config["STAFF_IDLE_MINUTES"] = 0
    try:
        page.locator("#form-note button[type=submit]").click()
        page.wait_for_url(re.compile(r"/staff/login\?next=/staff/requests/\d+[^&]*&ended=idle"))
    finally:
        config["STAFF_IDLE_MINUTES"] = idle
    expect(page.locator("#password")).to_be_visible()
