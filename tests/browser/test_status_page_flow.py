"""A parent without a phone asks for help and hears back on the status page, in real
Chromium: in Finnish by keyboard only with JavaScript, where a counsellor writes on the request
page by keyboard and finds the family's answer in the inbox's view of new messages; in Swedish
without JavaScript."""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select

from pyydaapua.accounts.users import create_user
from pyydaapua.database import db
from pyydaapua.models import HelpRequest, TimelineEvent
from pyydaapua.status_page import access
from tests.helpers.browser import (
    assert_no_axe_violations,
    open_from_inbox,
    sign_in_by_keyboard,
    stored,
    tab_to,
)
from tests.helpers.staff import make_staff

CODE = re.compile(r"^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$")
SENT = {"fi": "Viestisi lähetettiin", "sv": "Ditt meddelande skickades"}
WRONG = {
    "fi": "Emme voineet avata pyyntöä tällä tunnuksella ja salaisella koodilla.",
    "sv": "Vi kunde inte öppna en begäran med den här referenskoden och hemliga koden.",
}


def counsellor_writes(live_server: Any, reference: str, text: str, email: str) -> None:
    """A counsellor's message, as the casework page will store it."""
    with live_server.app.app_context():
        help_request = db.session.scalars(
            select(HelpRequest).where(HelpRequest.reference == reference.replace("-", ""))
        ).one()
        user = create_user(email, "Anna-Liisa Virtanen", "counsellor", "long enough pw")
        db.session.add(
            TimelineEvent(
                request_id=help_request.id,
                at=datetime.now(UTC),
                user_id=user.id,
                kind="message_to_family",
                note=text,
            )
        )
        db.session.commit()


def counsellor_writes_on_the_request_page(
    context_factory: Any, live_server: Any, reference: str, text: str
) -> Any:
    """A counsellor signs in, opens the request from the inbox and writes to the family, by
    keyboard; returns the counsellor's page."""
    _, email = make_staff(live_server.app, "counsellor", "fi", name="Anna-Liisa Virtanen")
    page = context_factory().new_page()
    sign_in_by_keyboard(page, live_server, email, "fi")
    page.wait_for_url(f"{live_server.url}/staff/")
    open_from_inbox(page, live_server, reference)
    # No phone number: the message comes first, open, and says who sees it.
    expect(page.locator("#action-message")).to_have_attribute("open", "")
    expect(page.locator("#form-message .visible-to-family")).to_contain_text("Anna-Liisa")
    expect(page.locator("#form-all_fine")).to_have_count(0)
    tab_to(page, "#message-message", limit=80)
    page.keyboard.type(text)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#announcer")).to_contain_text("Viesti lähetettiin.")
    expect(page.locator("#timeline .family-visible").first).to_contain_text(text)
    assert_no_axe_violations(page)
    return page


def family_messages(live_server: Any, reference: str) -> list[str]:
    request = stored(live_server, reference)
    with live_server.app.app_context():
        return list(
            db.session.scalars(
                select(TimelineEvent.note).where(
                    TimelineEvent.request_id == request.id,
                    TimelineEvent.kind == "message_from_family",
                )
            )
        )


def type_into(page: Any, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def test_a_parent_hears_back_on_the_status_page_by_keyboard(
    page: Any, context_factory: Any, live_server: Any
) -> None:
    page.goto(f"{live_server.url}/fi/request")
    # The choice: a call is chosen; the arrow key moves to "Answer me here".
    tab_to(page, "#contact_method-0")
    expect(page.locator("#call-fields")).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#contact_method-1")).to_be_checked()
    expect(page.locator("#call-fields")).to_be_hidden()
    assert_no_axe_violations(page)
    page.locator("#topics-0").focus()
    type_into(page, "#description", "Haluaisin kysyä kirjallisesti.")
    tab_to(page, "#request-form button[type=submit]")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/fi/request/sent$"))
    reference = page.locator("#reference").inner_text().strip()
    code = page.locator("#secret-code").inner_text().strip()
    assert CODE.match(code), code
    assert code not in page.url
    expect(page.locator("#phone-number")).to_have_count(0)
    assert stored(live_server, reference).phone == ""
    assert_no_axe_violations(page)

    counsellor = counsellor_writes_on_the_request_page(
        context_factory, live_server, reference, "Hei! Kerro lisää arjestanne."
    )

    # The status page opens straight from the browser that sent the request, with the code
    # shown until the parent says it is written down.
    tab_to(page, "#status-page-link")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/fi/status$"))
    expect(page.locator("#secret-code")).to_have_text(code)
    expect(page.locator(".messages")).to_contain_text("Hei! Kerro lisää arjestanne.")
    assert_no_axe_violations(page)
    tab_to(page, "#code-written")
    page.keyboard.press("Enter")
    page.locator("#message-form").wait_for()
    expect(page.locator("#secret-code")).to_have_count(0)
    # Closed, it needs the reference and code again.
    tab_to(page, "#close-status")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/fi/$"))
    page.goto(f"{live_server.url}/fi/status")
    assert_no_axe_violations(page)
    # A wrong code first: one calm message, the reference kept.
    type_into(page, "#reference", reference)
    type_into(page, "#secret_code", "ABCDE-FGHJK")
    page.keyboard.press("Enter")
    page.locator("#error-summary").wait_for()
    expect(page.locator("#error-summary")).to_contain_text(WRONG["fi"])
    expect(page.locator("#reference")).to_have_value(reference)
    expect(page.locator("#secret_code")).to_have_value("")
    assert_no_axe_violations(page)
    type_into(page, "#secret_code", code.lower())
    page.keyboard.press("Enter")

    page.locator("#message-form").wait_for()
    expect(page.locator(".messages")).to_contain_text("Hei! Kerro lisää arjestanne.")
    expect(page.locator(".messages")).to_contain_text("Anna-Liisa")
    expect(page.locator(".messages")).not_to_contain_text("Virtanen")
    assert_no_axe_violations(page)
    type_into(page, "#message", "Kiitos, soitan mielelläni myöhemmin.")
    tab_to(page, "#message-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#status-notice")).to_contain_text(SENT["fi"])
    expect(page.locator(".messages")).to_contain_text("Kiitos, soitan mielelläni myöhemmin.")
    assert family_messages(live_server, reference) == ["Kiitos, soitan mielelläni myöhemmin."]
    assert_no_axe_violations(page)

    # The counsellor finds the answer in the inbox's view of new messages.
    counsellor.goto(f"{live_server.url}/staff/?messages=1")
    row = counsellor.locator("#inbox-results tbody tr", has_text=reference)
    expect(row).to_contain_text("Uusi viesti perheeltä")
    assert_no_axe_violations(counsellor)

    tab_to(page, "#close-status")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/fi/$"))
    page.goto(f"{live_server.url}/fi/status")
    expect(page.locator("#message-form")).to_have_count(0)
    expect(page.locator("#secret_code")).to_be_visible()


