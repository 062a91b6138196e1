"""A counsellor works a request end to end in real Chromium, in both staff languages."""

from __future__ import annotations

import re
import uuid
from itertools import pairwise
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from pyydaapua.database import db
from pyydaapua.models import HelpRequest
from pyydaapua.tools import demo
from tests.helpers.browser import (
    assert_no_axe_violations,
    open_from_inbox,
    parent_sends,
    sign_in_by_keyboard,
    tab_to,
)
from tests.helpers.staff import make_staff

ON_TIME = {"fi": "ajallaan", "sv": "i tid"}


@pytest.fixture
def catalogue(live_server: Any) -> None:
    with live_server.app.app_context():
        demo.load_services()


def wait_for_announcement(page: Any) -> None:
    expect(page.locator("#announcer")).not_to_be_empty()


def timeline_entries(page: Any) -> int:
    return page.locator("#timeline .timeline-entry").count()


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_counsellor_works_a_request_end_to_end(
    context_factory: Any, live_server: Any, catalogue: None, lang: str
) -> None:
    words = f"Tarvitsemme apua {uuid.uuid4().hex[:6]}"
    reference = parent_sends(context_factory, live_server, words)
    _, email = make_staff(live_server.app, "counsellor", lang)
    page = context_factory().new_page()
    sign_in_by_keyboard(page, live_server, email, lang)
    page.wait_for_url(f"{live_server.url}/staff/")
    open_from_inbox(page, live_server, reference)
    assert page.locator(".parent-words").inner_text() == words
    assert_no_axe_violations(page)

    page.locator("#take-button").click()
    page.locator("#request-header .facts").get_by_text("Test counsellor").wait_for()
    expect(page.locator("#request-header")).to_be_focused()

    # A call with the check-in: first an error, then the real thing.
    page.locator("#form-call button[type=submit]").click()
    page.locator("#call-errors").wait_for()
    expect(page.locator("#call-errors")).to_be_focused()
    assert_no_axe_violations(page)
    page.locator("#call-result-0").check()
    page.locator("#call-duration_minutes").fill("15")
    page.locator("#call-coping-1").check()
    page.locator("#call-coping_note").fill("väsynyt")
    page.locator("#call-finances-0").check()
    page.locator("#call-daily_life-0").check()
    page.locator("#form-call button[type=submit]").click()
    page.locator("#timeline .check-in-list").wait_for()
    wait_for_announcement(page)
    assert timeline_entries(page) == 3

    # A home visit.
    page.locator("details.action", has=page.locator("#form-visit")).locator("summary").click()
    page.locator("#visit-address").fill("")
    page.locator("#form-visit button[type=submit]").click()
    page.locator("#visit-errors").wait_for()
    assert_no_axe_violations(page)
    page.locator("#visit-address").fill("Kotikatu 5 A 3")
    page.locator("#form-visit button[type=submit]").click()
    page.locator("#visits .record").wait_for()
    assert timeline_entries(page) == 4

    # A referral, found by searching the catalogue as you type.
    page.locator("details.action", has=page.locator("#form-referral")).locator("summary").click()
    page.locator("#service-search").fill("perheneuvola" if lang == "fi" else "familjerådgivningen")
    # The empty first choice, then the one service found; nothing is chosen for you.
    expect(page.locator("#referral-service option")).to_have_count(2)
    expect(page.locator("#service-search-status")).to_have_text(
        "1 palvelu löytyi" if lang == "fi" else "1 tjänst hittades"
    )
    page.locator("#referral-service").select_option(index=1)
    page.locator("#referral-status-0").check()  # suggested to the family
    page.locator("#referral-consent-1").check()  # the family contacts the service themselves
    page.locator("#form-referral button[type=submit]").click()
    page.locator("#referrals .record").wait_for()
    assert timeline_entries(page) == 5
    assert_no_axe_violations(page)

    # Close with an outcome: first without one.
    page.locator("details.action", has=page.locator("#form-status")).locator("summary").click()
    page.locator("#status-status-3").check()
    page.locator("#form-status button[type=submit]").click()
    page.locator("#status-errors").wait_for()
    assert_no_axe_violations(page)
    page.locator("#status-outcome").select_option("referred_wellbeing_county")
    page.locator("#form-status button[type=submit]").click()
    # The home visit booked is still to come: the close warns, with the visit ticked to cancel.
    page.locator("#status-open-work").wait_for()
    expect(page.locator("#status-open-work")).to_be_focused()
    expect(page.locator("#status-open-work input[type=checkbox]")).to_be_checked()
    assert_no_axe_violations(page)
    page.locator("#form-status button[type=submit]").click()
    page.locator("#request-header .status-closed").wait_for()
    assert timeline_entries(page) == 7  # the visit cancelled, the request closed
    expect(page.locator("#visits .record h3")).to_contain_text(
        "Peruttu" if lang == "fi" else "Inställt"
    )

    # The inbox shows the first contact made on time.
    page.goto(f"{live_server.url}/staff/?status=all&q={reference}")
    row = page.locator("#inbox-results tbody tr").first
    assert ON_TIME[lang] in row.inner_text()
    assert_no_axe_violations(page)
    with live_server.app.app_context():
        stored = db.session.scalar(
            select(HelpRequest).where(HelpRequest.reference == reference.replace("-", ""))
        )
        assert (stored.status, stored.outcome) == ("closed", "referred_wellbeing_county")
        assert stored.first_contact_on_time is True


