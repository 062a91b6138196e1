"""Helpers of the browser tests: Chromium and its options, the live server the browser talks
to, axe-core, and the steps that several flows share (a parent sending a request, a counsellor
signing in by keyboard, moving the focus with Tab)."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from pyydaapua.database import db
from pyydaapua.models import HelpRequest
from tests.helpers.staff import STAFF_PASSWORD, current_code

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]


REFERENCE = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$")

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
    return candidate if Path(candidate).is_file() and os.access(candidate, os.X_OK) else None


def whole_bodies(app: Flask) -> Any:
    """The app with each response body read whole, and closed, before it is sent.

    Werkzeug's development server leaves a file response (a stylesheet) open when the browser
    drops the connection mid-send, e.g. when a test moves on while the page is still loading;
    the unclosed file then fails whichever test is running when it is collected.
    """

    def wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, whole_bodies(app), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


def assert_no_axe_violations(page: Any) -> None:
    """axe-core, WCAG 2.0, 2.1 and 2.2 A and AA rules, on the page as it is now.

    axe runs with the page scrolled to the top, where the public pages' sticky quick exit bar
    covers nothing, and the page is then scrolled back: scrolled further, axe's target-size
    rule counts a link that has passed under the bar as too small. Whether a focused element
    is ever hidden under a sticky bar (2.4.11) is tested by tabbing through the pages
    (tests/browser/test_service_wcag22_flow.py)."""
    from axe_playwright_python.sync_playwright import Axe

    # The page as it is shown: a page just navigated to may have its elements before its
    # stylesheet, and axe would measure them unstyled (a busy test server answers the
    # stylesheet's revalidation after the page).
    page.wait_for_load_state("load")
    scrolled = page.evaluate("() => [window.scrollX, window.scrollY]")
    page.evaluate("() => window.scrollTo(0, 0)")
    # The page at rest: a focused skip link shows over the header only while a keyboard user is
    # on it, and would be measured as a pointer target beside the brand (2.4.11 and focus are
    # tested by tabbing, above). The focus is given back afterwards.
    page.evaluate(
        "() => { window.__axeFocus = document.activeElement;"
        " if (document.activeElement) document.activeElement.blur(); }"
    )
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    page.evaluate(
        "() => { const el = window.__axeFocus; delete window.__axeFocus;"
        " if (el && el !== document.body && el.focus) el.focus({preventScroll: true}); }"
    )
    page.evaluate("([x, y]) => window.scrollTo(x, y)", scrolled)
    assert results.violations_count == 0, results.generate_report()


def stored(live_server: Any, reference_shown: str) -> HelpRequest:
    with live_server.app.app_context():
        found = db.session.scalars(
            select(HelpRequest).where(HelpRequest.reference == reference_shown.replace("-", ""))
        ).one()
        db.session.expunge(found)
        return found


def read_confirmation(page: Any, live_server: Any, lang: str) -> HelpRequest:
    page.wait_for_url(re.compile(rf"/{lang}/request/sent$"))
    reference = page.locator("#reference").inner_text().strip()
    assert REFERENCE.match(reference), reference
    due = page.locator("#due-date")
    request = stored(live_server, reference)
    assert due.get_attribute("datetime") == request.due_date.isoformat()
    assert str(request.due_date.year) in due.inner_text()
    assert request.language == lang
    return request


def tab_to(page: Any, selector: str, limit: int = 60) -> int:
    """Press Tab until the element matching ``selector`` has the focus; the number of presses."""
    target = page.locator(selector)
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return presses
    raise AssertionError(f"{selector} was not reached with the Tab key")


def parent_sends(context_factory: Any, live_server: Any, words: str) -> str:
    """A parent submits the public form in their own browser; returns the reference shown."""
    page = context_factory().new_page()
    page.goto(f"{live_server.url}/fi/request")
    page.locator("#description").fill(words)
    page.locator("#phone").fill("040 765 4321")
    page.locator("#request-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/request/sent$"))
    return page.locator("#reference").inner_text().strip()


def open_from_inbox(page: Any, live_server: Any, reference: str) -> None:
    page.goto(f"{live_server.url}/staff/")
    page.locator("#q").fill(reference)
    page.wait_for_url(re.compile(r"/staff/\?q="))  # the search lives in the URL
    assert page.locator("#inbox-results .reference-cell a").count() == 1
    page.locator("#inbox-results .reference-cell a", has_text=reference).click()
    page.wait_for_url(re.compile(r"/staff/requests/\d+(\?.*)?$"))


def password_by_keyboard(page: Any, live_server: Any, email: str, lang: str) -> None:
    """The first step: the e-mail and the password, typed."""
    page.goto(f"{live_server.url}/staff/login?lang={lang}")
    tab_to(page, "#email")
    page.keyboard.type(email)
    tab_to(page, "#password")
    page.keyboard.type(STAFF_PASSWORD)
    page.keyboard.press("Enter")


def code_by_keyboard(page: Any, code: str) -> None:
    """The second step: the code typed on the code page."""
    page.wait_for_url(re.compile(r"/staff/login/code$"))
    tab_to(page, "#code")
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def sign_in_by_keyboard(page: Any, live_server: Any, email: str, lang: str) -> None:
    """Both steps, by keyboard, for an account made by ``make_staff`` (enrolled)."""
    password_by_keyboard(page, live_server, email, lang)
    code_by_keyboard(page, current_code(email))


def plain_submit(page: Any, form: str) -> None:
    """Submit a form as a browser without htmx would (a full-page POST)."""
    with page.expect_navigation():
        page.locator(form).evaluate("form => form.submit()")
