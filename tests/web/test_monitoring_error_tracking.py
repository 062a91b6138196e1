"""Errors to the city's Sentry, against a receiver on loopback that records what arrives:
the error's type and where it happened, nothing personal."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk

MARKER = "Kq4Marker"
# Made at run time, so that the source lines Sentry shows beside a frame do not hold it.
PHONE = " ".join(["040", "123", "4567"])


class Receiver:
    """A Sentry endpoint that keeps every envelope posted to it."""

    def __init__(self) -> None:
        received: list[str] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                received.append(body.decode("utf-8", errors="replace"))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.dsn = f"http://public-key@127.0.0.1:{self.server.server_port}/42"

    def __enter__(self) -> Receiver:
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: nothing is sent by the tests that follow


def test_an_error_reaches_sentry_without_personal_data(app_factory, receiver) -> None:
    app = app_factory(SENTRY_DSN=receiver.dsn, PROPAGATE_EXCEPTIONS=False)

    @app.post("/fi/broken-on-purpose")
    def broken() -> str:
        raise RuntimeError(f"the family's number {PHONE} {MARKER.lower()}")

    app.config["WTF_CSRF_ENABLED"] = False
    answer = app.test_client().post(
        f"/fi/broken-on-purpose?q={MARKER}",
        data={"description": MARKER, "phone": PHONE},
        headers={"Cookie": f"session={MARKER}", "User-Agent": MARKER, "Referer": MARKER},
    )
    assert answer.status_code == 500
    sentry_sdk.flush(timeout=5)
    sent = "\n".join(receiver.received)
    assert "RuntimeError" in sent and "broken" in sent  # what and where
    assert MARKER.lower() not in sent.lower()
    assert PHONE not in sent


def test_without_a_dsn_nothing_is_sent(app, receiver) -> None:
    app.test_client().get("/fi/")
    assert sentry_sdk.get_client().transport is None
    assert receiver.received == []
