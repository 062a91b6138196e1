"""The parent's session on the public pages, kept on the server.

The browser holds one random token in the (signed) Flask session cookie; everything else is a
``public_session`` row found by the token's SHA-256 hash: the submission key of the form given
to this browser, the request it sent or opened on the status page, the secret code on its way
to the parent, and the "message sent" notice. Nothing of it can be read from the cookie.

A session ends, and its row is deleted, on the quick exit, on closing the status page, after
``STATUS_SESSION_MINUTES`` without use, and with the request's personal data at retention. A
token whose row is gone opens nothing and is dropped from the cookie: a copy of an old cookie
is worth nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app, g, session
from sqlalchemy import delete, select

from pyydaapua.models import HelpRequest, PublicSession
from pyydaapua.web.extensions import db

# The Flask session's key for the token; the only thing of the public side in the cookie.
TOKEN_KEY = "public"  # noqa: S105 - a session key's name
# Last use is written at most this often, not on every request.
_TOUCH_EVERY = timedelta(seconds=30)
_UNSET = object()


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


def current() -> PublicSession | None:
    """This browser's live session, or None; using it keeps it alive. A token whose session
    has ended is dropped from the cookie (and an idle row deleted)."""
    cached = g.get("public_session", _UNSET)
    if cached is not _UNSET:
        return cached
    token = session.get(TOKEN_KEY)
    row = None
    if isinstance(token, str):
        row = db.session.scalar(
            select(PublicSession).where(PublicSession.token_hash == _hash(token))
        )
        moment = now()
        if row is not None and moment - row.last_seen_at > idle_limit():
            db.session.delete(row)
            db.session.commit()
            row = None
        if row is None:
            session.pop(TOKEN_KEY, None)
            g.public_session_ended = True
        elif moment - row.last_seen_at >= _TOUCH_EVERY:
            row.last_seen_at = moment
            db.session.commit()
    g.public_session = row
    return row


def start() -> PublicSession:
    """This browser's live session, or a new one (the expired rows of others are removed
    then, so that idle sessions never pile up)."""
    row = current()
    if row is not None:
        return row
    moment = now()
    db.session.execute(
        delete(PublicSession).where(PublicSession.last_seen_at < moment - idle_limit())
    )
    token = secrets.token_urlsafe(32)
    row = PublicSession(
        token_hash=_hash(token),
        created_at=moment,
        last_seen_at=moment,
        sent=False,
        status_open=False,
        message_sent=False,
    )
    db.session.add(row)
    db.session.commit()
    session[TOKEN_KEY] = token
    g.public_session = row
    return row


def save() -> None:
    """Store what a view changed on the session."""
    db.session.commit()


def end() -> None:
    """End this browser's session: its row is deleted and the token dropped."""
    token = session.pop(TOKEN_KEY, None)
    if isinstance(token, str):
        db.session.execute(delete(PublicSession).where(PublicSession.token_hash == _hash(token)))
        db.session.commit()
    g.public_session = None


def sent_request(row: PublicSession | None) -> HelpRequest | None:
    """The request that this browser sent, while the session lives."""
    if row is None or not row.sent or row.request_id is None:
        return None
    return row.help_request


def opened_request(row: PublicSession | None) -> HelpRequest | None:
    """The request whose status page is open in this browser, while it has its secret code
    (retention removes it)."""
    if row is None or not row.status_open or row.request_id is None:
        return None
    help_request = row.help_request
    if help_request is None or help_request.status_secret_hash is None:
        return None
    return help_request


def _switch_request(row: PublicSession, help_request: HelpRequest) -> None:
    """Point the session at ``help_request``; what it held of another request is dropped."""
    if row.request_id is not None and row.request_id != help_request.id:
        row.sent = False
        row.status_open = False
        row.secret_code = None
        row.message_sent = False
    row.request_id = help_request.id


def mark_sent(row: PublicSession, help_request: HelpRequest, secret_code: str | None) -> None:
    """This browser sent ``help_request``: its confirmation (and, for the written channel, its
    status page) opens here without the code, and the code is kept until written down."""
    _switch_request(row, help_request)
    row.sent = True
    row.status_open = help_request.contact_method == "status_page"
    if secret_code is not None:
        row.secret_code = secret_code
    save()


def open_status(row: PublicSession, help_request: HelpRequest) -> None:
    """The status page of ``help_request`` is opened here with its reference and code."""
    _switch_request(row, help_request)
    row.status_open = True
    save()
