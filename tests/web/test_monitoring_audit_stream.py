"""The audit stream: each audit event, once committed, one JSON line on its own logger; a
rolled-back change, or a try that lost a race and was run again, emits nothing of its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm.exc import StaleDataError

from pyydaapua import audit
from pyydaapua.database import db
from pyydaapua.web.transactions import run_unit


@pytest.fixture
def stream(app_factory, tmp_path) -> tuple[object, Path]:
    path = tmp_path / "audit.jsonl"
    return app_factory(AUDIT_STREAM=str(path)), path


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_committed_event_is_one_json_line(stream) -> None:
    app, path = stream
    with app.app_context():
        event = audit.record("sign_in_failed", user_id=None, client_address="10.0.0.1")
        event_id = event.id
    [line] = lines(path)
    assert line == {
        "service": "pyydaapua",
        "type": "audit",
        "id": event_id,
        "time": line["time"],
        "action": "sign_in_failed",
        "user_id": None,
        "request_id": None,
        "client_address": "10.0.0.1",
        "target": "",
        "basis": None,
    }
    assert line["time"].endswith("+00:00")


def test_a_rolled_back_change_emits_nothing(stream) -> None:
    app, path = stream
    with app.app_context():
        audit.record("user_changed", user_id=None, client_address="", commit=False)
        db.session.flush()  # written to the database, then taken back
        db.session.rollback()
        audit.record("user_created", user_id=None, client_address="", commit=True)
    assert [line["action"] for line in lines(path)] == ["user_created"]


def test_a_try_that_lost_a_race_emits_only_the_try_that_counted(stream) -> None:
    app, path = stream
    tries = []

    def work() -> None:
        tries.append(1)
        audit.record("user_changed", user_id=None, client_address="", commit=False,
                     target=f"try {len(tries)}")  # fmt: skip
        db.session.flush()
        if len(tries) == 1:
            raise StaleDataError("the version moved")
        db.session.commit()

    with app.app_context():
        run_unit(work)
    assert [line["target"] for line in lines(path)] == ["try 2"]


def test_reads_written_at_once_are_streamed_each(stream) -> None:
    app, path = stream
    reads = [audit.Read(audit.REQUEST_LISTED, None, "inbox") for _ in range(3)]
    with app.app_context():
        audit.record_reads(reads, user_id=None, client_address="10.0.0.2")
        db.session.commit()
    assert [line["action"] for line in lines(path)] == [audit.REQUEST_LISTED] * 3


def test_the_stream_is_off_unless_set(app, tmp_path) -> None:
    from pyydaapua.monitoring.audit_stream import streaming

    with app.app_context():
        assert not streaming()


def test_production_warns_while_the_stream_is_off(app_factory, tmp_path, caplog) -> None:
    from tests.helpers.app import PRODUCTION

    with caplog.at_level("WARNING"):
        app_factory(**PRODUCTION)
    assert "AUDIT_STREAM is off" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING"):
        app_factory(**PRODUCTION, AUDIT_STREAM=str(tmp_path / "audit.jsonl"))
    assert "AUDIT_STREAM" not in caplog.text
