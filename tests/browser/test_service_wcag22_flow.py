"""WCAG 2.2 beyond 2.1, in real Chromium: a focused element is never hidden under a sticky or
fixed element (2.4.11), and the secret-code and password fields take a pasted code, spaces and
all (3.3.8)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.helpers.browser import assert_no_axe_violations
from tests.helpers.staff import STAFF_PASSWORD, fresh_code
from tests.helpers.wcag22 import (
    FOCUSED_IN_SIGHT,
    public_states,
    sign_in,
    staff_user,
    worked_request,
)

PHONE = {"width": 375, "height": 812}


def tab_through(page: Any, key: str, limit: int = 150) -> list[str]:
    """Press ``key`` (Tab, or Shift+Tab from the end of the page) until the focus leaves the
    page; what was hidden of each element focused on the way."""
    hidden = []
    seen = 0
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("() => document.activeElement === document.body"):
            break
        problem = page.evaluate(FOCUSED_IN_SIGHT)
        if problem:
            hidden.append(f"{key}: {problem}")
        seen += 1
    assert seen > 5
    return hidden


def tab_both_ways(page: Any) -> list[str]:
    """Down the page with Tab, then back up with Shift+Tab: going up, each element is scrolled
    to the top of the screen, where the sticky bars are."""
    for _ in range(150):  # past the end first, wherever the focus is, then the whole page
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement === document.body"):
            break
    return tab_through(page, "Tab") + tab_through(page, "Shift+Tab")


def reach(live_server: Any, lang: str, name: str) -> Any:
    return dict(public_states(live_server, lang))[f"/{lang}{name}"]


@pytest.mark.parametrize("lang", ["fi", "sv"])
@pytest.mark.parametrize(
    "state", ["/request", "/request (errors)", "/status (opened)", "/", "/accessibility"]
)
def test_focus_is_never_under_the_quick_exit_bar(
    context_factory: Any, live_server: Any, lang: str, state: str
) -> None:
    page = context_factory(viewport=PHONE).new_page()
    reach(live_server, lang, state)(page)
    assert tab_both_ways(page) == []


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_focus_is_never_under_the_service_notice(
    context_factory: Any, live_server: Any, lang: str
) -> None:
    """The form sent with no connection: the notice sticks under the exit bar, and Tab and
    Shift+Tab keep each field clear of both."""
    page = context_factory(viewport=PHONE).new_page()
    page.goto(f"{live_server.url}/{lang}/request")
    page.locator("#description").fill("Tarvitsemme apua")
    page.locator("#phone").fill("040 765 4321")
    page.route(f"**/{lang}/request", lambda route: route.abort())
    page.locator("#request-form button[type=submit]").click()
    page.locator("#service-notice .notice").wait_for()
    bar = page.locator(".exit-bar").bounding_box()
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight / 2)")
    notice = page.locator("#service-notice").bounding_box()
    assert notice["y"] >= bar["y"] + bar["height"] - 1, (notice, bar)
    assert tab_both_ways(page) == []
    assert_no_axe_violations(page)


def show_the_idle_warning(page: Any) -> None:
    """The idle warning as the page shows it near the limit: the page's clock moved on into the
    warning's time, and the server's answer to the page's check (routed) says as much."""
    warning = page.locator("#session-warning")
    remaining = int(warning.get_attribute("data-remaining"))
    warn = int(warning.get_attribute("data-warn-seconds"))
    page.route(
        "**/staff/session",
        lambda route: route.fulfill(
            status=200, headers={"X-Session-Remaining": str(warn - 10)}, json={}
        ),
    )
    page.clock.fast_forward((remaining - warn + 10) * 1000)
    warning.wait_for()


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_focus_is_never_under_the_idle_warning(
    context_factory: Any, live_server: Any, lang: str
) -> None:
    ids = worked_request(live_server.app)
    page = context_factory(viewport=PHONE).new_page()
    sign_in(page, live_server, staff_user(live_server, "counsellor", lang))
    page.clock.install()
    page.goto(f"{live_server.url}/staff/requests/{ids['request_id']}")
    show_the_idle_warning(page)
    assert tab_both_ways(page) == []
    assert_no_axe_violations(page)


def paste(page: Any, selector: str, text: str) -> None:
    """``text`` put on the clipboard and pasted into the field with Ctrl+V, as a person copying
    a code from a password manager or a message does."""
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    page.locator(selector).focus()
    page.keyboard.press("ControlOrMeta+V")
    assert page.locator(selector).input_value() == text


def clipboard_page(context_factory: Any) -> Any:
    return context_factory(permissions=["clipboard-read", "clipboard-write"]).new_page()


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_status_page_takes_a_pasted_reference_and_code(
    context_factory: Any, live_server: Any, lang: str
) -> None:
    page = clipboard_page(context_factory)
    reach(live_server, lang, "/request/sent (status page)")(page)
    reference = page.locator("#reference").inner_text().strip()
    code = page.locator("#secret-code").inner_text().strip()
    fresh = clipboard_page(context_factory)  # another browser: nothing open there
    fresh.goto(f"{live_server.url}/{lang}/status")
    assert fresh.locator("#reference").get_attribute("autocomplete") == "username"
    assert fresh.locator("#secret_code").get_attribute("autocomplete") == "current-password"
    # As copied from a message or a note: small letters, spaces around and between the groups.
    paste(fresh, "#reference", f" {reference.lower()} ")
    paste(fresh, "#secret_code", " " + code.lower().replace("-", " ") + " ")
    fresh.locator("#status-form button[type=submit]").click()
    fresh.locator("#message-form").wait_for()
    assert_no_axe_violations(fresh)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_sign_in_takes_a_pasted_password_and_codes(
    context_factory: Any, live_server: Any, lang: str
) -> None:
    email = staff_user(live_server, "counsellor", lang)
    recovery = add_recovery_code(live_server.app, email)
    for second_step in (
        lambda: spaced(fresh_code(live_server.app, email)),
        lambda: recovery.upper().replace("-", " "),
    ):
        page = clipboard_page(context_factory)
        page.goto(f"{live_server.url}/staff/login?lang={lang}")
        assert page.locator("#email").get_attribute("autocomplete") == "username"
        assert page.locator("#password").get_attribute("autocomplete") == "current-password"
        paste(page, "#email", email)
        paste(page, "#password", STAFF_PASSWORD)
        page.locator("form.narrow-form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/staff/login/code$"))
        assert page.locator("#code").get_attribute("autocomplete") == "one-time-code"
        paste(page, "#code", second_step())
        page.locator("#code-form button[type=submit]").click()
        page.wait_for_url(f"{live_server.url}/staff/")
        page.context.close()


def spaced(code: str) -> str:
    """A six-digit code as an app or a message may show it: "123 456"."""
    return f"{code[:3]} {code[3:]}"


def add_recovery_code(app: Any, email: str) -> str:
    """One recovery code for ``email``'s account, as enrolment gives them ("k7pm-q2xa-…")."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from pyydaapua.accounts import two_factor
    from pyydaapua.database import db
    from pyydaapua.models import RecoveryCode, StaffUser

    code = two_factor.new_recovery_codes(1)[0]
    with app.app_context():
        user = db.session.scalars(select(StaffUser).where(StaffUser.email == email)).one()
        db.session.add(
            RecoveryCode(
                user_id=user.id,
                code_hash=two_factor.hash_recovery_code(code),
                created_at=datetime.now(UTC),
            )
        )
        db.session.commit()
    return code
