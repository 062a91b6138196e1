"""Staff accounts: argon2id hashes, generic sign-in failures, server-side sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pyydaapua import staff_accounts
from pyydaapua.extensions import db

IDLE, LIFETIME = timedelta(minutes=30), timedelta(hours=10)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def test_password_is_stored_only_as_an_argon2id_hash(ctx) -> None:
    user = staff_accounts.create_user("A@Example.fi ", "Anna", "counsellor", "a long password 1")
    assert user.email == "a@example.fi"
    assert user.password_hash.startswith("$argon2id$")
    assert "a long password 1" not in user.password_hash


@pytest.mark.parametrize(
    ("email", "role", "password", "language"),
    [
        ("no-at-sign", "counsellor", "long enough pw", "fi"),
        ("a@example.fi", "boss", "long enough pw", "fi"),
        ("a@example.fi", "admin", "short", "fi"),
        ("a@example.fi", "admin", "long enough pw", "en"),
    ],
)
def test_invalid_accounts_are_refused(ctx, email, role, password, language) -> None:
    with pytest.raises(staff_accounts.AccountError):
        staff_accounts.create_user(email, "X", role, password, language)


def test_duplicate_email_is_refused(ctx) -> None:
    staff_accounts.create_user("a@example.fi", "A", "admin", "long enough pw")
    with pytest.raises(staff_accounts.AccountError):
        staff_accounts.create_user("A@example.fi", "B", "admin", "long enough pw")


def test_authenticate(ctx) -> None:
    user = staff_accounts.create_user("a@example.fi", "A", "admin", "long enough pw")
    assert staff_accounts.authenticate("A@EXAMPLE.FI", "long enough pw")[0].id == user.id
    assert staff_accounts.authenticate("a@example.fi", "wrong password")[0] is None
    assert staff_accounts.authenticate("a@example.fi", "wrong password")[1].id == user.id
    assert staff_accounts.authenticate("nobody@example.fi", "long enough pw") == (None, None)
    user.active = False
    db.session.commit()
    assert staff_accounts.authenticate("a@example.fi", "long enough pw")[0] is None


def test_session_idle_timeout_and_lifetime(ctx) -> None:
    user = staff_accounts.create_user("a@example.fi", "A", "counsellor", "long enough pw")
    start = datetime(2026, 11, 23, 8, tzinfo=UTC)
    token = staff_accounts.start_session(user, now=start)
    # Active use keeps the session alive…
    moment = start
    for _ in range(20):
        moment += timedelta(minutes=29)
        assert staff_accounts.resume_session(token, IDLE, LIFETIME, now=moment) is not None
    # …but not past the absolute lifetime of 10 hours.
    moment += timedelta(minutes=29)
    assert moment - start > LIFETIME
    assert staff_accounts.resume_session(token, IDLE, LIFETIME, now=moment) is None

    idle_token = staff_accounts.start_session(user, now=start)
    late = start + IDLE + timedelta(seconds=1)
    assert staff_accounts.resume_session(idle_token, IDLE, LIFETIME, now=late) is None
    # Once ended, it stays ended.
    assert staff_accounts.resume_session(idle_token, IDLE, LIFETIME, now=start) is None


def test_ended_session_cannot_be_resumed(ctx) -> None:
    user = staff_accounts.create_user("a@example.fi", "A", "counsellor", "long enough pw")
    token = staff_accounts.start_session(user)
    assert staff_accounts.resume_session(token, IDLE, LIFETIME).id == user.id
    staff_accounts.end_session(token)
    assert staff_accounts.resume_session(token, IDLE, LIFETIME) is None
    assert staff_accounts.resume_session("made-up-token", IDLE, LIFETIME) is None
