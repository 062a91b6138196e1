"""Flask extensions, created once and bound to the app in create_app (the database handle is
the ground's, ``pyydaapua.database``)."""

from __future__ import annotations

from typing import Any

import click
from flask import Flask, g
from flask.cli import with_appcontext
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from pyydaapua.database import db

csrf = CSRFProtect()
babel = Babel()
# When the shared storage (Redis) cannot be reached, limits are counted in this process
# instead (logged once, checked again at growing intervals until it answers), and a storage
# error while counting never fails the request it was counting.
limiter = Limiter(key_func=get_remote_address, in_memory_fallback_enabled=True, swallow_errors=True)
login_manager = LoginManager()


class LazyMigrations:
    """Flask-Migrate, set up on first use (the ``db`` commands, the tests' upgrade): the web
    workers never migrate, and Alembic with what it imports (Mako, Pygments) would take
    about 10 MB in each of them."""

    def __init__(self, app: Flask, directory: str) -> None:
        self._app = app
        self._directory = directory

    def __getattr__(self, name: str) -> Any:
        from flask_migrate import Migrate

        Migrate(self._app, db, directory=self._directory, render_as_batch=True)
        return getattr(self._app.extensions["migrate"], name)


class LazyMigrationCommands(click.Group):
    """``flask db …``: Flask-Migrate's commands, imported when one is run."""

    def __init__(self) -> None:
        super().__init__(
            name="db",
            help="Database migrations: upgrade, current, history, …",
            params=[
                click.Option(["-d", "--directory"], default=None, help="Migration directory"),
                click.Option(["-x", "--x-arg"], multiple=True, help="Arguments for env.py"),
            ],
            callback=with_appcontext(self._options),
        )

    @staticmethod
    def _options(directory: str | None, x_arg: tuple[str, ...]) -> None:
        # What Flask-Migrate's own group does: its commands read them from g.
        g.directory = directory
        g.x_arg = x_arg

    def _commands(self) -> click.Group:
        from flask_migrate.cli import db as commands  # type: ignore[import-not-found]

        return commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._commands().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._commands().get_command(ctx, cmd_name)