def test_keyboard_only(context_factory: Any, live_server: Any, catalogue: None) -> None:
    reference = parent_sends(context_factory, live_server, "Näppäimistöllä")
    _, email = make_staff(live_server.app, "counsellor", "fi")
    page = context_factory().new_page()
    sign_in_by_keyboard(page, live_server, email, "fi")
    page.wait_for_url(f"{live_server.url}/staff/")
    tab_to(page, "#q")
    page.keyboard.type(reference)
    link = page.locator("#inbox-results .reference-cell a", has_text=reference)
    link.wait_for()
    tab_to(page, f'#inbox-results .reference-cell a:text("{reference}")')
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff/requests/\d+(\?.*)?$"))

    tab_to(page, "#take-button")
    page.keyboard.press("Enter")
    page.locator("#request-header .facts").get_by_text("Test counsellor").wait_for()
    expect(page.locator("#request-header")).to_be_focused()

    tab_to(page, "#call-result-0", limit=80)
    page.keyboard.press("Space")
    tab_to(page, "#call-coping-0", limit=20)
    page.keyboard.press("Space")
    tab_to(page, "#form-call button[type=submit]", limit=30)
    page.keyboard.press("Enter")
    page.locator("#timeline .check-in-list").wait_for()
    # The focus moves to what changed: the newest entry on the timeline, its first.
    expect(page.locator("#timeline .timeline-entry").first).to_be_focused()

    tab_to(page, "details.action:has(#form-visit) > summary", limit=60)
    page.keyboard.press("Enter")
    expect(page.locator("details.action:has(#form-visit)")).to_have_attribute("open", "")
    tab_to(page, "#visit-address", limit=30)  # the date field has a tab stop per part
    page.keyboard.type("Näppäinkatu 1")
    tab_to(page, "#form-visit button[type=submit]", limit=30)
    page.keyboard.press("Enter")
    page.locator("#visits .record").wait_for()
    expect(page.locator("#timeline .timeline-entry").first).to_be_focused()

    # Past the visit form's staff checkboxes: one tab stop for each counsellor there is.
    tab_to(page, "details.action:has(#form-status) > summary", limit=300)
    page.keyboard.press("Enter")
    expect(page.locator("details.action:has(#form-status)")).to_have_attribute("open", "")
    tab_to(page, 'input[name="status-status"]:checked', limit=10)
    closed = page.locator("#status-status-3")
    for _ in range(4):  # arrow keys move within the radio group
        if closed.is_checked():
            break
        page.keyboard.press("ArrowDown")
    assert closed.is_checked()
    tab_to(page, "#status-outcome", limit=10)
    page.keyboard.press("ArrowDown")  # the first outcome
    tab_to(page, "#form-status button[type=submit]", limit=10)
    page.keyboard.press("Enter")
    # The booked visit is still to come: the warning takes the focus; confirm by keyboard.
    page.locator("#status-open-work").wait_for()
    expect(page.locator("#status-open-work")).to_be_focused()
    tab_to(page, "#form-status button[type=submit]", limit=20)
    page.keyboard.press("Enter")
    page.locator("#request-header .status-closed").wait_for()


