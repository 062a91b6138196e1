"""Staff accounts and their sign-in sessions: argon2id hashes, idle and absolute timeouts.

Administration (create, change, deactivate, set a password) and a user's own password change
live here too. Every change can be left uncommitted (``commit=False``) so that the caller writes
its audit event in the same transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Select,
    bindparam,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from pyydaapua.accounts import two_factor
from pyydaapua.accounts.permissions import Permission, role_can
from pyydaapua.database import db, planned_once
from pyydaapua.models import RecoveryCode, StaffSession, StaffUser
from pyydaapua.rules.codes import LANGUAGES, ROLES

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
MIN_PASSWORD_LENGTH = 12
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


class AccountError(ValueError):
    """The account cannot be created or changed as asked; ``code`` names the reason."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password(password: str) -> None:
    """Raise AccountError unless ``password`` is long enough."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters", "password_short"
        )


def _check_role_and_language(role: str, language: str) -> None:
    if role not in ROLES:
        raise AccountError(f"the role must be one of {', '.join(ROLES)}", "role_invalid")
    if language not in LANGUAGES:
        raise AccountError(
            f"the language must be one of {', '.join(LANGUAGES)}", "language_invalid"
        )


def _finish(commit: bool) -> None:
    if commit:
        db.session.commit()
    else:
        db.session.flush()


def create_user(
    email: str,
    name: str,
    role: str,
    password: str,
    language: str = "fi",
    *,
    password_change_required: bool = False,
    commit: bool = True,
) -> StaffUser:
    """Create an active staff user; the password is kept only as an argon2id hash.

    ``password_change_required``: the user must choose their own password at first sign-in."""
    email = normalise_email(email)
    if "@" not in email:
        raise AccountError("the e-mail address is not valid", "email_invalid")
    if not name.strip():
        raise AccountError("the name is empty", "name_empty")
    _check_role_and_language(role, language)
    check_password(password)
    if db.session.scalar(select(StaffUser.id).where(StaffUser.email == email)) is not None:
        raise AccountError("a user with this e-mail address exists already", "email_taken")
    user = StaffUser(
        email=email,
        name=name.strip(),
        role=role,
        language=language,
        active=True,
        password_hash=_hasher.hash(password),
        password_change_required=password_change_required,
        created_at=datetime.now(UTC),
    )
    db.session.add(user)
    try:
        _finish(commit)
    except IntegrityError:  # the same e-mail added at the same moment
        db.session.rollback()
        raise AccountError(
            "a user with this e-mail address exists already", "email_taken"
        ) from None
    return user


def list_users() -> list[StaffUser]:
    """Every staff account, active or not, by name."""
    return list(
        db.session.scalars(select(StaffUser).order_by(func.lower(StaffUser.name), StaffUser.id))
    )


def update_user(
    user: StaffUser,
    *,
    name: str,
    role: str,
    language: str,
    sso_subject: str | None = None,
    actor: StaffUser | None = None,
    commit: bool = True,
) -> list[str]:
    """Change the name, role and language, and (when given) the city account the account is
    tied to ("" unties it); returns the names of the fields that changed. A city account
    ties to one account only.

    An administrator (``actor``) cannot give themselves a role without the right to manage
    accounts, so that the service always keeps someone who can manage them."""
    if not name.strip():
        raise AccountError("the name is empty", "name_empty")
    _check_role_and_language(role, language)
    if (
        actor is not None
        and actor.id == user.id
        and role_can(user.role, Permission.MANAGE_ACCOUNTS)
        and not role_can(role, Permission.MANAGE_ACCOUNTS)
    ):
        raise AccountError("you cannot take away your own admin role", "own_admin_role")
    values: list[tuple[str, str | None]] = [
        ("name", name.strip()),
        ("role", role),
        ("language", language),
    ]
    if sso_subject is not None:
        subject = sso_subject.strip() or None
        taken = subject and db.session.scalar(
            select(StaffUser.id).where(StaffUser.sso_subject == subject, StaffUser.id != user.id)
        )
        if taken:
            raise AccountError("the city account is tied to another account", "sso_subject_taken")
        values.append(("sso_subject", subject))
    changed = []
    for field, value in values:
        if getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    _finish(commit)
    return changed


def end_sessions(
    user: StaffUser, now: datetime | None = None, keep_token: str | None = None
) -> int:
    """End every live session of ``user`` (but ``keep_token``); returns how many ended."""
    query = update(StaffSession).where(
        StaffSession.user_id == user.id, StaffSession.ended_at.is_(None)
    )
    if keep_token is not None:
        query = query.where(StaffSession.token != keep_token)
    result = db.session.execute(query.values(ended_at=now or datetime.now(UTC)))
    return cast("CursorResult[Any]", result).rowcount


def set_active(
    user: StaffUser,
    active: bool,
    *,
    actor: StaffUser | None = None,
    now: datetime | None = None,
    commit: bool = True,
) -> bool:
    """Deactivate or reactivate an account (accounts are never deleted); returns whether it
    changed. Deactivating ends the user's sessions at once. Nobody deactivates themself."""
    if not active and actor is not None and actor.id == user.id:
        raise AccountError("you cannot deactivate your own account", "own_account")
    if user.active == active:
        return False
    user.active = active
    if not active:
        end_sessions(user, now)
    _finish(commit)
    return True


