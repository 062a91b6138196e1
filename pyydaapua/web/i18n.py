"""Language choice and the template helpers that depend on it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.support import NullTranslations
from flask import Flask, g, request, session, url_for
from flask_babel import (
    format_date,
    format_decimal,
    format_timedelta,
    get_locale,
    get_translations,
)
from flask_login import current_user

from pyydaapua.rules.codes import LANGUAGES
from pyydaapua.rules.references import format_reference
from pyydaapua.rules.workdays import HELSINKI
from pyydaapua.web import areas
from pyydaapua.web.labels import template_labels


def select_locale() -> str:
    """The page's language prefix; on staff pages the user's own language (remembered in the
    session for pages answered while the database is unavailable), or ``?lang=`` before
    sign-in; else the visitor's Accept-Language; else Finnish."""
    lang = g.get("lang")
    if lang in LANGUAGES:
        return lang
    if areas.is_staff_page():
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
        prefixed = request.url_rule is not None and "lang" in request.url_rule.arguments
        if endpoint and prefixed and request.method == "GET":
            url = url_for(endpoint, **{**(request.view_args or {}), "lang": code})
        elif endpoint == "intake.request_form":
            url = url_for(endpoint, lang=code)
        elif request.blueprint == "status_page":
            url = url_for("status_page.status", lang=code)
        else:
            url = url_for(areas.LANDING_ENDPOINT, lang=code)
        links.append(
            {"code": code, "name": Locale.parse(code).get_display_name(code) or code, "url": url}
        )
    return links


def page_locale() -> Locale:
    """The page's language as Flask-Babel chose it (or as ``force_locale`` set it), read
    from its request context without Flask-Babel's own look-ups around it."""
    context = g.get("_flask_babel")
    locale = getattr(context, "babel_locale", None)
    return locale if locale is not None else get_locale()


def page_language() -> str:
    """ "fi" or "sv": the page's language code."""
    return str(page_locale().language)


# The catalogue of each language, looked up once per language and process. The templates'
# ``_()`` and ``ngettext()`` read it directly: Flask-Babel's own callables look up the
# request context, the domain and the locale's name again at every call (hundreds per page).
_CATALOGUES: dict[str, NullTranslations] = {}


def page_translations() -> NullTranslations:
    """The catalogue of the page's language."""
    language = page_language()
    found = _CATALOGUES.get(language)
    if found is None:
        found = _CATALOGUES[language] = get_translations()
    return found


def _template_gettext(text: str) -> str:
    return page_translations().ugettext(text)


def _template_ngettext(singular: str, plural: str, count: int) -> str:
    return page_translations().ungettext(singular, plural, count)


def date_long(day: date) -> str:
    """A date with its weekday, in the viewer's language: "torstai 26. marraskuuta 2026" /
    "torsdag 26 november 2026" (the names from Babel)."""
    return format_date(day, format="full")


def date_due(day: date) -> str:
    """A date as it follows "at the latest": "keskiviikkona 9. joulukuuta 2026" (the weekday
    in the essive, "viimeistään keskiviikkona": Babel's Finnish weekday in a date) / "onsdagen
    den 9 december 2026" ("senast onsdagen den 9 december": every Swedish weekday takes "-en")."""
    if get_locale().language == "sv":
        return format_date(day, format="EEEE'en den' d MMMM yyyy")
    return format_date(day, format="EEEE d. MMMM yyyy")


# Dates and times as they are written in Finland, in Finnish and in Finland-Swedish:
# "17.11.2026 klo 12.12" / "17.11.2026 kl. 12.12". Babel's Finnish short form has no "klo",
# and its "sv" and "sv_FI" forms are Sweden's ("2026-11-17 12:12", "17 nov. 2026"), so the
# numeric patterns are set here; weekday and month names still come from Babel.
DATE_PATTERN = "d.M.yyyy"
TIME_PATTERNS = {"short": "H.mm", "medium": "H.mm.ss", "long": "H.mm", "full": "H.mm"}
CLOCK_WORDS = {"fi": "klo", "sv": "kl."}

_NamedForm = Literal["full", "long", "medium", "short"]
_NAMED_FORMS: dict[str, _NamedForm] = {
    "full": "full",
    "long": "long",
    "medium": "medium",
    "short": "short",
}


def _clock_word(locale: str) -> str | None:
    return CLOCK_WORDS.get(Locale.parse(locale).language)


