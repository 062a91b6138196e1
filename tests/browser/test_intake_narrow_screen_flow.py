"""Reflow at 320 CSS px (WCAG 1.4.10): no public page and no error state scrolls sideways, in
Finnish or Swedish, and no element on it is wider than the window."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask

from pyydaapua.database import db
from pyydaapua.models import HelpRequest
from tests.helpers.app import make_app
from tests.helpers.browser import assert_no_axe_violations, plain_submit, read_confirmation
from tests.helpers.forms import RequestFormHelper
from tests.helpers.outages import Outage

WIDTH = 320

# Every rendered element whose box reaches outside the window. The skip link waits off-screen
# until it has the focus and visually hidden text is clipped to 1 px: neither is seen.
MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const element of document.querySelectorAll("body *")) {
    if (element.closest(".skip-link, .visually-hidden")) continue;
    const box = element.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.left < -0.5 || box.right > width + 0.5) {
      const name = element.id ? "#" + element.id : String(element.className || "");
      wide.push(element.tagName.toLowerCase() + " " + name + " " + Math.round(box.left)
        + ".." + Math.round(box.right) + " " + (element.textContent || "").trim().slice(0, 40));
    }
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: width,
    wide: wide,
  };
}"""


def assert_fits(page: Any) -> None:
    measured = page.evaluate(MEASURE)
    assert measured["clientWidth"] == WIDTH
    assert measured["scrollWidth"] <= measured["clientWidth"], measured
    assert measured["wide"] == [], measured["wide"]


def show(page: Any, live_server: Any, lang: str, response: Any) -> None:
    """Show an answer that a browser reaches only with an unusual request (too large, too
    many, an expired token) at an address of the site, so that its stylesheet applies."""
    url = f"{live_server.url}/{lang}/state-under-test"
    body = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in body
    page.route(
        url,
        lambda route: route.fulfill(
            status=response.status_code, content_type="text/html; charset=utf-8", body=body
        ),
    )
    page.goto(url)


def send_with_errors(page: Any, live_server: Any, lang: str) -> None:
    page.goto(f"{live_server.url}/{lang}/request")
    page.locator("#email").fill("not-an-email")
    page.locator("#request-form button[type=submit]").click()
    page.locator("#error-summary").wait_for()


def send_without_javascript(page: Any, live_server: Any, lang: str) -> None:
    page.route("**/static/js/*", lambda route: route.abort())
    send_with_errors(page, live_server, lang)


def confirmation(page: Any, live_server: Any, lang: str) -> None:
    page.goto(f"{live_server.url}/{lang}/request")
    page.locator("#name").fill("Aleksandra Kuusivaara-Lindholm")
    page.locator("#phone").fill("+46 70 123 45 67")
    page.locator("#request-form button[type=submit]").click()
    read_confirmation(page, live_server, lang)


@contextmanager
def other_app(live_server: Any, **overrides: Any) -> Iterator[Flask]:
    """An app on the live server's database with other settings; its connections closed after."""
    app = make_app(live_server.app.config["SQLALCHEMY_DATABASE_URI"], **overrides)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def too_many(page: Any, live_server: Any, lang: str) -> None:
    with other_app(live_server, RATELIMIT_ENABLED=True) as app:
        app.config["REQUEST_RATE_LIMIT"] = "1 per hour"
        helper = RequestFormHelper(app.test_client())
        assert helper.submit(lang).status_code == 303
        refused = helper.submit(lang, description="Perhetyöntekijäkeskustelu")
    assert refused.status_code == 429
    show(page, live_server, lang, refused)


def too_large(page: Any, live_server: Any, lang: str) -> None:
    with other_app(live_server, MAX_CONTENT_LENGTH=1000) as app:
        response = RequestFormHelper(app.test_client()).submit(lang, description="x" * 2000)
    assert response.status_code == 413
    show(page, live_server, lang, response)


def expired_token(page: Any, live_server: Any, lang: str) -> None:
    with other_app(live_server, WTF_CSRF_ENABLED=True) as app:
        helper = RequestFormHelper(app.test_client())
        response = helper.submit(lang, hidden={"csrf_token": "old"})
    assert response.status_code == 400
    show(page, live_server, lang, response)


def not_allowed(page: Any, live_server: Any, lang: str) -> None:
    response = live_server.app.test_client().post(f"/{lang}/privacy")
    assert response.status_code == 405
    show(page, live_server, lang, response)


STATES = {
    "landing": lambda page, server, lang: page.goto(f"{server.url}/{lang}/"),
    "request form": lambda page, server, lang: page.goto(f"{server.url}/{lang}/request"),
    "form with errors": send_with_errors,
    "form with errors, no JavaScript": send_without_javascript,
    "confirmation": confirmation,
    "privacy notice": lambda page, server, lang: page.goto(f"{server.url}/{lang}/privacy"),
    "accessibility statement": lambda page, server, lang: page.goto(
        f"{server.url}/{lang}/accessibility"
    ),
    "404": lambda page, server, lang: page.goto(f"{server.url}/{lang}/no-such-page"),
    "confirmation, no longer shown": lambda page, server, lang: page.goto(
        f"{server.url}/{lang}/request/sent"
    ),
    "405": not_allowed,
    "400 expired token": expired_token,
    "413 too large": too_large,
    "429 too many": too_many,
}


@pytest.mark.parametrize("lang", ["fi", "sv"])
@pytest.mark.parametrize("state", STATES)
def test_public_page_fits_320_px(
    context_factory: Any, live_server: Any, lang: str, state: str
) -> None:
    page = context_factory(viewport={"width": WIDTH, "height": 640}).new_page()
    STATES[state](page, live_server, lang)
    assert page.locator("html").get_attribute("lang") == lang
    assert_fits(page)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_unavailable_states_fit_320_px(
    context_factory: Any,
    live_server: Any,
    outage: Outage,
    lang: str,
) -> None:
    page = context_factory(viewport={"width": WIDTH, "height": 640}).new_page()
    # A page that reads the database while it is unreachable: the 503 page (the confirmation
    # of a browser with a session looks the session up).
    page.goto(f"{live_server.url}/{lang}/request")
    outage.everything()
    response = page.goto(f"{live_server.url}/{lang}/request/sent")
    assert response.status == 503
    assert page.locator("#error-message").is_visible()
    assert_fits(page)
    outage.over()
    # A request that could not be stored: the form comes back, with everything typed.
    page.goto(f"{live_server.url}/{lang}/request")
    page.locator("#description").fill("Lapsiperheiden sosiaalipalveluneuvonta " * 20)
    page.locator("#phone").fill("040 123 4567")
    outage.commits_writing(HelpRequest)
    plain_submit(page, "#request-form")
    page.locator("#form-notice").wait_for()
    assert_fits(page)


@pytest.mark.parametrize("lang", ["fi", "sv"])
@pytest.mark.parametrize("state", ["confirmation", "privacy notice", "accessibility statement"])
def test_changed_pages_have_no_axe_violations_at_320_px(
    context_factory: Any, live_server: Any, lang: str, state: str
) -> None:
    page = context_factory(viewport={"width": WIDTH, "height": 640}).new_page()
    STATES[state](page, live_server, lang)
    assert_no_axe_violations(page)
