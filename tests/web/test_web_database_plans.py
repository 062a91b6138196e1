"""On PostgreSQL only the statements marked ``planned_once()`` (and inserts) are prepared on
the server, where PostgreSQL may keep one plan for all their values; every other statement is
planned for its own values at each run. A plan kept for any values made the inbox's look-up of
other requests from the same phone numbers take seconds a page, from a worker's eleventh inbox
on; the request page's statements, planned once, take a third of the time."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, text

from pyydaapua.database import db, planned_once
from pyydaapua.models import HelpRequest
from tests.helpers.app import make_app

UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/none"
# More runs than PostgreSQL's five custom plans before it weighs keeping one, and psycopg's
# five before it prepares a statement of its own accord.
RUNS = 12


def test_psycopg_connections_let_postgresql_choose_its_plans() -> None:
    options = make_app(UNREACHABLE).config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"] == {"options": "-c plan_cache_mode=auto"}


def test_settings_given_for_the_connections_are_kept() -> None:
    given = {"connect_args": {"connect_timeout": 5, "options": "-c statement_timeout=5000"}}
    options = make_app(UNREACHABLE, SQLALCHEMY_ENGINE_OPTIONS=given).config[
        "SQLALCHEMY_ENGINE_OPTIONS"
    ]
    assert options["connect_args"] == {
        "connect_timeout": 5,
        "options": "-c statement_timeout=5000 -c plan_cache_mode=auto",
    }
    assert given["connect_args"]["options"] == "-c statement_timeout=5000"


def test_sqlite_is_left_as_it_is(tmp_path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'plans.sqlite3'}")
    assert "connect_args" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]


def _prepared() -> list[Any]:
    """This connection's prepared statements: each one's text, generic and custom plans."""
    return db.session.execute(
        text("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
    ).all()


def _skip_unless_postgresql() -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")


def test_a_marked_statement_is_prepared_and_planned_once(app: Flask) -> None:
    by_phone = select(HelpRequest.id).where(HelpRequest.phone == "+358401234567")
    with app.app_context():
        _skip_unless_postgresql()
        for _ in range(RUNS):
            db.session.execute(planned_once(by_phone))
        plans = [row for row in _prepared() if "help_request.phone" in row.statement]
        db.session.rollback()
    assert len(plans) == 1  # prepared: parsed once
    assert plans[0].generic_plans > 0  # and, estimated no dearer, planned once


def test_an_unmarked_statement_is_planned_for_its_values_at_each_run(app: Flask) -> None:
    by_phone = select(HelpRequest.id).where(HelpRequest.phone == "+358401234567")
    with app.app_context():
        _skip_unless_postgresql()
        for _ in range(RUNS):
            db.session.execute(by_phone)
        plans = [row for row in _prepared() if "help_request.phone" in row.statement]
        db.session.rollback()
    assert plans == []  # never prepared, so never kept with one plan for any values


def test_the_pages_prepare_their_key_look_ups_and_nothing_else(
    app: Flask, staff_client: Any, request_form: Any
) -> None:
    """The inbox and the request page, each answered a dozen times: the staff session, the
    request, its timeline and the lists of staff and services are prepared (and planned once);
    the inbox's list, its same-number look-up and its upcoming visits are not."""
    with app.app_context():
        _skip_unless_postgresql()
    request_form.submit(phone="040 123 4567")
    request_form.submit(phone="040 123 4567", description="Taas")
    with app.app_context():
        request_id = db.session.scalars(select(HelpRequest.id)).first()
        db.session.close()
        db.engine.dispose()  # the pages' statements alone, on one connection
    supervisor = staff_client("supervisor")
    for _ in range(RUNS):
        assert supervisor.get("/staff/").status_code == 200
        assert supervisor.get(f"/staff/requests/{request_id}").status_code == 200
    with app.app_context():
        prepared = _prepared()
        db.session.rollback()
    statements = " ".join(" ".join(row.statement.split()) for row in prepared)
    for planned_once_read in (
        "FROM staff_session",
        "FROM help_request LEFT OUTER JOIN request_topic",  # the request with its topics
        "FROM timeline_event",
        "FROM staff_user WHERE staff_user.active",
        "FROM service WHERE service.active",
        "FROM audit_event",  # the supervisor's audit log
    ):
        assert planned_once_read in statements, planned_once_read
    assert not [row for row in prepared if "pairs" in row.statement]  # the same number
    assert not [row for row in prepared if "FROM home_visit" in row.statement]
    assert not [row for row in prepared if "excerpt" in row.statement]  # the inbox's rows
    timeline = next(row for row in prepared if "FROM timeline_event" in row.statement)
    assert timeline.generic_plans > 0
