"""The idle limit of a staff session in real Chromium, with a limit of seconds
(STAFF_IDLE_SECONDS): the warning is shown, focused and announced, "Stay signed in" keeps the
session, and after the limit the sign-in page says why and the counsellor gets back to the
request page with the note they had typed, which they then save."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import (
    assert_no_axe_violations,
    code_by_keyboard,
    open_from_inbox,
    parent_sends,
    sign_in_by_keyboard,
    tab_to,
)
from tests.helpers.staff import STAFF_PASSWORD, current_code, make_staff

NOTE = "Perhe toivoo soittoa iltapäivällä"
DRAFTS = "pyydaapua.staff-drafts"
TEXTS = {
    "fi": {
        "warning": "Istuntosi on päättymässä",
        "kept": "Istuntosi jatkuu.",
        "ended": "Istuntosi päättyi, koska mitään ei tehty",
        "restored": "Ennen uloskirjautumista kirjoittamasi teksti on palautettu lomakkeelle.",
    },
    "sv": {
        "warning": "Din session håller på att ta slut",
        "kept": "Du är fortfarande inloggad.",
        "ended": "Din session tog slut efter",
        "restored": "Det du skrev innan du loggades ut finns nu i formuläret igen.",
    },
}


@contextmanager
def idle_limit(live_server: Any, seconds: int, warning: int) -> Iterator[None]:
    """The live server's idle limit, in seconds, for the length of the block."""
    config = live_server.app.config
    before = config["STAFF_IDLE_WARNING_SECONDS"]
    config.update(STAFF_IDLE_SECONDS=seconds, STAFF_IDLE_WARNING_SECONDS=warning)
    try:
        yield
    finally:
        config.pop("STAFF_IDLE_SECONDS", None)
        config["STAFF_IDLE_WARNING_SECONDS"] = before


def sign_in_here(page: Any, email: str) -> None:
    """Both sign-in steps, by keyboard, on the sign-in page that is open now."""
    tab_to(page, "#email")
    page.keyboard.type(email)
    tab_to(page, "#password")
    page.keyboard.type(STAFF_PASSWORD)
    page.keyboard.press("Enter")
    code_by_keyboard(page, current_code(email))


def drafts(page: Any) -> Any:
    return page.evaluate(f"sessionStorage.getItem('{DRAFTS}')")


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_warning_is_announced_and_stay_signed_in_keeps_the_session(
    context_factory: Any, live_server: Any, lang: str
) -> None:
    _, email = make_staff(live_server.app, "counsellor", lang)
    page = context_factory().new_page()
    sign_in_by_keyboard(page, live_server, email, lang)
    page.wait_for_url(f"{live_server.url}/staff/")
    texts = TEXTS[lang]
    with idle_limit(live_server, seconds=14, warning=7):
        page.goto(f"{live_server.url}/staff/account")
        loaded = time.monotonic()
        warning = page.locator("#session-warning")
        expect(warning).to_be_hidden()
        expect(warning).to_be_visible(timeout=12_000)
        expect(warning.get_by_role("heading", level=2)).to_have_text(texts["warning"])
        expect(warning.get_by_role("button")).to_be_focused()
        expect(page.locator("#announcer")).to_contain_text(texts["warning"])
        assert_no_axe_violations(page)

        page.keyboard.press("Enter")  # the focused "Stay signed in"
        expect(warning).to_be_hidden()
        expect(page.locator("#announcer")).to_have_text(texts["kept"])
        expect(page.locator("#main")).to_be_focused()

        # Past the moment the session would have ended without the button, it is alive.
        time.sleep(max(0.0, loaded + 15 - time.monotonic()))
        page.reload()
        assert page.url == f"{live_server.url}/staff/account"


def test_after_the_limit_a_saved_note_survives_signing_in_again(
    context_factory: Any, live_server: Any
) -> None:
    """The session ends on the server while the page still thinks it is alive: Save leads to
    the sign-in page with the reason, and back to the request page with the note."""
    reference = parent_sends(context_factory, live_server, "Tarvitsemme apua")
    _, email = make_staff(live_server.app, "counsellor", "fi")
    page = context_factory().new_page()
    sign_in_by_keyboard(page, live_server, email, "fi")
    page.wait_for_url(f"{live_server.url}/staff/")
    open_from_inbox(page, live_server, reference)
    request_url = page.url
    page.locator("details.action", has=page.locator("#form-note")).locator("summary").click()
    page.locator("#note-note").fill(NOTE)

    with idle_limit(live_server, seconds=2, warning=1):
        time.sleep(3)
        page.locator("#form-note button[type=submit]").click()
        page.wait_for_url(re.compile(r"/staff/login\?"))
        expect(page.locator("#session-ended")).to_contain_text(TEXTS["fi"]["ended"])
    assert "ended=idle" in page.url
    assert NOTE in drafts(page)  # kept in this tab only
    assert_no_axe_violations(page)

    sign_in_here(page, email)
    page.wait_for_url(request_url)
    expect(page.locator("#note-note")).to_have_value(NOTE)
    expect(page.locator("#note-note")).to_be_focused()
    expect(page.locator("#drafts-restored")).to_contain_text(TEXTS["fi"]["restored"])
    expect(page.locator("#announcer")).to_contain_text(TEXTS["fi"]["restored"])
    assert drafts(page) is None  # back in the form, so gone from the storage

    page.locator("#form-note button[type=submit]").click()
    expect(page.locator("#timeline")).to_contain_text(NOTE)


