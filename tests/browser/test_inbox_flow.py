"""The inbox in real Chromium: its views, the count's live region across htmx swaps, rows that
fit 1024 px, and staff pages that reflow at 320 px without sideways scrolling."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.tools import demo
from tests.helpers.browser import assert_no_axe_violations, parent_sends, sign_in_by_keyboard
from tests.helpers.staff import make_staff

LONG_WORDS = (
    "Tarvitsemme kipeästi apua perheen arjen pyörittämiseen, koska vauva valvottaa öisin "
    "ja isompi lapsi on alkanut jäädä pois koulusta eikä kukaan jaksa enää. "
) * 6


def requests_for_the_inbox(app: Any, phone: str) -> list[int]:
    """Requests whose rows are as wide as rows get: a long name, long words, a long excerpt,
    the same number twice, every topic."""
    ids = []
    with app.app_context():
        for number in range(3):
            stored = submit(
                NewRequest(
                    submission_key=uuid.uuid4().hex,
                    language="fi",
                    call_language="sv" if number else "fi",
                    phone=phone,
                    name="Maria-Josefiina Pitkäsukunimi-Virtanen-Åkerblom",
                    description=LONG_WORDS,
                    topics=["separation_custody", "neuropsychiatric", "school_attendance"],
                    call_time="afternoon",
                    sms_ok=bool(number % 2),
                ),
                now=datetime.now(UTC) - timedelta(days=number * 3),
            )
            ids.append(stored.id)
    return ids


def signed_in(context_factory: Any, live_server: Any, role: str, width: int, lang: str = "fi"):
    page = context_factory(viewport={"width": width, "height": 900}).new_page()
    _, email = make_staff(live_server.app, role, lang)
    sign_in_by_keyboard(page, live_server, email, lang)
    page.wait_for_url(re.compile(r"/staff/(?!login)"))
    return page


def sideways(page: Any) -> int:
    """How far the page itself scrolls sideways, in CSS pixels."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


OVERFLOWING = """() => {
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ALL);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (!parent || parent.closest('.table-scroll')) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        const box = node.nodeType === 1 ? node.getBoundingClientRect()
            : range.getBoundingClientRect();
        if (box.right > window.innerWidth + 1) {
            found.push(node.nodeType === 1 ? `${node.tagName}.${node.className}#${node.id}`
                : `text in ${parent.tagName}: ${node.textContent.slice(0, 40)}`);
        }
    }
    return found.slice(0, 8);
}"""


def overflowing(page: Any) -> list[str]:
    """The elements that reach past the right edge (for the failure message)."""
    return list(page.evaluate(OVERFLOWING))


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_count_region_stays_and_speaks_when_the_filters_change(
    context_factory: Any, live_server: Any, lang: str
) -> None:
    requests_for_the_inbox(live_server.app, f"+35840{uuid.uuid4().int % 10**7:07d}")
    page = signed_in(context_factory, live_server, "counsellor", 1024, lang)
    page.goto(f"{live_server.url}/staff/")
    region = page.locator("#inbox-count")
    expect(region).to_have_attribute("role", "status")
    before = region.inner_text()
    page.evaluate("window.countRegion = document.getElementById('inbox-count')")
    page.locator("#q").fill("no-such-words-anywhere")
    page.wait_for_url(re.compile(r"/staff/\?q="))
    expect(region).not_to_have_text(before)
    expect(region).to_have_text(re.compile(r"^0 "))
    # The same element, not a new one: screen readers keep listening to it.
    assert page.evaluate("window.countRegion === document.getElementById('inbox-count')")
    assert page.evaluate("document.querySelectorAll('#inbox-count').length") == 1
    assert_no_axe_violations(page)


