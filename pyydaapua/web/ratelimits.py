"""Rate-limit storage that never takes the service down with it.

The limiter itself (``extensions.limiter``) falls back to in-process counting when its
storage fails. This module makes a failing Redis fail *fast*: a short socket timeout and a
single immediate retry (which replaces a pooled connection that died with a Redis restart),
so that a request never waits long for a storage that is not there. The Redis client is
imported only when the limits are kept in Redis.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Flask, current_app
from flask.logging import default_handler
from werkzeug.wrappers import Response

from pyydaapua.web.extensions import limiter

REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://")
View = TypeVar("View", bound=Callable[..., Any])


def storage_options(uri: str, timeout: float) -> dict[str, Any]:
    """Client options for the storage at ``uri``: timeouts and one retry for Redis."""
    if not uri.startswith(REDIS_SCHEMES):
        return {}
    from redis.backoff import NoBackoff
    from redis.retry import Retry

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


def _log_storage_events(own_handler: bool) -> None:
    """Send the limiter's storage events to the app's log: once when the storage is lost and
    limits are counted in this process, once when it is back. With ``own_handler`` through
    Flask's handler; else (``LOG_FORMAT=json``) through the root logger's."""
    log = logging.getLogger(limiter.logger.name)
    if not any(isinstance(found, _StorageEvents) for found in log.filters):
        log.addFilter(_StorageEvents())
    log.setLevel(logging.INFO)
    if own_handler and default_handler not in log.handlers:
        log.addHandler(default_handler)


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
    # The limiter is one object per process and its init_app keeps the "storage lost" flag of
    # an app made before with another storage: this app's storage is new, so counted as alive
    # until it fails (else its loss would go unlogged and uncounted).
    limiter._storage_dead = False
    limiter.init_app(app)
    _log_storage_events(own_handler=app.config.get("LOG_FORMAT") != "json")


def _setting(name: str) -> Callable[[], str]:
    """A limit read from the configuration when it is checked (tests change it)."""
    return lambda: str(current_app.config[name])


def failure_limits(
    *limits: tuple[str, Callable[[], str]],
    failed: Callable[[Response], bool],
    methods: tuple[str, ...] = ("POST",),
) -> Callable[[View], View]:
    """Limits of failed POSTs (a wrong password, a wrong secret code; ``methods`` for another
    method, like the identity provider's callback): each limit is the name of its setting and
    the function that gives the key it counts under (an account, a reference, an address).
    Only the answers ``failed`` says failed are counted."""

    def decorate(view: View) -> View:
        limited: Callable[..., Any] = view
        for setting, key in reversed(limits):  # the first named is checked first
            limited = limiter.limit(
                _setting(setting), key_func=key, methods=list(methods), deduct_when=failed
            )(limited)
        return cast(View, limited)

    return decorate


def address_limit(setting: str, key: Callable[[], str]) -> Callable[[View], View]:
    """Every request counted under ``key`` against the limit of ``setting``."""
    return cast(Callable[[View], View], limiter.limit(_setting(setting), key_func=key))