def slow_down_the_familys_messages(monkeypatch: Any) -> list[float]:
    """The family's first message waits to be stored until a second one arrives, at most ten
    seconds (the live server runs in this process, a thread per request), so that a second
    click lands while the first send is on its way however loaded the machine is; returns the
    list of when each arrived."""
    store = access.family_wrote
    received: list[float] = []
    second_arrived = threading.Event()

    def slowly(*args: Any, **kwargs: Any) -> None:
        received.append(time.monotonic())
        if len(received) == 1:
            second_arrived.wait(timeout=10)
        else:
            second_arrived.set()
        store(*args, **kwargs)

    monkeypatch.setattr(access, "family_wrote", slowly)
    return received


def test_the_same_in_swedish_without_javascript(
    context_factory: Any, live_server: Any, monkeypatch: Any
) -> None:
    page = context_factory(java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}/sv/request")
    # Without JavaScript the call's fields stay, and say they are only for a call.
    page.get_by_label("Svara mig här; jag tittar själv").check()
    expect(page.locator("#call-fields")).to_be_visible()
    expect(page.locator("#call-fields legend").first).to_have_text("Om du vill ha ett samtal")
    page.locator("#phone").fill("040 123 4567")  # typed all the same: not kept
    page.locator("#request-form button[type=submit]").click()

    page.wait_for_url(re.compile(r"/sv/request/sent$"))
    reference = page.locator("#reference").inner_text().strip()
    code = page.locator("#secret-code").inner_text().strip()
    assert CODE.match(code), code
    assert stored(live_server, reference).phone == ""
    # Reloading still shows the code, until the parent says it is written down.
    page.reload()
    expect(page.locator("#secret-code")).to_have_text(code)
    page.locator("#code-written").click()
    expect(page.locator("#secret-code")).to_have_count(0)
    expect(page.locator("#secret-code-shown")).to_be_visible()

    counsellor_writes(live_server, reference, "Hej! Berätta gärna mer.", "erik@example.fi")
    page.locator("#status-page-link").click()
    page.wait_for_url(re.compile(r"/sv/status$"))
    expect(page.locator(".messages")).to_contain_text("Hej! Berätta gärna mer.")
    # Closed, and opened again with the pair as typed by hand.
    page.locator("#close-status").click()
    page.wait_for_url(re.compile(r"/sv/$"))
    page.goto(f"{live_server.url}/sv/status")
    page.locator("#reference").fill(reference.lower())
    page.locator("#secret_code").fill(code.replace("-", " "))
    page.locator("#status-form button[type=submit]").click()
    page.locator("#message-form").wait_for()
    expect(page.locator(".messages")).to_contain_text("Hej! Berätta gärna mer.")
    page.locator("#message-form button[type=submit]").click()  # empty: an error
    page.locator("#error-summary").wait_for()
    page.locator("#message").fill("Tack, det passar bra.")
    # A second click while the first send is still on its way: both reach the server, and the
    # message is stored once.
    received = slow_down_the_familys_messages(monkeypatch)
    box = page.locator("#message-form button[type=submit]").bounding_box()
    assert box is not None
    with page.expect_request(lambda sent: sent.method == "POST"):
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    # Past the first send's longest wait: on a loaded machine the answer may come after it.
    expect(page.locator("#status-notice")).to_contain_text(SENT["sv"], timeout=15_000)
    assert len(received) == 2
    assert family_messages(live_server, reference) == ["Tack, det passar bra."]
    page.locator("#close-status").click()
    page.wait_for_url(re.compile(r"/sv/$"))
