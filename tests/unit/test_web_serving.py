"""The access log keeps no confirmation secrets; the app is warmed before the workers start."""

from __future__ import annotations

import runpy
import sys
import types
from pathlib import Path
from typing import Any, NoReturn

import pytest
from babel.support import Translations
from flask import Flask
from flask_babel import force_locale, get_translations
from sqlalchemy import event

from pyydaapua.database import db
from pyydaapua.rules import workdays
from pyydaapua.rules.codes import LANGUAGES
from pyydaapua.web import serving
from pyydaapua.web.serving import redact_path, warm_up
from tests.helpers.app import make_app

ROOT = Path(__file__).resolve().parents[2]


def test_the_confirmation_key_is_redacted() -> None:
    assert redact_path("/fi/request/sent/AbC-123_xyz4567890") == "/fi/request/sent/…"
    assert redact_path("/sv/request/sent/k/extra") == "/sv/request/sent/…/extra"


def test_other_paths_are_kept() -> None:
    for path in ("/fi/request", "/staff/requests/12", "/"):
        assert redact_path(path) == path


# Warming the app before gunicorn forks its workers.


def _fresh_app(tmp_path: Path) -> Flask:
    return make_app(f"sqlite:///{tmp_path / 'warm.sqlite3'}")


def test_warm_up_compiles_every_template_and_reads_the_catalogues(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _fresh_app(tmp_path)
    workdays._holidays_of.cache_clear()
    warm_up(app)

    def not_again(*args: object, **kwargs: object) -> NoReturn:
        raise AssertionError("read again after the warm-up")

    # Every template and catalogue comes from what the warm-up made; the calendar is built.
    monkeypatch.setattr(app.jinja_env.loader, "get_source", not_again)
    monkeypatch.setattr(Translations, "load", not_again)
    names = app.jinja_env.list_templates(extensions=("html", "txt"))
    assert len(names) > 50
    with app.test_request_context():
        for language in LANGUAGES:
            with force_locale(language):
                assert get_translations().gettext("Kiitos") is not None
                for name in names:
                    app.jinja_env.get_template(name)
    assert workdays._holidays_of.cache_info().currsize >= 3


def test_warm_up_opens_no_database_connection(tmp_path: Path) -> None:
    """It runs in gunicorn's master: a connection opened there would be shared by the workers."""
    app = _fresh_app(tmp_path)
    opened: list[object] = []
    with app.app_context():
        event.listen(db.engine, "connect", lambda *args: opened.append(args))
    warm_up(app)
    assert opened == []


def _gunicorn_conf() -> dict[str, Any]:
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


@pytest.mark.parametrize("preload", [True, False])
def test_gunicorn_warms_the_app_once_in_the_master_or_in_each_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, preload: bool
) -> None:
    """Preloaded (the production setting): in ``when_ready``, in the master, before any worker
    is forked; not preloaded: in each worker, after it let go of the master's connections."""
    app = _fresh_app(tmp_path)
    module = types.ModuleType("app")
    module.app = app  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "app", module)
    warmed: list[str] = []
    monkeypatch.setattr(serving, "warm_up", lambda warmed_app: warmed.append("warm"))
    conf = _gunicorn_conf()
    assert conf["preload_app"] is True
    server = types.SimpleNamespace(cfg=types.SimpleNamespace(preload_app=preload))
    conf["when_ready"](server)
    assert warmed == (["warm"] if preload else [])
    conf["post_fork"](server, types.SimpleNamespace(pid=1))
    assert warmed == ["warm"]
