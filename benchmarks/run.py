"""Benchmark: seed N synthetic requests, then time the public pages and count their queries.

    .venv/bin/python benchmarks/run.py [--requests 100000] [--rounds 200] [--database-url URL]

Uses a fresh SQLite file by default (or the given database, which must be empty), builds the
schema with the migrations, and prints a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from datetime import date

import flask_migrate
from sqlalchemy import event, text

from pyydaapua import create_app
from pyydaapua.tools import demo
from pyydaapua.web.extensions import db

HIDDEN = re.compile(r'name="(csrf_token|submission_key)"[^>]*value="([^"]*)"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="pyydaapua-bench-")
    url = args.database_url or f"sqlite:///{workdir}/bench.sqlite3"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": True}
    )
    queries = [0]
    with app.app_context():
        flask_migrate.upgrade()
        demo.load_demo_users()
        demo.load_services()
        started = time.perf_counter()
        demo.add_synthetic_requests(args.requests, seed=1)
        seed_seconds = time.perf_counter() - started
        # What the database's routine maintenance (autovacuum on PostgreSQL) does after a load.
        maintenance = "VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(maintenance))
        event.listen(
            db.engine, "before_cursor_execute", lambda *a: queries.__setitem__(0, queries[0] + 1)
        )

    client = app.test_client()
    rows = []

    def measure(name: str, call, rounds: int | None = None) -> None:
        times, counts = [], []
        for _ in range(rounds or args.rounds):
            queries[0] = 0
            started = time.perf_counter()
            response = call()
            times.append((time.perf_counter() - started) * 1000)
            counts.append(queries[0])
            assert response.status_code < 400, (name, response.status_code)
        times.sort()
        rows.append(
            (
                name,
                statistics.median(times),
                times[int(len(times) * 0.95) - 1],
                min(counts),
                max(counts),
            )
        )

    def submit():
        hidden = dict(HIDDEN.findall(client.get("/fi/request").get_data(as_text=True)))
        return client.post(
            "/fi/request",
            data={
                **hidden,
                "phone": "0401234567",
                "topics": ["finances"],
                "description": "x" * 500,
            },
        )

    confirmation = submit().headers["Location"]
    measure("GET /fi/", lambda: client.get("/fi/"))
    measure("GET /fi/request", lambda: client.get("/fi/request"))
    measure("GET + POST /fi/request (submit)", submit)
    measure("GET confirmation", lambda: client.get(confirmation))

    def signed_in(email: str):
        staff = app.test_client()
        token = HIDDEN.search(staff.get("/staff/login").get_data(as_text=True))
        staff.post(
            "/staff/login",
            data={"email": email, "password": demo.DEMO_PASSWORD, token.group(1): token.group(2)},
        )
        return staff

    staff = signed_in("counsellor@example.fi")
    measure("GET /staff/ (open requests)", lambda: staff.get("/staff/"))
    measure(
        "GET /staff/?status=all&topic=finances&page=40",
        lambda: staff.get("/staff/?status=all&topic=finances&page=40"),
    )
    measure("GET /staff/?q=words (search)", lambda: staff.get("/staff/?status=all&q=apua"))
    measure("GET /staff/requests/<id> (worked request)", lambda: staff.get("/staff/requests/1000"))

    supervisor = signed_in("supervisor@example.fi")
    report_rounds = max(5, args.rounds // 10)
    measure(
        "GET /staff/reports (last 12 months)",
        lambda: supervisor.get("/staff/reports"),
        report_rounds,
    )
    # Every seeded month, within the longest period a report accepts (three years).
    today = date.today()
    every_month = f"start={date(today.year - 2, 1, 1).isoformat()}&end={today.isoformat()}"
    measure(
        "GET /staff/reports (all 18 months)",
        lambda: supervisor.get(f"/staff/reports?{every_month}"),
        report_rounds,
    )
    measure(
        "GET /staff/reports.csv?table=topics",
        lambda: supervisor.get("/staff/reports.csv?table=topics"),
        report_rounds,
    )

    print(
        f"Seeded {args.requests:,} synthetic requests in {seed_seconds:.1f} s ({url.split(':')[0]})"
    )
    print()
    print("| page | median ms | p95 ms | SQL queries |")
    print("|---|---:|---:|---:|")
    for name, median, p95, low, high in rows:
        count = str(low) if low == high else f"{low}–{high}"
        print(f"| {name} | {median:.1f} | {p95:.1f} | {count} |")


if __name__ == "__main__":
    main()