def test_a_new_request_appears_without_a_reload(context_factory: Any, live_server: Any) -> None:
    _, email = make_staff(live_server.app, "supervisor", "sv")
    page = context_factory().new_page()
    sign_in_by_keyboard(page, live_server, email, "sv")
    page.wait_for_url(f"{live_server.url}/staff/")
    parent_sends(context_factory, live_server, "Uusi pyyntö juuri nyt")
    notice = page.locator("#inbox-new a")
    notice.wait_for(timeout=10_000)
    assert "ny kontaktbegäran" in page.locator("#inbox-new").inner_text()
    assert page.url == f"{live_server.url}/staff/"  # nothing reloaded, nothing jumped
    notice.click()
    page.wait_for_load_state()
    assert page.locator("#inbox-new").inner_text().strip() == ""


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_every_action_form_error_has_no_axe_violations(
    context_factory: Any, live_server: Any, catalogue: None, lang: str
) -> None:
    reference = parent_sends(context_factory, live_server, "Virhetilat")
    _, email = make_staff(live_server.app, "supervisor", lang)
    page = context_factory().new_page()
    sign_in_by_keyboard(page, live_server, email, lang)
    page.wait_for_url(f"{live_server.url}/staff/")
    open_from_inbox(page, live_server, reference)
    for name in ("note", "referral", "visit"):
        details = page.locator("details.action", has=page.locator(f"#form-{name}"))
        details.locator("summary").click()
        if name == "referral":
            page.locator("#service-search").fill("zzzz")
            expect(page.locator("#referral-service option")).to_have_count(2)  # empty, none
        if name == "visit":
            page.locator("#visit-address").fill("Testikatu 1")
        page.locator(f"#form-{name} button[type=submit]").click()
        if name == "visit":
            page.locator("#visits .record").wait_for()
        else:
            page.locator(f"#{name}-errors").wait_for()
            expect(page.locator(f"#{name}-errors")).to_be_focused()
        assert_no_axe_violations(page)
    # The item forms of a planned visit: marking without a choice, and its edit form.
    page.locator("#visits .item-form button[type=submit]").click()
    page.locator("#visits .field-error").wait_for()
    assert_no_axe_violations(page)
    page.locator("#visits details.edit-visit summary").click()
    page.locator("#visits details.edit-visit input[name$='-address']").fill("")
    page.locator("#visits details.edit-visit button[type=submit]").click()
    page.locator("#visits details.edit-visit .error-summary").wait_for()
    assert_no_axe_violations(page)
    # The supervisor sees who has handled the request.
    assert page.locator("#audit li").count() >= 1


def test_a_stale_change_is_refused_in_place_with_the_typed_note_kept(
    context_factory: Any, live_server: Any
) -> None:
    reference = parent_sends(context_factory, live_server, "Kaksi käsittelijää")
    pages = []
    for _ in range(2):
        _, email = make_staff(live_server.app, "counsellor", "fi")
        page = context_factory().new_page()
        sign_in_by_keyboard(page, live_server, email, "fi")
        page.wait_for_url(f"{live_server.url}/staff/")
        open_from_inbox(page, live_server, reference)
        page.locator("details.action", has=page.locator("#form-note")).locator("summary").click()
        pages.append(page)
    first, second = pages
    first.locator("#note-note").fill("Ensimmäinen muistiinpano")
    first.locator("#form-note button[type=submit]").click()
    wait_for_announcement(first)

    second.locator("#note-note").fill("Toisen kirjoittama teksti")
    second.locator("#form-note button[type=submit]").click()
    notice = second.locator("#request-notice .notice")
    expect(notice).to_be_visible()
    expect(notice).to_be_focused()
    expect(second.locator("#note-note")).to_have_value("Toisen kirjoittama teksti")
    expect(second.locator("#timeline")).to_contain_text("Ensimmäinen muistiinpano")
    assert_no_axe_violations(second)


OWN_WINDOW = {
    "fi": "Muutit tätä yhteydenottopyyntöä toisessa ikkunassa",
    "sv": "Du ändrade den här kontaktbegäran i ett annat fönster",
}


