"""Error pages in the page's language and the site's layout.

A refused submission of the request form (expired session or CSRF token, too many
requests, the database unavailable, a body that is not a form's) is not an error page: the
form comes back with everything the parent typed.

When the database cannot be reached, every request gets a 503 with ``Retry-After`` that is
rendered without the database, and a posted form's values come back in a form that sends
them again to the same address, so that nothing anyone typed is lost.
"""

from __future__ import annotations

import re

import psycopg
from flask import Flask, Response, current_app, g, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError

from pyydaapua.database import db
from pyydaapua.web import htmx
from pyydaapua.web.extensions import login_manager

# The database is down, restarting, unreachable or out of connections: worth a retry.
DATABASE_UNAVAILABLE = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)
RETRY_AFTER_SECONDS = 10
# Where htmx shows the notice, leaving the page (and the form being typed in) as it is.
NOTICE_TARGET = "#service-notice"

# A refusal of the request form that gives the form back filled in, and the notice it shows.
_REFUSED_FORM_NOTICES = {415: "content_type", 429: "rate_limit"}


# The status page's forms that keep what was typed when refused.
STATUS_FORMS = frozenset({"status_page.status", "status_page.status_message"})


def _is_form_submission() -> bool:
    return request.endpoint == "intake.request_form" and request.method == "POST"


def render_error(error: HTTPException) -> tuple[str, int]:
    """The error page (or, for htmx, only its message) for ``error``'s status code."""
    code = error.code or 500
    template = "errors/_message.html" if htmx.is_htmx() else "errors/error.html"
    return render_template(template, code=code), code


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    if _is_form_submission():
        from pyydaapua.intake.views import refused_form

        return refused_form("csrf", 400)
    if request.endpoint in STATUS_FORMS and request.method == "POST":
        # The status page's session has gone with the token: the form for the reference and
        # code, with any message kept.
        from pyydaapua.status_page.views import refused_status_form

        return refused_status_form(
            "ended_with_message" if request.form.get("message") else "ended", 400
        )
    return render_error(error)


def _http_error(error: HTTPException) -> tuple[str, int]:
    if error.code == 429 and request.endpoint == "status_page.status" and request.method == "POST":
        from pyydaapua.status_page.views import refused_status_form

        return refused_status_form("rate_limit", 429)
    if error.code in _REFUSED_FORM_NOTICES and _is_form_submission():
        from pyydaapua.intake.views import refused_form

        return refused_form(_REFUSED_FORM_NOTICES[error.code], error.code)
    return render_error(error)


def _unexpected_error(error: Exception) -> tuple[str, int]:
    current_app.logger.exception("unhandled error")
    db.session.rollback()
    return render_error(InternalServerError())


def _describe(error: BaseException) -> str:
    """The error's kind and the driver's message, never the statement or its parameters."""
    original = getattr(error, "orig", None) or error
    message = str(original).splitlines()[0] if str(original) else ""
    return f"{type(error).__name__} ({type(original).__name__}: {message})"[:300]


def posted_fields() -> list[tuple[str, str]]:
    """What was posted, to be sent again; passwords are never written into a page."""
    return [
        (name, value)
        for name, value in request.form.items(multi=True)
        if "password" not in name.lower()
    ]


# Choices, numbers, dates and times: carried, but not worth showing.
_CODE_LIKE = re.compile(r"^([a-z0-9_.:+\-]*|\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?)$")


def visible_values(fields: list[tuple[str, str]]) -> list[str]:
    """The text someone wrote, shown so that it can be copied: not tokens, keys or codes."""
    hidden = ("csrf_token", "submission_key", "version", "next")
    return [
        value
        for name, value in fields
        if not name.endswith(hidden) and not _CODE_LIKE.match(value.strip())
    ]


def _database_unavailable(error: Exception) -> Response:
    current_app.logger.warning(
        "database unavailable, answered 503: %s %s: %s",
        request.method,
        request.endpoint or "-",
        _describe(error),
    )
    try:
        db.session.rollback()
    except sa_exc.SQLAlchemyError:
        current_app.logger.warning("rollback after a lost database connection failed too")
    g.database_unavailable = True
    # Rendering must not reach for the database again (Flask-Login loads the user lazily).
    g._login_user = login_manager.anonymous_user()
    headers: dict[str, str] = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if _is_form_submission():
        from pyydaapua.intake.views import refused_form

        body, _status = refused_form("unavailable", 503)
    elif htmx.is_htmx():
        body = render_template("errors/_unavailable.html", posted=request.method == "POST")
        headers.update({"HX-Retarget": NOTICE_TARGET, "HX-Reswap": "innerHTML"})
    else:
        fields = posted_fields() if request.method == "POST" else []
        body = render_template(
            "errors/unavailable.html",
            posted=request.method == "POST",
            fields=fields,
            values=visible_values(fields),
        )
    response = make_response(body, 503)
    response.headers.update(headers)
    return response


def _remove_session(_error: BaseException | None) -> None:
    """End the request's database session; a connection that died after the answer was made
    (its closing ROLLBACK fails) must not turn a finished answer into a 500."""
    try:
        db.session.remove()
    except DATABASE_UNAVAILABLE as error:
        current_app.logger.warning(
            "database connection lost while closing the session: %s", type(error).__name__
        )
        # Close the session's connections for good (not back to the pool, never left open
        # for the garbage collector) and drop the session.
        db.session().invalidate()
        db.session.registry.clear()


def init_app(app: Flask) -> None:
    # Runs before Flask-SQLAlchemy's own teardown (teardowns run last registered first),
    # which then finds no session left to close.
    app.teardown_appcontext(_remove_session)
    for error_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(error_class, _database_unavailable)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
