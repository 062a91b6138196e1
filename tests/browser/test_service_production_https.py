"""The service as it is deployed: gunicorn serving HTTPS with APP_ENV=production and Redis.

A throw-away self-signed certificate, a private redis-server for the rate limits, gunicorn
with the project's gunicorn.conf.py, and Chromium: a parent sends the form with and without
JavaScript, a counsellor signs in, takes the request with htmx and signs out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import extract_parameters
from argon2.profiles import get_default_parameters
from playwright.sync_api import expect
from sqlalchemy import select

from pyydaapua.database import db
from pyydaapua.models import HelpRequest, StaffUser
from tests.helpers.app import PRODUCTION, empty_tables, make_app
from tests.helpers.browser import open_from_inbox, sign_in_by_keyboard
from tests.helpers.servers import Gunicorn, NeutralSite, redis_server, self_signed_certificate
from tests.helpers.staff import make_staff


@pytest.fixture(scope="module")
def https_server(migrated_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    certificate = self_signed_certificate(tmp_path_factory.mktemp("tls"))
    with redis_server(tmp_path_factory.mktemp("redis")) as redis_url, NeutralSite() as neutral:
        env = {
            "QUICK_EXIT_URL": neutral.url,
            "APP_ENV": "production",
            "SECRET_KEY": PRODUCTION["SECRET_KEY"],
            "DATABASE_URL": migrated_url,
            "RATELIMIT_STORAGE_URI": redis_url,
            "ALLOW_SQLITE_IN_PRODUCTION": "1" if migrated_url.startswith("sqlite") else "0",
            "ALLOW_MEMORY_RATE_LIMITS": "0",
            "FLASK_DEBUG": "0",
        }
        with Gunicorn(env, certificate) as server:
            server.app = make_app(migrated_url)  # the same database, for set-up and checks
            server.neutral = neutral
            yield server
            empty_tables(server.app)


def deployed_parameters(stored_hash: str | None) -> bool:
    """Whether a hash is argon2id with the library's recommended parameters."""
    return stored_hash is not None and extract_parameters(stored_hash) == get_default_parameters()


def https_context(context_factory: Any, **options: Any) -> Any:
    return context_factory(ignore_https_errors=True, **options)


def send_the_form(page: Any, server: Any, lang: str, words: str) -> str:
    form_page = page.goto(f"{server.url}/{lang}/request")
    assert form_page.headers["cache-control"] == "no-store"
    page.locator("#description").fill(words)
    page.locator("#phone").fill("040 123 4567")
    page.locator("#request-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/{lang}/request/sent$"))
    reference = page.locator("#reference").inner_text().strip()
    with server.app.app_context():
        stored = db.session.scalars(
            select(HelpRequest).where(HelpRequest.reference == reference.replace("-", ""))
        ).one()
        assert stored.description == words
        assert stored.language == lang
    return reference


def assert_host_cookie(context: Any) -> None:
    cookies = {cookie["name"]: cookie for cookie in context.cookies()}
    session = cookies["__Host-session"]
    assert session["secure"] and session["httpOnly"]
    assert session["sameSite"] == "Lax"
    assert session["path"] == "/"
    assert "session" not in cookies


def test_parent_sends_the_form_over_https_with_javascript(context_factory, https_server):
    context = https_context(context_factory)
    page = context.new_page()
    send_the_form(page, https_server, "fi", "Apua arkeen, lähetetty HTTPS:llä.")
    assert_host_cookie(context)


def test_parent_sends_the_form_over_https_without_javascript(context_factory, https_server):
    context = https_context(context_factory, java_script_enabled=False)
    page = context.new_page()
    send_the_form(page, https_server, "sv", "Hjälp i vardagen, utan JavaScript.")
    assert_host_cookie(context)


def test_counsellor_signs_in_takes_a_request_and_signs_out(context_factory, https_server):
    parent = https_context(context_factory).new_page()
    reference = send_the_form(parent, https_server, "fi", "Tarvitsemme neuvoa muuton jälkeen.")

    _, email = make_staff(https_server.app, "counsellor", "fi")
    context = https_context(context_factory, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in_by_keyboard(page, https_server, email, "fi")
    page.wait_for_url(f"{https_server.url}/staff/")
    assert_host_cookie(context)
    # The test process hashes at argon2's cheapest (tests/conftest.py); the server rehashed
    # the password at sign-in with the recommended parameters.
    with https_server.app.app_context():
        user = db.session.scalars(select(StaffUser).where(StaffUser.email == email)).one()
        assert deployed_parameters(user.password_hash)

    open_from_inbox(page, https_server, reference)
    page.locator("#take-button").click()  # an htmx POST with the CSRF header
    page.locator("#request-header .facts").get_by_text("Test counsellor").wait_for()
    with https_server.app.app_context():
        taken = db.session.scalars(
            select(HelpRequest).where(HelpRequest.reference == reference.replace("-", ""))
        ).one()
        assert taken.assigned_to_id is not None

    page.locator("form[action$='/staff/logout'] button").click()
    page.wait_for_url(re.compile(r"/staff/login"))
    page.goto(f"{https_server.url}/staff/")
    expect(page).to_have_url(re.compile(r"/staff/login"))

    # The access log names paths and statuses, never searches or confirmation secrets.
    log = https_server.output()
    assert '"POST /fi/request HTTP/1.1" 204' in log  # htmx: HX-Redirect
    assert '"POST /sv/request HTTP/1.1" 303' in log  # without JavaScript
    assert '"GET /fi/request/sent HTTP/1.1" 200' in log
    assert "?" not in log and reference not in log and reference.replace("-", "") not in log


def test_a_parent_without_a_phone_opens_the_status_page_over_https(context_factory, https_server):
    """The written channel as deployed: the choice, the code shown once, and the status page
    opened and answered with POSTs over HTTPS; the code is in no address and no log line."""
    page = https_context(context_factory).new_page()
    page.goto(f"{https_server.url}/fi/request")
    page.locator("#contact_method-1").check()
    page.locator("#description").fill("Vastatkaa kirjallisesti, kiitos.")
    page.locator("#request-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/fi/request/sent$"))
    reference = page.locator("#reference").inner_text().strip()
    code = page.locator("#secret-code").inner_text().strip()
    # The status page opens straight from the browser that sent the request.
    page.locator("#status-page-link").click()
    page.locator("#message-form").wait_for()
    page.locator("#message").fill("Kiitos, odotan vastausta täällä.")
    page.locator("#message-form button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Kiitos, odotan vastausta täällä.")
    # Closed, it needs the pair again; the quick exit then leaves nothing behind Back.
    page.locator("#close-status").click()
    page.goto(f"{https_server.url}/fi/status")
    page.locator("#reference").fill(reference)
    page.locator("#secret_code").fill(code)
    page.locator("#status-form button[type=submit]").click()
    page.locator("#message-form").wait_for()
    page.locator("#quick-exit").click()
    page.wait_for_url(https_server.neutral.url)
    page.go_back()
    page.wait_for_load_state()
    assert "Kiitos, odotan vastausta" not in page.content() and reference not in page.content()
    assert page.locator("#message-form").count() == 0
    with https_server.app.app_context():
        stored = db.session.scalars(
            select(HelpRequest).where(HelpRequest.reference == reference.replace("-", ""))
        ).one()
        assert (stored.contact_method, stored.phone) == ("status_page", "")
        assert stored.family_message_at is not None
        assert deployed_parameters(stored.status_secret_hash)
    log = https_server.output()
    assert '"POST /fi/status HTTP/1.1" 303' in log
    assert code not in log and code.replace("-", "") not in log