def set_password(
    user: StaffUser,
    password: str,
    *,
    must_change: bool = True,
    now: datetime | None = None,
    commit: bool = True,
) -> None:
    """An administrator sets a new password. Every session of the user ends; with
    ``must_change`` the user has to choose their own password at the next sign-in."""
    check_password(password)
    user.password_hash = _hasher.hash(password)
    user.password_change_required = must_change
    end_sessions(user, now)
    _finish(commit)


def change_own_password(
    user: StaffUser,
    current: str,
    new: str,
    *,
    keep_token: str | None = None,
    now: datetime | None = None,
    commit: bool = True,
) -> None:
    """The user changes their own password: the current one must be right and the new one
    different and long enough. Clears the forced change; ends the user's other sessions."""
    try:
        _hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise AccountError("the current password is not correct", "password_wrong") from None
    if new == current:
        raise AccountError("the new password is the same as the current one", "password_same")
    check_password(new)
    user.password_hash = _hasher.hash(new)
    user.password_change_required = False
    end_sessions(user, now, keep_token=keep_token)
    _finish(commit)


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


def start_session(
    user: StaffUser,
    now: datetime | None = None,
    *,
    provider_sid: str | None = None,
    id_token: str | None = None,
) -> str:
    """A new server-side session for ``user``; returns its random token. A session started by
    single sign-on keeps the provider's session id and the ID token."""
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    db.session.add(
        StaffSession(
            token=token,
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            provider_sid=provider_sid,
            id_token=id_token,
        )
    )
    db.session.commit()
    user.session_token = token
    return token


@dataclass
class SessionCheck:
    """What ``check_session`` found: the user of a live session (else None), how many seconds
    of the idle limit are left, and, for a session that has ended, whether it ended by idling
    out (its last activity is more than the idle limit before its end)."""

    user: StaffUser | None
    idle_remaining: float = 0.0
    idled_out: bool = False


# The session's statement for each set of menu numbers read with it (by their names).
_SESSION_STATEMENTS: dict[tuple[str, ...], Select] = {}


def check_session(
    token: str,
    idle: timedelta,
    lifetime: timedelta,
    now: datetime | None = None,
    *,
    activity: bool = True,
    counts: Mapping[str, ColumnElement[int]] | None = None,
) -> SessionCheck:
    """Check the session of ``token`` and, when it is live and ``activity`` is true, count the
    request as activity: the idle clock starts again (written at most once per
    ``LAST_SEEN_RESOLUTION``, or a tenth of the idle limit when that is shorter). A request
    the page makes on its own (``activity=False``) ends an idle session like any other but
    never keeps it alive. ``counts``, when given, are read in the same statement onto the
    user's ``menu_counts``."""
    now = now or datetime.now(UTC)
    names = tuple(counts or {})
    statement = _SESSION_STATEMENTS.get(names)
    if statement is None:  # built once for each set of counts
        columns = ((counts or {})[name] for name in names)
        statement = planned_once(
            select(StaffSession, *columns).where(StaffSession.token == bindparam("token"))
        )
        _SESSION_STATEMENTS[names] = statement
    row = db.session.execute(statement, {"token": token}).first()
    if row is None:
        return SessionCheck(None)
    staff_session, *values = row
    if staff_session.ended_at is not None:
        idled = staff_session.ended_at - staff_session.last_seen_at > idle
        return SessionCheck(None, idled_out=idled)
    user = staff_session.user
    idled = now - staff_session.last_seen_at > idle
    if idled or now - staff_session.created_at > lifetime or not user.active:
        staff_session.ended_at = now
        db.session.commit()
        return SessionCheck(None, idled_out=idled)
    resolution = min(LAST_SEEN_RESOLUTION, idle / 10)
    if activity and now - staff_session.last_seen_at >= resolution:
        staff_session.last_seen_at = now
        db.session.commit()
    user.session_token = token
    user.menu_counts = dict(zip(names, values, strict=True)) if counts is not None else None
    remaining = idle - (now - staff_session.last_seen_at)
    return SessionCheck(user, idle_remaining=max(0.0, remaining.total_seconds()))


