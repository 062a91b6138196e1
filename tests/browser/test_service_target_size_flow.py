"""WCAG 2.2 2.5.8 Target size (minimum): on every page the service has, in each of its states
that the route table and the public pages give, in Finnish and Swedish, on a phone (375 × 812)
and a desktop (1280 × 800), every visible pointer target is at least 24 × 24 CSS px, or is a
link inside a sentence, or has the 24 px spacing the criterion allows (tests/helpers/wcag22.py).
Every <details> is opened first, so the forms inside the request page's actions are measured.
Each page state is reached once and measured at both sizes."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.helpers.staff import STAFF_PASSWORD
from tests.helpers.wcag22 import (
    LANGS,
    STAFF_ROLES,
    VIEWPORTS,
    is_whole_page,
    measure_targets,
    open_disclosures,
    public_states,
    sign_in,
    staff_urls,
    staff_user,
    worked_request,
)


class Findings:
    def __init__(self) -> None:
        self.found: dict[str, list[str]] = {}
        self.targets = 0
        self.states = 0

    def check(self, page: Any, name: str) -> None:
        """The page as it is now, at each size (once its stylesheet has loaded: a state
        reached by an element that appears may be measured while the page still loads)."""
        page.wait_for_load_state("load")
        open_disclosures(page)
        self.states += 1
        for size, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            count, failures = measure_targets(page)
            self.targets += count
            if failures:
                self.found[f"{name} at {size}"] = failures

    def report(self) -> str:
        return "\n".join(f"{name}:\n  " + "\n  ".join(lines) for name, lines in self.found.items())


@pytest.mark.parametrize("lang", LANGS)
def test_every_public_target_is_large_enough(
    context_factory: Any, live_server: Any, lang: str
) -> None:
    findings = Findings()
    for name, reach in public_states(live_server, lang):
        page = context_factory().new_page()
        reach(page)
        findings.check(page, name)
        page.context.close()
    assert findings.states == 11 and findings.targets > 200
    assert findings.found == {}, findings.report()


@pytest.mark.parametrize("lang", LANGS)
def test_every_staff_target_is_large_enough(
    context_factory: Any, live_server: Any, lang: str
) -> None:
    ids = worked_request(live_server.app)
    findings = Findings()
    # Signing in: the first step, refused, and the second step.
    page = context_factory().new_page()
    page.goto(f"{live_server.url}/staff/login?lang={lang}")
    findings.check(page, "/staff/login")
    page.locator("#email").fill("nobody@example.fi")
    page.locator("#password").fill("wrong password")
    page.locator("form.narrow-form button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    findings.check(page, "/staff/login (refused)")
    email = staff_user(live_server, "counsellor", lang)
    page.goto(f"{live_server.url}/staff/login?lang={lang}")
    page.locator("#email").fill(email)
    page.locator("#password").fill(STAFF_PASSWORD)
    page.locator("form.narrow-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/login/code$"))
    findings.check(page, "/staff/login/code")
    page.context.close()
    # Every page of the route table that each role opens.
    for role in STAFF_ROLES:
        page = context_factory().new_page()
        sign_in(page, live_server, staff_user(live_server, role, lang))
        for url in staff_urls(live_server, role, ids):
            if not is_whole_page(page, url):
                continue
            page.goto(url)
            assert page.locator("html").get_attribute("lang") == lang, url
            findings.check(page, f"{url.removeprefix(live_server.url)} ({role})")
        page.context.close()
    assert findings.states >= 23 and findings.targets > 500
    assert findings.found == {}, findings.report()


MEASURED = """<!doctype html><html lang="fi"><head><title>t</title></head><body>
<p>A sentence with <a href="#a" id="in-text" style="font-size: 10px">a link</a> inside it.</p>
<div id="area">{}</div></body></html>"""


@pytest.mark.parametrize(
    ("targets", "failing"),
    [
        # Large enough.
        ('<button style="width: 24px; height: 24px; padding: 0">x</button>', 0),
        # Small, but alone: its 24 px circle meets nothing.
        ('<button style="width: 20px; height: 20px; padding: 0">x</button>', 0),
        # Small and 2 px from another target: both circles meet the other.
        (
            '<button style="width: 20px; height: 20px; padding: 0; display: block">x</button>'
            '<button style="width: 20px; height: 20px; padding: 0; display: block;'
            ' margin-top: 2px">y</button>',
            2,
        ),
        # Small, 2 px below a large target: its circle reaches into the large one.
        (
            '<button style="width: 60px; height: 40px; display: block">x</button>'
            '<a href="#b" style="display: block; width: 20px; height: 16px; margin-top: 2px;'
            ' font-size: 8px">b</a>',
            1,
        ),
        # A link alone in a table cell is no sentence.
        (
            '<table><tr><td><a href="#c" style="font-size: 8px">c</a></td></tr>'
            '<tr><td><a href="#d" style="font-size: 8px">d</a></td></tr></table>',
            2,
        ),
    ],
)
def test_the_measure_follows_the_criterion(page: Any, targets: str, failing: int) -> None:
    page.set_content(MEASURED.format(targets))
    count, failures = measure_targets(page)
    assert count == 1 + targets.count("</button>") + targets.count("</a>")
    assert len(failures) == failing, failures
