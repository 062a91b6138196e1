"""Staff accounts: argon2id hashes, generic sign-in failures, server-side sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pyydaapua.accounts import users
from pyydaapua.database import db

IDLE, LIFETIME = timedelta(minutes=30), timedelta(hours=10)


def test_password_is_stored_only_as_an_argon2id_hash(ctx) -> None:
    user = users.create_user("A@Example.fi ", "Anna", "counsellor", "a long password 1")
    assert user.email == "a@example.fi"
    assert user.password_hash.startswith("$argon2id$")
    assert "a long password 1" not in user.password_hash


@pytest.mark.parametrize(
    ("email", "role", "password", "language", "code"),
    [
        ("no-at-sign", "counsellor", "long enough pw", "fi", "email_invalid"),
        ("a@example.fi", "boss", "long enough pw", "fi", "role_invalid"),
        ("a@example.fi", "admin", "short", "fi", "password_short"),
        ("a@example.fi", "admin", "long enough pw", "en", "language_invalid"),
    ],
)
def test_invalid_accounts_are_refused(ctx, email, role, password, language, code) -> None:
    # The code names the field that the admin page marks: each refusal for its own reason.
    with pytest.raises(users.AccountError) as refused:
        users.create_user(email, "X", role, password, language)
    assert refused.value.code == code
    assert users.list_users() == []


def test_duplicate_email_is_refused(ctx) -> None:
    users.create_user("a@example.fi", "A", "admin", "long enough pw")
    with pytest.raises(users.AccountError):
        users.create_user("A@example.fi", "B", "admin", "long enough pw")


def test_authenticate(ctx) -> None:
    user = users.create_user("a@example.fi", "A", "admin", "long enough pw")
    assert users.authenticate("A@EXAMPLE.FI", "long enough pw")[0].id == user.id
    assert users.authenticate("a@example.fi", "wrong password")[0] is None
    assert users.authenticate("a@example.fi", "wrong password")[1].id == user.id
    assert users.authenticate("nobody@example.fi", "long enough pw") == (None, None)
    user.active = False
    db.session.commit()
    assert users.authenticate("a@example.fi", "long enough pw")[0] is None


def test_session_idle_timeout_and_lifetime(ctx) -> None:
    user = users.create_user("a@example.fi", "A", "counsellor", "long enough pw")
    start = datetime(2026, 11, 23, 8, tzinfo=UTC)
    token = users.start_session(user, now=start)
    # Active use keeps the session alive…
    moment = start
    for _ in range(20):
        moment += timedelta(minutes=29)
        assert users.resume_session(token, IDLE, LIFETIME, now=moment) is not None
    # …but not past the absolute lifetime of 10 hours.
    moment += timedelta(minutes=29)
    assert moment - start > LIFETIME
    assert users.resume_session(token, IDLE, LIFETIME, now=moment) is None

    idle_token = users.start_session(user, now=start)
    late = start + IDLE + timedelta(seconds=1)
    assert users.resume_session(idle_token, IDLE, LIFETIME, now=late) is None
    # Once ended, it stays ended.
    assert users.resume_session(idle_token, IDLE, LIFETIME, now=start) is None


def test_ended_session_cannot_be_resumed(ctx) -> None:
    user = users.create_user("a@example.fi", "A", "counsellor", "long enough pw")
    token = users.start_session(user)
    assert users.resume_session(token, IDLE, LIFETIME).id == user.id
    users.end_session(token)
    assert users.resume_session(token, IDLE, LIFETIME) is None
    assert users.resume_session("made-up-token", IDLE, LIFETIME) is None


def live_sessions(user_id: int) -> int:
    from sqlalchemy import func, select

    from pyydaapua.models import StaffSession

    return db.session.scalar(
        select(func.count())
        .select_from(StaffSession)
        .where(StaffSession.user_id == user_id, StaffSession.ended_at.is_(None))
    )


def test_create_user_with_a_password_to_change(ctx) -> None:
    user = users.create_user(
        "a@example.fi", "A", "counsellor", "long enough pw", password_change_required=True
    )
    assert user.password_change_required is True
    assert users.create_user("b@example.fi", "B", "admin", "long enough pw").id


@pytest.mark.parametrize(
    ("email", "name", "code"),
    [("no-at-sign", "A", "email_invalid"), ("a@example.fi", "  ", "name_empty")],
)
def test_account_errors_name_their_reason(ctx, email, name, code) -> None:
    with pytest.raises(users.AccountError) as refused:
        users.create_user(email, name, "counsellor", "long enough pw")
    assert refused.value.code == code


def test_duplicate_email_has_its_own_code(ctx) -> None:
    users.create_user("a@example.fi", "A", "admin", "long enough pw")
    with pytest.raises(users.AccountError) as refused:
        users.create_user(" A@example.FI", "B", "admin", "long enough pw", commit=False)
    assert refused.value.code == "email_taken"


def test_list_users_by_name_whatever_the_case(ctx) -> None:
    for email, name in (("b@x.fi", "bertta"), ("a@x.fi", "Aino"), ("c@x.fi", "Cecilia")):
        users.create_user(email, name, "counsellor", "long enough pw")
    assert [u.name for u in users.list_users()] == ["Aino", "bertta", "Cecilia"]


def test_update_user_returns_what_changed(ctx) -> None:
    user = users.create_user("a@example.fi", "A", "counsellor", "long enough pw")
    changed = users.update_user(user, name=" Anna ", role="supervisor", language="fi")
    assert changed == ["name", "role"]
    assert (user.name, user.role, user.language) == ("Anna", "supervisor", "fi")
    assert users.update_user(user, name="Anna", role="supervisor", language="fi") == []
    for bad, code in (
        ({"role": "boss"}, "role_invalid"),
        ({"language": "en"}, "language_invalid"),
        ({"name": ""}, "name_empty"),
    ):
        with pytest.raises(users.AccountError) as refused:
            users.update_user(
                user, **{"name": "Anna", "role": "counsellor", "language": "sv", **bad}
            )
        assert refused.value.code == code


def test_an_admin_cannot_take_away_their_own_admin_role(ctx) -> None:
    admin = users.create_user("a@example.fi", "A", "admin", "long enough pw")
    other = users.create_user("b@example.fi", "B", "admin", "long enough pw")
    with pytest.raises(users.AccountError) as refused:
        users.update_user(admin, name="A", role="counsellor", language="fi", actor=admin)
    assert refused.value.code == "own_admin_role"
    assert admin.role == "admin"
    # Their own name and language they may change, and another admin's role too.
    assert users.update_user(admin, name="A", role="admin", language="sv", actor=admin)
    users.update_user(other, name="B", role="supervisor", language="fi", actor=admin)
    assert other.role == "supervisor"


def test_deactivating_ends_every_session_and_reactivating_does_not_revive_them(ctx) -> None:
    admin = users.create_user("a@example.fi", "A", "admin", "long enough pw")
    user = users.create_user("b@example.fi", "B", "counsellor", "long enough pw")
    tokens = [users.start_session(user) for _ in range(2)]
    admin_token = users.start_session(admin)
    assert users.set_active(user, False, actor=admin) is True
    assert user.active is False
    assert live_sessions(user.id) == 0
    assert all(users.resume_session(t, IDLE, LIFETIME) is None for t in tokens)
    assert users.resume_session(admin_token, IDLE, LIFETIME).id == admin.id
    assert users.set_active(user, False, actor=admin) is False  # nothing to do
    assert users.set_active(user, True, actor=admin) is True
    assert users.resume_session(tokens[0], IDLE, LIFETIME) is None
    assert users.authenticate("b@example.fi", "long enough pw")[0].id == user.id


def test_nobody_deactivates_themself(ctx) -> None:
    admin = users.create_user("a@example.fi", "A", "admin", "long enough pw")
    with pytest.raises(users.AccountError) as refused:
        users.set_active(admin, False, actor=admin)
    assert refused.value.code == "own_account"
    assert admin.active is True


def test_set_password_ends_sessions_and_forces_a_change(ctx) -> None:
    user = users.create_user("a@example.fi", "A", "counsellor", "long enough pw")
    token = users.start_session(user)
    with pytest.raises(users.AccountError) as refused:
        users.set_password(user, "short")
    assert refused.value.code == "password_short"
    users.set_password(user, "a brand new password")
    assert user.password_change_required is True
    assert users.resume_session(token, IDLE, LIFETIME) is None
    assert users.authenticate("a@example.fi", "long enough pw")[0] is None
    assert users.authenticate("a@example.fi", "a brand new password")[0].id == user.id
    users.set_password(user, "yet another password", must_change=False)
    assert user.password_change_required is False


def test_change_own_password(ctx) -> None:
    user = users.create_user(
        "a@example.fi", "A", "counsellor", "long enough pw", password_change_required=True
    )
    this, other = users.start_session(user), users.start_session(user)
    for current, new, code in (
        ("wrong password", "a brand new password", "password_wrong"),
        ("long enough pw", "long enough pw", "password_same"),
        ("long enough pw", "short", "password_short"),
    ):
        with pytest.raises(users.AccountError) as refused:
            users.change_own_password(user, current, new, keep_token=this)
        assert refused.value.code == code
    assert user.password_change_required is True
    users.change_own_password(user, "long enough pw", "a brand new password", keep_token=this)
    assert user.password_change_required is False
    assert users.resume_session(this, IDLE, LIFETIME).id == user.id
    assert users.resume_session(other, IDLE, LIFETIME) is None
    assert users.authenticate("a@example.fi", "a brand new password")[0].id == user.id
