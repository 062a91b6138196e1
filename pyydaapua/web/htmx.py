"""Everything the app needs from htmx-flask, behind one module of ours.

htmx-flask is small and no longer maintained; nothing else imports it.
"""

from __future__ import annotations

from flask import Flask, Response, redirect, request
from htmx_flask import Htmx
from werkzeug.wrappers import Response as BaseResponse

_htmx = Htmx()


def init_app(app: Flask) -> None:
    """Give requests the ``request.htmx`` attribute."""
    _htmx.init_app(app)


def is_htmx() -> bool:
    """True when the current request was made by htmx (and is not a history restore)."""
    headers = getattr(request, "htmx", None)
    return headers is not None and bool(headers) and not headers.history_restore_request


def redirect_after_post(url: str) -> BaseResponse:
    """A 303 to ``url``; for htmx, a full-page navigation via ``HX-Redirect``."""
    if is_htmx():
        response = Response(status=204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)
