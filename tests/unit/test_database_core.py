"""``execute_core()`` (database.py): a Core statement in the session's own transaction, seeing
what the session has pending, as the session's ``execute`` would."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import func, insert, select

from pyydaapua.database import db, execute_core
from pyydaapua.models import AuditEvent


def _events() -> int:
    return int(execute_core(select(func.count()).select_from(AuditEvent)).scalar_one())


def _event() -> AuditEvent:
    return AuditEvent(at=datetime.now(UTC), action="request_listed", client_address="")


def test_it_reads_what_the_session_has_pending(ctx: Flask) -> None:
    db.session.add(_event())
    assert _events() == 1  # flushed first
    db.session.rollback()
    assert _events() == 0


def test_inside_no_autoflush_nothing_is_flushed(ctx: Flask) -> None:
    with db.session.no_autoflush:
        db.session.add(_event())
        assert _events() == 0
    db.session.rollback()


def test_it_writes_in_the_sessions_transaction(ctx: Flask) -> None:
    row = {"at": datetime.now(UTC), "action": "request_listed", "client_address": ""}
    execute_core(insert(AuditEvent), [row, row])
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 2
    db.session.rollback()  # not committed: gone with the session's transaction
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0
    execute_core(insert(AuditEvent), [row])
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1
