"""What a form route accepts: the body of an HTML form, nothing else.

Every state change here is a form post (a browser's, or htmx's, which sends the same). A body
of another kind (JSON, plain text, XML …) is answered 415 before the view runs, with the
error page; the public request form comes back filled in instead, with a notice (see
``errors``). A JSON object's string values are kept for that form, so nothing typed is lost.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, abort, request
from werkzeug.datastructures import MultiDict

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
STATE_CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def unexpected_body() -> bool:
    """Whether this request changes state with a body that is not a form's."""
    if request.method not in STATE_CHANGES:
        return False
    if request.mimetype in FORM_TYPES:
        return bool(request.files)  # no form here uploads a file
    # A post without a body (and so without a type) is a form with no fields.
    return bool(request.mimetype) or bool(request.content_length)


def _refuse_unexpected_body() -> None:
    if request.routing_exception is None and unexpected_body():
        abort(415)


def posted_fields() -> MultiDict[str, str]:
    """The fields of a form post; for a JSON object, its string values (a list of strings
    gives a field sent several times), so that a refused post can be shown filled in."""
    if request.mimetype in FORM_TYPES:
        return request.form
    fields: MultiDict[str, str] = MultiDict()
    if request.mimetype != "application/json":
        return fields
    try:
        data: Any = json.loads(request.get_data(cache=True) or b"null")
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deep
        return fields
    if isinstance(data, dict):
        for name, value in data.items():
            values = value if isinstance(value, list) else [value]
            for item in values:
                if isinstance(item, str):
                    fields.add(str(name), item)
    return fields


def init_app(app: Flask) -> None:
    """Check the body before anything else reads it (call before ``csrf.init_app``)."""
    app.before_request(_refuse_unexpected_body)
