"""Latency of the pages in one process (the Flask test client): median, p95 and the SQL
statements each page runs."""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from datasets import COUNSELLOR, LONG_TIMELINE_PHONE, SUPERVISOR, Dataset, second_step_code
from flask.testing import FlaskClient
from sqlalchemy import event
from werkzeug.test import TestResponse

from pyydaapua import create_app
from pyydaapua.database import db
from pyydaapua.tools import demo

HIDDEN = re.compile(r'name="(csrf_token|submission_key)"[^>]*value="([^"]*)"')

INBOX = "GET /staff/ (open requests)"
WORKED_REQUEST = "GET /staff/requests/<id> (worked request)"
LONG_REQUEST = "GET /staff/requests/<id> (long timeline, 60 entries)"
SEARCHES = ("reference", "phone", "name", "words")
REPORTS = ("GET /staff/reports (last 12 months)", "GET /staff/reports (all 18 months)")


@dataclass(frozen=True)
class Row:
    page: str
    median_ms: float
    p95_ms: float
    low_queries: int
    high_queries: int


def hidden_fields(page: str) -> dict[str, str]:
    return dict(HIDDEN.findall(page))


def sign_in(client: FlaskClient, url: str, email: str) -> None:
    """Both sign-in steps: the password, then the code from the authenticator."""
    page = client.get("/staff/login").get_data(as_text=True)
    client.post(
        "/staff/login",
        data={**hidden_fields(page), "email": email, "password": demo.DEMO_PASSWORD},
    )
    page = client.get("/staff/login/code").get_data(as_text=True)
    client.post(
        "/staff/login/code", data={**hidden_fields(page), "code": second_step_code(url, email)}
    )
    answer = client.get("/staff/account")
    assert answer.status_code == 200, f"{email} could not sign in ({answer.status_code})"


def measure_pages(dataset: Dataset, rounds: int) -> list[Row]:
    """Time each page ``rounds`` times (the reports a tenth of that) on ``dataset``."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": dataset.url,
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": True,
        }
    )
    queries = [0]

    def count(*_: object) -> None:
        queries[0] += 1

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)

    client = app.test_client()
    rows: list[Row] = []

    def measure(name: str, call: Callable[[], TestResponse], times: int = rounds) -> None:
        spent, counts = [], []
        for _ in range(times):
            queries[0] = 0
            started = time.perf_counter()
            response = call()
            spent.append((time.perf_counter() - started) * 1000)
            counts.append(queries[0])
            assert response.status_code < 400, (name, response.status_code)
        spent.sort()
        rows.append(
            Row(
                name,
                statistics.median(spent),
                spent[max(0, int(len(spent) * 0.95) - 1)],
                min(counts),
                max(counts),
            )
        )

    numbers = iter(range(1_234_567, 10**7))

    def submit() -> TestResponse:
        new_form = client.get("/fi/request/new", follow_redirects=True)
        hidden = hidden_fields(new_form.get_data(as_text=True))
        answer = client.post(
            "/fi/request",
            data={
                **hidden,
                "phone": f"040{next(numbers):07d}",  # each family its own number
                "topics": ["finances"],
                "description": "x" * 500,
            },
        )
        assert answer.status_code == 303, answer.status_code
        return answer

    confirmation = submit().headers["Location"]
    measure("GET /fi/", lambda: client.get("/fi/"))
    measure("GET /fi/request", lambda: client.get("/fi/request"))
    measure("GET + POST /fi/request (submit)", submit)
    measure("GET confirmation", lambda: client.get(confirmation))

    staff = app.test_client()
    sign_in(staff, dataset.url, COUNSELLOR)

    def staff_page(path: str) -> Callable[[], TestResponse]:
        def get() -> TestResponse:
            answer = staff.get(path)
            assert answer.status_code == 200, (path, answer.status_code)
            return answer

        return get

    measure(INBOX, staff_page("/staff/"))
    measure(
        "GET /staff/?status=all&topic=finances&page=40",
        staff_page("/staff/?status=all&topic=finances&page=40"),
    )
    searches = {
        "reference": dataset.long_request_reference,
        "phone": LONG_TIMELINE_PHONE.replace("+358", "0"),
        "name": "Mikko",
        "words": "apua",
    }
    for kind in SEARCHES:
        measure(
            f"GET /staff/?q={kind} (search)", staff_page(f"/staff/?status=all&q={searches[kind]}")
        )
    measure(WORKED_REQUEST, staff_page(f"/staff/requests/{min(1000, dataset.size)}"))
    measure(LONG_REQUEST, staff_page(f"/staff/requests/{dataset.long_request_id}"))

    supervisor = app.test_client()
    sign_in(supervisor, dataset.url, SUPERVISOR)
    report_rounds = max(5, rounds // 10)
    measure(REPORTS[0], lambda: supervisor.get("/staff/reports"), report_rounds)
    # Every seeded month, within the longest period a report accepts (three years).
    today = date.today()
    every_month = f"start={date(today.year - 2, 1, 1).isoformat()}&end={today.isoformat()}"
    measure(REPORTS[1], lambda: supervisor.get(f"/staff/reports?{every_month}"), report_rounds)
    measure(
        "GET /staff/reports.csv?table=topics",
        lambda: supervisor.get("/staff/reports.csv?table=topics"),
        report_rounds,
    )
    with app.app_context():
        db.engine.dispose()
    return rows


def print_table(rows: list[Row]) -> None:
    print("| page | median ms | p95 ms | SQL statements |")
    print("|---|---:|---:|---:|")
    for row in rows:
        low, high = row.low_queries, row.high_queries
        count = str(low) if low == high else f"{low}–{high}"
        print(f"| {row.page} | {row.median_ms:.1f} | {row.p95_ms:.1f} | {count} |")
