"""Settings read from the environment, with safe defaults for the embedded mode.

Every variable here is documented in the README's configuration table.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any


class ConfigError(RuntimeError):
    """The environment does not describe a configuration the app may run with."""


# Shorter keys are refused in production: sessions and CSRF tokens are signed with it.
SECRET_KEY_MIN_LENGTH = 32


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() not in {"0", "false", "no", "off"}


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for PostgreSQL URLs given without a driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _embedded_secret(instance_path: Path) -> str:
    """Read the instance folder's generated secret, creating it on first use."""
    path = instance_path / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def from_environment(instance_path: str) -> dict[str, Any]:
    """Build the configuration mapping from environment variables."""
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    production = os.environ.get("APP_ENV", "development").strip().lower() == "production"

    secret = os.environ.get("SECRET_KEY", "").strip()
    if not secret and not production:
        secret = _embedded_secret(instance)
    secure_cookies = _flag("SESSION_COOKIE_SECURE", production)

    database_url = os.environ.get("DATABASE_URL", "").strip() or (
        "sqlite:///" + str(instance / "pyydaapua.sqlite3")
    )

    return {
        "APP_ENV": "production" if production else "development",
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _flag("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": False,
        "RATELIMIT_STORAGE_TIMEOUT": float(os.environ.get("RATELIMIT_STORAGE_TIMEOUT", "0.5")),
        "REQUEST_RATE_LIMIT": os.environ.get("REQUEST_RATE_LIMIT", "10 per hour"),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 64 * 1024)),
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per 15 minutes"),
        "LOGIN_ADDRESS_RATE_LIMIT": os.environ.get(
            "LOGIN_ADDRESS_RATE_LIMIT", "100 per 15 minutes"
        ),
        "STAFF_IDLE_MINUTES": int(os.environ.get("STAFF_IDLE_MINUTES", "30")),
        "STAFF_IDLE_WARNING_SECONDS": int(os.environ.get("STAFF_IDLE_WARNING_SECONDS", "180")),
        "STAFF_SESSION_HOURS": int(os.environ.get("STAFF_SESSION_HOURS", "10")),
        "INBOX_POLL_SECONDS": int(os.environ.get("INBOX_POLL_SECONDS", "30")),
        "PROXY_FIX_X_FOR": int(os.environ.get("PROXY_FIX_X_FOR", "0")),
        "RETENTION_MONTHS": int(os.environ.get("RETENTION_MONTHS", "12")),
        "ALLOW_SQLITE_IN_PRODUCTION": _flag("ALLOW_SQLITE_IN_PRODUCTION", False),
        "ALLOW_MEMORY_RATE_LIMITS": _flag("ALLOW_MEMORY_RATE_LIMITS", False),
        "SESSION_COOKIE_SECURE": secure_cookies,
        # The __Host- prefix makes the browser refuse the cookie unless it is Secure, for
        # this host only and for the whole site: no subdomain can set or overwrite it.
        "SESSION_COOKIE_NAME": "__Host-session" if secure_cookies else "session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # The origin of every POST is checked in security.py, over HTTP and HTTPS alike;
        # Flask-WTF's HTTPS rule would also refuse a POST that names no Referer at all.
        "WTF_CSRF_SSL_STRICT": False,
        # A parent may write for a long time; an expired token never loses the text anyway.
        "WTF_CSRF_TIME_LIMIT": 4 * 3600,
        "BABEL_DEFAULT_LOCALE": "fi",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Helsinki",
    }


def production_problems(config: Mapping[str, Any]) -> list[str]:
    """What in ``config`` makes it unfit for production, one line per setting."""
    if config.get("APP_ENV") != "production":
        return []
    problems = []
    if len(config.get("SECRET_KEY") or "") < SECRET_KEY_MIN_LENGTH:
        problems.append(
            f"SECRET_KEY must be set to a random value of at least {SECRET_KEY_MIN_LENGTH} "
            "characters when APP_ENV=production (e.g. python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(48))')."
        )
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and not config.get(
        "ALLOW_SQLITE_IN_PRODUCTION"
    ):
        problems.append(
            "DATABASE_URL points to SQLite; use PostgreSQL in production, or set "
            "ALLOW_SQLITE_IN_PRODUCTION=1 deliberately."
        )
    if config.get("DEBUG"):
        problems.append("FLASK_DEBUG is on; the debugger must never run in production.")
    storage = str(config.get("RATELIMIT_STORAGE_URI", ""))
    if storage.startswith("memory://") and not config.get("ALLOW_MEMORY_RATE_LIMITS"):
        problems.append(
            "RATELIMIT_STORAGE_URI is memory://, which each process counts on its own; use "
            "redis://…, or set ALLOW_MEMORY_RATE_LIMITS=1 for a single-process deployment."
        )
    return problems


def check_production(config: Mapping[str, Any]) -> None:
    """Refuse to run with a configuration unfit for production (the first problem named)."""
    problems = production_problems(config)
    if problems:
        raise ConfigError(problems[0])