def test_left_idle_the_page_goes_to_sign_in_and_keeps_the_note(
    context_factory: Any, live_server: Any
) -> None:
    """Nothing is done on the page: at the limit it goes to the sign-in page by itself."""
    reference = parent_sends(context_factory, live_server, "Tarvitsemme apua")
    _, email = make_staff(live_server.app, "counsellor", "sv")
    page = context_factory().new_page()
    sign_in_by_keyboard(page, live_server, email, "sv")
    page.wait_for_url(f"{live_server.url}/staff/")
    open_from_inbox(page, live_server, reference)
    request_url = page.url
    with idle_limit(live_server, seconds=10, warning=5):
        page.reload()
        page.locator("details.action", has=page.locator("#form-note")).locator("summary").click()
        page.locator("#note-note").fill(NOTE)
        page.wait_for_url(re.compile(r"/staff/login\?"), timeout=20_000)
        expect(page.locator("#session-ended")).to_contain_text(TEXTS["sv"]["ended"])
    sign_in_here(page, email)
    page.wait_for_url(request_url)
    expect(page.locator("#note-note")).to_have_value(NOTE)


def test_a_different_user_never_gets_the_note(context_factory: Any, live_server: Any) -> None:
    reference = parent_sends(context_factory, live_server, "Tarvitsemme apua")
    _, email = make_staff(live_server.app, "counsellor", "fi")
    _, other = make_staff(live_server.app, "counsellor", "fi")
    page = context_factory().new_page()
    sign_in_by_keyboard(page, live_server, email, "fi")
    page.wait_for_url(f"{live_server.url}/staff/")
    open_from_inbox(page, live_server, reference)
    page.locator("details.action", has=page.locator("#form-note")).locator("summary").click()
    page.locator("#note-note").fill(NOTE)
    with idle_limit(live_server, seconds=2, warning=1):
        time.sleep(3)
        page.locator("#form-note button[type=submit]").click()
        page.wait_for_url(re.compile(r"/staff/login\?"))
    assert NOTE in drafts(page)
    sign_in_here(page, other)
    page.wait_for_url(re.compile(r"/staff/requests/\d+(\?.*)?$"))
    expect(page.locator("#note-note")).to_have_value("")
    assert drafts(page) is None


def test_an_inbox_left_open_is_signed_out(context_factory: Any, live_server: Any) -> None:
    """The inbox polls every second (INBOX_POLL_SECONDS=1), marked as a background request:
    the poll does not keep the session alive, and the page goes to the sign-in page."""
    _, email = make_staff(live_server.app, "counsellor", "fi")
    page = context_factory().new_page()
    sign_in_by_keyboard(page, live_server, email, "fi")
    page.wait_for_url(f"{live_server.url}/staff/")
    with idle_limit(live_server, seconds=6, warning=3):
        with page.expect_request(re.compile(r"/staff/inbox/new")) as poll:
            page.reload()
        assert poll.value.headers.get("x-background-request") == "1"
        page.wait_for_url(re.compile(r"/staff/login\?next=/staff/&ended=idle"), timeout=15_000)
        expect(page.locator("#session-ended")).to_contain_text(TEXTS["fi"]["ended"])


def test_signing_out_discards_kept_text(context_factory: Any, live_server: Any) -> None:
    _, email = make_staff(live_server.app, "counsellor", "fi")
    page = context_factory().new_page()
    sign_in_by_keyboard(page, live_server, email, "fi")
    page.wait_for_url(f"{live_server.url}/staff/")
    page.goto(f"{live_server.url}/staff/account")
    page.evaluate(f"sessionStorage.setItem('{DRAFTS}', '{{}}')")
    page.locator(".staff-nav .link-button").click()
    page.wait_for_url(re.compile(r"/staff/login$"))
    assert drafts(page) is None
