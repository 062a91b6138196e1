"""A database that goes away: connections refused or lost at a chosen statement."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session


class Outage:
    """Make the database fail: ``commits_writing(Model)`` loses the connection on a commit
    that would store a new ``Model``, flushed before or not (a restart at that very moment);
    ``everything()`` makes every statement fail (the server is unreachable); ``over()`` ends
    both."""

    def __init__(self) -> None:
        self.models: tuple[type, ...] = ()
        self.all_statements = False

    def commits_writing(self, *models: type) -> None:
        self.models = models

    def everything(self) -> None:
        self.all_statements = True

    def over(self) -> None:
        self.models, self.all_statements = (), False

    def after_flush(self, session: Session, _context: object) -> None:
        # A new row flushed before the commit (to have its id) is still the commit's to store.
        if self.models and any(isinstance(item, self.models) for item in session.new):
            session.info["outage_flushed_new"] = True

    def after_soft_rollback(self, session: Session, _previous: object) -> None:
        session.info.pop("outage_flushed_new", None)

    def before_commit(self, session: Session) -> None:
        flushed = session.info.pop("outage_flushed_new", False)
        if self.models and (flushed or any(isinstance(item, self.models) for item in session.new)):
            raise lost_connection()

    def before_cursor_execute(self, *_args: object) -> None:
        if self.all_statements:
            raise lost_connection("SELECT")

    @contextmanager
    def listening(self, engine: Engine) -> Iterator[Outage]:
        """Listen to every session and to ``engine`` for the length of the block."""
        hooks = [
            (Session, "before_commit", self.before_commit),
            (Session, "after_flush", self.after_flush),
            (Session, "after_soft_rollback", self.after_soft_rollback),
            (engine, "before_cursor_execute", self.before_cursor_execute),
        ]
        for target, name, hook in hooks:
            event.listen(target, name, hook)
        try:
            yield self
        finally:
            self.over()
            for target, name, hook in hooks:
                event.remove(target, name, hook)


def lost_connection(statement: str = "COMMIT") -> OperationalError:
    return OperationalError(
        statement, {}, psycopg.OperationalError("server closed the connection unexpectedly")
    )
