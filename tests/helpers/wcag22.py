"""WCAG 2.2 checks in real Chromium: every page state of the service walked (public and staff,
the route table's staff pages for each role), the size of every pointer target on a page
(2.5.8), and whether a focused element is covered by a sticky or fixed element (2.4.11)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from pyydaapua.database import db
from pyydaapua.models import Service
from tests.helpers.routes import ROUTES, concrete
from tests.helpers.staff import STAFF_PASSWORD, fresh_code, make_staff

LANGS = ("fi", "sv")
# Phone and desktop.
VIEWPORTS = {"375x812": {"width": 375, "height": 812}, "1280x800": {"width": 1280, "height": 800}}
STAFF_ROLES = ("counsellor", "supervisor", "admin")

# What a pointer acts on.
TARGETS = (
    'a[href], button, input:not([type="hidden"]), select, textarea, summary, '
    '[role="button"], [tabindex]:not([tabindex="-1"])'
)
MINIMUM = 24

# The measure, in the page: every visible target, its box, and whether it may be smaller than
# 24 × 24 CSS px by 2.5.8's exceptions. Returns the targets that break the rule, described.
#  - Inline: a link laid out inline (display: inline) in a block of text that has words of its
#    own outside any target (a sentence, a list item with text around the link); table cells
#    are not text blocks here, so a link alone in a cell is measured.
#  - Spacing: a 24 px circle centred on the undersized target's box meets no other target's
#    box and no other undersized target's circle.
MEASURE_TARGETS = """
([selector, minimum]) => {
  const shown = (element) => {
    if (!element.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) return false;
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return false;
    // Parked off the page until focused (the skip link).
    return box.right + window.scrollX > 0 && box.bottom + window.scrollY > 0;
  };
  const blockOf = (element) => {
    let node = element.parentElement;
    while (node && ["inline", "contents"].includes(getComputedStyle(node).display)) {
      node = node.parentElement;
    }
    return node;
  };
  const ownWords = (block, targets) => {
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      if (!text.textContent.trim()) continue;
      const parent = text.parentElement;
      if (targets.some((target) => target.contains(parent))) continue;
      if (!parent.checkVisibility({checkVisibilityCSS: true})) continue;
      return true;
    }
    return false;
  };
  const all = Array.from(document.querySelectorAll(selector)).filter(shown);
  const targets = all.filter((element) => !all.some(
    (other) => other !== element && other.contains(element) && other.tagName === "SUMMARY"
      && element.tagName !== "A" && element.tagName !== "BUTTON"));
  const describe = (element, box) => {
    const text = (element.innerText || element.value || element.getAttribute("aria-label")
      || element.id || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    const name = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
      + (element.className && typeof element.className === "string"
         ? "." + element.className.trim().split(/\\s+/).join(".") : "")
      + (element.type && element.tagName === "INPUT" ? "[type=" + element.type + "]" : "");
    return `${name} "${text}" ${box.width.toFixed(1)}×${box.height.toFixed(1)}`;
  };
  const measured = targets.map((element) => {
    const box = element.getBoundingClientRect();
    const small = box.width < minimum - 0.05 || box.height < minimum - 0.05;
    let inline = false;
    if (small && element.tagName === "A" && getComputedStyle(element).display === "inline") {
      const block = blockOf(element);
      inline = !!block && !["TD", "TH"].includes(block.tagName) && ownWords(block, targets);
    }
    return {element, box, small, inline,
            centre: {x: box.left + box.width / 2, y: box.top + box.height / 2}};
  });
  const distanceToBox = (point, box) => {
    const dx = Math.max(box.left - point.x, 0, point.x - box.right);
    const dy = Math.max(box.top - point.y, 0, point.y - box.bottom);
    return Math.hypot(dx, dy);
  };
  const related = (one, other) => one.contains(other) || other.contains(one);
  const failures = [];
  for (const target of measured) {
    if (!target.small || target.inline) continue;
    const radius = minimum / 2;
    const meets = measured.find((other) => other !== target
      && !related(other.element, target.element)
      && (distanceToBox(target.centre, other.box) < radius - 0.05
          || (other.small && !other.inline
              && Math.hypot(other.centre.x - target.centre.x,
                            other.centre.y - target.centre.y) < minimum - 0.05)));
    if (meets) {
      failures.push(describe(target.element, target.box) + " is too close to "
                    + describe(meets.element, meets.box));
    }
  }
  return {count: measured.length, failures};
}
"""

# A focused element is in sight: the point in the middle of its part inside the viewport is the
# element itself (or inside it), not a sticky or fixed element over it.
FOCUSED_IN_SIGHT = """
() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const name = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
    + " " + (element.innerText || element.name || "").trim().slice(0, 30);
  // Each box of the element (a link wrapped over two lines has two), cut to the viewport.
  let cover = null;
  for (const box of element.getClientRects()) {
    const left = Math.max(box.left, 0), right = Math.min(box.right, window.innerWidth);
    const top = Math.max(box.top, 0), bottom = Math.min(box.bottom, window.innerHeight);
    if (right <= left || bottom <= top) continue;
    const found = document.elementFromPoint((left + right) / 2, (top + bottom) / 2);
    if (found && (element === found || element.contains(found))) return "";
    cover = found ? found.closest("[id], [class]") || found : cover;
  }
  if (!cover) return name + " is outside the viewport";
  return name + " is covered by " + (cover.id || cover.className || cover.tagName);
}
"""


def open_disclosures(page: Any) -> None:
    """Every <details> open, so the forms inside them are measured too."""
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")


def measure_targets(page: Any) -> tuple[int, list[str]]:
    """How many targets the page shows, and the ones that break 2.5.8."""
    result = page.evaluate(MEASURE_TARGETS, [TARGETS, MINIMUM])
    return result["count"], result["failures"]


def worked_request(app: Any) -> dict[str, int | str]:
    """A request with a visit and a referral, and an undelivered e-mail, so that every staff
    page of the route table has something to show."""
    from pyydaapua.accounts.users import create_user
    from pyydaapua.casework import changes
    from pyydaapua.intake.submission import NewRequest, submit
    from pyydaapua.notices.outbox import new_message
    from pyydaapua.tools import demo

    with app.app_context():
        if db.session.scalars(select(Service)).first() is None:
            demo.load_services()
        stored = submit(
            NewRequest(
                submission_key=uuid.uuid4().hex,
                language="fi",
                call_language="fi",
                phone="+358401234567",
                name="Maija",
                description="Tarvitsemme apua arkeen.",
            )
        )
        worker = create_user(
            f"worker-{uuid.uuid4().hex[:6]}@example.fi", "Worker", "counsellor", STAFF_PASSWORD
        )
        service = db.session.scalars(select(Service)).first()
        assert service is not None
        changes.book_visit(
            stored, worker, 1, changes.VisitData(datetime.now(UTC), 60, "K 1", [worker])
        )
        changes.refer(stored, worker, 2, service, "sent")
        undelivered = new_message("test", "team@example.fi", "fi", "Aihe", "Viesti\n")
        undelivered.status = "failed"
        db.session.add(undelivered)
        db.session.commit()
        return {
            "message_id": undelivered.id,
            "request_id": stored.id,
            "visit_id": changes.visits(stored.id)[0].id,
            "referral_id": changes.referrals(stored.id)[0].id,
            "reference": stored.reference,
            "user_id": worker.id,
            "service_id": service.id,
        }


def sign_in(page: Any, live_server: Any, email: str) -> None:
    """Both sign-in steps through the real forms (filled in, not typed key by key)."""
    page.goto(f"{live_server.url}/staff/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(STAFF_PASSWORD)
    page.locator("form.narrow-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/login/code$"))
    page.locator("#code").fill(fresh_code(live_server.app, email))
    page.locator("#code-form button[type=submit]").click()
    page.wait_for_url(lambda url: "/staff/login" not in url)


def is_whole_page(page: Any, url: str) -> bool:
    """The address answers with a whole HTML page (not a CSV file, JSON or an htmx part)."""
    response = page.request.get(url)
    return (
        response.ok
        and response.headers.get("content-type", "").startswith("text/html")
        and response.text().lstrip().lower().startswith("<!doctype html")
    )


State = tuple[str, Callable[[Any], None]]


def public_states(live_server: Any, lang: str) -> Iterator[State]:
    """Every public page and its states, each as a name and the steps that bring a page there."""
    base = f"{live_server.url}/{lang}"

    def go(path: str) -> Callable[[Any], None]:
        return lambda page: page.goto(base + path)

    def empty_form(page: Any) -> None:
        page.goto(base + "/request")
        page.locator("#phone").fill("")
        page.locator("#request-form button[type=submit]").click()
        page.locator("#error-summary").wait_for()

    def sent_for_a_call(page: Any) -> None:
        page.goto(base + "/request")
        page.locator("#description").fill("Tarvitsemme apua")
        page.locator("#phone").fill("040 765 4321")
        page.locator("#request-form button[type=submit]").click()
        page.wait_for_url(re.compile(rf"/{lang}/request/sent$"))

    def sent_for_the_status_page(page: Any) -> None:
        page.goto(base + "/request")
        page.locator("input[name=contact_method][value=status_page]").check()
        page.locator("#description").fill("Tarvitsemme apua")
        page.locator("#request-form button[type=submit]").click()
        page.wait_for_url(re.compile(rf"/{lang}/request/sent$"))
        page.locator("#secret-code").wait_for()

    def wrong_code(page: Any) -> None:
        page.goto(base + "/status")
        page.locator("#reference").fill("ACDE-FH34")
        page.locator("#secret_code").fill("ABCDE-FGHJK")
        page.locator("#status-form button[type=submit]").click()
        page.locator("#error-summary").wait_for()

    def opened_status_page(page: Any) -> None:
        sent_for_the_status_page(page)
        page.locator("#status-page-link").click()
        page.wait_for_url(re.compile(rf"/{lang}/status$"))
        page.locator("#message-form").wait_for()

    yield from [
        (f"/{lang}/", go("/")),
        (f"/{lang}/request", go("/request")),
        (f"/{lang}/request (errors)", empty_form),
        (f"/{lang}/request/sent (call)", sent_for_a_call),
        (f"/{lang}/request/sent (status page)", sent_for_the_status_page),
        (f"/{lang}/status", go("/status")),
        (f"/{lang}/status (wrong code)", wrong_code),
        (f"/{lang}/status (opened)", opened_status_page),
        (f"/{lang}/privacy", go("/privacy")),
        (f"/{lang}/accessibility", go("/accessibility")),
        (f"/{lang}/no-such-page", go("/no-such-page")),
    ]


def staff_urls(live_server: Any, role: str, ids: dict[str, int | str]) -> list[str]:
    """The route table's staff pages that ``role`` may open, with the worked request's ids."""
    return [
        live_server.url + concrete(path, ids)
        for (method, path), answers in ROUTES.items()
        if method == "GET" and answers[role] == 200
    ]


def staff_user(live_server: Any, role: str, lang: str) -> str:
    _, email = make_staff(live_server.app, role, lang)
    return email
