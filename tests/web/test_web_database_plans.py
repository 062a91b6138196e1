"""On PostgreSQL no statement is prepared on the server, so that every statement is planned for
its own values: psycopg prepares a statement after its fifth run on a connection, and PostgreSQL
then may keep one plan for any values. For the inbox's look-up of other requests from the same
phone numbers that plan took seconds a page, from a worker's eleventh inbox on."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select, text

from pyydaapua.database import db
from pyydaapua.models import HelpRequest
from tests.helpers.app import make_app

UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/none"


def test_psycopg_connections_are_made_to_prepare_nothing() -> None:
    options = make_app(UNREACHABLE).config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"] == {"prepare_threshold": None}
    assert options["pool_pre_ping"] is True


def test_a_setting_given_for_the_connections_is_kept() -> None:
    given = {"connect_args": {"prepare_threshold": 3, "connect_timeout": 5}}
    options = make_app(UNREACHABLE, SQLALCHEMY_ENGINE_OPTIONS=given).config[
        "SQLALCHEMY_ENGINE_OPTIONS"
    ]
    assert options["connect_args"] == {"prepare_threshold": 3, "connect_timeout": 5}
    assert given == {"connect_args": {"prepare_threshold": 3, "connect_timeout": 5}}


def test_sqlite_is_left_as_it_is(tmp_path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'plans.sqlite3'}")
    assert "connect_args" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]


def test_a_statement_run_many_times_is_never_prepared(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("prepared statements are PostgreSQL's")
        for _ in range(12):
            db.session.execute(select(HelpRequest.id).where(HelpRequest.phone == "+358401234567"))
        prepared = db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
        db.session.rollback()
    assert prepared == 0