def open_action(page: Any, name: str) -> None:
    details = page.locator("details.action", has=page.locator(f"#form-{name}"))
    if details.get_attribute("open") is None:
        details.locator("summary").click()


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_ones_own_second_window(context_factory: Any, live_server: Any, lang: str) -> None:
    """One counsellor, the request open in two windows of one browser: a note from the window
    that has not seen the other's change goes through; a status change from a stale window is
    refused, named as one's own change, and read out by the live region."""
    reference = parent_sends(context_factory, live_server, "Kaksi ikkunaa")
    _, email = make_staff(live_server.app, "counsellor", lang)
    context = context_factory()
    first = context.new_page()
    sign_in_by_keyboard(first, live_server, email, lang)
    first.wait_for_url(f"{live_server.url}/staff/")
    open_from_inbox(first, live_server, reference)
    second = context.new_page()
    second.goto(first.url)

    open_action(first, "status")
    first.locator("#status-status-2").check()  # waiting
    first.locator("#form-status button[type=submit]").click()
    wait_for_announcement(first)

    open_action(second, "note")
    second.locator("#note-note").fill("Toisesta ikkunasta")
    second.locator("#form-note button[type=submit]").click()
    wait_for_announcement(second)
    expect(second.locator("#request-notice .notice")).to_have_count(0)
    # Stored on top of the change made in the first window, which it did not undo.
    expect(second.locator("#timeline .timeline-entry").first).to_contain_text("Toisesta ikkunasta")
    expect(second.locator("#request-header .status-waiting")).to_be_visible()

    open_action(first, "status")
    first.locator("#status-status-1").check()  # in progress, on what the first window saw
    first.locator("#form-status button[type=submit]").click()
    notice = first.locator("#request-notice .notice")
    expect(notice).to_contain_text(OWN_WINDOW[lang])
    expect(notice).to_be_focused()
    expect(first.locator("#announcer")).to_contain_text(OWN_WINDOW[lang])
    expect(first.locator("#timeline")).to_contain_text("Toisesta ikkunasta")
    expect(first.locator("#request-header .status-waiting")).to_be_visible()
    assert_no_axe_violations(first)


def focus_ring(page: Any, selector: str) -> dict[str, str]:
    return page.locator(selector).evaluate(
        """element => {
            const style = getComputedStyle(element);
            return {
                focused: String(element === document.activeElement),
                outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
                shadow: style.boxShadow,
            };
        }"""
    )


def ax_headings(page: Any) -> list[tuple[str, int]]:
    """The headings in Chromium's own accessibility tree (what heading navigation uses)."""
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    headings = []
    for node in nodes:
        if node.get("ignored") or node.get("role", {}).get("value") != "heading":
            continue
        level = next(p["value"]["value"] for p in node["properties"] if p["name"] == "level")
        headings.append((node.get("name", {}).get("value", ""), int(level)))
    return headings


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_request_page_by_keyboard_and_screen_reader(
    context_factory: Any, live_server: Any, catalogue: None, lang: str
) -> None:
    """Selects and the actions' summaries show the same focus ring as buttons; each action's
    section is reached by heading navigation, and the headings go down one level at a time."""
    reference = parent_sends(context_factory, live_server, "Näkyvä kohdistus")
    _, email = make_staff(live_server.app, "counsellor", lang)
    page = context_factory().new_page()
    sign_in_by_keyboard(page, live_server, email, lang)
    page.wait_for_url(f"{live_server.url}/staff/")
    open_from_inbox(page, live_server, reference)

    tab_to(page, "#take-button")
    button = focus_ring(page, "#take-button")
    assert button["outline"].startswith("solid 3px"), button
    tab_to(page, "#assign-assignee")
    tab_to(page, "details.action:has(#form-visit) > summary", limit=80)
    summary = focus_ring(page, "details.action:has(#form-visit) > summary")
    page.keyboard.press("Enter")
    tab_to(page, "details.action:has(#form-referral) > summary", limit=80)
    page.keyboard.press("Enter")
    tab_to(page, "#referral-service", limit=20)
    select = focus_ring(page, "#referral-service")
    for ring in (summary, select):
        assert ring["focused"] == "true"
        assert (ring["outline"], ring["shadow"]) == (button["outline"], button["shadow"]), ring

    titles = page.locator("details.action > summary h3").all_inner_texts()
    assert len(titles) == 6
    headings = ax_headings(page)
    for title in titles:
        assert (title, 3) in headings, (title, headings)
    # In the page's order, each heading at most one level below the one before it.
    # (Headings hidden until needed, like the idle warning's, are not reached by navigation.)
    levels = page.locator("h1, h2, h3, h4, h5, h6").evaluate_all(
        "elements => elements.filter(element => !element.closest('[hidden]'))"
        ".map(element => Number(element.tagName[1]))"
    )
    assert levels[0] == 1 and all(b <= a + 1 for a, b in pairwise(levels)), levels
    # The summaries still open and close their sections.
    details = page.locator("details.action:has(#form-status)")
    details.locator("summary h3").click()
    expect(details).to_have_attribute("open", "")
    details.locator("summary h3").click()
    expect(details).not_to_have_attribute("open", "")
    assert_no_axe_violations(page)


