"""Integers from URLs and query strings, bounded to what the database can hold.

Every id in a URL goes through ``Int64Converter`` (registered as the ``int`` converter, so
``<int:request_id>`` uses it): a value that is not a plain decimal number from 0 to ``ID_MAX``
does not match the route, which answers 404. Every integer in a query string goes through
``int_arg``: a value that is not a decimal number in its range answers 400.
"""

from __future__ import annotations

import re

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, ValidationError

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
# The largest id and version: the ids and versions are INTEGER columns, 32 bits in PostgreSQL,
# which refuses a larger number in a comparison with one of them.
ID_MAX = 2**31 - 1
# At most 19 digits (2^63 - 1 has 19), so converting never meets Python's limit on long
# numbers, and the range check below decides the rest.
_INTEGER = re.compile(r"-?[0-9]{1,19}")


def parse_int(text: str | None, minimum: int = INT64_MIN, maximum: int = INT64_MAX) -> int | None:
    """``text`` as an integer from ``minimum`` to ``maximum``, or None when it is not one.

    Only ASCII digits with an optional leading minus are numbers here: no spaces, plus signs,
    underscores or digits of other scripts, which Python's ``int()`` would accept."""
    if text is None or not _INTEGER.fullmatch(text):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def int_arg(name: str, default: int, minimum: int = 0, maximum: int = INT64_MAX) -> int:
    """The query-string argument ``name`` as an integer, ``default`` when it is absent or
    empty; a value that is not a number from ``minimum`` to ``maximum`` answers 400."""
    text = request.args.get(name)
    if text is None or text == "":
        return default
    value = parse_int(text, minimum, maximum)
    if value is None:
        abort(400)
    return value


class Int64Converter(IntegerConverter):
    """``<int:…>`` in a route: ASCII digits only, from 0 to ``ID_MAX``; anything else is a 404."""

    regex = r"[0-9]+"

    def __init__(self, map: object, **kwargs: object) -> None:
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, **kwargs)  # type: ignore[arg-type]

    def to_python(self, value: str) -> int:
        if parse_int(value, 0, self.max if self.max is not None else INT64_MAX) is None:
            raise ValidationError()
        return int(super().to_python(value))


def init_app(app: Flask) -> None:
    """Use the bounded converter for every ``<int:…>``; call before blueprints are registered."""
    app.url_map.converters["int"] = Int64Converter
