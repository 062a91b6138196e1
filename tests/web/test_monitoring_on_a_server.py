"""Monitoring as deployed: gunicorn with three workers in production mode, ``LOG_FORMAT=json``,
metrics in prometheus_client's multi-process mode and the audit stream to a file.

Every worker's requests are counted in one ``/metrics``; every line the server writes is one
JSON object with the request id; markers planted in every field a request can carry (the form's
fields, the query, headers, cookies, a sign-in's e-mail and password) appear in no log line and
in no metric; the audit stream has the events, and nothing else."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.app import PRODUCTION, empty_tables, make_app
from tests.helpers.forms import hidden_fields
from tests.helpers.servers import Browser, Gunicorn

TOKEN = "a-metrics-token-for-the-server-test"
MARKER = "Qx7Mark"


@pytest.fixture(scope="module")
def server(migrated_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("monitoring")
    env = {
        "APP_ENV": "production",
        "SECRET_KEY": PRODUCTION["SECRET_KEY"],
        "DATABASE_URL": migrated_url,
        "ALLOW_SQLITE_IN_PRODUCTION": "1",
        "ALLOW_MEMORY_RATE_LIMITS": "1",
        "SESSION_COOKIE_SECURE": "0",
        "LOG_FORMAT": "json",
        "METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"),
        "AUDIT_STREAM": str(folder / "audit.jsonl"),
    }
    with Gunicorn(env, workers=3) as running:
        running.audit_file = folder / "audit.jsonl"
        yield running
    empty_tables(make_app(migrated_url))


def fetch(url: str, data: dict[str, str] | None = None, **headers: str) -> tuple[int, dict, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310 - our server
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return answer.status, dict(answer.headers), answer.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read().decode(errors="replace")


def json_lines(log: str) -> list[dict[str, Any]]:
    lines = [line for line in log.splitlines() if line.strip()]
    parsed = []
    for line in lines:
        parsed.append(json.loads(line))  # every line is one JSON object
    return parsed


def test_every_worker_counts_in_one_metrics_page(server) -> None:
    def metric_total() -> float:
        _, _, page = fetch(f"{server.url}/metrics", Authorization=f"Bearer {TOKEN}")
        for line in page.splitlines():
            if line.startswith("pyydaapua_http_requests_total{") and (
                'endpoint="monitoring.healthz"' in line
            ):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    before = metric_total()
    threads = [
        threading.Thread(target=lambda: [fetch(f"{server.url}/healthz") for _ in range(10)])
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert metric_total() - before == 60
    served_by = {
        line["pid"]
        for line in json_lines(server.output())
        if line.get("endpoint") == "monitoring.healthz"
    }
    assert len(served_by) >= 2, served_by  # more than one worker answered, all were counted


def test_the_request_id_is_kept_or_made_and_logged(server) -> None:
    status, headers, _ = fetch(f"{server.url}/fi/", **{"X-Request-ID": "balancer-id-0001"})
    assert status == 200 and headers["X-Request-ID"] == "balancer-id-0001"
    _, headers, _ = fetch(f"{server.url}/fi/", **{"X-Request-ID": "not ok <script>"})
    made = headers["X-Request-ID"]
    assert len(made) == 32 and made != "not ok <script>"
    logged = {line.get("request_id") for line in json_lines(server.output())}
    assert {"balancer-id-0001", made} <= logged


def test_no_personal_data_reaches_a_log_line_or_a_metric(server) -> None:
    marked = f"{MARKER}-typed"
    cookie = f"session={MARKER}cookie; other={MARKER}"
    headers = {
        "Cookie": cookie,
        "User-Agent": f"{MARKER}-agent",
        "Referer": f"{server.url}/{MARKER}",
        "X-Request-ID": f"bad {MARKER}",
        "X-Forwarded-For": f"{MARKER}",
    }
    fetch(f"{server.url}/fi/request?{MARKER}={MARKER}", **headers)
    parent = Browser(server.url)
    form = hidden_fields(parent.page("/fi/request"))
    typed = {
        "description": marked,
        "name": marked,
        "phone": "040 765 4321",
        "email": f"{MARKER.lower()}@example.fi",
        "contact_method": "phone",
    }
    status, _ = parent.send("/fi/request", {**form, **typed}, {"Origin": server.url})
    assert status == 303  # sent, and every field went through the server
    fetch(f"{server.url}/staff/?q={MARKER}", **headers)
    fetch(f"{server.url}/fi/{MARKER}/page", **headers)
    staff = Browser(server.url)
    staff.page("/staff/login")
    login = {"email": f"{MARKER.lower()}@example.fi", "password": marked}
    assert staff.send("/staff/login", login, {"Origin": server.url})[0] == 401
    log = server.output()
    assert MARKER.lower() not in log.lower()
    lines = json_lines(log)
    assert {"time", "level", "logger", "event"} <= set(lines[-1])
    requests = [line for line in lines if line["event"] == "request"]
    assert requests and all(
        {"request_id", "endpoint", "method", "status", "duration_ms"} <= set(line)
        for line in requests
    )
    _, _, metrics = fetch(f"{server.url}/metrics", Authorization=f"Bearer {TOKEN}")
    assert MARKER.lower() not in metrics.lower()
    audit = Path(server.audit_file).read_text()
    assert MARKER.lower() not in audit.lower()


def test_the_audit_stream_has_the_committed_events(server) -> None:
    staff = Browser(server.url)
    staff.page("/staff/login")
    login = {"email": "nobody@example.fi", "password": "wrong password"}
    assert staff.send("/staff/login", login, {"Origin": server.url})[0] == 401
    events = [json.loads(line) for line in Path(server.audit_file).read_text().splitlines()]
    failed = [event for event in events if event["action"] == "sign_in_failed"]
    assert failed and failed[-1]["service"] == "pyydaapua"
    assert set(failed[-1]) == {
        "service", "type", "id", "time", "action", "user_id", "request_id", "client_address",
        "target", "basis",
    }  # fmt: skip
