"""The deployment's contact details on the public pages: the family centre, the emergency
numbers, the quick exit, and the facts of the privacy notice and accessibility statement.

They come from the settings (``pyydaapua/web/config.py``); only names, numbers and addresses are
per deployment, every sentence around them is in the catalogues, and weekdays, times and dates
are formatted by Babel.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from babel import dates as babel_dates
from flask import current_app, g
from flask.sansio.app import App
from flask_babel import get_locale, gettext

from pyydaapua.rules.opening_hours import OpeningHours
from pyydaapua.rules.phones import readable_phone, tel_uri
from pyydaapua.web.config import PUBLIC_DEMO_SETTINGS, demo_settings_in_use

# Finnish and Finland-Swedish write times and dates alike ("klo 9.00", "kl. 9.00",
# "30.11.2026"); Babel's Swedish patterns are Sweden's, so the patterns are given here.
TIME_PATTERN = "H.mm"
DATE_PATTERN = "d.M.y"


def opening_hours_text(hours: OpeningHours, locale: str) -> str:
    """ "maanantai–perjantai klo 9.00–15.00" / "måndag–fredag kl. 9.00–15.00"."""
    names = babel_dates.get_day_names("wide", context="stand-alone", locale=locale)
    days = str(names[hours.first_day])
    if hours.last_day != hours.first_day:
        days = f"{days}–{names[hours.last_day]}"
    return gettext(
        "%(days)s %(opens)s–%(closes)s",
        days=days,
        opens=babel_dates.format_time(hours.opens, TIME_PATTERN, locale=locale),
        closes=babel_dates.format_time(hours.closes, TIME_PATTERN, locale=locale),
    )


def statement_date(day: date) -> str:
    """A date in a notice: "30.11.2026"."""
    return babel_dates.format_date(day, DATE_PATTERN, locale=str(get_locale()))


# The settings the public information is made of: it is kept per language and their values.
_SETTINGS = (*PUBLIC_DEMO_SETTINGS, "QUICK_EXIT_URL")
_EXTENSION = "intake.public_info"
_KEPT_MAX = 16


def public_info() -> dict[str, Any]:
    """What the public pages' templates show of the deployment, in the page's language. Made
    once per language and settings and kept (every public page shows the footer's numbers,
    whose links and opening hours were parsed and formatted on every page): it holds the
    deployment's settings only."""
    if "public_info" not in g:
        config = current_app.config
        key = repr((str(get_locale()), *(config[name] for name in _SETTINGS)))
        kept: dict[str, dict[str, Any]] = current_app.extensions.setdefault(_EXTENSION, {})
        if key not in kept:
            if len(kept) >= _KEPT_MAX:
                kept.clear()
            kept[key] = _public_info()
        g.public_info = kept[key]
    info: dict[str, Any] = g.public_info
    return info


def _number(phone: str, **more: str) -> dict[str, str]:
    """A number as written in the settings, with its ``tel:`` link."""
    return {**more, "phone": phone, "tel": tel_uri(phone) if phone else ""}


def _public_info() -> dict[str, Any]:
    config = current_app.config
    lang = str(get_locale())

    def in_language(name: str) -> str:
        values: dict[str, str] = config[name]
        return values.get(lang) or values["fi"]

    return {
        "family_centre": {
            **_number(config["FAMILY_CENTRE_PHONE"]),
            "hours": [opening_hours_text(part, lang) for part in config["FAMILY_CENTRE_HOURS"]],
        },
        "emergency_numbers": [
            _number("112", name=gettext("Emergency number")),
            _number(config["SOCIAL_EMERGENCY_PHONE"], name=in_language("SOCIAL_EMERGENCY_NAME")),
            _number(in_language("CRISIS_LINE_PHONE"), name=in_language("CRISIS_LINE_NAME")),
        ],
        "quick_exit_url": config["QUICK_EXIT_URL"],
        "controller": {
            "name": in_language("CONTROLLER_NAME"),
            "address": in_language("CONTROLLER_ADDRESS"),
        },
        "dpo": _number(config["DPO_PHONE"], email=config["DPO_EMAIL"]),
        "accessibility": {
            "feedback_email": config["ACCESSIBILITY_FEEDBACK_EMAIL"],
            "prepared": config["ACCESSIBILITY_STATEMENT_PREPARED"],
            "reviewed": config["ACCESSIBILITY_STATEMENT_REVIEWED"],
        },
    }


def family_centre_phone() -> dict[str, str]:
    """The family centre's phone number as shown, and as a ``tel:`` link target."""
    shown = str(current_app.config["FAMILY_CENTRE_PHONE"])
    return {"shown": shown, "href": tel_uri(shown)}


def init_app(app: App) -> None:
    app.context_processor(lambda: {"public_info": public_info})
    app.add_template_filter(readable_phone, "readable_phone")
    app.add_template_filter(tel_uri, "tel")
    app.add_template_filter(statement_date, "statement_date")
    if app.config["APP_ENV"] == "production":
        demo = demo_settings_in_use()
        if demo:
            app.logger.warning(
                "The public pages show demo values; set %s (docs/operations.md, Configuration).",
                ", ".join(demo),
            )
