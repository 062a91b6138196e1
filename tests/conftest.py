"""Shared fixtures: a fresh database per run (SQLite, or PostgreSQL via TEST_DATABASE_URL),
built by the Alembic migrations, and an app, client and helpers per test."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pyydaapua import create_app
from pyydaapua.accounts import two_factor
from pyydaapua.database import db
from pyydaapua.web.config import normalise_database_url
from tests.helpers.staff import start_session


@pytest.fixture(scope="session", autouse=True)
def cheapest_hashes() -> Iterator[None]:
    """argon2id at its cheapest for the passwords and secret codes hashed in this process
    (about 150 ms less per hash and per check), so that a test pays for what it tests.

    The deployed parameters are the library's recommended ones: the test over HTTPS with
    gunicorn (tests/browser/test_production_https.py) checks the hashes that it stores.
    """
    from argon2 import PasswordHasher
    from argon2.profiles import CHEAPEST

    from pyydaapua.accounts import users
    from pyydaapua.status_page import domain as status_page

    patch = pytest.MonkeyPatch()
    cheapest = PasswordHasher.from_parameters(CHEAPEST)
    patch.setattr(users, "_hasher", cheapest)
    patch.setattr(status_page, "_hasher", cheapest)
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


def make_app(database_url: str, **overrides: Any) -> Flask:
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False,
        "SECRET_KEY": "test-secret",
    }
    config.update(overrides)
    return create_app(config)


# Overrides that make a valid production configuration on the test database: a long
# secret, and the embedded SQLite and in-process limits allowed deliberately.
PRODUCTION: dict[str, Any] = {
    "APP_ENV": "production",
    "SECRET_KEY": "a-production-strength-secret-for-the-tests-0123456789",
    "ALLOW_SQLITE_IN_PRODUCTION": True,
    "ALLOW_MEMORY_RATE_LIMITS": True,
}


@pytest.fixture(scope="session")
def migrated_url(database_url: str) -> str:
    """The test database with the schema built by the migrations, as in production."""
    app = make_app(database_url)
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    return database_url


def empty_tables(app: Flask) -> None:
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


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


_HIDDEN = re.compile(r'<input[^>]*name="(csrf_token|submission_key)"[^>]*value="([^"]*)"')


def hidden_fields(html: str) -> dict[str, str]:
    """The CSRF token and submission key of a rendered request form."""
    return dict(_HIDDEN.findall(html))


_FORM_NOTICE = re.compile(r'<div class="notice" id="form-notice"[^>]*>(.*?)</div>', re.S)


def form_notice(html: str) -> str:
    """The text of the notice above the request form (why it was not sent), or ""."""
    found = _FORM_NOTICE.search(html)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else ""


class RequestFormHelper:
    """Fills the request form as a parent would: GET it, then POST with its hidden fields."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def open(self, lang: str = "fi") -> dict[str, str]:
        """A new, empty form (as from the front page's button, after any request sent)."""
        response = self.client.get(f"/{lang}/request/new", follow_redirects=True)
        assert response.status_code == 200
        return hidden_fields(response.get_data(as_text=True))

    def submit(
        self,
        lang: str = "fi",
        hidden: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        **fields: Any,
    ) -> Any:
        data: dict[str, Any] = {"contact_method": "phone", "phone": "040 123 4567"}
        data.update(hidden if hidden is not None else self.open(lang))
        data.update(fields)
        return self.client.post(f"/{lang}/request", data=data, headers=headers or {})


@pytest.fixture
def request_form(client: FlaskClient) -> RequestFormHelper:
    return RequestFormHelper(client)


STAFF_PASSWORD = "correct horse battery"


def totp_secret_for(email: str) -> str:
    """The TOTP secret that test accounts enrol with: derived from the e-mail, so a helper
    that knows only the e-mail can compute a code."""
    digest = hashlib.sha256(f"test-totp:{email.strip().lower()}".encode()).digest()[:20]
    return base64.b32encode(digest).decode()


_LAST_STEP: dict[str, int] = {}


def unused_code(secret: str) -> str | None:
    """A code that the server accepts now for ``secret`` and that this test run has not used
    before (a code never works twice): the current time step's, else the next one's (within
    the allowed drift), else None until the clock reaches the next step."""
    now_step = int(time.time()) // two_factor.STEP_SECONDS
    step = max(now_step, _LAST_STEP.get(secret, -1) + 1)
    if step > now_step + two_factor.DRIFT_STEPS:
        return None
    _LAST_STEP[secret] = step
    return two_factor.code_for_step(secret, step)


