"""Health and readiness for the load balancer: no session, no limit, no audit, no data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from pyydaapua.database import db
from pyydaapua.models import AuditEvent
from tests.helpers.outages import Outage
from tests.helpers.servers import RedisServer, free_port


@pytest.fixture
def outage(app) -> Iterator[Outage]:
    with app.app_context():
        engine = db.engine
    with Outage().listening(engine) as state:
        yield state


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_healthz_answers_while_the_process_serves(app, outage) -> None:
    client = app.test_client()
    answer = client.get("/healthz")
    assert (answer.status_code, answer.json) == (200, {"status": "ok"})
    assert answer.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in answer.headers  # no session
    outage.everything()
    assert client.get("/healthz").status_code == 200  # the database is not asked


def test_readyz_names_the_database_when_it_does_not_answer(app, outage) -> None:
    client = app.test_client()
    answer = client.get("/readyz")
    assert (answer.status_code, answer.json) == (200, {"status": "ready"})
    outage.everything()
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json == {"status": "unavailable", "failed": ["database"]}
    outage.over()
    assert client.get("/readyz").status_code == 200


def test_readyz_asks_redis_when_the_limits_are_kept_there(app_factory, tmp_path) -> None:
    server = RedisServer(tmp_path)
    server.start()
    app = app_factory(RATELIMIT_STORAGE_URI=server.url)
    client = app.test_client()
    try:
        assert client.get("/readyz").status_code == 200
    finally:
        server.stop()
    # The server is gone: Redis no longer answers (the database still does).
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json["failed"] == ["redis"]
    missing = app_factory(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0")
    assert missing.test_client().get("/readyz").json["failed"] == ["redis"]


def test_health_is_neither_limited_nor_audited(app_factory) -> None:
    app = app_factory(RATELIMIT_ENABLED=True, REQUEST_RATE_LIMIT="1 per hour")
    client = app.test_client()
    before = audit_count(app)
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
    assert audit_count(app) == before