@lru_cache(maxsize=64)
def _datetime_pattern(locale: str, form: str) -> babel_dates.DateTimePattern:
    """The whole pattern of a named date-and-time format ("short" …) or a pattern of one's own,
    parsed once. In Finnish and Swedish: the numeric date ("short", "medium") or Babel's date
    with names ("long", "full"), the clock word and the time with a dot."""
    if form not in _NAMED_FORMS:
        return babel_dates.parse_pattern(form)
    named = _NAMED_FORMS[form]
    parsed = Locale.parse(locale)
    clock = _clock_word(locale)
    if clock is not None:
        if named in ("short", "medium"):
            date_part = DATE_PATTERN
        else:
            date_part = babel_dates.get_date_format(named, locale=parsed).pattern
        return babel_dates.parse_pattern(f"{date_part} '{clock}' {TIME_PATTERNS[named]}")
    glue = str(babel_dates.get_datetime_format(named, locale=parsed))
    time_part = babel_dates.get_time_format(named, locale=parsed).pattern
    date_part = babel_dates.get_date_format(named, locale=parsed).pattern
    return babel_dates.parse_pattern(glue.replace("{0}", time_part).replace("{1}", date_part))


@lru_cache(maxsize=32)
def moment_formatter(locale: str, form: str = "medium") -> Callable[[datetime], str]:
    """A function that writes a moment in Helsinki time in ``locale``'s way (``form`` as in
    ``datetime_text``): the pattern parsed and the locale read once per language and process,
    for pages that show many moments (inbox rows, the timeline)."""
    clock = _clock_word(locale)
    if clock is not None and form in ("short", "medium"):
        return _numeric_moment_writer(clock, seconds=form == "medium")
    pattern = _datetime_pattern(locale, form)
    parsed = Locale.parse(locale)

    def write(moment: datetime) -> str:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return pattern.apply(moment.astimezone(HELSINKI), parsed)

    return write


def _numeric_moment_writer(clock: str, *, seconds: bool) -> Callable[[datetime], str]:
    """``DATE_PATTERN``, the clock word and ``TIME_PATTERNS``' "short" (or "medium", with the
    seconds) written with Python's own formatting: the numeric forms hold no names, and Babel's
    pattern took 5 µs against 1.6 µs for each of the 50 to 60 moments of an inbox or a
    timeline. The tests compare the two for both languages."""

    def write(moment: datetime) -> str:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        local = moment.astimezone(HELSINKI)
        text = f"{local.day}.{local.month}.{local.year:04d} {clock} {local.hour}.{local.minute:02d}"
        return f"{text}.{local.second:02d}" if seconds else text

    return write


def datetime_text(moment: datetime, form: str = "medium") -> str:
    """A moment in Helsinki time, in the page's language: "17.11.2026 klo 12.12" /
    "17.11.2026 kl. 12.12" ("short"; "medium" adds the seconds)."""
    return moment_formatter(page_language(), form)(moment)


def relative_time(delta: timedelta) -> str:
    """ "3 days ago" / "för 3 dagar sedan"."""
    return format_timedelta(delta, add_direction=True)


def date_short(day: date) -> str:
    """A date in short form, as written in Finland in both languages: "26.11.2026"."""
    return _date_numeric(day, page_language())


def day_formatter(locale: str) -> Callable[[date], str]:
    """``date_short`` for ``locale``, for pages that show many dates."""
    return lambda day: _date_numeric(day, locale)


@lru_cache(maxsize=1024)
def _date_numeric(day: date, locale: str) -> str:
    """Dates repeat on a page (due dates); each is formatted once per language."""
    if _clock_word(locale) is None:
        return babel_dates.format_date(day, format="medium", locale=locale)
    return babel_dates.format_date(day, format=DATE_PATTERN, locale=locale)


def number(value: float) -> str:
    """A number in the page's language; whole numbers (counts on every row) formatted once."""
    if isinstance(value, int):
        return _whole_number(value, page_language())
    return format_decimal(value)


@lru_cache(maxsize=1024)
def _whole_number(value: int, locale: str) -> str:
    return babel_numbers.format_decimal(value, locale=locale)


def machine_time(value: date | datetime) -> str:
    """A date or a moment as a <time datetime> attribute wants it: to the second at most."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def init_app(app: Flask) -> None:
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_template_gettext, ngettext=_template_ngettext, newstyle=True
    )
    app.add_template_filter(date_long, "date_long")
    app.add_template_filter(date_due, "date_due")
    app.add_template_filter(date_short, "date_short")
    app.context_processor(template_labels)
    app.add_template_filter(number, "number")
    app.add_template_filter(format_reference, "reference")
    app.add_template_filter(datetime_text, "datetime")
    app.add_template_filter(relative_time, "timedelta")
    app.add_template_filter(machine_time, "iso")

    @app.context_processor
    def _language_context() -> dict[str, Any]:
        return {"lang": str(get_locale()), "other_language_links": other_language_links}
