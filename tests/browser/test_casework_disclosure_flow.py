"""A counsellor records a referral with the family's consent by keyboard in real Chromium, in
both staff languages: what is passed on shows once consent is given, and the disclosure is on
the request page's disclosure log."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import Disclosure, Service
from pyydaapua.tools import demo
from tests.helpers.browser import assert_no_axe_violations, sign_in_by_keyboard, tab_to
from tests.helpers.staff import make_staff

WORDS = {
    "fi": ("Yhteystiedot: nimi, puhelinnumero, sähköposti", "Lasten iät", "Perheen suostumus"),
    "sv": ("Kontaktuppgifter: namn, telefonnummer, e-post", "Barnens åldrar", "Familjens samtycke"),
}


@pytest.fixture
def request_id(live_server: Any) -> int:
    with live_server.app.app_context():
        demo.load_services()
        stored = submit(
            NewRequest(
                submission_key=uuid.uuid4().hex,
                language="fi",
                call_language="fi",
                phone="+358401234567",
                description="Tarvitsemme apua",
            ),
            now=datetime.now(UTC) - timedelta(hours=1),
        )
        return stored.id


def check(page: Any, selector: str) -> None:
    """Tab to a radio button or checkbox and tick it with the space bar."""
    tab_to(page, selector, limit=30)
    page.keyboard.press("Space")
    expect(page.locator(selector)).to_be_checked()


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_a_referral_with_consent_given_is_on_the_disclosure_log(
    context_factory: Any, live_server: Any, request_id: int, lang: str
) -> None:
    _, email = make_staff(live_server.app, "counsellor", lang, name=f"Ohjaaja {lang}")
    page = context_factory().new_page()
    sign_in_by_keyboard(page, live_server, email, lang)
    page.wait_for_url(f"{live_server.url}/staff/")
    page.goto(f"{live_server.url}/staff/requests/{request_id}")

    tab_to(page, "details.action:has(#form-referral) > summary", limit=80)
    page.keyboard.press("Enter")
    disclosure = page.locator("#referral-disclosure")
    expect(disclosure).to_be_hidden()  # nothing to pass on before consent is given
    tab_to(page, "#referral-service", limit=20)
    page.keyboard.press("ArrowDown")  # the first service in the list
    expect(page.locator("#referral-service")).not_to_have_value("")
    check(page, "#referral-status-0")  # suggested to the family
    check(page, "#referral-consent-0")  # consent given in the call
    expect(disclosure).to_be_visible()
    assert_no_axe_violations(page)
    check(page, "#referral-categories-0")  # contact details
    check(page, "#referral-categories-3")  # the children's ages
    tab_to(page, "#referral-recipient_unit", limit=10)
    page.keyboard.type("Tiimi 2")
    tab_to(page, "#form-referral button[type=submit]", limit=20)
    page.keyboard.press("Enter")

    row = page.locator("#disclosures tbody tr")
    row.wait_for()
    what, other, basis = WORDS[lang]
    expect(row).to_contain_text(what)
    expect(row).to_contain_text(other)
    expect(row).to_contain_text("Tiimi 2")
    expect(row).to_contain_text(f"Ohjaaja {lang}")
    expect(row).to_contain_text(basis)
    expect(disclosure).to_be_hidden()  # the fresh form: no consent chosen
    assert_no_axe_violations(page)
    with live_server.app.app_context():
        (stored,) = db.session.scalars(
            select(Disclosure).where(Disclosure.request_id == request_id)
        ).all()
        service = db.session.get(Service, stored.referral.service_id)
        assert stored.categories == "contact,children"
        assert stored.recipient == f"{service.name_fi} – Tiimi 2"
