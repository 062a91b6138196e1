"""Single sign-on in real Chromium against a real OpenID Provider (npm's oidc-provider): a
counsellor signs in on the provider's own page by keyboard, works a request, and signs out of
both; the provider's back-channel logout ends the session here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from pyydaapua.database import db
from pyydaapua.models import AuditEvent, StaffSession
from tests.helpers.app import empty_tables, make_app
from tests.helpers.browser import LiveServer, assert_no_axe_violations, parent_sends, tab_to
from tests.helpers.oidc_provider import OpenIdProvider, skip_without_openid_provider

CLIENT_ID = "pyydaapua"
CLIENT_SECRET = "a-client-secret-for-the-browser-tests"
BUTTON = {"fi": "Kirjaudu kaupungin tunnuksella", "sv": "Logga in med stadens konto"}
SIGN_OUT = {"fi": "Kirjaudu ulos", "sv": "Logga ut"}


class SingleSignOn:
    def __init__(self, provider: OpenIdProvider, server: LiveServer) -> None:
        self.provider, self.server = provider, server

    def audit(self, action: str) -> list[AuditEvent]:
        with self.server.app.app_context():
            events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
            db.session.expunge_all()
            return events

    def live_sessions(self) -> int:
        with self.server.app.app_context():
            found = db.session.scalars(select(StaffSession).where(StaffSession.ended_at.is_(None)))
            return len(list(found))


@pytest.fixture(scope="module")
def sso(migrated_url: str) -> Iterator[SingleSignOn]:
    skip_without_openid_provider()
    provider = OpenIdProvider()
    app = make_app(
        migrated_url,
        OIDC_ISSUER=provider.issuer,
        OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=CLIENT_SECRET,
        OIDC_ROLE_MAP={"fc-counsellors": "counsellor"},
        LOCAL_SIGN_IN="admins",
    )
    server = LiveServer(app)
    app.config["PUBLIC_URL"] = server.url
    provider.add_client(
        [f"{server.url}/staff/sso/callback"],
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        post_logout_redirect_uris=[f"{server.url}/staff/login"],
        backchannel_logout_uri=f"{server.url}/staff/sso/logout",
    )
    with provider, server:
        yield SingleSignOn(provider, server)
    empty_tables(app)


def sign_in_at_the_provider(page: Any, sso: SingleSignOn, lang: str, username: str) -> None:
    page.goto(f"{sso.server.url}/staff/login?lang={lang}")
    assert_no_axe_violations(page)
    tab_to(page, "#sso-sign-in")
    expect(page.locator("#sso-sign-in")).to_have_text(BUTTON[lang])
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"^{re.escape(sso.provider.issuer)}/interaction/"))
    tab_to(page, "#username")
    page.keyboard.type(username)
    tab_to(page, "#password")
    page.keyboard.type("secret")
    page.keyboard.press("Enter")


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_a_counsellor_signs_in_works_a_request_and_signs_out_of_both(
    context_factory: Any, sso: SingleSignOn, lang: str
) -> None:
    sso.provider.set_account(
        f"counsellor-{lang}", name=f"Kaisa {lang}", groups=["fc-counsellors"], amr=["pwd", "mfa"]
    )
    reference = parent_sends(context_factory, sso.server, f"Kaupungin tunnus {lang}")
    page = context_factory(viewport={"width": 1280, "height": 800}).new_page()
    sign_in_at_the_provider(page, sso, lang, f"counsellor-{lang}")
    page.wait_for_url(f"{sso.server.url}/staff/")
    assert page.locator("html").get_attribute("lang") == "fi"  # a new account's language
    assert_no_axe_violations(page)

    # Works a request, by keyboard: finds it, takes it.
    tab_to(page, "#q")
    page.keyboard.type(reference)
    page.locator("#inbox-results .reference-cell a", has_text=reference).wait_for()
    tab_to(page, f'#inbox-results .reference-cell a:text("{reference}")')
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff/requests/\d+(\?.*)?$"))
    tab_to(page, "#take-button")
    page.keyboard.press("Enter")
    page.locator("#request-header .facts").get_by_text(f"Kaisa {lang}").wait_for()

    # Signs out: ours ends, the provider's too, and the browser comes back to our sign-in.
    page.goto(f"{sso.server.url}/staff/account")
    tab_to(page, ".link-button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"^{re.escape(sso.server.url)}/staff/login"))
    assert sso.live_sessions() == 0
    page.goto(f"{sso.server.url}/staff/")
    page.wait_for_url(re.compile(r"/staff/login"))
    page.goto(f"{sso.server.url}/staff/sso")
    page.wait_for_url(re.compile(rf"^{re.escape(sso.provider.issuer)}/interaction/"))
    expect(page.locator("#password")).to_be_visible()  # the provider asks again


def test_a_refusal_reads_in_words_without_axe_violations(
    context_factory: Any, sso: SingleSignOn
) -> None:
    sso.provider.set_account("outsider", groups=["finance"], amr=["pwd", "mfa"])
    page = context_factory().new_page()
    sign_in_at_the_provider(page, sso, "sv", "outsider")
    page.locator("#sso-refused").wait_for()
    assert page.locator("html").get_attribute("lang") == "sv"
    expect(page.locator("#sso-refused")).to_contain_text("ingen roll")
    assert_no_axe_violations(page)


def test_the_providers_back_channel_logout_ends_the_session_here(
    context_factory: Any, sso: SingleSignOn
) -> None:
    """Signing out of the provider elsewhere (another of the city's services) ends our
    session at once: the provider posts a logout token to us before it answers."""
    sso.provider.set_account("pekka", name="Pekka", groups=["fc-counsellors"], amr=["pwd", "mfa"])
    page = context_factory().new_page()
    sign_in_at_the_provider(page, sso, "fi", "pekka")
    page.wait_for_url(f"{sso.server.url}/staff/")
    assert sso.live_sessions() == 1
    page.goto(f"{sso.provider.end_session_endpoint}?client_id={CLIENT_ID}")
    page.wait_for_load_state()
    page.wait_for_function("() => !document.querySelector('form[action$=\"/confirm\"]')")
    assert sso.live_sessions() == 0
    assert len(sso.audit("sign_out_by_provider")) == 1
    page.goto(f"{sso.server.url}/staff/")
    page.wait_for_url(re.compile(r"/staff/login"))
