"""Apps on the test database: making one, emptying its tables afterwards, counting the SQL a
call sends, and reading a command's error."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import text

from pyydaapua import create_app
from pyydaapua.database import db


def make_app(database_url: str, **overrides: Any) -> Flask:
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False,
        "SECRET_KEY": "test-secret",
    }
    config.update(overrides)
    return create_app(config)


# Overrides that make a valid production configuration on the test database: a long
# secret, and the embedded SQLite and in-process limits allowed deliberately.
PRODUCTION: dict[str, Any] = {
    "APP_ENV": "production",
    "SECRET_KEY": "a-production-strength-secret-for-the-tests-0123456789",
    "ALLOW_SQLITE_IN_PRODUCTION": True,
    "ALLOW_MEMORY_RATE_LIMITS": True,
}


def empty_tables(app: Flask) -> None:
    """Remove every row a test left, and on SQLite the planner's statistics that the demo
    data's ANALYZE keeps (they would choose the next test's query plans)."""
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        if db.engine.dialect.name == "sqlite":
            stats = "SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'"
            if db.session.execute(text(stats)).first():
                db.session.execute(text("DROP TABLE sqlite_stat1"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def assert_cli_error(result: Any, exit_code: int, message: str) -> None:
    """A command that stopped with click's own error and nothing else: the exit code (2 for
    a usage error, 1 for the command's refusal), the message, and no other exception."""
    assert type(result.exception) is SystemExit, repr(result.exception)
    assert result.exit_code == exit_code, result.output
    assert f"Error: {message}" in result.output, result.output


def count_queries(app: Flask, call: Any) -> tuple[Any, list[str]]:
    """Run ``call()`` and return its result and the SQL statements it sent."""
    from sqlalchemy import event

    queries: list[str] = []

    def count(*args: object) -> None:
        queries.append(str(args[2]))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        return call(), queries
    finally:
        event.remove(engine, "before_cursor_execute", count)
