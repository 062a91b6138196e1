"""The check of a pooled PostgreSQL connection before use (``database.py``): a connection
used a moment ago goes straight to work; one the server has ended, or one idle for long, is
tested with a round trip and replaced when dead, and the request goes on."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pyydaapua import database
from pyydaapua.database import db

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL (TEST_DATABASE_URL): it ends the app's server connections",
)

APPLICATION_NAME = "pyydaapua_check_test"


@pytest.fixture
def served(app_factory) -> Iterator[tuple[Flask, list[int]]]:
    """An app with its production engine settings, named so that its connections can be
    found; and the round trips its pool's check made (one entry each)."""
    app = app_factory(
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"application_name": APPLICATION_NAME}}
    )
    pings: list[int] = []
    original = database._ping

    def counted(connection: Any) -> None:
        pings.append(1)
        original(connection)

    database._ping = counted
    try:
        yield app, pings
    finally:
        database._ping = original
        with app.app_context():
            db.engine.dispose()


def backends(url: str) -> list[int]:
    admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            return list(
                connection.scalars(
                    text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
                    {"name": APPLICATION_NAME},
                )
            )
    finally:
        admin.dispose()


def end_connections(url: str) -> None:
    """Ends the app's server connections, as a restart does, and waits until they are gone."""
    admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            ended = connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :name"
                ),
                {"name": APPLICATION_NAME},
            ).all()
    finally:
        admin.dispose()
    assert ended
    for _ in range(200):
        if not backends(url):
            return
        time.sleep(0.02)
    raise AssertionError("the ended connections did not go away")


def test_a_connection_used_a_moment_ago_is_used_without_a_round_trip(served) -> None:
    app, pings = served
    client = app.test_client()
    for _ in range(5):
        assert client.get("/fi/request").status_code == 200
    assert pings == []


def test_a_connection_the_server_ended_is_replaced_before_use(served, migrated_url) -> None:
    app, pings = served
    client = app.test_client()
    assert client.get("/fi/request").status_code == 200
    before = backends(migrated_url)
    end_connections(migrated_url)
    for _ in range(3):
        assert client.get("/fi/request").status_code == 200
    assert len(pings) == 1  # the dead connection's; its replacement is new
    after = backends(migrated_url)
    assert after and not set(after) & set(before)


def test_a_connection_idle_for_long_is_tested_with_a_round_trip(served, monkeypatch) -> None:
    app, pings = served
    client = app.test_client()
    assert client.get("/fi/request").status_code == 200
    monkeypatch.setattr(database, "PING_AFTER_IDLE", 0.0)
    assert client.get("/fi/request").status_code == 200
    assert len(pings) == 1
