"""An administrator keeps the staff accounts and the service catalogue, in real Chromium, in
both staff languages, with axe-core on every page and its error state; one flow by keyboard."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from pyydaapua.database import db
from pyydaapua.models import Service, StaffSession, StaffUser
from pyydaapua.tools import demo
from tests.helpers.browser import assert_no_axe_violations, sign_in_by_keyboard, tab_to
from tests.helpers.staff import STAFF_PASSWORD, current_code, make_staff

FIRST_PASSWORD = "first password 2026"
OWN_PASSWORD = "my very own password"


def stored_user(live_server: Any, email: str) -> StaffUser:
    with live_server.app.app_context():
        user = db.session.scalars(select(StaffUser).where(StaffUser.email == email)).one()
        db.session.expunge(user)
        return user


def stored_service(live_server: Any, name_fi: str) -> Service:
    with live_server.app.app_context():
        service = db.session.scalars(select(Service).where(Service.name_fi == name_fi)).one()
        db.session.expunge(service)
        return service


def submit(page: Any, form: str) -> None:
    page.locator(f"{form} button[type=submit]").click()


def expect_errors(page: Any, summary: str = "#error-summary") -> None:
    """The page came back with its error summary, focused, and passes axe-core."""
    expect(page.locator(summary)).to_be_visible()
    expect(page.locator(summary)).to_be_focused()
    assert page.title().startswith(("Virhe:", "Fel:"))
    assert_no_axe_violations(page)


def sign_in_admin(context_factory: Any, live_server: Any, lang: str) -> tuple[Any, int]:
    admin_id, email = make_staff(live_server.app, "admin", lang, name=f"Admin {lang}")
    page = context_factory().new_page()
    sign_in_by_keyboard(page, live_server, email, lang)
    page.wait_for_url(f"{live_server.url}/staff/admin/users")
    assert page.locator("html").get_attribute("lang") == lang
    return page, admin_id


def keyboard_sign_in(page: Any, live_server: Any, email: str, password: str) -> None:
    page.goto(f"{live_server.url}/staff/login")
    tab_to(page, "#email")
    page.keyboard.type(email)
    tab_to(page, "#password", limit=5)
    page.keyboard.type(password)
    page.keyboard.press("Enter")


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_admin_manages_accounts(context_factory: Any, live_server: Any, lang: str) -> None:
    page, admin_id = sign_in_admin(context_factory, live_server, lang)
    expect(page.locator('.staff-nav a[aria-current="page"]')).to_have_attribute(
        "href", "/staff/admin/users"
    )
    assert_no_axe_violations(page)

    # A new account: first with errors, then right.
    page.locator("#new-user").click()
    page.wait_for_url(re.compile(r"/staff/admin/users/new$"))
    assert_no_axe_violations(page)
    email = f"new-{uuid.uuid4().hex[:6]}@example.fi"
    page.locator("#email").fill(email)
    page.locator("#new_password").fill(FIRST_PASSWORD)
    page.locator("#new_password_again").fill("something else")
    submit(page, "#user-form")
    expect_errors(page)
    assert page.locator("#email").input_value() == email
    assert page.locator("#new_password").input_value() == ""
    page.locator("#name").fill("Uusi Työntekijä")
    page.locator("#role").select_option("supervisor")
    page.locator("#language-1").check()
    page.locator("#new_password").fill(FIRST_PASSWORD)
    page.locator("#new_password_again").fill(FIRST_PASSWORD)
    submit(page, "#user-form")
    page.wait_for_url(re.compile(r"/staff/admin/users$"))
    expect(page.locator(".notice[role=status]")).to_be_visible()
    user = stored_user(live_server, email)
    assert (user.role, user.language, user.password_change_required) == ("supervisor", "sv", True)
    row = page.locator(f"#user-{user.id}")
    expect(row).to_have_attribute("data-password-change", "yes")

    # The new user signs in with the first password, takes two-factor sign-in into use and
    # must then choose their own password.
    other = context_factory().new_page()
    other.goto(f"{live_server.url}/staff/login")
    other.locator("#email").fill(email)
    other.locator("#password").fill(FIRST_PASSWORD)
    submit(other, "form.narrow-form")
    other.wait_for_url(re.compile(r"/staff/login/enrol$"))
    secret = re.sub(r"\s", "", other.locator("#secret-key").inner_text())
    other.locator("#code").fill(current_code(email, secret))
    submit(other, "#enrol-form")
    other.locator("#continue").click()
    other.wait_for_url(re.compile(r"/staff/account/password$"))
    expect(other.locator("#password-change-required")).to_be_visible()

    # The account page: change the name and role, first with an error.
    row.get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/staff/admin/users/{user.id}$"))
    assert_no_axe_violations(page)
    page.locator("#name").fill("")
    submit(page, "#user-form")
    expect_errors(page)
    page.locator("#name").fill("Uusi Nimi")
    page.locator("#role").select_option("counsellor")
    submit(page, "#user-form")
    expect(page.locator("h1")).to_contain_text("Uusi Nimi")
    assert stored_user(live_server, email).role == "counsellor"

    # A new password: the two do not match.
    page.locator("#new_password").fill(FIRST_PASSWORD)
    page.locator("#new_password_again").fill("not the same")
    submit(page, "#password-form")
    expect_errors(page, "#password-errors")

    # Deactivate: the user's open page is signed out.
    submit(page, "#active-form")
    expect(page.locator("#user-active")).to_have_attribute("data-active", "no")
    assert_no_axe_violations(page)
    other.reload()
    assert "/staff/login" in other.url
    with live_server.app.app_context():
        assert not db.session.scalars(
            select(StaffSession).where(
                StaffSession.user_id == user.id, StaffSession.ended_at.is_(None)
            )
        ).all()

    # The admin's own account: no button to deactivate themself; their own password.
    page.goto(f"{live_server.url}/staff/admin/users/{admin_id}")
    expect(page.locator("#active-form button")).to_have_count(0)
    assert_no_axe_violations(page)
    page.goto(f"{live_server.url}/staff/account")
    page.locator("#change-password").click()
    page.wait_for_url(re.compile(r"/staff/account/password$"))
    assert_no_axe_violations(page)
    page.locator("#current_password").fill("wrong password!")
    page.locator("#new_password").fill(OWN_PASSWORD)
    page.locator("#new_password_again").fill(OWN_PASSWORD)
    submit(page, "#password-form")
    expect_errors(page)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_admin_manages_the_catalogue(context_factory: Any, live_server: Any, lang: str) -> None:
    with live_server.app.app_context():
        demo.load_services()  # the live server is shared: other tests expect the demo catalogue
    page, _ = sign_in_admin(context_factory, live_server, lang)
    page.locator('.staff-nav a[href="/staff/admin/services"]').click()
    page.wait_for_url(re.compile(r"/staff/admin/services$"))
    expect(page.locator('.staff-nav a[aria-current="page"]')).to_have_attribute(
        "href", "/staff/admin/services"
    )
    assert_no_axe_violations(page)

    page.locator("#new-service").click()
    page.wait_for_url(re.compile(r"/staff/admin/services/new$"))
    assert_no_axe_violations(page)
    name_fi = f"Testipalvelu {uuid.uuid4().hex[:6]}"
    page.locator("#name_fi").fill(name_fi)
    page.locator("#url").fill("www.example.fi")
    page.locator("#phone").fill("soita")
    submit(page, "#service-form")
    expect_errors(page)
    assert page.locator("#url").input_value() == "www.example.fi"
    assert page.locator("#name_fi").input_value() == name_fi
    page.locator("#name_sv").fill("Testtjänst")
    page.locator("#description_sv").fill("Stöd för familjer.")
    page.locator("#provider_type-1").check()
    page.locator("#url").fill("https://www.example.fi/palvelu")
    page.locator("#phone").fill("+358 40 123 4567")
    page.locator("#email").fill("palvelu@example.fi")
    submit(page, "#service-form")
    page.wait_for_url(re.compile(r"/staff/admin/services$"))
    service = stored_service(live_server, name_fi)
    assert (service.provider_type, service.url, service.active) == (
        "third_sector",
        "https://www.example.fi/palvelu",
        True,
    )

    # Change it: an error first, then out of use.
    page.locator(f"#service-{service.id} a").click()
    page.wait_for_url(re.compile(rf"/staff/admin/services/{service.id}$"))
    assert_no_axe_violations(page)
    page.locator("#email").fill("not an email")
    submit(page, "#service-form")
    expect_errors(page)
    page.locator("#email").fill("")
    page.locator("#active").uncheck()
    submit(page, "#service-form")
    page.wait_for_url(re.compile(r"/staff/admin/services$"))
    expect(page.locator(f"#service-{service.id}")).to_have_attribute("data-active", "no")
    assert stored_service(live_server, name_fi).active is False


def test_admin_works_by_keyboard_only(context_factory: Any, live_server: Any) -> None:
    _, admin_email = make_staff(live_server.app, "admin", "fi", name="Keyboard Admin")
    page = context_factory().new_page()
    sign_in_by_keyboard(page, live_server, admin_email, "fi")
    page.wait_for_url(f"{live_server.url}/staff/admin/users")

    tab_to(page, "#new-user")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff/admin/users/new$"))
    email = f"kb-{uuid.uuid4().hex[:6]}@example.fi"
    tab_to(page, "#email")
    page.keyboard.type(email)
    tab_to(page, "#name", limit=5)
    page.keyboard.type("Näppäin Käyttäjä")
    tab_to(page, "#language-0", limit=10)
    page.keyboard.press("Space")
    tab_to(page, "#new_password", limit=10)
    page.keyboard.type(FIRST_PASSWORD)
    tab_to(page, "#new_password_again", limit=5)
    page.keyboard.type(FIRST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff/admin/users$"))
    user = stored_user(live_server, email)
    assert (user.role, user.language) == ("counsellor", "fi")

    tab_to(page, f"#user-{user.id} a")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/staff/admin/users/{user.id}$"))
    tab_to(page, "#active-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#user-active")).to_have_attribute("data-active", "no")
    assert stored_user(live_server, email).active is False

    # The deactivated user cannot sign in; the forced change is shown to a user who can.
    other = context_factory().new_page()
    keyboard_sign_in(other, live_server, email, FIRST_PASSWORD)
    expect(other.locator("#error-summary")).to_be_visible()
    _, forced = make_staff(live_server.app, "counsellor", "fi")
    with live_server.app.app_context():
        account = db.session.scalars(select(StaffUser).where(StaffUser.email == forced)).one()
        account.password_change_required = True
        db.session.commit()
    sign_in_by_keyboard(other, live_server, forced, "fi")
    other.wait_for_url(re.compile(r"/staff/account/password$"))
    assert_no_axe_violations(other)
    tab_to(other, "#current_password")
    other.keyboard.type(STAFF_PASSWORD)
    tab_to(other, "#new_password", limit=5)
    other.keyboard.type(OWN_PASSWORD)
    tab_to(other, "#new_password_again", limit=5)
    other.keyboard.type(OWN_PASSWORD)
    other.keyboard.press("Enter")
    other.wait_for_url(re.compile(r"/staff/account$"))
    assert stored_user(live_server, forced).password_change_required is False
