"""Serving under gunicorn: an app warmed before the workers start, and an access log that
keeps no family data or secrets.

The log line has the method, the path and the status, never the query string (searches,
sign-in targets), the Referer or the User-Agent; the secret key in a confirmation address
(``/fi/request/sent/<key>``) is replaced by ``…``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from babel import Locale
from flask import Flask
from flask_babel import force_locale, get_translations
from gunicorn.glogging import Logger

from pyydaapua.rules import workdays
from pyydaapua.rules.codes import LANGUAGES

ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s'

_CONFIRMATION_KEY = re.compile(r"(/request/sent/)[^/]+")


def redact_path(path: str) -> str:
    """``path`` without the secret a confirmation address carries."""
    return _CONFIRMATION_KEY.sub(r"\1…", path)


class AccessLogger(Logger):
    """gunicorn's logger with the path redacted and no atoms that carry the query."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redact_path(atoms.get("U") or "")
        for name in ("r", "q", "f", "a"):
            atoms[name] = "-"
        return atoms


def warm_up(app: Flask) -> None:
    """Do once, before gunicorn forks its workers, what every worker would otherwise do on its
    first pages: compile the templates (once per language), read the translation catalogues
    and the languages' locale data, and work out the holidays of the years around today. A
    worker then answers its first inbox as fast as its hundredth, also one started anew after
    ``max_requests``.

    Opens no database or Redis connection: the workers must not share the master's."""
    env = app.jinja_env
    names = env.list_templates(extensions=("html", "txt"))
    with app.test_request_context():
        for language in LANGUAGES:
            with force_locale(language):
                get_translations()
                for name in names:  # compiled per language (web/translated_templates.py)
                    env.get_template(name)
            Locale.parse(language).date_formats  # noqa: B018 - loads the locale's data
    this_year = date.today().year
    for year in (this_year - 1, this_year, this_year + 1):
        workdays.is_holiday(date(year, 1, 1))
