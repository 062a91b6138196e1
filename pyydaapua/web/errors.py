"""Error pages in the page's language and the site's layout.

A public package registers its own handlers on its blueprint where a refusal is not an error
page: the request form (intake) and the status page (status_page) come back with everything the
parent typed. Flask picks a blueprint's handler before these.

When the database cannot be reached, every request gets a 503 with ``Retry-After`` that is
rendered without the database, and a posted form's values come back in a form that sends
them again to the same address, so that nothing anyone typed is lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask, Response, current_app, g, make_response, render_template, request
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError

from pyydaapua.database import db
from pyydaapua.rules import typed_dates
from pyydaapua.web import areas, htmx
from pyydaapua.web.extensions import login_manager

# The database is down, restarting, unreachable or out of connections: worth a retry.
# SQLAlchemy raises the driver's errors wrapped in its own (psycopg's OperationalError as
# sqlalchemy.exc.OperationalError), so psycopg (some 10 MB) is loaded only with PostgreSQL.
DATABASE_UNAVAILABLE = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
)
RETRY_AFTER_SECONDS = 10
# Where htmx shows the notice, leaving the page (and the form being typed in) as it is.
NOTICE_TARGET = "#service-notice"


def render_error(error: HTTPException) -> tuple[str, int]:
    """The error page (or, for htmx, only its message) for ``error``'s status code."""
    code = error.code or 500
    template = "errors/_message.html" if htmx.is_htmx() else "errors/error.html"
    # A staff address keeps the staff pages' frame: their menu and their help (WCAG 3.2.6).
    layout = "staff/base.html" if areas.is_staff_page() else "base.html"
    return render_template(template, code=code, layout=layout), code


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


# Choices, numbers, dates and times (and a day and time as typed: typed_dates): carried, but
# not worth showing.
_CODE_LIKE = re.compile(r"^([a-z0-9_.:+\-]*|\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?)$")


def visible_values(fields: list[tuple[str, str]]) -> list[str]:
    """The text someone wrote, shown so that it can be copied: not tokens, keys or codes."""
    hidden = ("csrf_token", "submission_key", "version", "next")
    return [
        value
        for name, value in fields
        if not name.endswith(hidden)
        and not _CODE_LIKE.match(value.strip())
        and typed_dates.parse_day_and_time(value) is None
    ]


def database_unavailable(error: Exception, render: Callable[[], str] | None = None) -> Response:
    """The 503 answer when the database cannot be reached: logged, the session rolled back,
    ``Retry-After`` set, rendered without the database. ``render`` gives a package's own page
    (a form given back filled in); else a posted form's values come back in a form that sends
    them again, and htmx shows only the message."""
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
    if render is not None:
        body = render()
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
        app.register_error_handler(error_class, database_unavailable)
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(Exception, _unexpected_error)
