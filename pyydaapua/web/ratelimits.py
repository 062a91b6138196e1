"""Rate-limit storage that never takes the service down with it.

The limiter itself (``extensions.limiter``) falls back to in-process counting when its
storage fails. This module makes a failing Redis fail *fast*: a short socket timeout and a
single immediate retry (which replaces a pooled connection that died with a Redis restart),
so that a request never waits long for a storage that is not there.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from flask.logging import default_handler
from redis.backoff import NoBackoff
from redis.retry import Retry

from pyydaapua.web.extensions import limiter

REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://")


def storage_options(uri: str, timeout: float) -> dict[str, Any]:
    """Client options for the storage at ``uri``: timeouts and one retry for Redis."""
    if not uri.startswith(REDIS_SCHEMES):
        return {}
    return {
        "socket_connect_timeout": timeout,
        "socket_timeout": timeout,
        "retry": Retry(NoBackoff(), 1),
    }


class _StorageEvents(logging.Filter):
    """Let through the limiter's warnings and its storage events (lost, recovered), but not
    the line it writes for every refused request (which names the client address)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or "storage" in record.getMessage()


def _log_storage_events() -> None:
    """Send the limiter's storage events to the app's log: once when the storage is lost and
    limits are counted in this process, once when it is back."""
    log = logging.getLogger(limiter.logger.name)
    if default_handler not in log.handlers:
        log.addHandler(default_handler)
        log.addFilter(_StorageEvents())
        log.setLevel(logging.INFO)


def init_app(app: Flask) -> None:
    """Bind the limiter to ``app`` with the storage options its configuration asks for."""
    options = storage_options(
        app.config.get("RATELIMIT_STORAGE_URI", "memory://"),
        app.config["RATELIMIT_STORAGE_TIMEOUT"],
    )
    app.config["RATELIMIT_STORAGE_OPTIONS"] = {
        **options,
        **app.config.get("RATELIMIT_STORAGE_OPTIONS", {}),
    }
    limiter.init_app(app)
    _log_storage_events()
