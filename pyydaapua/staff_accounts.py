"""Staff accounts and their sign-in sessions: argon2id hashes, idle and absolute timeouts."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from .extensions import db
from .models import LANGUAGES, ROLES, StaffSession, StaffUser

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
MIN_PASSWORD_LENGTH = 12
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


class AccountError(ValueError):
    """The account cannot be created as asked."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(email: str, name: str, role: str, password: str, language: str = "fi") -> StaffUser:
    """Create an active staff user; the password is kept only as an argon2id hash."""
    email = normalise_email(email)
    if "@" not in email:
        raise AccountError("the e-mail address is not valid")
    if role not in ROLES:
        raise AccountError(f"the role must be one of {', '.join(ROLES)}")
    if language not in LANGUAGES:
        raise AccountError(f"the language must be one of {', '.join(LANGUAGES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if db.session.scalar(select(StaffUser.id).where(StaffUser.email == email)) is not None:
        raise AccountError("a user with this e-mail address exists already")
    user = StaffUser(
        email=email,
        name=name.strip(),
        role=role,
        language=language,
        active=True,
        password_hash=_hasher.hash(password),
        created_at=datetime.now(UTC),
    )
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> tuple[StaffUser | None, StaffUser | None]:
    """(the signed-in user or None, the account the e-mail named, if any)."""
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == normalise_email(email)))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None, user
    if user is None or not user.active:
        return None, user
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        db.session.commit()
    return user, user


def start_session(user: StaffUser, now: datetime | None = None) -> str:
    """A new server-side session for ``user``; returns its random token."""
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    db.session.add(StaffSession(token=token, user_id=user.id, created_at=now, last_seen_at=now))
    db.session.commit()
    user.session_token = token
    return token


def resume_session(
    token: str, idle: timedelta, lifetime: timedelta, now: datetime | None = None
) -> StaffUser | None:
    """The user of a live session, or None when it has ended, idled out or grown too old."""
    now = now or datetime.now(UTC)
    staff_session = db.session.scalar(select(StaffSession).where(StaffSession.token == token))
    if staff_session is None or staff_session.ended_at is not None:
        return None
    user = staff_session.user
    expired = now - staff_session.last_seen_at > idle or now - staff_session.created_at > lifetime
    if expired or not user.active:
        staff_session.ended_at = now
        db.session.commit()
        return None
    if now - staff_session.last_seen_at >= LAST_SEEN_RESOLUTION:
        staff_session.last_seen_at = now
        db.session.commit()
    user.session_token = token
    return user


def end_session(token: str, now: datetime | None = None) -> None:
    """End the session, so that its cookie can never be used again."""
    staff_session = db.session.scalar(select(StaffSession).where(StaffSession.token == token))
    if staff_session is not None and staff_session.ended_at is None:
        staff_session.ended_at = now or datetime.now(UTC)
        db.session.commit()
