"""The status page's data: secret codes as hashes, opening a request with its reference and
code, what the family sees of it, and the family's messages."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from pyydaapua import notices
from pyydaapua.database import db
from pyydaapua.models import HelpRequest, TimelineEvent
from pyydaapua.rules.references import parse_reference
from pyydaapua.rules.secret_codes import new_secret_code, normalise_secret_code
from pyydaapua.rules.typed_text import first_name
from pyydaapua.web.transactions import run_unit

# The messages of the written channel, as timeline events (note = the text).
TO_FAMILY = "message_to_family"
FROM_FAMILY = "message_from_family"
MESSAGE_KINDS = (TO_FAMILY, FROM_FAMILY)
MESSAGE_MAX = 4000

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Checked when the reference is unknown (or has no code), so that the answer takes as long
# as for a known one and its time does not tell whether the reference exists.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

# The state of a request in the family's words.
RECEIVED = "received"
HANDLING = "handling"
CLOSED = "closed"


def hash_secret_code(code: str) -> str:
    """The argon2id hash of a code in its stored form (``normalise_secret_code``)."""
    return _hasher.hash(code)


def new_secret() -> tuple[str, str]:
    """A fresh secret code and its hash: the code is shown once, only the hash is stored."""
    code = new_secret_code()
    return code, hash_secret_code(code)


def _verify(stored_hash: str | None, code: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, code) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def open_request(reference_text: str, code_text: str) -> HelpRequest | None:
    """The request that the typed reference and secret code open, or None.

    Both are accepted as people type them. An unknown reference, a request without a code
    (the family chose a call, or retention removed it) and a malformed code are checked
    against a dummy hash, so that every wrong pair takes the same time."""
    reference = parse_reference(reference_text)
    code = normalise_secret_code(code_text) or ""
    help_request = None
    if reference is not None:
        help_request = db.session.scalar(
            select(HelpRequest).where(HelpRequest.reference == reference)
        )
    stored_hash = help_request.status_secret_hash if help_request is not None else None
    if not _verify(stored_hash, code) or help_request is None or not code:
        return None
    return help_request


def get_opened(request_id: int) -> HelpRequest | None:
    """An opened request, while it still has its code (retention removes it)."""
    help_request = db.session.get(HelpRequest, request_id)
    if help_request is None or help_request.status_secret_hash is None:
        return None
    return help_request


def state_of(help_request: HelpRequest) -> str:
    """Received (new, nobody has taken it), handling (a counsellor has it) or closed."""
    if help_request.status == "closed":
        return CLOSED
    if help_request.status == "new" and help_request.assigned_to_id is None:
        return RECEIVED
    return HANDLING


def is_open(help_request: HelpRequest) -> bool:
    return state_of(help_request) != CLOSED


@dataclass(frozen=True)
class Message:
    """One message as the family sees it: the counsellor's first name only, or None for the
    family's own."""

    at: datetime
    from_family: bool
    counsellor: str | None
    text: str


def messages(help_request: HelpRequest) -> list[Message]:
    """The messages between the family and the counsellors, oldest first; nothing else of
    the request's timeline."""
    events = db.session.scalars(
        select(TimelineEvent)
        .where(
            TimelineEvent.request_id == help_request.id,
            TimelineEvent.kind.in_(MESSAGE_KINDS),
        )
        .order_by(TimelineEvent.at, TimelineEvent.id)
    )
    return [
        Message(
            at=event.at,
            from_family=event.kind == FROM_FAMILY,
            counsellor=(
                first_name(event.user.name)
                if event.kind == TO_FAMILY and event.user is not None
                else None
            ),
            text=event.note,
        )
        for event in events
    ]


def _repeats_last_message(help_request: HelpRequest, text: str) -> bool:
    """Whether the newest message of the request is the family's own with this very text: a
    second click on "Send", or the form sent again, adds nothing."""
    last = db.session.execute(
        select(TimelineEvent.kind, TimelineEvent.note)
        .where(
            TimelineEvent.request_id == help_request.id,
            TimelineEvent.kind.in_(MESSAGE_KINDS),
        )
        .order_by(TimelineEvent.at.desc(), TimelineEvent.id.desc())
        .limit(1)
    ).first()
    return last is not None and last.kind == FROM_FAMILY and last.note == text


def family_wrote(help_request: HelpRequest, text: str, now: datetime | None = None) -> None:
    """Store the family's message and note that it waits for an answer, in one commit.

    The request's version changes, so that a counsellor's form opened before is stale. A
    message that repeats the family's last one (a double click) is not stored again. The whole
    unit (the check, the message, the notice) runs again when a change to the request made at
    the same moment committed first (``run_unit``): the message is stored on top of it, and
    a second send of the same text finds the first's message and adds nothing."""

    def unit() -> None:
        if _repeats_last_message(help_request, text):
            return
        at = now or datetime.now(UTC)
        db.session.add(
            TimelineEvent(
                request_id=help_request.id, at=at, user_id=None, kind=FROM_FAMILY, note=text
            )
        )
        if help_request.family_message_at is None:  # the oldest message not yet answered counts
            help_request.family_message_at = at
        help_request.updated_at = at
        help_request.updated_by_id = None
        notices.family_wrote(help_request)

    run_unit(unit)
