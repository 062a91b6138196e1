"""A search past the count's cap in real Chromium: the live region reads "more than …" and the
hint to narrow the search, the link asks for the exact number; axe finds nothing either way.
The cap is lowered (``queries.COUNT_CAP``; the live server runs in this process)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from pyydaapua.inbox import queries
from tests.browser.test_inbox_flow import requests_for_the_inbox, signed_in
from tests.helpers.browser import assert_no_axe_violations

# The data stays until the end of the file: each language's test adds three more requests.
TEXTS = {
    "fi": ("Yli 2 yhteydenottopyyntöä – rajaa hakua. Näytä tarkka määrä", "yhteydenottopyyntöä"),
    "sv": (
        "Fler än 2 kontaktbegäranden – avgränsa sökningen. Visa det exakta antalet",
        "kontaktbegäranden",
    ),
}


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_a_capped_search_reads_more_than_and_gives_the_exact_number(
    context_factory: Any, live_server: Any, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    requests_for_the_inbox(live_server.app, f"+35840{uuid.uuid4().int % 10**7:07d}")
    page = signed_in(context_factory, live_server, "counsellor", 1024, lang)
    page.goto(f"{live_server.url}/staff/")
    region = page.locator("#inbox-count")
    capped, requests = TEXTS[lang]
    page.locator("#q").fill("apua")
    page.wait_for_url(re.compile(r"/staff/\?q=apua"))
    expect(region).to_have_text(capped)
    assert_no_axe_violations(page)
    page.locator("#inbox-exact-count").click()
    page.wait_for_url(re.compile(r"exact=1"))
    expect(region).to_have_text(re.compile(rf"^([3-9]) {requests}$"))
    assert int(region.inner_text().split()[0]) == page.locator("td.reference-cell").count()
    expect(page.locator("#q")).to_have_value("apua")
    assert_no_axe_violations(page)
