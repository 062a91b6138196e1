"""Serving under gunicorn: an access log that keeps no family data or secrets.

The log line has the method, the path and the status, never the query string (searches,
sign-in targets), the Referer or the User-Agent; the secret key in a confirmation address
(``/fi/request/sent/<key>``) is replaced by ``…``.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s'

_CONFIRMATION_KEY = re.compile(r"(/request/sent/)[^/]+")


def redact_path(path: str) -> str:
    """``path`` without the secret a confirmation address carries."""
    return _CONFIRMATION_KEY.sub(r"\1…", path)


class AccessLogger(Logger):
    """gunicorn's logger with the path redacted and no atoms that carry the query."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redact_path(atoms.get("U") or "")
        for name in ("r", "q", "f", "a"):
            atoms[name] = "-"
        return atoms
