"""The inbox for planning calls in real Chromium, fi and sv: at 1280×800 the first request rows
are on the first screen, each row is at most two text lines and no word is broken; at 375 px
every row shows its reference, due badge and phone without sideways scrolling; the folding
panels open and fold by keyboard and stay so after a reload, for that user only; axe finds
nothing in any of these states."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from pyydaapua.casework import changes
from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import HelpRequest, StaffUser
from tests.helpers.browser import assert_no_axe_violations, sign_in_by_keyboard, tab_to
from tests.helpers.staff import make_staff

LONG_WORDS = (
    "Tarvitsemme kipeästi apua perheen arjen pyörittämiseen, koska vauva valvottaa öisin ja "
    "isompi lapsi on alkanut jäädä pois koulusta eikä kukaan jaksa enää."
)


def requests_to_plan(app: Any, user_id: int) -> None:
    """Rows as wide as rows get (a long name, every long topic, the same number three times,
    a text message allowed), a written-channel request, a reached one with call attempts, and
    two home visits of the user, one of them today if the day has room."""
    phone = f"+35840{uuid.uuid4().int % 10**7:07d}"
    now = datetime.now(UTC)
    with app.app_context():
        user = db.session.get(StaffUser, user_id)
        for number in range(3):
            submit(
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
                now=now - timedelta(days=number * 3),
            )
        submit(
            NewRequest(
                submission_key=uuid.uuid4().hex,
                language="sv",
                call_language="sv",
                phone="",
                description="Vi skulle vilja få svar skriftligt.",
                contact_method="status_page",
            ),
            now=now - timedelta(days=1),
        )
        reached = submit(
            NewRequest(
                submission_key=uuid.uuid4().hex,
                language="fi",
                call_language="fi",
                phone="+358401112233",
                name="Anna",
                description="Soittakaa iltapäivällä.",
            ),
            now=now - timedelta(days=2),
        )
        for result in ("no_answer", "reached"):
            changes.record_call(
                reached, user, reached.version, changes.CallData(now - timedelta(hours=1), result)
            )
        for hours in (26, 50):
            target = db.session.scalars(select(HelpRequest).order_by(HelpRequest.id)).first()
            changes.book_visit(
                target,
                user,
                target.version,
                changes.VisitData(now + timedelta(hours=hours), 60, "Kotikatu 1", [user]),
            )


def counsellor(context_factory: Any, live_server: Any, lang: str, width: int, height: int):
    """A counsellor signed in by keyboard, with requests to plan, on the inbox."""
    user_id, email = make_staff(live_server.app, "counsellor", lang)
    requests_to_plan(live_server.app, user_id)
    page = context_factory(viewport={"width": width, "height": height}).new_page()
    sign_in_by_keyboard(page, live_server, email, lang)
    page.wait_for_url(re.compile(r"/staff/(?!login)"))
    page.goto(f"{live_server.url}/staff/")
    return page


# Each row's height in lines of its cells' text: (row height - padding and border) / line height.
ROW_LINES = """() => [...document.querySelectorAll('#inbox-results tbody tr')].map(row => {
    const cell = row.querySelector('td');
    const style = getComputedStyle(cell);
    const inner = cell.getBoundingClientRect().height - parseFloat(style.paddingTop)
        - parseFloat(style.paddingBottom) - parseFloat(style.borderBottomWidth);
    return inner / parseFloat(style.lineHeight);
})"""

# The words (between spaces and hyphens) of the rows that are drawn on more than one line: a
# word broken inside itself ("tekstiviest|ejä") has boxes at two heights.
BROKEN_WORDS = """() => {
    const broken = [];
    for (const cell of document.querySelectorAll('#inbox-results tbody td')) {
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const match of node.textContent.matchAll(/[^\\s\\-‐–]+/g)) {
                const range = document.createRange();
                range.setStart(node, match.index);
                range.setEnd(node, match.index + match[0].length);
                const tops = new Set([...range.getClientRects()]
                    .filter(box => box.width > 0).map(box => Math.round(box.top)));
                if (tops.size > 1) broken.push(match[0]);
            }
        }
    }
    return broken;
}"""


def rows_in_view(page: Any) -> int:
    """How many request rows lie wholly inside the first screen."""
    return int(
        page.evaluate(
            """() => [...document.querySelectorAll('#inbox-results tbody tr')]
            .filter(row => row.getBoundingClientRect().bottom <= window.innerHeight).length"""
        )
    )


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_at_1280_the_first_rows_are_on_the_first_screen_two_lines_each(
    context_factory: Any, live_server: Any, lang: str
) -> None:
    page = counsellor(context_factory, live_server, lang, 1280, 800)
    rows = page.locator("#inbox-results tbody tr")
    assert rows.count() >= 5  # the file's earlier flows leave theirs
    first = rows.first.bounding_box()
    assert first is not None and first["y"] >= 0 and first["y"] + first["height"] <= 800
    lines = page.evaluate(ROW_LINES)
    assert all(count < 2.5 for count in lines), lines
    assert rows_in_view(page) >= 3
    assert page.evaluate(BROKEN_WORDS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    # The phone as a link to call, and the written channel's mark.
    calls = page.locator("#inbox-results .phone-cell a[href^='tel:+358']")
    expect(calls.first).to_be_visible()
    assert calls.count() >= 4
    mark = {"fi": "Kirjallinen vastaus", "sv": "Skriftligt svar"}[lang]
    written = page.locator("#inbox-results .phone-cell", has_text=mark)
    assert written.count() >= 1 and written.locator("a").count() == 0
    assert_no_axe_violations(page)
    # Narrower, the lines wrap between words, never inside one, and the table fits.
    page.set_viewport_size({"width": 1024, "height": 800})
    assert page.evaluate(BROKEN_WORDS) == []
    scroller = page.locator("#inbox-results .table-scroll")
    assert scroller.evaluate("e => e.scrollWidth - e.clientWidth") <= 0


def inside_the_screen(page: Any, locator: Any) -> bool:
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_at_375_px_each_row_shows_reference_due_badge_and_phone(
    context_factory: Any, live_server: Any, lang: str
) -> None:
    page = counsellor(context_factory, live_server, lang, 375, 812)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    scroller = page.locator("#inbox-results .table-scroll")
    assert scroller.evaluate("e => e.scrollWidth - e.clientWidth") <= 0
    rows = page.locator("#inbox-results tbody tr")
    assert rows.count() >= 5  # the file's earlier flows leave theirs
    for number in range(rows.count()):
        row = rows.nth(number)
        row.scroll_into_view_if_needed()
        reference = row.locator(".reference-cell a")
        badge = row.locator(".due-cell .badge")
        phone = row.locator(".phone-cell .line").first
        for part in (reference, badge, phone):
            expect(part).to_be_visible()
            assert inside_the_screen(page, part), (number, part)
    assert page.evaluate(BROKEN_WORDS) == []
    assert_no_axe_violations(page)


def summary_of(page: Any, panel: str) -> Any:
    return page.locator(f"details[data-panel={panel}] > summary")


def toggled(page: Any, panel: str, key: str) -> None:
    """Open or fold a panel by keyboard; wait until the account has it."""
    tab_to(page, f"details[data-panel={panel}] > summary")
    with page.expect_response(re.compile(r"/staff/inbox/panels$")) as saved:
        page.keyboard.press(key)
    assert saved.value.status == 204


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_folding_by_keyboard_is_remembered_for_that_user(
    context_factory: Any, live_server: Any, lang: str
) -> None:
    page = counsellor(context_factory, live_server, lang, 1280, 800)
    filters = page.locator("details[data-panel=filters]")
    visits = page.locator("details[data-panel=visits]")
    expect(filters).not_to_have_attribute("open", "")
    expect(visits).not_to_have_attribute("open", "")
    expect(page.locator("#status")).to_be_hidden()
    word = {"fi": "Rajaukset", "sv": "Filtreringsval"}[lang]
    expect(summary_of(page, "filters")).to_have_text(word)
    toggled(page, "visits", "Space")
    expect(visits.locator("li")).to_have_count(2)
    # Each visit names the family and links to its request by the reference.
    for item in visits.locator("li").all():
        expect(item).to_contain_text("Maria-Josefiina Pitkäsukunimi-Virtanen-Åkerblom")
        expect(item.locator("a")).to_have_attribute("href", re.compile(r"/staff/requests/\d+$"))
        expect(item.locator("a")).to_have_text(re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$"))
    toggled(page, "filters", "Enter")
    expect(page.locator("#status")).to_be_visible()
    assert_no_axe_violations(page)
    page.reload()
    expect(filters).to_have_attribute("open", "")
    expect(visits).to_have_attribute("open", "")
    # A filter used inside the panel: its summary counts it (out of band, the form stays).
    tab_to(page, "#overdue")
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"overdue=1"))
    in_use = {"fi": "Rajaukset (1 käytössä)", "sv": "Filtreringsval (1 aktivt)"}[lang]
    expect(summary_of(page, "filters")).to_have_text(in_use)
    assert_no_axe_violations(page)
    # Folded again: still counted, so no filter is hidden silently.
    page.locator("#main").focus()
    toggled(page, "filters", "Enter")
    page.reload()
    expect(filters).not_to_have_attribute("open", "")
    expect(visits).to_have_attribute("open", "")
    expect(summary_of(page, "filters")).to_have_text(in_use)
    assert_no_axe_violations(page)
    # Without JavaScript the panels fold and open all the same, drawn as the account keeps them.
    plain = context_factory(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    plain.add_cookies(page.context.cookies())
    still = plain.new_page()
    still.goto(f"{live_server.url}/staff/?overdue=1")
    expect(still.locator("#status")).to_be_hidden()
    tab_to(still, "details[data-panel=filters] > summary")
    still.keyboard.press("Enter")
    expect(still.locator("#status")).to_be_visible()
    expect(still.locator("details[data-panel=visits]")).to_have_attribute("open", "")
    # Another counsellor's inbox is as they left it: folded.
    other = counsellor(context_factory, live_server, lang, 1280, 800)
    expect(other.locator("details[data-panel=visits]")).not_to_have_attribute("open", "")
    expect(other.locator("details[data-panel=filters]")).not_to_have_attribute("open", "")
