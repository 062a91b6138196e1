"""The parent's session on the public pages, kept on the server.

The browser holds one random token in the (signed) Flask session cookie; everything else is a
``public_session`` row found by the token's SHA-256 hash: the submission key of the form given
to this browser, the request it sent or opened on the status page, the secret code on its way
to the parent, and the "message sent" notice. Nothing of it can be read from the cookie.

A session ends, and its row is deleted, on the quick exit, on closing the status page, after
``STATUS_SESSION_MINUTES`` without use, and with the request's personal data at retention. A
token whose row is gone opens nothing and is dropped from the cookie: a copy of an old cookie
is worth nothing.

Idleness is decided when a row is read: ``current()`` refuses (and deletes) a row not used for
``STATUS_SESSION_MINUTES``, whatever is still stored. Removing the idle rows of browsers that
never come back is housekeeping: each process does it when it starts a new session, at most
once a minute (``SWEEP_EVERY``), in the same transaction as the new row.

A first visit to the form page costs one INSERT: the row is created with its form key. The
page is not served without a row, because the key is what binds a sent request to this
browser (only the browser given the key sees the confirmation), and the quick exit must be
able to end that binding on the server; a key kept only in the cookie or derived from the
token would outlive the row and make a copy of an old cookie worth something again.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from flask import current_app, g, session
from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import lazyload

from pyydaapua.database import db, execute_core, planned_once
from pyydaapua.models import HelpRequest, PublicSession

# The Flask session's key for the token; the only thing of the public side in the cookie.
TOKEN_KEY = "public"  # noqa: S105 - a session key's name
# Last use is written at most this often, not on every request.
_TOUCH_EVERY = timedelta(seconds=30)
# Each process removes the rows of idle sessions at most this often (in seconds), when it
# starts a new session; when it last did (``time.monotonic()``), or None.
SWEEP_EVERY = 60.0
_swept_at: float | None = None
_UNSET = object()


@dataclass
class PublicState:
    """What a browser's session holds, as read at the start of the request. It is changed
    with ``change`` (a plain UPDATE): a row that ended meanwhile, in another tab or by the
    quick exit, is simply not updated, and never fails the request that changed it."""

    id: int
    form_key: str | None = None
    request_id: int | None = None
    sent: bool = False
    status_open: bool = False
    secret_code: str | None = None
    message_sent: bool = False


# A new session's row, written without the ORM's unit of work (a third of a first visit's time
# on the form page went to flushing one object).
_TABLE = cast(Table, PublicSession.__table__)
_INSERT = (
    insert(_TABLE).values(sent=False, status_open=False, message_sent=False).returning(_TABLE.c.id)
)
# Built once, as they run on every public page, and run without the ORM's query handling (no
# object of the session is a public session): built at every request, with the submission
# key's look-up, a submission's POST took 20.4 million instructions, now 18.2 million. The
# UPDATE sets the columns named in its parameters.
_CURRENT = planned_once(
    select(_TABLE.c.last_seen_at, *(_TABLE.c[field.name] for field in fields(PublicState))).where(
        _TABLE.c.token_hash == bindparam("token_hash")
    )
)
_UPDATE = planned_once(update(_TABLE).where(_TABLE.c.id == bindparam("session_id")))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def now() -> datetime:
    """The time now (UTC); one function, so that tests can move the clock."""
    return datetime.now(UTC)


def idle_limit() -> timedelta:
    """How long a public session lives without use: ``STATUS_SESSION_MINUTES``."""
    return timedelta(minutes=int(current_app.config["STATUS_SESSION_MINUTES"]))


def has_ended() -> bool:
    """Whether this request brought the token of a session that has ended (idle, closed,
    quick exit): the status page then says that it has closed."""
    current()
    return bool(g.get("public_session_ended"))


def current() -> PublicState | None:
    """This browser's live session, or None; using it keeps it alive. A token whose session
    has ended is dropped from the cookie (and an idle row deleted)."""
    cached = g.get("public_session", _UNSET)
    if cached is not _UNSET:
        return cached
    token = session.get(TOKEN_KEY)
    state = None
    if isinstance(token, str):
        found = execute_core(_CURRENT, {"token_hash": _hash(token)}).first()
        moment = now()
        if found is not None and moment - found.last_seen_at > idle_limit():
            db.session.execute(delete(PublicSession).where(PublicSession.id == found.id))
            db.session.commit()
            found = None
        if found is None:
            session.pop(TOKEN_KEY, None)
            g.public_session_ended = True
        else:
            state = PublicState(
                **{field.name: getattr(found, field.name) for field in fields(PublicState)}
            )
            if moment - found.last_seen_at >= _TOUCH_EVERY:
                change(state, last_seen_at=moment)
    g.public_session = state
    return state


def _sweep_due() -> bool:
    """Whether this process is to remove the idle rows of others now (at most once a
    ``SWEEP_EVERY``)."""
    global _swept_at  # one clock per process
    moment = time.monotonic()
    if _swept_at is not None and moment - _swept_at < SWEEP_EVERY:
        return False
    _swept_at = moment
    return True


def start(form_key: str | None = None) -> PublicState:
    """This browser's live session, or a new one holding ``form_key``: one INSERT (and, at
    most once a minute per process, the DELETE of idle rows of others), one commit."""
    state = current()
    if state is not None:
        return state
    moment = now()
    if _sweep_due():
        db.session.execute(
            delete(PublicSession).where(PublicSession.last_seen_at < moment - idle_limit())
        )
    token = secrets.token_urlsafe(32)
    values = {
        "token_hash": _hash(token),
        "created_at": moment,
        "last_seen_at": moment,
        "form_key": form_key,
    }
    state = PublicState(id=db.session.execute(_INSERT, values).scalar_one(), form_key=form_key)
    db.session.commit()
    session[TOKEN_KEY] = token
    g.public_session = state
    return state


def change(state: PublicState, *, commit: bool = True, **values: Any) -> None:
    """Store ``values`` on the session (committed), and on ``state``. With ``commit`` False
    the UPDATE goes in the caller's transaction, and ``state`` is left as read: that
    transaction may yet be rolled back (and tried again)."""
    execute_core(_UPDATE, {"session_id": state.id, **values})
    if not commit:
        return
    db.session.commit()
    for name, value in values.items():
        if hasattr(state, name):
            setattr(state, name, value)


def end() -> None:
    """End this browser's session: its row is deleted and the token dropped."""
    token = session.pop(TOKEN_KEY, None)
    if isinstance(token, str):
        db.session.execute(delete(PublicSession).where(PublicSession.token_hash == _hash(token)))
        db.session.commit()
    g.public_session = None


