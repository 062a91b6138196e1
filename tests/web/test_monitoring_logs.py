"""Request ids and the JSON log lines, in the process (the server test sees them deployed)."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from pyydaapua.monitoring.request_log import JsonFormatter, request_id_from


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("4bf92f3577b34da6a3ce929d0e0e4736", True),
        ("haproxy-7F000001:8A2C_5E1A.00FF", True),
        ("short", False),
        ("has space in it", False),
        ("<script>alert(1)</script>", False),
        ("x" * 129, False),
        ("", False),
    ],
)
def test_a_balancers_request_id_is_kept_only_when_well_formed(given: str, kept: bool) -> None:
    made = request_id_from(given)
    assert (made == given) is kept
    if not kept:
        assert len(made) == 32 and made.isalnum()


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/fi/", 200), ("GET", "/fi/no-such", 404), ("POST", "/fi/request", 400)],
)
def test_every_answer_carries_its_request_id(app, method, path, status) -> None:
    answer = app.test_client().open(path, method=method)
    assert answer.status_code == status
    assert len(answer.headers["X-Request-ID"]) == 32
    echoed = app.test_client().open(path, method=method, headers={"X-Request-ID": "lb-12345678"})
    assert echoed.headers["X-Request-ID"] == "lb-12345678"


def test_a_json_line_has_the_requests_context_and_no_exception_message(app) -> None:
    formatter = JsonFormatter()
    with app.test_request_context("/fi/"):
        from flask import g

        g.request_id = "lb-12345678"
        try:
            raise ValueError("040 123 4567 is the family's number")
        except ValueError:
            record = logging.LogRecord(
                "pyydaapua", logging.ERROR, __file__, 1, "unhandled error", None, sys.exc_info()
            )
        line = json.loads(formatter.format(record))
    assert line["event"] == "unhandled error" and line["level"] == "error"
    assert line["request_id"] == "lb-12345678" and line["user_id"] is None
    assert line["exception"] == "ValueError"
    assert "040 123 4567" not in json.dumps(line)
    assert any("test_monitoring_logs.py" in frame for frame in line["frames"])


def test_json_logging_is_installed_once(app_factory) -> None:
    from flask.logging import default_handler

    from pyydaapua.monitoring.request_log import _JsonHandler

    root, limiter_log = logging.getLogger(), logging.getLogger("flask-limiter")
    level, limiter_handlers = root.level, list(limiter_log.handlers)
    try:
        app_factory(LOG_FORMAT="json")
        app_factory(LOG_FORMAT="json")
        installed = [handler for handler in root.handlers if isinstance(handler, _JsonHandler)]
        assert len(installed) == 1
        assert isinstance(installed[0].formatter, JsonFormatter)
        assert default_handler not in limiter_log.handlers  # its lines go to the JSON handler
    finally:
        for handler in root.handlers:
            if isinstance(handler, _JsonHandler):
                root.removeHandler(handler)
        root.setLevel(level)
        limiter_log.handlers[:] = limiter_handlers