def current_code(email: str, secret: str | None = None) -> str:
    """``unused_code`` for ``email``'s secret, waiting for the next time step if need be."""
    secret = secret or totp_secret_for(email)
    while (code := unused_code(secret)) is None:
        time.sleep(two_factor.STEP_SECONDS - time.time() % two_factor.STEP_SECONDS + 0.05)
    return code


def wrong_code(secret: str) -> str:
    """Six digits that are not the code of this, the previous or the next time step (and
    that use none of the codes a test still needs)."""
    now = int(time.time()) // two_factor.STEP_SECONDS
    valid = {two_factor.code_for_step(secret, step) for step in range(now - 1, now + 3)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid)


def fresh_code(app: Flask, email: str) -> str:
    """A code for ``email`` without waiting: when this run has used the clock's two codes
    (one account signed in more than twice in 30 seconds), the account's last accepted step is
    forgotten, as if the next step had come. The rule that a code works once is tested with
    ``current_code`` and explicit codes, never through this."""
    secret = totp_secret_for(email)
    code = unused_code(secret)
    if code is not None:
        return code
    from sqlalchemy import update

    from pyydaapua.models import StaffUser

    with app.app_context():
        db.session.execute(
            update(StaffUser).where(StaffUser.email == email).values(totp_last_step=None)
        )
        db.session.commit()
    _LAST_STEP.pop(secret, None)
    return current_code(email)


def enrol(app: Flask, email: str, secret: str | None = None) -> str:
    """Put two-factor sign-in in use for ``email`` with a known secret; returns the secret."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from pyydaapua.models import StaffUser

    secret = secret or totp_secret_for(email)
    with app.app_context():
        user = db.session.scalars(select(StaffUser).where(StaffUser.email == email)).one()
        user.totp_secret = secret
        user.totp_confirmed_at = datetime.now(UTC)
        user.totp_last_step = None
        db.session.commit()
    _LAST_STEP.pop(secret, None)  # no step of this secret used yet for this account
    return secret


def make_staff(
    app: Flask,
    role: str = "counsellor",
    language: str = "fi",
    *,
    enrolled: bool = True,
    **overrides: Any,
) -> tuple[int, str]:
    """Create a staff user (by default with two-factor sign-in in use, secret
    ``totp_secret_for(email)``) and return its id and e-mail."""
    from pyydaapua.accounts.users import create_user

    with app.app_context():
        user = create_user(
            overrides.get("email", f"{role}-{uuid.uuid4().hex[:6]}@example.fi"),
            overrides.get("name", f"Test {role}"),
            role,
            overrides.get("password", STAFF_PASSWORD),
            language,
        )
        user_id, email = user.id, user.email
    if enrolled:
        enrol(app, email)
    return user_id, email


def form_token(html: str) -> str | None:
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    return token.group(1) if token else None


def post_code(client: FlaskClient, code: str, path: str = "/staff/login/code") -> Any:
    """Send a code on the second step's page (or the enrolment page), CSRF token included."""
    data = {"code": code}
    token = form_token(client.get(path).get_data(as_text=True))
    if token:
        data["csrf_token"] = token
    return client.post(path, data=data)


def sign_in(
    client: FlaskClient,
    email: str,
    password: str = STAFF_PASSWORD,
    code: str | None = None,
    **extra: Any,
) -> Any:
    """Sign in through the real forms, CSRF tokens included: the password, then (when the
    account has two-factor sign-in in use) a current code. Returns the last answer."""
    data = {"email": email, "password": password, **extra}
    token = form_token(client.get("/staff/login").get_data(as_text=True))
    if token:
        data["csrf_token"] = token
    response = client.post("/staff/login", data=data)
    if response.status_code == 303 and response.headers["Location"] == "/staff/login/code":
        response = post_code(client, code or fresh_code(client.application, email))
    return response


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


def assert_cli_error(result: Any, exit_code: int, message: str) -> None:
    """A command that stopped with click's own error and nothing else: the exit code (2 for
    a usage error, 1 for the command's refusal), the message, and no other exception."""
    assert type(result.exception) is SystemExit, repr(result.exception)
    assert result.exit_code == exit_code, result.output
    assert f"Error: {message}" in result.output, result.output


def csrf_token(client: FlaskClient) -> str:
    """The session's CSRF token, as every page carries it for htmx."""
    html = client.get("/fi/").get_data(as_text=True)
    return re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)


def count_queries(app: Flask, call: Any) -> tuple[Any, list[str]]:
    """Run ``call()`` and return its result and the SQL statements it sent."""
    from sqlalchemy import event

    queries: list[str] = []

    def count(*args: object) -> None:
        queries.append(str(args[2]))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        return call(), queries
    finally:
        event.remove(engine, "before_cursor_execute", count)
