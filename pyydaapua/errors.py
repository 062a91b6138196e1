"""Error pages in the page's language and the site's layout.

A refused submission of the request form (expired session or CSRF token, too many
requests, a body that is not a form's) is not an error page: the form comes back with
everything the parent typed.
"""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from . import htmx
from .extensions import db

# A refusal of the request form that gives the form back filled in, and the notice it shows.
_REFUSED_FORM_NOTICES = {415: "content_type", 429: "rate_limit"}


def _is_form_submission() -> bool:
    return request.endpoint == "public.request_form" and request.method == "POST"


def render_error(error: HTTPException) -> tuple[str, int]:
    """The error page (or, for htmx, only its message) for ``error``'s status code."""
    code = error.code or 500
    template = "errors/_message.html" if htmx.is_htmx() else "errors/error.html"
    return render_template(template, code=code), code


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    if _is_form_submission():
        from .public.views import refused_form

        return refused_form("csrf", 400)
    return render_error(error)


def _http_error(error: HTTPException) -> tuple[str, int]:
    if error.code in _REFUSED_FORM_NOTICES and _is_form_submission():
        from .public.views import refused_form

        return refused_form(_REFUSED_FORM_NOTICES[error.code], error.code)
    return render_error(error)


def _unexpected_error(error: Exception) -> tuple[str, int]:
    current_app.logger.exception("unhandled error")
    db.session.rollback()
    return render_error(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
