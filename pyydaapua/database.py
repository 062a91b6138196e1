"""The ground: the database handle ``db``, the models' base class, ``execute_core()`` for
Core statements in the session's transaction, the embedded SQLite database's settings, the
check of a pooled server connection before use, and ``likely()``, a hint for its planner. It
imports nothing of the project."""

from __future__ import annotations

import select
import sqlite3
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Boolean, ColumnElement, CursorResult, Engine, Executable, MetaData, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import Pool
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
# The base class of the models: db.Model is built at run time, so type checkers see Base.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model


def execute_core(
    statement: Executable, parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None
) -> CursorResult[*tuple[Any, ...]]:
    """Execute a Core ``statement`` (of columns and tables, not ORM entities) through the
    session's connection, in its transaction: the session's own ``execute`` handles a
    statement of mapped columns as an ORM query, which took a quarter of the time of reading
    the inbox's 50 rows. Changes pending in the session are flushed first, as the session would
    (unless inside ``no_autoflush``)."""
    session = db.session()
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()
    return session.connection().execute(statement, parameters)


@event.listens_for(Engine, "connect")
def _sqlite_write_ahead_log(connection: Any, _record: Any) -> None:
    """On the embedded SQLite database, readers and the writer do not wait for each other
    (write-ahead log), and a commit does not wait for the disk each time: after a power cut
    the last commits may be lost, never the database (synchronous NORMAL)."""
    if isinstance(connection, sqlite3.Connection):
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


# A pooled connection to a database server that has lain idle longer than this (seconds) is
# tested with a round trip before it is used again; see ``_check_before_use``.
PING_AFTER_IDLE = 30.0


@event.listens_for(Pool, "checkin")
def _idle_from(_connection: Any, record: Any) -> None:
    """When the connection went back to the pool."""
    if record is not None:
        record.info["idle_since"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _check_before_use(connection: Any, record: Any, _proxy: Any) -> None:
    """A pooled server connection is not handed out dead: after a restart of the server, a
    failover or a connection ended by an administrator, the pool replaces it (raising
    ``DisconnectionError`` makes it connect anew) and the request goes on.

    A server that ends a connection sends its reason and closes the socket, so a connection
    whose socket has something to read is tested with a round trip (an empty statement);
    so is one idle for more than ``PING_AFTER_IDLE`` seconds, which a firewall or a pooler
    may have dropped without a word, and every connection of a driver whose socket cannot be
    read. A connection used a moment ago with nothing to read is used without a round trip:
    SQLAlchemy's ``pool_pre_ping`` pinged before every request, a third of the round trips of
    the form page. A connection lost between that check and its first statement fails that
    request as a database outage (503, the typed text kept) and is thrown away
    (``web/errors.py``). The embedded SQLite database is never tested."""
    if isinstance(connection, sqlite3.Connection):
        return
    idle_since = record.info.pop("idle_since", None)
    if idle_since is None:
        return  # connected for this request
    if time.monotonic() - idle_since < PING_AFTER_IDLE and not _has_spoken(connection):
        return
    try:
        _ping(connection)
    except Exception as error:  # whatever the driver raises for a dead connection
        raise DisconnectionError(str(error)) from error


def _has_spoken(connection: Any) -> bool:
    """Whether the server has sent something to this idle connection (its reason for ending
    it, say), or whether that cannot be known."""
    pgconn = getattr(connection, "pgconn", None)  # psycopg's libpq connection
    if pgconn is None or connection.closed:
        return True
    try:
        readable, _, _ = select.select([pgconn.socket], [], [], 0)
    except Exception:  # a socket already gone
        return True
    return bool(readable)


def _ping(connection: Any) -> None:
    """One round trip outside any transaction, as SQLAlchemy's own ping makes it."""
    autocommit = connection.autocommit
    connection.autocommit = True
    cursor = connection.cursor()
    try:
        cursor.execute(";")
    finally:
        cursor.close()
        if not connection.closed:
            connection.autocommit = autocommit


class likely(ColumnElement[bool]):
    """A condition that holds for most rows: on SQLite written as ``likely(condition)``, which
    tells its planner not to start a join from an index on it (it has no statistics to know);
    elsewhere the condition as it is."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a condition: not compared with 1 where booleans are numbers

    def __init__(self, condition: ColumnElement[bool]) -> None:
        self.condition = condition

    _traverse_internals = [("condition", InternalTraversal.dp_clauseelement)]


@compiles(likely)
def _likely(element: likely, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.condition, **kw)


@compiles(likely, "sqlite")
def _likely_on_sqlite(element: likely, compiler: SQLCompiler, **kw: Any) -> str:
    return f"likely({compiler.process(element.condition, **kw)})"
