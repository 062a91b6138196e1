"""The activity rule of staff sessions, at a given moment: a request the page makes on its
own ends an idle session but never starts the idle clock again; the counsellor's does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from pyydaapua.accounts import users
from pyydaapua.database import db
from pyydaapua.models import StaffSession

IDLE, LIFETIME = timedelta(minutes=30), timedelta(hours=10)
START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def started(email: str) -> str:
    user = users.create_user(email, "Test", "counsellor", "long enough password")
    return users.start_session(user, now=START)


def last_seen(token: str) -> datetime:
    return db.session.scalars(
        select(StaffSession.last_seen_at).where(StaffSession.token == token)
    ).one()


def test_background_requests_never_start_the_idle_clock_again(ctx) -> None:
    token = started("poll@example.fi")
    for minutes in (5, 15, 29):
        check = users.check_session(
            token, IDLE, LIFETIME, now=START + timedelta(minutes=minutes), activity=False
        )
        assert check.user is not None
        assert check.idle_remaining == (IDLE - timedelta(minutes=minutes)).total_seconds()
        assert last_seen(token) == START
    ended = users.check_session(
        token, IDLE, LIFETIME, now=START + timedelta(minutes=31), activity=False
    )
    assert ended.user is None and ended.idled_out
    # Once ended, a later check still knows it idled out.
    later = users.check_session(token, IDLE, LIFETIME, now=START + timedelta(hours=2))
    assert later.user is None and later.idled_out


def test_the_counsellors_requests_start_it_again(ctx) -> None:
    token = started("click@example.fi")
    moment = START + timedelta(minutes=29)
    check = users.check_session(token, IDLE, LIFETIME, now=moment)
    assert check.user is not None and check.idle_remaining == IDLE.total_seconds()
    assert last_seen(token) == moment
    assert users.check_session(token, IDLE, LIFETIME, now=moment + timedelta(minutes=29)).user


def test_stay_signed_in_starts_it_again_at_once(ctx) -> None:
    token = started("keep@example.fi")
    moment = START + timedelta(seconds=10)  # within the resolution of the clock
    users.touch_session(token, now=moment)
    assert last_seen(token) == moment


def test_a_signed_out_session_did_not_idle_out(ctx) -> None:
    token = started("out@example.fi")
    users.end_session(token, now=START + timedelta(minutes=5))
    check = users.check_session(token, IDLE, LIFETIME, now=START + timedelta(hours=1))
    assert check.user is None and not check.idled_out