def resume_session(
    token: str,
    idle: timedelta,
    lifetime: timedelta,
    now: datetime | None = None,
) -> StaffUser | None:
    """The user of a live session, or None when it has ended, idled out or grown too old."""
    return check_session(token, idle, lifetime, now).user


def touch_session(token: str, now: datetime | None = None) -> None:
    """Start the idle clock of a live session again at once ("stay signed in")."""
    db.session.execute(
        update(StaffSession)
        .where(StaffSession.token == token, StaffSession.ended_at.is_(None))
        .values(last_seen_at=now or datetime.now(UTC))
    )


def end_session(token: str, now: datetime | None = None) -> str | None:
    """End the session, so that its cookie can never be used again. Returns the ID token of a
    single sign-on session (to end the provider's session too), which is then forgotten."""
    staff_session = db.session.scalar(select(StaffSession).where(StaffSession.token == token))
    if staff_session is None:
        return None
    id_token, staff_session.id_token = staff_session.id_token, None
    if staff_session.ended_at is None:
        staff_session.ended_at = now or datetime.now(UTC)
    db.session.commit()
    return id_token


# The second sign-in step: enrolment, codes, recovery codes and the administrator's reset.


def start_enrolment(user: StaffUser) -> str:
    """The secret that ``user`` enrols with: created and stored on the server the first time,
    the same one on every later visit until a code confirms it."""
    if user.two_factor_enrolled:
        raise AccountError("the second sign-in step is in use already", "enrolled")
    if user.totp_secret is None:
        user.totp_secret = two_factor.new_secret()
        db.session.commit()
    return user.totp_secret


def _accept_step(user: StaffUser, step: int) -> bool:
    """Store ``step`` as the last accepted one unless a later or equal one was stored first
    (one UPDATE, so two requests with the same code cannot both be accepted)."""
    result = db.session.execute(
        update(StaffUser)
        .where(
            StaffUser.id == user.id,
            or_(StaffUser.totp_last_step.is_(None), StaffUser.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if cast("CursorResult[Any]", result).rowcount != 1:
        return False
    user.totp_last_step = step
    return True


def confirm_enrolment(
    user: StaffUser, code: str, now: datetime | None = None, *, commit: bool = True
) -> list[str] | None:
    """Confirm the stored secret with a code from the user's app. Returns the new recovery
    codes (their hashes are stored; the codes themselves never), or None for a wrong code."""
    now = now or datetime.now(UTC)
    if user.totp_secret is None or user.two_factor_enrolled:
        return None
    step = two_factor.verify_code(user.totp_secret, code, user.totp_last_step, now)
    if step is None or not _accept_step(user, step):
        return None
    user.totp_confirmed_at = now
    codes = two_factor.new_recovery_codes()
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=two_factor.hash_recovery_code(code), created_at=now)
        for code in codes
    )
    _finish(commit)
    return codes


def verify_second_factor(
    user: StaffUser, code: str, now: datetime | None = None, *, commit: bool = True
) -> str | None:
    """Check the code typed at sign-in: ``"totp"`` for a right code of an unused time step,
    ``"recovery"`` for an unused recovery code (now used up), None otherwise."""
    now = now or datetime.now(UTC)
    if not user.two_factor_enrolled or user.totp_secret is None:
        return None
    step = two_factor.verify_code(user.totp_secret, code, user.totp_last_step, now)
    if step is not None:
        if not _accept_step(user, step):
            return None
        _finish(commit)
        return "totp"
    if not two_factor.looks_like_recovery_code(code):
        return None
    unused = dict(
        db.session.execute(
            select(RecoveryCode.code_hash, RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )
    matched = two_factor.match_recovery_code(code, unused)
    if matched is None:
        return None
    result = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == unused[matched], RecoveryCode.used_at.is_(None))
        .values(used_at=now)
    )
    # No row changed: used at the same moment by another request.
    if cast("CursorResult[Any]", result).rowcount != 1:
        return None
    _finish(commit)
    return "recovery"


def unused_recovery_codes(user: StaffUser) -> int:
    """How many of the user's recovery codes are still unused."""
    return db.session.execute(
        select(func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    ).scalar_one()


def reset_two_factor(
    user: StaffUser,
    *,
    actor: StaffUser | None = None,
    now: datetime | None = None,
    commit: bool = True,
) -> None:
    """An administrator resets the user's second step: the secret and the recovery codes go,
    every session of the user ends, and the user enrols again at the next sign-in. Nobody
    resets their own (another administrator has to)."""
    if actor is not None and actor.id == user.id:
        raise AccountError("you cannot reset your own second sign-in step", "own_two_factor")
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    end_sessions(user, now)
    _finish(commit)
