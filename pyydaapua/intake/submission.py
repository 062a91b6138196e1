"""Storing a parent's help request: reference code, call-back due date, no duplicates, and
the e-mail notices queued with it (notices/)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from pyydaapua import notices
from pyydaapua.database import db, planned_once
from pyydaapua.models import HelpRequest, RequestTopic
from pyydaapua.rules.references import new_reference
from pyydaapua.rules.workdays import callback_due_date, helsinki_date, month_number

# The form's hidden key: random, URL-safe, and long enough that nobody guesses another's.
_SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def valid_submission_key(key: str | None) -> bool:
    """Whether ``key`` looks like a key our form hands out (16 to 64 URL-safe characters)."""
    return key is not None and _SUBMISSION_KEY.fullmatch(key) is not None


def new_submission_key() -> str:
    """A fresh random key for one form submission (32 characters)."""
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class NewRequest:
    """What the parent sent, already validated and normalised."""

    submission_key: str
    language: str
    call_language: str
    phone: str
    topics: list[str] = field(default_factory=list)
    child_ages: list[str] = field(default_factory=list)
    description: str = ""
    name: str = ""
    email: str = ""
    call_time: str = "any"
    sms_ok: bool = False
    # How the family hears back (rules/codes.py CONTACT_METHODS); for the status page, the argon2id
    # hash of the secret code (the code itself is never stored).
    contact_method: str = "phone"
    status_secret_hash: str | None = None


# Built once: every submission looks its key up.
_BY_KEY = planned_once(select(HelpRequest).where(HelpRequest.submission_key == bindparam("key")))


def find_by_submission(key: str) -> HelpRequest | None:
    """The request already stored for this form submission, if any."""
    return db.session.scalar(_BY_KEY, {"key": key})


def same_request(stored: HelpRequest, new: NewRequest) -> bool:
    """Whether ``new`` is what was stored as ``stored``: the same form sent again, not a
    different text posted with a used key."""
    return (
        stored.description == new.description
        and stored.name == new.name
        and stored.phone == new.phone
        and stored.email == new.email
        and stored.contact_method == new.contact_method
        and stored.call_language == new.call_language
        and stored.call_time == new.call_time
        and stored.sms_ok == new.sms_ok
        and stored.child_ages == ",".join(new.child_ages)
        and sorted(topic.topic for topic in stored.topics) == sorted(set(new.topics))
    )


def submit(new: NewRequest, now: datetime | None = None) -> HelpRequest:
    """Store the request once; a repeated submission returns the stored one."""
    return store(new, now)[0]


def store(
    new: NewRequest,
    now: datetime | None = None,
    *,
    looked_up: bool = False,
    in_transaction: Callable[[HelpRequest], None] | None = None,
) -> tuple[HelpRequest, bool]:
    """Store the request once: the stored request, and whether this call stored it (False
    when the key's request was already stored, e.g. by a second click racing the first).

    A missing, empty or malformed key cannot tell one submission from another, so the
    request is stored under a fresh key rather than taken for someone else's.
    ``looked_up``: the caller has just found no request of this key (a race is still caught
    by the key's unique index). ``in_transaction`` is called with the new request before the
    commit, for what must be stored with it."""
    if not valid_submission_key(new.submission_key):
        new = replace(new, submission_key=new_submission_key())
    elif not looked_up:
        existing = find_by_submission(new.submission_key)
        if existing is not None:
            return existing, False
    submitted_at = now or datetime.now(UTC)
    for _attempt in range(5):
        help_request = HelpRequest(
            reference=new_reference(),
            submission_key=new.submission_key,
            language=new.language,
            call_language=new.call_language,
            description=new.description,
            child_ages=",".join(new.child_ages),
            name=new.name,
            phone=new.phone,
            email=new.email,
            call_time=new.call_time,
            sms_ok=new.sms_ok,
            contact_method=new.contact_method,
            status_secret_hash=new.status_secret_hash,
            submitted_at=submitted_at,
            submitted_on=helsinki_date(submitted_at),
            submitted_month=month_number(helsinki_date(submitted_at)),
            due_date=callback_due_date(submitted_at),
            topics=[RequestTopic(topic=code) for code in dict.fromkeys(new.topics)],
        )
        db.session.add(help_request)
        try:
            # The notices go in the same transaction: both are stored, or neither.
            db.session.flush()
            notices.request_sent(help_request)
            if in_transaction is not None:
                in_transaction(help_request)
            db.session.commit()
            return help_request, True
        except IntegrityError:
            db.session.rollback()
            # Either two clicks raced each other, or (very rarely) the code was taken.
            existing = find_by_submission(new.submission_key)
            if existing is not None:
                return existing, False
    raise RuntimeError("could not allocate a unique reference code")
