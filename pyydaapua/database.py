"""The ground: the database handle ``db``, the models' base class, the embedded SQLite
database's settings and ``likely()``, a hint for its planner. It imports nothing of the
project."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Boolean, ColumnElement, Engine, MetaData, event
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase
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
