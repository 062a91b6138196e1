"""Language choice and the template helpers that depend on it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from babel import Locale
from flask import Flask, g, request, session, url_for
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_timedelta,
    get_locale,
)
from flask_login import current_user

from pyydaapua.models import LANGUAGES
from pyydaapua.rules.references import format_reference
from pyydaapua.web.labels import template_labels


def select_locale() -> str:
    """The page's language prefix; on staff pages the user's own language (remembered in the
    session for pages answered while the database is unavailable), or ``?lang=`` before
    sign-in; else the visitor's Accept-Language; else Finnish."""
    lang = g.get("lang")
    if lang in LANGUAGES:
        return lang
    if request.blueprint == "staff" or request.path.startswith("/staff/"):
        if g.get("database_unavailable"):
            # The user cannot be loaded: the language remembered from their last page.
            if session.get("staff_language") in LANGUAGES:
                return session["staff_language"]
        elif current_user.is_authenticated:
            if session.get("staff_language") != current_user.language:
                session["staff_language"] = current_user.language
            return current_user.language
        if request.args.get("lang") in LANGUAGES:
            return request.args["lang"]
    first = request.path.lstrip("/").split("/", 1)[0]
    if first in LANGUAGES:
        return first
    return request.accept_languages.best_match(LANGUAGES) or LANGUAGES[0]


def other_language_links() -> list[dict[str, str]]:
    """Links to this page in the other languages (to their landing page where unknown)."""
    current = str(get_locale())
    links = []
    for code in LANGUAGES:
        if code == current:
            continue
        endpoint = request.endpoint
        if endpoint and endpoint.startswith("public.") and request.method == "GET":
            url = url_for(endpoint, **{**(request.view_args or {}), "lang": code})
        elif endpoint == "public.request_form":
            url = url_for(endpoint, lang=code)
        else:
            url = url_for("public.landing", lang=code)
        links.append(
            {"code": code, "name": Locale.parse(code).get_display_name(code) or code, "url": url}
        )
    return links


def date_long(day: date) -> str:
    """A date with its weekday, in the viewer's language: "torstai 26. marraskuuta 2026"."""
    return format_date(day, format="full")


def relative_time(delta: timedelta) -> str:
    """ "3 days ago" / "för 3 dagar sedan"."""
    return format_timedelta(delta, add_direction=True)


def date_short(day: date) -> str:
    """A date in short form: "26.11.2026" / "26 nov. 2026"."""
    return format_date(day, format="medium")


def init_app(app: Flask) -> None:
    app.add_template_filter(date_long, "date_long")
    app.add_template_filter(date_short, "date_short")
    app.context_processor(template_labels)
    app.add_template_filter(format_decimal, "number")
    app.add_template_filter(format_reference, "reference")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(relative_time, "timedelta")

    @app.context_processor
    def _language_context() -> dict[str, Any]:
        return {"lang": str(get_locale()), "other_language_links": other_language_links}
