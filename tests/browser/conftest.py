"""Browser tests in real Chromium (Debian's package), driven by Playwright.

They run when Chromium is found at $CHROMIUM or /usr/bin/chromium and are skipped with a
reason otherwise; REQUIRE_BROWSER=1 turns a missing browser into a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from pyydaapua.database import db
from tests.helpers.app import empty_tables, make_app
from tests.helpers.browser import CHROMIUM_ARGS, LiveServer, chromium_path
from tests.helpers.outages import Outage
from tests.helpers.servers import NeutralSite


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    browser_items = [item for item in items if "tests/browser/" in item.nodeid]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    if chromium_path() is not None or not browser_items:
        return
    reason = "Chromium not found at $CHROMIUM or /usr/bin/chromium (apt-get install chromium)"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"REQUIRE_BROWSER=1 but {reason}")
    for item in browser_items:
        item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="module", autouse=True)
def empty_after_each_file(migrated_url: str) -> Iterator[None]:
    """The live server lives for the whole run; what a file's flows stored is removed after
    the file, so that the next file in this process (the suite runs a file per process at a
    time, in any order) starts from an empty database."""
    yield
    empty_tables(make_app(migrated_url))


@pytest.fixture(scope="session")
def live_server(migrated_url: str) -> Iterator[LiveServer]:
    app = make_app(migrated_url, INBOX_POLL_SECONDS=1)
    with LiveServer(app) as server:
        yield server
    empty_tables(app)


@pytest.fixture(scope="session")
def neutral() -> Iterator[NeutralSite]:
    with NeutralSite() as site:
        yield site


@pytest.fixture
def exit_to(neutral: NeutralSite, live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """The live server's quick exit leads to a neutral site on this machine; its address."""
    monkeypatch.setitem(live_server.app.config, "QUICK_EXIT_URL", neutral.url)
    return neutral.url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def context_factory(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def factory(**options: Any) -> Any:
        options.setdefault("viewport", {"width": 390, "height": 844})
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def page(context_factory: Any) -> Any:
    return context_factory().new_page()


@pytest.fixture
def outage(live_server: Any) -> Iterator[Outage]:
    with live_server.app.app_context():
        engine = db.engine
    with Outage().listening(engine) as state:
        yield state