# "I called, reached the family, all is fine" and closing, from the request page just opened:
# Tab and Enter on the skip link, 8 Tabs to the checkbox (the ways back to the inbox and to the
# next request, the number to dial, the link to the family's whole text and the owner
# controls), Space, Tab, Enter: 13 keystrokes, or 2 clicks. Before the quick call, the same took
# 7 clicks and about 33 keystrokes through "Record a call" and "Change the status".
QUICK_CALL_KEYSTROKES = 13
QUICK_CALL_CLICKS = 2


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_reached_all_fine_and_closed_in_one_step(
    context_factory: Any, live_server: Any, lang: str
) -> None:
    reference = parent_sends(context_factory, live_server, f"Kaikki hyvin {lang}")
    _, email = make_staff(live_server.app, "counsellor", lang)
    page = context_factory().new_page()
    sign_in_by_keyboard(page, live_server, email, lang)
    page.wait_for_url(f"{live_server.url}/staff/")
    open_from_inbox(page, live_server, reference)
    page.locator("body").focus()  # as a page just opened: nothing focused yet
    expect(page.locator("#all-fine-button")).to_have_text(
        "Tavoitettu – kaikki hyvin" if lang == "fi" else "Nådd – allt väl"
    )
    assert_no_axe_violations(page)

    # The skip link first, as a keyboard user does: the count no longer grows with the menu.
    keystrokes = tab_to(page, ".skip-link", limit=1)
    page.keyboard.press("Enter")
    keystrokes += 1 + tab_to(page, "#all_fine-close")
    page.keyboard.press("Space")
    keystrokes += 1 + tab_to(page, "#all-fine-button", limit=3)
    page.keyboard.press("Enter")
    keystrokes += 1
    page.locator("#request-header .status-closed").wait_for()
    assert keystrokes <= QUICK_CALL_KEYSTROKES, keystrokes
    wait_for_announcement(page)
    expect(page.locator("#announcer")).to_contain_text(
        "Olet nyt tämän yhteydenottopyynnön käsittelijä"
        if lang == "fi"
        else "Du är nu handläggare för den här kontaktbegäran"
    )
    expect(page.locator("#request-header .facts")).to_contain_text("Test counsellor")
    expect(page.locator("#timeline .check-in-list")).to_be_visible()
    assert_no_axe_violations(page)
    with live_server.app.app_context():
        stored = db.session.scalar(
            select(HelpRequest).where(HelpRequest.reference == reference.replace("-", ""))
        )
        assert (stored.status, stored.outcome) == ("closed", "conversation_enough")
        assert stored.first_contact_at is not None and stored.assigned_to_id is not None


def test_reached_all_fine_with_the_mouse(context_factory: Any, live_server: Any) -> None:
    reference = parent_sends(context_factory, live_server, "Hiirellä")
    _, email = make_staff(live_server.app, "counsellor", "fi")
    page = context_factory().new_page()
    sign_in_by_keyboard(page, live_server, email, "fi")
    page.wait_for_url(f"{live_server.url}/staff/")
    open_from_inbox(page, live_server, reference)
    clicks = 0
    page.locator("#all_fine-close").click()
    clicks += 1
    page.locator("#all-fine-button").click()
    clicks += 1
    page.locator("#request-header .status-closed").wait_for()
    assert clicks == QUICK_CALL_CLICKS
    # The request is closed: no quick call and no casework form but reopening.
    expect(page.locator("#form-all_fine")).to_have_count(0)
    expect(page.locator("#form-reopen")).to_be_visible()
    expect(page.locator("#request-work form")).to_have_count(1)


