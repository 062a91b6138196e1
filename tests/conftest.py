"""Shared fixtures: a fresh database per run (SQLite, or PostgreSQL via TEST_DATABASE_URL),
built by the Alembic migrations, and an app, client and helpers per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pyydaapua.database import db
from pyydaapua.web.config import normalise_database_url
from tests.helpers.app import empty_tables, make_app
from tests.helpers.forms import RequestFormHelper
from tests.helpers.mail_server import RecordingHandler, SlowController, SmtpServer
from tests.helpers.servers import free_port
from tests.helpers.staff import make_staff, start_session


@pytest.fixture(scope="session", autouse=True)
def cheapest_hashes() -> Iterator[None]:
    """argon2id at its cheapest for the passwords and secret codes hashed in this process
    (about 150 ms less per hash and per check), so that a test pays for what it tests.

    The deployed parameters are the library's recommended ones: the test over HTTPS with
    gunicorn (tests/browser/test_service_production_https.py) checks the hashes that it stores.
    """
    from argon2 import PasswordHasher
    from argon2.profiles import CHEAPEST

    from pyydaapua.accounts import users
    from pyydaapua.status_page import access

    patch = pytest.MonkeyPatch()
    cheapest = PasswordHasher.from_parameters(CHEAPEST)
    patch.setattr(users, "_hasher", cheapest)
    patch.setattr(access, "_hasher", cheapest)
    yield
    patch.undo()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of this test run's own, dropped at the end."""
    server = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not server:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    url = make_url(normalise_database_url(server))
    name = f"pyydaapua_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def migrated_url(database_url: str) -> str:
    """The test database with the schema built by the migrations, as in production."""
    app = make_app(database_url)
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    return database_url


@pytest.fixture
def app_factory(migrated_url: str) -> Iterator[Any]:
    """Create apps on the test database; their data is removed after the test."""
    created: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
        app = make_app(migrated_url, **overrides)
        created.append(app)
        return app

    yield factory
    for app in created:
        empty_tables(app)


@pytest.fixture
def app(app_factory: Any) -> Flask:
    return app_factory()


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """An application context around ``app``, for tests that call the modules directly."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def request_form(client: FlaskClient) -> RequestFormHelper:
    return RequestFormHelper(client)


@pytest.fixture
def staff_client(app: Flask) -> Any:
    """A test client signed in with the given role: ``staff_client("supervisor")``. The
    session is started directly (``tests/helpers/staff.py``); the tests of signing in use the
    real forms (``sign_in``)."""

    def factory(role: str = "counsellor", language: str = "fi") -> FlaskClient:
        client = app.test_client()
        _, email = make_staff(app, role, language)
        start_session(client, email)
        return client

    return factory


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    handler = RecordingHandler()
    port = free_port()
    controller = SlowController(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(port, handler)
    finally:
        controller.stop()