def test_a_views_link_swaps_in_place_and_marks_itself(
    context_factory: Any, live_server: Any
) -> None:
    requests_for_the_inbox(live_server.app, f"+35840{uuid.uuid4().int % 10**7:07d}")
    page = signed_in(context_factory, live_server, "counsellor", 1024)
    page.goto(f"{live_server.url}/staff/")
    page.evaluate("window.countRegion = document.getElementById('inbox-count')")
    views = page.locator("#inbox-views")
    expect(views.locator("a[aria-current=page]")).to_have_text("Kaikki avoimet")
    views.get_by_role("link", name="Omat").click()
    page.wait_for_url(re.compile(r"/staff/\?owner=mine$"))
    expect(views.locator("a[aria-current=page]")).to_have_text("Omat")
    expect(page.locator("#owner")).to_have_value("mine")  # the filters follow the view
    expect(page.locator("#inbox-count")).to_have_text(re.compile(r"^0 "))
    assert page.evaluate("window.countRegion === document.getElementById('inbox-count')")
    assert page.locator("#inbox-results tbody tr").count() == 1  # "there are no requests"
    views.get_by_role("link", name="Tavoittamatta").click()
    page.wait_for_url(re.compile(r"/staff/\?unreached=1$"))
    expect(page.locator("#unreached")).to_be_checked()
    expect(page.locator("#owner")).to_have_value("all")
    assert page.locator("#inbox-results .reference-cell").count() >= 3
    assert_no_axe_violations(page)
    # Without JavaScript the links are plain links.
    plain = context_factory(java_script_enabled=False, viewport={"width": 1024, "height": 900})
    for cookie in page.context.cookies():
        plain.add_cookies([cookie])
    other = plain.new_page()
    other.goto(f"{live_server.url}/staff/")
    other.locator("#inbox-views").get_by_role("link", name="Ilman käsittelijää").click()
    other.wait_for_url(re.compile(r"/staff/\?owner=unassigned$"))
    expect(other.locator("#inbox-views a[aria-current=page]")).to_have_text("Ilman käsittelijää")


@pytest.mark.parametrize("press_ms", [0, 150])
def test_a_search_result_clicked_at_once_opens_the_request(
    context_factory: Any, live_server: Any, press_ms: int
) -> None:
    """Entered, and its result clicked as a person clicks (the button held a moment): leaving
    the search field does not search again, so the link under the pointer stays and opens.
    The reference goes into the field at once: typed key by key on a busy machine, a pause
    longer than the search's delay searched for its first letters too."""
    reference = parent_sends(context_factory, live_server, "Heti auki")
    _, email = make_staff(live_server.app, "counsellor", "fi")
    page = context_factory().new_page()
    sign_in_by_keyboard(page, live_server, email, "fi")
    page.wait_for_url(f"{live_server.url}/staff/")
    searches: list[str] = []
    page.on("request", lambda sent: searches.append(sent.url) if "q=" in sent.url else None)
    page.locator("#q").fill(reference)
    page.wait_for_url(re.compile(r"/staff/\?q="))
    box = page.locator("#inbox-results .reference-cell a", has_text=reference).bounding_box()
    page.mouse.move(box["x"] + 4, box["y"] + 4)
    page.mouse.down()
    page.wait_for_timeout(press_ms)
    page.mouse.up()
    page.wait_for_url(re.compile(r"/staff/requests/\d+(\?.*)?$"))
    assert len([url for url in searches if "/staff/?" in url]) == 1


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_inbox_fits_1024_px_without_sideways_scrolling(
    context_factory: Any, live_server: Any, lang: str
) -> None:
    requests_for_the_inbox(live_server.app, f"+35840{uuid.uuid4().int % 10**7:07d}")
    page = signed_in(context_factory, live_server, "supervisor", 1024, lang)
    page.goto(f"{live_server.url}/staff/")
    assert page.locator("#inbox-results .badge-asked-again").count() >= 3
    scroller = page.locator("#inbox-results .table-scroll")
    assert scroller.evaluate("e => e.scrollWidth - e.clientWidth") <= 0
    assert sideways(page) <= 0
    assert_no_axe_violations(page)


def test_staff_pages_reflow_at_320_px(context_factory: Any, live_server: Any) -> None:
    """The page never scrolls sideways; the inbox's table may scroll inside its own region,
    which can be reached by keyboard and has a name."""
    with live_server.app.app_context():
        demo.load_services()
    ids = requests_for_the_inbox(live_server.app, f"+35840{uuid.uuid4().int % 10**7:07d}")
    page = signed_in(context_factory, live_server, "supervisor", 320)
    for path in ("/staff/", f"/staff/requests/{ids[0]}", "/staff/reports", "/staff/audit"):
        page.goto(f"{live_server.url}{path}")
        assert sideways(page) <= 0, (path, overflowing(page))
    page.goto(f"{live_server.url}/staff/")
    region = page.locator("#inbox-results .table-scroll")
    assert region.get_attribute("tabindex") == "0" and region.get_attribute("role") == "region"
    assert region.get_attribute("aria-labelledby") == "inbox-caption"
    page.goto(f"{live_server.url}/staff/requests/{ids[0]}")
    expect(page.locator(".asked-again-notice")).to_be_visible()
    assert_no_axe_violations(page)
    admin = signed_in(context_factory, live_server, "admin", 320)
    for path in ("/staff/admin/users", "/staff/admin/services", "/staff/account"):
        admin.goto(f"{live_server.url}{path}")
        assert sideways(admin) <= 0, (path, overflowing(admin))
