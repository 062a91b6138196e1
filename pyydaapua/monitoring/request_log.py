"""Logs for the city's log collection: a request id on every request and answer, one event per
request (endpoint, status, duration, a staff member's number), and ``LOG_FORMAT=json`` for one
JSON object per line.

Nothing personal is written: no path or query (they may hold a reference or a search), no form
field, header, cookie, name, phone number or e-mail address; a staff member only by number.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler

REQUEST_ID_HEADER = "X-Request-ID"
# A balancer's id is taken when it looks like one (letters, digits and . _ : -), else one is made.
_WELL_FORMED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$")
requests_logger = logging.getLogger("pyydaapua.requests")
# The fields a log line may carry besides its time, level, logger and event.
CONTEXT_FIELDS = ("request_id", "endpoint", "method", "status", "duration_ms", "user_id")


def request_id_from(header: str | None) -> str:
    """The balancer's request id when it is well formed, else a new one."""
    if header and _WELL_FORMED.match(header):
        return header
    return uuid.uuid4().hex


def staff_user_id() -> int | None:
    """The signed-in staff member's number, when this request already loaded one (never a
    lookup of its own)."""
    user = g.get("_login_user")
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


def _start() -> None:
    g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
    started = g.get("request_started")
    duration = time.perf_counter() - started if started is not None else 0.0
    g.request_duration = duration
    requests_logger.info(
        "request",
        extra={
            "endpoint": request.url_rule.endpoint if request.url_rule else "unmatched",
            "method": request.method,
            "status": response.status_code,
            "duration_ms": round(duration * 1000, 1),
            "user_id": staff_user_id(),
        },
    )
    return response


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, event and the request's context. An
    exception is its type and its frames (file, line, function), never its message, which
    may quote data."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
            "pid": record.process,
        }
        if has_request_context():
            line["request_id"] = g.get("request_id")
            line.setdefault("user_id", staff_user_id())
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            kind, _error, trace = record.exc_info
            line["exception"] = kind.__name__
            line["frames"] = [
                f"{frame.filename}:{frame.lineno} {frame.name}"
                for frame in traceback.extract_tb(trace)
            ]
        return json.dumps(line, ensure_ascii=False, default=str)


class _JsonHandler(logging.StreamHandler):
    """The one handler on the root logger in JSON mode (marked, so it is installed once)."""


def configure(app: Flask) -> None:
    """With ``LOG_FORMAT=json`` every log line (the app's, the libraries', the request
    events') goes to standard error as JSON; otherwise Flask's own handler is left as it is."""
    if app.config.get("LOG_FORMAT") != "json":
        return
    root = logging.getLogger()
    if not any(isinstance(handler, _JsonHandler) for handler in root.handlers):
        handler = _JsonHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    for logger in (app.logger, logging.getLogger("flask-limiter")):
        logger.removeHandler(default_handler)
        logger.propagate = True


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
