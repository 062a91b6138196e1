"""The two areas of the site: the public pages under a language prefix (/fi/…, /sv/…), each
package's blueprint made language-prefixed here, and the staff pages under /staff/."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, g, redirect, request, url_for
from werkzeug.wrappers import Response

from pyydaapua.rules.codes import LANGUAGES

STAFF_PREFIX = "/staff"
# Where the site's root leads, in the visitor's language.
LANDING_ENDPOINT = "intake.landing"


def is_staff_page() -> bool:
    """Whether this request is for a staff page (signed-in staff, or their sign-in)."""
    return request.path.startswith(STAFF_PREFIX + "/")


def language_prefixed(bp: Blueprint) -> None:
    """Make a public blueprint (``url_prefix="/<lang>"``) take its language from the address:
    an unknown language is a 404, and links within the page keep the page's language."""

    @bp.url_value_preprocessor
    def _pull_language(endpoint: str | None, values: dict[str, Any] | None) -> None:
        lang = (values or {}).pop("lang", None)
        if lang not in LANGUAGES:
            abort(404)
        g.lang = lang

    @bp.url_defaults
    def _add_language(endpoint: str, values: dict[str, Any]) -> None:
        values.setdefault("lang", g.get("lang", LANGUAGES[0]))


def index() -> Response:
    """Send the visitor to the landing page in their preferred language (Finnish by default)."""
    lang = request.accept_languages.best_match(LANGUAGES) or LANGUAGES[0]
    return redirect(url_for(LANDING_ENDPOINT, lang=lang), code=302)


def init_app(app: Flask) -> None:
    app.add_url_rule("/", "index", index, methods=["GET"])
