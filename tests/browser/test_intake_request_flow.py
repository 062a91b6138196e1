"""A parent asks for help in real Chromium: with a mouse, by keyboard only, without JavaScript."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from sqlalchemy import select

from pyydaapua.database import db
from pyydaapua.models import HelpRequest
from tests.helpers.app import make_app
from tests.helpers.browser import LiveServer, assert_no_axe_violations, read_confirmation, tab_to

BUTTON = {"fi": "Pyydä apua", "sv": "Be om hjälp"}
SEND = {"fi": "Lähetä", "sv": "Skicka"}
ERROR_PREFIX = {"fi": "Virhe:", "sv": "Fel:"}


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_parent_sends_a_request(page: Any, live_server: Any, lang: str) -> None:
    page.goto(f"{live_server.url}/{lang}/")
    page.get_by_role("link", name=BUTTON[lang], exact=True).last.click()
    page.wait_for_url(re.compile(rf"/{lang}/request$"))
    page.locator("#topics-3").check()
    page.locator("#description").fill("Arki on raskasta." if lang == "fi" else "Vardagen är tung.")
    page.locator("#phone").fill("040 123 4567")
    page.locator("#request-form button[type=submit]").click()
    request = read_confirmation(page, live_server, lang)
    assert request.topic_codes == ["parent_coping"]
    assert request.phone == "+358401234567"


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_errors_are_shown_in_place_and_focused(page: Any, live_server: Any, lang: str) -> None:
    page.goto(f"{live_server.url}/{lang}/request")
    page.locator("#name").fill("Anna")
    page.locator("#request-form button[type=submit]").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    expect(summary).to_be_focused()
    assert page.url.endswith(f"/{lang}/request")
    assert page.title().startswith(("Virhe: ", "Fel: "))  # as on a full page
    assert page.locator("#name").input_value() == "Anna"
    assert page.locator("#phone").get_attribute("aria-invalid") == "true"
    summary.get_by_role("link").first.click()
    expect(page.locator("#phone")).to_be_focused()  # the link moves the focus
    page.locator("#phone").fill("0401234567")
    page.locator("#request-form button[type=submit]").click()
    read_confirmation(page, live_server, lang)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_keyboard_only(page: Any, live_server: Any, lang: str) -> None:
    page.goto(f"{live_server.url}/{lang}/")
    tab_to(page, ".button-large")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/{lang}/request$"))
    tab_to(page, "#topics-0")
    page.keyboard.press("Space")
    tab_to(page, "#description")
    page.keyboard.type("Tarvitsen neuvoa." if lang == "fi" else "Jag behöver råd.")
    tab_to(page, "#phone")
    page.keyboard.type("+358 40 765 4321")
    tab_to(page, "#request-form button[type=submit]")
    page.keyboard.press("Enter")
    request = read_confirmation(page, live_server, lang)
    assert request.topic_codes == ["services"]
    assert request.phone == "+358407654321"


def test_keyboard_only_through_an_error(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/fi/request")
    tab_to(page, "#request-form button[type=submit]")
    page.keyboard.press("Enter")
    page.locator("#error-summary").wait_for()
    expect(page.locator("#error-summary")).to_be_focused()
    # Settled: the swap's own focus step is done, and cannot take the focus back later.
    expect(page.locator("#error-summary")).not_to_have_attribute("data-focus", re.compile(".*"))
    tab_to(page, "#error-summary a")
    page.keyboard.press("Enter")
    expect(page.locator("#phone")).to_be_focused()  # the link moves the focus
    page.keyboard.type("0401112223")
    tab_to(page, "#request-form button[type=submit]")
    page.keyboard.press("Enter")
    read_confirmation(page, live_server, "fi")


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_without_javascript(context_factory: Any, live_server: Any, lang: str) -> None:
    page = context_factory(java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}/{lang}/request")
    page.locator("#description").fill("Ilman skriptejä")
    page.locator("#request-form button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    assert page.title().startswith(ERROR_PREFIX[lang])
    assert page.locator("#description").input_value() == "Ilman skriptejä"
    page.locator("#phone").fill("040 123 4567")
    page.locator("#request-form button[type=submit]").click()
    request = read_confirmation(page, live_server, lang)
    assert request.description == "Ilman skriptejä"


def test_double_click_sends_one_request(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/fi/request")
    page.locator("#description").fill("Tuplaklikkaus")
    page.locator("#phone").fill("0409998887")
    page.locator("#request-form button[type=submit]").dblclick()
    read_confirmation(page, live_server, "fi")
    page.go_back()
    page.wait_for_url(re.compile(r"/fi/request$"))
    with live_server.app.app_context():
        found = db.session.scalars(
            select(HelpRequest).where(HelpRequest.description == "Tuplaklikkaus")
        ).all()
    assert len(found) == 1


def test_character_count_is_live(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/fi/request")
    page.locator("#description").fill("x" * 3990)
    count = page.locator("#description-count")
    assert "10" in count.inner_text()
    page.locator("#description").fill("x" * 4005)
    assert "5" in count.inner_text()
    assert "is-over" in (count.get_attribute("class") or "")


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_language_switcher_leads_to_the_same_page(page: Any, live_server: Any, lang: str) -> None:
    other = "sv" if lang == "fi" else "fi"
    page.goto(f"{live_server.url}/{lang}/privacy")
    page.locator(f'.language-switcher a[hreflang="{other}"]').click()
    page.wait_for_url(f"{live_server.url}/{other}/privacy")
    assert page.locator("html").get_attribute("lang") == other


@pytest.mark.parametrize("lang", ["fi", "sv"])
@pytest.mark.parametrize("path", ["/", "/request", "/privacy", "/accessibility", "/missing"])
def test_pages_have_no_axe_violations(page: Any, live_server: Any, lang: str, path: str) -> None:
    page.goto(f"{live_server.url}/{lang}{path}")
    assert_no_axe_violations(page)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_form_errors_and_confirmation_have_no_axe_violations(
    page: Any, live_server: Any, lang: str
) -> None:
    page.goto(f"{live_server.url}/{lang}/request")
    page.locator("#email").fill("not-an-email")
    page.locator("#request-form button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    assert_no_axe_violations(page)
    page.locator("#email").fill("")
    page.locator("#phone").fill("040 123 4567")
    page.locator("#request-form button[type=submit]").click()
    read_confirmation(page, live_server, lang)
    assert_no_axe_violations(page)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_no_javascript_error_page_has_no_axe_violations(
    page: Any, live_server: Any, lang: str
) -> None:
    # axe needs JavaScript itself, so the page's own scripts are blocked instead: the form
    # then posts as a plain form and the full error page comes back, as without JavaScript.
    page.route("**/static/js/*", lambda route: route.abort())
    page.goto(f"{live_server.url}/{lang}/request")
    page.locator("#request-form button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    assert page.title().startswith(ERROR_PREFIX[lang])
    assert_no_axe_violations(page)


@pytest.mark.parametrize("path", ["/fi/", "/sv/request", "/fi/privacy"])
def test_fits_a_360_px_phone(context_factory: Any, live_server: Any, path: str) -> None:
    page = context_factory(viewport={"width": 360, "height": 740}).new_page()
    page.goto(f"{live_server.url}{path}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_no_console_errors_or_csp_violations(page: Any, live_server: Any) -> None:
    problems: list[str] = []
    # A 422 answer is logged by Chromium as a failed resource; that one is expected.
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and "status of 422" not in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{live_server.url}/fi/request")
    page.locator("#request-form button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    assert problems == []


def test_prints_without_navigation(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/fi/privacy")
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".site-footer").is_visible()
    assert page.locator("h1").is_visible()


LANGUAGE_NAME = {"fi": "Suomi", "sv": "Svenska"}
SENT_NOTICE = {"fi": "pyyntösi on lähetetty", "sv": "Din kontaktbegäran har skickats"}
ALREADY_SENT = {
    "fi": "Tämä pyyntö on jo lähetetty",
    "sv": "Den här kontaktbegäran har redan skickats",
}


def count_stored(live_server: Any) -> int:
    with live_server.app.app_context():
        return len(db.session.scalars(select(HelpRequest.id)).all())


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_back_after_sending_shows_an_empty_form_that_sends_the_same_request(
    context_factory: Any, live_server: Any, lang: str, javascript: bool
) -> None:
    page = context_factory(java_script_enabled=javascript).new_page()
    page.goto(f"{live_server.url}/{lang}/")
    page.get_by_role("link", name=BUTTON[lang], exact=True).last.click()
    page.wait_for_url(re.compile(rf"/{lang}/request$"))
    page.locator("#topics-4").check()
    page.locator("#description").fill("Arkaluonteinen asia")
    page.locator("#name").fill("Maija")
    page.locator("#phone").fill("040 555 1234")
    page.locator("#email").fill("maija@example.fi")
    page.locator("#sms_ok-0").check()
    page.locator("#request-form button[type=submit]").click()
    first = read_confirmation(page, live_server, lang)
    reference = page.locator("#reference").inner_text()
    stored_before = count_stored(live_server)

    page.go_back()
    page.wait_for_url(re.compile(rf"/{lang}/request$"))
    page.locator("#request-form").wait_for()
    for field in ("#description", "#name", "#phone", "#email"):
        assert page.locator(field).input_value() == "", field
    assert page.locator("input[name=topics]:checked").count() == 0
    assert page.locator("#sms_ok-1").is_checked()  # the default, not what was sent
    expect(page.locator("#sent-notice")).to_contain_text(SENT_NOTICE[lang])

    # Sent again empty: nothing is stored, and the page says the request was sent already.
    page.locator("#request-form button[type=submit]").click()
    expect(page.locator("#form-notice")).to_contain_text(ALREADY_SENT[lang])
    assert count_stored(live_server) == stored_before
    page.goto(f"{live_server.url}/{lang}/request/sent")
    assert read_confirmation(page, live_server, lang).id == first.id
    expect(page.locator("#reference")).to_have_text(reference)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_a_new_request_after_one_sent_is_a_new_form(page: Any, live_server: Any, lang: str) -> None:
    page.goto(f"{live_server.url}/{lang}/request/new")
    page.locator("#phone").fill("040 555 2222")
    page.locator("#request-form button[type=submit]").click()
    first = read_confirmation(page, live_server, lang)
    page.go_back()
    page.locator("#sent-notice").wait_for()
    assert_no_axe_violations(page)
    page.locator("#start-new-request").click()
    page.wait_for_url(re.compile(rf"/{lang}/request$"))
    expect(page.locator("#sent-notice")).to_have_count(0)
    page.locator("#phone").fill("040 555 3333")
    page.locator("#request-form button[type=submit]").click()
    second = read_confirmation(page, live_server, lang)
    assert second.id != first.id and second.phone == "+358405553333"


def fill_for_switch(page: Any) -> None:
    page.locator("#topics-2").check()
    page.locator("#description").fill("Kesken kirjoitettu – halvt skrivet")
    page.locator("#child_ages-1").check()
    page.locator("#name").fill("Aino")
    page.locator("#phone").fill("040 123")  # not valid yet: no error is shown on switching
    page.locator("#call_time-2").check()


def assert_kept_after_switch(page: Any, live_server: Any, other: str) -> None:
    page.wait_for_url(f"{live_server.url}/{other}/request")
    assert page.locator("html").get_attribute("lang") == other
    assert page.locator("#description").input_value() == "Kesken kirjoitettu – halvt skrivet"
    assert page.locator("#topics-2").is_checked() and page.locator("#child_ages-1").is_checked()
    assert page.locator("#name").input_value() == "Aino"
    assert page.locator("#phone").input_value() == "040 123"
    assert page.locator("#call_time-2").is_checked()
    # The call language was left as the page's default, so it follows the new page.
    assert page.locator(f'input[name=call_language][value="{other}"]').is_checked()
    expect(page.locator("#error-summary")).to_have_count(0)
    expect(page.locator(".field-error")).to_have_count(0)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_switching_language_keeps_what_is_typed(
    context_factory: Any, live_server: Any, lang: str, javascript: bool
) -> None:
    other = "sv" if lang == "fi" else "fi"
    page = context_factory(java_script_enabled=javascript).new_page()
    page.goto(f"{live_server.url}/{lang}/request")
    fill_for_switch(page)
    page.locator(".language-switcher").get_by_role("button", name=LANGUAGE_NAME[other]).click()
    assert_kept_after_switch(page, live_server, other)
    page.locator("#phone").fill("040 123 4444")
    page.locator("#request-form button[type=submit]").click()
    request = read_confirmation(page, live_server, other)
    assert request.description == "Kesken kirjoitettu – halvt skrivet"
    assert request.call_language == other and request.call_time == "afternoon"


def test_switching_language_by_keyboard(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/fi/request")
    fill_for_switch(page)
    page.locator("#description").focus()
    # Back to the top of the page, then forward to the language button.
    page.evaluate("document.activeElement.blur()")
    tab_to(page, ".language-switcher button")
    page.keyboard.press("Enter")
    assert_kept_after_switch(page, live_server, "sv")
    assert_no_axe_violations(page)


def test_language_switch_elsewhere_is_still_a_link(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/fi/")
    expect(page.locator(".language-switcher a[hreflang=sv]")).to_have_count(1)
    expect(page.locator(".language-switcher button")).to_have_count(0)


PHONE_OFFER = {
    "fi": "Voit myös soittaa perhekeskukseen:",
    "sv": "Du kan också ringa familjecentret:",
}


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_submission_limit_offers_the_family_centre_phone(
    page: Any, migrated_url: str, lang: str
) -> None:
    app = make_app(
        migrated_url,
        RATELIMIT_ENABLED=True,
        REQUEST_RATE_LIMIT="1 per hour",
        FAMILY_CENTRE_PHONE="08 558 45 000",
    )
    with LiveServer(app) as server:
        page.goto(f"{server.url}/{lang}/request/new")
        page.locator("#phone").fill("040 555 4449")
        page.locator("#request-form button[type=submit]").click()
        page.wait_for_url(re.compile(rf"/{lang}/request/sent$"))
        page.goto(f"{server.url}/{lang}/request/new")
        page.locator("#description").fill("Toinen asia")
        page.locator("#phone").fill("040 555 4449")
        page.locator("#request-form button[type=submit]").click()
        notice = page.locator("#form-notice")
        notice.wait_for()
        expect(notice).to_contain_text(f"{PHONE_OFFER[lang]} 08 558 45 000")
        link = notice.get_by_role("link", name="08 558 45 000")
        assert link.get_attribute("href") == "tel:+358855845000"
        assert page.locator("#description").input_value() == "Toinen asia"
        assert_no_axe_violations(page)
    with app.app_context():
        for sent in db.session.scalars(
            select(HelpRequest).where(HelpRequest.phone == "+358405554449")
        ):
            db.session.delete(sent)
        db.session.commit()
        db.engine.dispose()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_back_after_switching_language_and_sending_shows_nothing_typed(
    context_factory: Any, live_server: Any, javascript: bool
) -> None:
    page = context_factory(java_script_enabled=javascript).new_page()
    page.goto(f"{live_server.url}/fi/request/new")
    page.locator("#description").fill("Vaihdoin kieltä kesken")
    page.locator(".language-switcher").get_by_role("button", name="Svenska").click()
    page.wait_for_url(f"{live_server.url}/sv/request")
    page.locator("#phone").fill("040 555 6666")
    page.locator("#request-form button[type=submit]").click()
    read_confirmation(page, live_server, "sv")
    # The entry before is the language switch's POST: Chromium does not post it again by itself.
    with pytest.raises(PlaywrightError, match="ERR_CACHE_MISS"):
        page.go_back()
    page.wait_for_url("chrome-error://chromewebdata/")
    page.wait_for_load_state()
    assert "Vaihdoin kieltä kesken" not in page.content()
    # Reloading it does post it again: the request was sent, so nothing typed comes back.
    page.reload()
    page.locator("#sent-notice").wait_for()
    assert page.url == f"{live_server.url}/sv/request"
    assert "Vaihdoin kieltä kesken" not in page.content()
    assert page.locator("#description").input_value() == ""
