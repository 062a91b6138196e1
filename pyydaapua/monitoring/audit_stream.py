"""The audit stream: every audit event, once its transaction has committed, written to a logger
of its own (``pyydaapua.audit``) as one JSON object per line, for the city's SIEM. A change that
is rolled back (a lost race run again, a refused change) emits nothing.

The events are collected as they are flushed (``record``) or inserted in bulk (``record_reads``)
into the session's ``info`` and written by the session's ``after_commit``; a rollback drops them.
``AUDIT_STREAM`` says where the lines go: ``-`` standard output, a file path (reopened when
logrotate moves it), or ``off``.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from logging.handlers import WatchedFileHandler
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction

from pyydaapua.models import AuditEvent

audit_logger = logging.getLogger("pyydaapua.audit")
PENDING = "audit_stream_pending"
SERVICE = "pyydaapua"


def line(values: dict[str, Any]) -> str:
    """One event as its JSON line (the example in docs/operations.md)."""
    at = values.get("at")
    return json.dumps(
        {
            "service": SERVICE,
            "type": "audit",
            "id": values.get("id"),
            "time": at.astimezone(UTC).isoformat() if isinstance(at, datetime) else None,
            "action": values.get("action"),
            "user_id": values.get("user_id"),
            "request_id": values.get("request_id"),
            "client_address": values.get("client_address") or "",
            "target": values.get("target") or "",
            "basis": values.get("basis"),
        },
        ensure_ascii=False,
    )


def pending(session: Session) -> list[dict[str, Any]]:
    return session.info.setdefault(PENDING, [])


def add_inserted(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    """Events written with a bulk INSERT (no objects to see at the flush)."""
    pending(session).extend(rows)


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    for obj in session.new:
        if isinstance(obj, AuditEvent):
            columns = ("id", "at", "action", "user_id", "request_id", "client_address", "target")
            values = {name: getattr(obj, name) for name in columns}
            values["basis"] = getattr(obj, "basis", None)
            pending(session).append(values)


class _StreamHandler(logging.StreamHandler):
    """The audit stream's own handler (marked, so it is set once)."""


def streaming() -> bool:
    """Whether ``AUDIT_STREAM`` points somewhere."""
    return any(isinstance(h, _StreamHandler | WatchedFileHandler) for h in audit_logger.handlers)


def _after_commit(session: Session) -> None:
    events = session.info.pop(PENDING, [])
    if not events or not streaming():
        return
    for values in events:
        audit_logger.info(line(values))


def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)


def configure(app: Flask) -> None:
    """Point the audit logger where ``AUDIT_STREAM`` says (once per process)."""
    target = app.config.get("AUDIT_STREAM", "off")
    for handler in list(audit_logger.handlers):
        if isinstance(handler, _StreamHandler | WatchedFileHandler):
            audit_logger.removeHandler(handler)
            handler.close()
    audit_logger.propagate = False
    audit_logger.setLevel(logging.INFO)
    if target in ("", "off"):
        return
    stream: logging.Handler
    stream = _StreamHandler(sys.stdout) if target == "-" else WatchedFileHandler(target)
    stream.setFormatter(logging.Formatter("%(message)s"))
    audit_logger.addHandler(stream)


_listening = False


def init_app(app: Flask) -> None:
    global _listening
    configure(app)
    if not _listening:
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
        _listening = True
