"""On PostgreSQL every statement is planned for its own values: psycopg prepares a statement
after its fifth run on a connection, and PostgreSQL would then keep one plan for any values
after five more. For the inbox's look-up of other requests from the same phone numbers that
plan took seconds a page, from a worker's eleventh inbox on. Each connection is opened with
``plan_cache_mode = force_custom_plan``."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select, text

from pyydaapua.database import db
from pyydaapua.models import HelpRequest
from tests.helpers.app import make_app

UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/none"


def test_psycopg_connections_plan_each_statement_for_its_values() -> None:
    options = make_app(UNREACHABLE).config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"] == {"options": "-c plan_cache_mode=force_custom_plan"}


def test_settings_given_for_the_connections_are_kept() -> None:
    given = {
        "connect_args": {
            "prepare_threshold": 3,
            "connect_timeout": 5,
            "options": "-c statement_timeout=5000",
        }
    }
    options = make_app(UNREACHABLE, SQLALCHEMY_ENGINE_OPTIONS=given).config[
        "SQLALCHEMY_ENGINE_OPTIONS"
    ]
    assert options["connect_args"] == {
        "prepare_threshold": 3,
        "connect_timeout": 5,
        "options": "-c statement_timeout=5000 -c plan_cache_mode=force_custom_plan",
    }
    assert given["connect_args"]["options"] == "-c statement_timeout=5000"


def test_sqlite_is_left_as_it_is(tmp_path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'plans.sqlite3'}")
    assert "connect_args" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]


def test_a_statement_run_many_times_is_prepared_and_planned_for_its_values(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("prepared statements are PostgreSQL's")
        for _ in range(12):
            db.session.execute(select(HelpRequest.id).where(HelpRequest.phone == "+358401234567"))
        plans = db.session.execute(
            text(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                "WHERE statement LIKE '%help_request.phone%'"
            )
        ).all()
        db.session.rollback()
    assert len(plans) == 1  # prepared: its parsing is saved
    generic, custom = plans[0]
    assert generic == 0 and custom >= 6
