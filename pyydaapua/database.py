"""The ground: the database handle ``db``, the models' base class, ``execute_core()`` for
Core statements in the session's transaction, the embedded SQLite database's settings, the
check of a pooled server connection before use, ``planned_once()`` for the statements that
PostgreSQL may plan once for all their values, and ``likely()``, a hint for the planner. It
imports nothing of the project."""

from __future__ import annotations

import select
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import (
    BindParameter,
    Boolean,
    ColumnElement,
    CursorResult,
    Engine,
    Executable,
    MetaData,
    bindparam,
    event,
)
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.engine.interfaces import DBAPICursor, ExecutionContext
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


Marked = TypeVar("Marked", bound=Executable)

# The execution option of a statement that PostgreSQL may plan once for all its values.
PLANNED_ONCE = "planned_once"


def planned_once(statement: Marked) -> Marked:
    """``statement``, marked as one that PostgreSQL may plan once for all its values: each of
    its conditions compares a key (an id, a token, a submission key) with one value, or a
    column with a value written into the statement, so that the same plan serves every value.

    On PostgreSQL only such a statement is prepared on the server (psycopg's ``prepare``):
    it is parsed once per connection, and after five runs PostgreSQL keeps one plan for it
    when that plan is estimated no dearer than planning it anew (``plan_cache_mode = auto``).
    Inserts are prepared too. Every other statement is sent unprepared and planned for its
    own values at each run (a statement without values, and an insert of several rows in
    one call, are left to psycopg, which prepares them after five runs: their plan does not
    depend on values). A plan kept for any values made the inbox's look-up of other requests
    from the same phone numbers take 2–6 s a page instead of 1 ms. Planned once, the request
    page's timeline takes the server and the driver 0.5 ms instead of 1.6 ms (docs/quality.md)."""
    return statement.execution_options(**{PLANNED_ONCE: True})


def written_in(name: str, values: Iterable[str]) -> BindParameter[Any]:
    """Fixed ``values`` for ``column.in_()``, written into the statement as text rather than
    sent as parameters: a plan kept for all of a statement's values knows them."""
    return bindparam(name, list(values), expanding=True, literal_execute=True)


def prepared_on_server(context: ExecutionContext) -> bool:
    """Whether a statement is prepared on the server (PostgreSQL): when it is marked
    ``planned_once()`` or is an insert (of values, or of the audit log's arrays: nothing in
    its plan depends on them)."""
    return context.isinsert or bool(context.execution_options.get(PLANNED_ONCE))


@event.listens_for(PGDialect_psycopg, "do_execute")
def _prepare_only_planned_once(
    cursor: DBAPICursor, statement: str, parameters: Any, context: ExecutionContext
) -> bool:
    """Each statement through psycopg prepared on the server as ``prepared_on_server()``
    says, and otherwise never: psycopg would prepare any statement after its fifth run."""
    prepare = prepared_on_server(context)
    cursor.execute(statement, parameters, prepare=prepare)  # type: ignore[call-arg]
    return True


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