CLOSED = {
    "fi": "Yhteydenottopyyntö on suljettu, joten siihen ei kirjata enää mitään.",
    "sv": "Kontaktbegäran är avslutad, så inget mer antecknas på den.",
}
REOPENED = {
    "fi": "Yhteydenottopyyntö avattiin uudelleen. Se on taas työn alla.",
    "sv": "Kontaktbegäran öppnades på nytt. Den är pågående igen.",
}


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_a_closed_request_refuses_a_note_and_is_reopened_by_keyboard(
    context_factory: Any, live_server: Any, lang: str
) -> None:
    """Closed in one window while a note is typed in another: the note is refused in place
    (409), read out, and kept to copy; the page then shows the closed request, whose only form
    reopens it, with a reason, by keyboard."""
    reference = parent_sends(context_factory, live_server, f"Suljettu {lang}")
    _, email = make_staff(live_server.app, "counsellor", lang)
    context = context_factory(viewport={"width": 1280, "height": 800})
    first = context.new_page()
    sign_in_by_keyboard(first, live_server, email, lang)
    first.wait_for_url(f"{live_server.url}/staff/")
    open_from_inbox(first, live_server, reference)
    second = context.new_page()
    second.goto(first.url)

    first.locator("#all_fine-close").check()
    first.locator("#all-fine-button").click()
    first.locator("#request-header .status-closed").wait_for()
    expect(first.locator("#form-reopen")).to_be_visible()
    assert_no_axe_violations(first)

    open_action(second, "note")
    second.locator("#note-note").fill("Kirjoitettu toisessa ikkunassa")
    second.locator("#form-note button[type=submit]").click()
    expect(second.locator("#announcer")).to_contain_text(CLOSED[lang])
    expect(second.locator("#request-header .status-closed")).to_be_visible()
    expect(second.locator("#note-note")).to_have_value("Kirjoitettu toisessa ikkunassa")
    expect(second.locator("#form-all_fine")).to_have_count(0)
    assert_no_axe_violations(second)

    second.reload()
    tab_to(second, "#reopen-reason", limit=200)
    second.keyboard.type("Perhe soitti uudelleen")
    tab_to(second, "#form-reopen button[type=submit]", limit=5)
    second.keyboard.press("Enter")
    expect(second.locator("#announcer")).to_contain_text(REOPENED[lang])
    expect(second.locator("#request-header .status-in_progress")).to_be_visible()
    expect(second.locator("#request-header")).to_be_focused()
    expect(second.locator("#form-all_fine")).to_be_visible()
    expect(second.locator("#timeline .timeline-entry").first).to_contain_text(
        "Perhe soitti uudelleen"
    )
    assert_no_axe_violations(second)


def bottom_of(page: Any, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box["y"] + box["height"]


@pytest.mark.parametrize(
    ("lang", "width", "height"), [("fi", 1280, 800), ("sv", 1280, 800), ("fi", 375, 812)]
)
def test_the_first_screen_holds_the_call(
    context_factory: Any, live_server: Any, lang: str, width: int, height: int
) -> None:
    """As the request page opens, without scrolling: the number to dial, the family's first
    words, and at 1280×800 also "take", the quick call and "record a call"."""
    words = "Lapsi ei nuku öisin ja olemme aivan väsyneitä, toivomme soittoa. " * 6
    reference = parent_sends(context_factory, live_server, words)
    _, email = make_staff(live_server.app, "counsellor", lang)
    page = context_factory(viewport={"width": width, "height": height}).new_page()
    sign_in_by_keyboard(page, live_server, email, lang)
    page.wait_for_url(f"{live_server.url}/staff/")
    open_from_inbox(page, live_server, reference)
    page.evaluate("window.scrollTo(0, 0)")
    first_screen = ["#request-contact a.phone-to-call", "#request-contact .words-excerpt"]
    if width >= 1280:
        first_screen += ["#take-button", "#record-call-link", "#all-fine-button"]
    for selector in first_screen:
        assert bottom_of(page, selector) <= height, selector
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_no_axe_violations(page)