def sent_request(state: PublicState | None) -> HelpRequest | None:
    """The request that this browser sent, while the session lives (its topics are not
    loaded unless asked for: the confirmation does not show them)."""
    if state is None or not state.sent or state.request_id is None:
        return None
    return db.session.get(HelpRequest, state.request_id, options=[lazyload(HelpRequest.topics)])


def sent_key(state: PublicState | None) -> str | None:
    """The submission key of the request that this browser sent, while the session lives
    (None once the request is gone); the form page needs nothing else of it."""
    if state is None or not state.sent or state.request_id is None:
        return None
    return db.session.scalar(
        select(HelpRequest.submission_key).where(HelpRequest.id == state.request_id)
    )


def opened_request(state: PublicState | None) -> HelpRequest | None:
    """The request whose status page is open in this browser, while it has its secret code
    (retention removes it)."""
    if state is None or not state.status_open or state.request_id is None:
        return None
    help_request = db.session.get(HelpRequest, state.request_id)
    if help_request is None or help_request.status_secret_hash is None:
        return None
    return help_request


def _pointed_at(state: PublicState, help_request: HelpRequest) -> dict[str, Any]:
    """The values that point the session at ``help_request``: what it held of another
    request is dropped."""
    values: dict[str, Any] = {"request_id": help_request.id}
    if state.request_id is not None and state.request_id != help_request.id:
        values.update(sent=False, status_open=False, secret_code=None, message_sent=False)
    return values


def mark_sent(
    state: PublicState, help_request: HelpRequest, secret_code: str | None, *, commit: bool = True
) -> None:
    """This browser sent ``help_request``: its confirmation (and, for the written channel, its
    status page) opens here without the code, and the code is kept until written down. With
    ``commit`` False it goes in the caller's transaction (the one that stores the request)."""
    values = _pointed_at(state, help_request)
    values.update(sent=True, status_open=help_request.contact_method == "status_page")
    if secret_code is not None:
        values["secret_code"] = secret_code
    change(state, commit=commit, **values)


def open_status(state: PublicState, help_request: HelpRequest) -> None:
    """The status page of ``help_request`` is opened here with its reference and code."""
    change(state, **_pointed_at(state, help_request), status_open=True)
