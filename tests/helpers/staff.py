"""Staff accounts for the tests: making one with a known second factor, its codes, signing in
through the real forms (``sign_in``), and a session started directly (``start_session``) for
tests whose subject is not signing in: the same server-side session that signing in starts
(``accounts.users.start_session``), its token put where Flask-Login keeps it."""

from __future__ import annotations

import base64
import hashlib
import re
import time
import uuid
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from pyydaapua.accounts import two_factor, users
from pyydaapua.database import db
from pyydaapua.models import StaffUser
from tests.helpers.forms import form_token


def start_session(client: FlaskClient, email: str) -> str:
    """Sign ``client`` in as the user ``email`` without the forms; returns the token."""
    with client.application.app_context():
        user = db.session.scalars(select(StaffUser).where(StaffUser.email == email)).one()
        token = users.start_session(user)
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = token
        session["_fresh"] = True
    return token


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


def password_step(client, email: str, password: str = STAFF_PASSWORD, **extra):
    token = form_token(client.get("/staff/login").get_data(as_text=True))
    data = {"email": email, "password": password, "csrf_token": token, **extra}
    return client.post("/staff/login", data=data)


def enrol_page_secret(html: str) -> str:
    key = re.search(r'<code class="secret-key" id="secret-key"[^>]*>(.*?)</code>', html, re.S)
    return re.sub(r"<[^>]+>|\s", "", key.group(1))
