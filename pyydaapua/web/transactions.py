"""One unit of work per change: its reads, writes, notices and commit, run again as a whole
when it lost a race.

A change to a help request is guarded by the request's version column: its UPDATE says
``WHERE version = <the one read>``. When another change to the same request commits first,
that UPDATE matches no row and SQLAlchemy raises ``StaleDataError``, at the commit or at any
earlier flush, including the autoflush that a read (a query, a lazy load) starts. PostgreSQL may
also end a transaction that lost a race with a serialisation failure or a deadlock.

``run_unit`` runs the unit with autoflush off, so that its reads write nothing and the commit
is its one write, and on any of those conflicts, wherever it was raised, rolls back and runs
the whole unit again on the database as it is then. What losing a race means is the unit's
own rule: a family's message is stored on top of the change that won; a counsellor's change
finds the version moved and is refused (casework's ``StaleVersion``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from pyydaapua.database import db

T = TypeVar("T")

# PostgreSQL's serialization_failure and deadlock_detected: the transaction lost a race.
CONFLICT_SQLSTATES = frozenset({"40001", "40P01"})
# A unit that lost this many races in a row gives up (each loss means another change went in).
TRIES = 5


def is_conflict(error: BaseException) -> bool:
    """Whether ``error`` means that the transaction lost a race with another one."""
    if isinstance(error, StaleDataError):
        return True
    if isinstance(error, DBAPIError):
        return getattr(error.orig, "sqlstate", None) in CONFLICT_SQLSTATES
    return False


def run_unit(work: Callable[[], T], tries: int = TRIES) -> T:
    """Run ``work()`` and commit what it did, as one unit; ``work``'s result.

    Any exception rolls the unit back, so nothing of it stays in the session; a conflict
    (``is_conflict``) runs it again from the start, up to ``tries`` times in all. ``work`` must
    therefore read what it decides on inside itself, not before: after a rollback every loaded
    object is read again from the database when it is next used. Units do not nest (the inner
    commit would store half of the outer one): call it where a change starts."""
    for attempt in range(1, tries + 1):
        try:
            with db.session.no_autoflush:
                result = work()
            db.session.commit()
            return result
        except Exception as error:
            db.session.rollback()
            if attempt == tries or not is_conflict(error):
                raise
    raise AssertionError("unreachable")  # pragma: no cover - the last try returns or raises


def commit_keeping_loaded() -> None:
    """Commit what a page recorded (its audit events) before the page is rendered, keeping
    what was loaded for it: rendering afterwards reads nothing again and writes nothing."""
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
