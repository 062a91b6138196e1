"""Rate limits when their Redis storage fails: a real redis-server, stopped and started again.

The form is still stored and sign-in still works while Redis is down (the limits are counted
in this process meanwhile, and that is logged once), and once Redis answers again the limits
are counted there again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pyydaapua.database import db
from pyydaapua.models import HelpRequest
from tests.helpers.forms import RequestFormHelper
from tests.helpers.servers import REDIS_SERVER, RedisServer
from tests.helpers.staff import make_staff, sign_in

pytestmark = pytest.mark.skipif(
    not Path(REDIS_SERVER).is_file(), reason="redis-server not installed (apt-get install redis)"
)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def stored_descriptions(app, after: int = 0) -> list[str]:
    """What the requests stored since request ``after`` (an id) say, oldest first."""
    with app.app_context():
        return list(
            db.session.scalars(
                select(HelpRequest.description)
                .where(HelpRequest.id > after)
                .order_by(HelpRequest.id)
            )
        )


def last_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(HelpRequest.id))) or 0


def limit_keys(server: RedisServer, endpoint: str) -> list[str]:
    return [key for key in server.stored_keys() if endpoint in key]


def test_limits_fall_back_to_this_process_and_return_to_redis(
    app_factory, redis_server, caplog
) -> None:
    app = app_factory(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=redis_server.url,
        REQUEST_RATE_LIMIT="3 per hour",
        LOGIN_RATE_LIMIT="100 per hour",
    )
    _, email = make_staff(app, "counsellor")
    parent = RequestFormHelper(app.test_client())
    start = last_id(app)

    # Redis up: the limit is counted there.
    assert parent.submit("fi", description="ennen").status_code == 303
    assert limit_keys(redis_server, "request_form")

    redis_server.stop()
    caplog.set_level(logging.INFO, logger="flask-limiter")

    # Redis down: the parent's request is stored all the same, and sign-in works.
    answer = parent.submit("fi", description="Redis on alhaalla")
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/fi/request/sent"
    assert stored_descriptions(app, start) == ["ennen", "Redis on alhaalla"]
    assert sign_in(app.test_client(), email).status_code == 303

    # The limit is still enforced, in this process: two more, then a refusal with the text.
    assert parent.submit("fi", description="toinen").status_code == 303
    assert parent.submit("fi", description="kolmas").status_code == 303
    refused = parent.submit("fi", description="Neljäs viesti")
    assert refused.status_code == 429
    assert "Neljäs viesti</textarea>" in refused.get_data(as_text=True)
    assert len(stored_descriptions(app, start)) == 4

    # Logged once, not on every request.
    fallbacks = [r for r in caplog.records if "falling back to in-memory" in r.getMessage()]
    assert len(fallbacks) == 1

    # Redis back on the same port (empty: it keeps nothing on disk). The limiter checks it
    # again at growing intervals; within a minute the limits are counted there again.
    redis_server.start()
    assert redis_server.stored_keys() == []
    staff_browser = app.test_client()
    deadline = time.monotonic() + 70
    while not limit_keys(redis_server, "login"):
        assert time.monotonic() < deadline, "the limits did not return to Redis"
        assert sign_in(staff_browser, email, password="wrong password!").status_code == 401
        time.sleep(0.5)
    assert any("recovered" in r.getMessage() for r in caplog.records)

    # Back in Redis, where the earlier in-process count is not known: a new submission is
    # stored and counted in Redis.
    assert parent.submit("fi", description="Redis palasi").status_code == 303
    assert limit_keys(redis_server, "request_form")
    assert stored_descriptions(app, start)[-1] == "Redis palasi"


def test_redis_that_never_answers_does_not_stop_the_form(app_factory, tmp_path) -> None:
    """Redis configured but not running when the app starts: the form is stored anyway."""
    server = RedisServer(tmp_path)  # never started: its port refuses connections
    app = app_factory(
        RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=server.url, REQUEST_RATE_LIMIT="1 per hour"
    )
    parent = RequestFormHelper(app.test_client())
    start = last_id(app)
    assert parent.submit("sv", description="Ingen Redis").status_code == 303
    assert parent.submit("sv", description="Andra").status_code == 429
    assert stored_descriptions(app, start) == ["Ingen Redis"]
