"""Prometheus metrics: off without METRICS_TOKEN, only with it as a bearer token, counting
requests, latency, failed sign-ins, the outbox, the requests not yet reached and overdue, and
the rate-limit storage's fallbacks; no personal data in any label."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import HelpRequest, OutboxMessage
from tests.helpers.servers import free_port
from tests.helpers.staff import make_staff, sign_in

TOKEN = "a-metrics-token-for-the-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def metrics_app(app_factory):
    return app_factory(METRICS_TOKEN=TOKEN)


def scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = client.get("/metrics", headers=AUTH)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/plain")
    values = {}
    for family in text_string_to_metric_families(answer.get_data(as_text=True)):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


def value(values, name: str, **labels: str) -> float:
    return values.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_are_off_without_a_token(app) -> None:
    assert app.test_client().get("/metrics").status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x"])
def test_metrics_need_the_token(metrics_app, header) -> None:
    headers = {"Authorization": header} if header else {}
    answer = metrics_app.test_client().get("/metrics", headers=headers)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert b"pyydaapua" not in answer.data


def test_requests_and_their_time_are_counted_by_endpoint(metrics_app) -> None:
    client = metrics_app.test_client()
    before = scrape(client)
    for _ in range(3):
        client.get("/fi/request")
    client.get("/fi/no-such-page")
    after = scrape(client)
    labels = {"endpoint": "intake.request_form", "method": "GET", "status": "200"}
    assert (
        value(after, "pyydaapua_http_requests_total", **labels)
        - value(before, "pyydaapua_http_requests_total", **labels)
        == 3
    )
    unmatched = {"endpoint": "unmatched", "method": "GET", "status": "404"}
    assert value(after, "pyydaapua_http_requests_total", **unmatched) >= 1
    count = "pyydaapua_http_request_duration_seconds_count"
    assert (
        value(after, count, endpoint="intake.request_form")
        - value(before, count, endpoint="intake.request_form")
        == 3
    )


def test_failed_sign_ins_are_counted(metrics_app) -> None:
    _, email = make_staff(metrics_app, "counsellor")
    client = metrics_app.test_client()
    before = value(scrape(client), "pyydaapua_failed_sign_ins_total", kind="password")
    sign_in(metrics_app.test_client(), email, "not the password")
    sign_in(metrics_app.test_client(), "nobody@example.fi", "not the password")
    after = value(scrape(client), "pyydaapua_failed_sign_ins_total", kind="password")
    assert after - before == 2


def test_the_services_figures_come_from_the_database(metrics_app) -> None:
    today = date.today()
    with metrics_app.app_context():
        for n, status in enumerate(["pending", "pending", "failed", "uncertain", "sent"]):
            db.session.add(
                OutboxMessage(
                    created_at=datetime.now(UTC),
                    kind="team_new_request",
                    recipient="t@x.fi",
                    language="fi",
                    subject="s",
                    body="b",
                    status=status,
                    next_attempt_at=datetime.now(UTC),
                    dedupe_key=f"metrics-{n}",
                )
            )
        db.session.commit()
        waiting = submit(
            NewRequest(
                submission_key="m" * 32, language="fi", call_language="fi", phone="+358401234567"
            )
        )
        late = submit(
            NewRequest(
                submission_key="n" * 32, language="fi", call_language="fi", phone="+358401234568"
            )
        )
        db.session.get(HelpRequest, late.id).due_date = today - timedelta(days=1)
        db.session.commit()
        assert waiting.id
    values = scrape(metrics_app.test_client())
    assert value(values, "pyydaapua_outbox_messages", status="pending") == 2
    assert value(values, "pyydaapua_outbox_messages", status="failed") == 1
    assert value(values, "pyydaapua_outbox_messages", status="uncertain") == 1
    assert value(values, "pyydaapua_requests_not_reached") == 2
    assert value(values, "pyydaapua_requests_overdue") == 1
    assert value(values, "pyydaapua_requests_open") == 2


def test_a_lost_rate_limit_storage_is_counted(app_factory) -> None:
    """Counted for each app that loses its storage, also when an app made before in the same
    process lost its own (the limiter is one object per process)."""
    from tests.helpers.forms import RequestFormHelper

    for _ in range(2):
        app = app_factory(
            METRICS_TOKEN=TOKEN,
            RATELIMIT_ENABLED=True,
            RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0",
        )
        client = app.test_client()
        before = value(scrape(client), "pyydaapua_rate_limit_storage_fallbacks_total")
        RequestFormHelper(app.test_client()).submit("fi")  # limited: the storage is asked
        after = value(scrape(client), "pyydaapua_rate_limit_storage_fallbacks_total")
        assert after - before >= 1


def test_no_personal_data_in_any_label(metrics_app) -> None:
    """A request, a search and a sign-in with markers everywhere: no marker in the metrics."""
    marker = "Zq9Marker"
    client = metrics_app.test_client()
    client.get(f"/fi/request?{marker}={marker}", headers={"X-Request-ID": f"{marker}12345"})
    client.get(f"/staff/?q={marker}")
    client.get(f"/fi/{marker}")
    sign_in(metrics_app.test_client(), f"{marker}@example.fi", marker)
    page = metrics_app.test_client().get("/metrics", headers=AUTH).get_data(as_text=True)
    assert marker.lower() not in page.lower()
    labels = set(re.findall(r'(\w+)="', page))
    platform = {"generation", "implementation", "major", "minor", "patchlevel", "version"}
    assert labels <= {"endpoint", "method", "status", "kind", "le", *platform}, labels
