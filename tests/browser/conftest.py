"""Browser tests in real Chromium (Debian's package), driven by Playwright.

They run when Chromium is found at $CHROMIUM or /usr/bin/chromium and are skipped with a
reason otherwise; REQUIRE_BROWSER=1 turns a missing browser into a failure.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import empty_tables, make_app
from tests.servers import NeutralSite

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
    return candidate if Path(candidate).is_file() and os.access(candidate, os.X_OK) else None


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


def whole_bodies(app: Flask) -> Any:
    """The app with each response body read whole, and closed, before it is sent.

    Werkzeug's development server leaves a file response (a stylesheet) open when the browser
    drops the connection mid-send, e.g. when a test moves on while the page is still loading;
    the unclosed file then fails whichever test is running when it is collected.
    """

    def wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, whole_bodies(app), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


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


def assert_no_axe_violations(page: Any) -> None:
    """axe-core, WCAG 2.1 A and AA rules, on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert results.violations_count == 0, results.generate_report()
