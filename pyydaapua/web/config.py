"""Settings read from the environment, with safe defaults for the embedded mode.

Every variable here is documented in the configuration table of docs/operations.md.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pyydaapua.rules.identity_claims import LOCAL_SIGN_IN_MODES, parse_role_map
from pyydaapua.rules.opening_hours import OpeningHours, parse_opening_hours


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


# The public pages' contact details and the notices' facts differ per deployment. Their
# defaults are demo values (a fictional town, with the real national crisis line and Helsinki's
# social emergency service, so that no demo ever shows a number that reaches nobody).
# Production starts with them but logs a warning naming every one left unset.
PUBLIC_DEMO_SETTINGS = (
    "FAMILY_CENTRE_PHONE",
    "FAMILY_CENTRE_HOURS",
    "SOCIAL_EMERGENCY_PHONE",
    "SOCIAL_EMERGENCY_NAME",
    "CRISIS_LINE_PHONE",
    "CRISIS_LINE_NAME",
    "CONTROLLER_NAME",
    "CONTROLLER_ADDRESS",
    "DPO_EMAIL",
    "DPO_PHONE",
    "ACCESSIBILITY_FEEDBACK_EMAIL",
    "ACCESSIBILITY_STATEMENT_PREPARED",
    "ACCESSIBILITY_STATEMENT_REVIEWED",
)


def _per_language(name: str, fi: str, sv: str) -> dict[str, str]:
    """A value that differs by language: ``NAME_FI`` and ``NAME_SV``; Swedish falls back to
    the Finnish value when only that is set (a name is better than the demo one)."""
    given_fi = os.environ.get(f"{name}_FI", "").strip()
    given_sv = os.environ.get(f"{name}_SV", "").strip()
    return {"fi": given_fi or fi, "sv": given_sv or given_fi or sv}


def _day(name: str, default: str) -> date:
    text = os.environ.get(name, "").strip() or default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{name} must be a date like 2026-11-30, not {text!r}.") from None


def _opening_hours(name: str, default: str) -> tuple[OpeningHours, ...]:
    text = os.environ.get(name, default)
    try:
        return parse_opening_hours(text)
    except ValueError as error:
        raise ConfigError(f"{name}: {error} (e.g. 'mon-fri 9:00-15:00; sat 10-12').") from None


def _web_address(name: str, default: str) -> str:
    url = os.environ.get(name, "").strip() or default
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigError(f"{name} must be a full web address like https://www.google.com/.")
    return url


def demo_settings_in_use(environ: Mapping[str, str] | None = None) -> list[str]:
    """The public pages' settings that the environment leaves at their demo values."""
    environ = os.environ if environ is None else environ

    def given(name: str) -> bool:
        return any(environ.get(key, "").strip() for key in (name, f"{name}_FI", f"{name}_SV"))

    return [name for name in PUBLIC_DEMO_SETTINGS if not given(name)]


def _embedded_secret(instance_path: Path) -> str:
    """Read the instance folder's generated secret, creating it on first use."""
    path = instance_path / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _single_sign_on() -> dict[str, Any]:
    """Staff sign-in through the city's OpenID Connect provider (docs/operations.md, Single
    sign-on). Off while ``OIDC_ISSUER`` is empty; with it, local password sign-in is for
    administrators only unless ``LOCAL_SIGN_IN`` says otherwise."""
    issuer = os.environ.get("OIDC_ISSUER", "").strip().rstrip("/")
    if issuer:
        issuer = _web_address("OIDC_ISSUER", issuer).rstrip("/")
    try:
        role_map = parse_role_map(os.environ.get("OIDC_ROLE_MAP", ""))
    except ValueError as error:
        raise ConfigError(f"OIDC_ROLE_MAP: {error} (e.g. 'fc-counsellors=counsellor').") from None
    local = os.environ.get("LOCAL_SIGN_IN", "").strip().lower() or ("admins" if issuer else "on")
    if local not in LOCAL_SIGN_IN_MODES:
        raise ConfigError(f"LOCAL_SIGN_IN must be one of {', '.join(LOCAL_SIGN_IN_MODES)}.")
    if issuer and not (os.environ.get("OIDC_CLIENT_ID") and os.environ.get("OIDC_CLIENT_SECRET")):
        raise ConfigError("OIDC_ISSUER is set: set OIDC_CLIENT_ID and OIDC_CLIENT_SECRET too.")
    if issuer and not role_map:
        raise ConfigError("OIDC_ISSUER is set: OIDC_ROLE_MAP must map a group to a role.")

    def words(name: str, default: str) -> tuple[str, ...]:
        return tuple(os.environ.get(name, default).replace(",", " ").split())

    return {
        "OIDC_ISSUER": issuer,
        "OIDC_CLIENT_ID": os.environ.get("OIDC_CLIENT_ID", "").strip(),
        "OIDC_CLIENT_SECRET": os.environ.get("OIDC_CLIENT_SECRET", ""),
        "OIDC_SCOPES": " ".join(words("OIDC_SCOPES", "openid profile email groups")),
        "OIDC_GROUPS_CLAIM": os.environ.get("OIDC_GROUPS_CLAIM", "").strip() or "groups",
        "OIDC_SUBJECT_CLAIM": os.environ.get("OIDC_SUBJECT_CLAIM", "").strip() or "sub",
        "OIDC_ROLE_MAP": role_map,
        "OIDC_CREATE_ACCOUNTS": _flag("OIDC_CREATE_ACCOUNTS", True),
        "OIDC_REQUIRE_MFA": _flag("OIDC_REQUIRE_MFA", True),
        "OIDC_MFA_AMR": words("OIDC_MFA_AMR", "mfa"),
        "OIDC_MFA_ACR": words("OIDC_MFA_ACR", ""),
        "OIDC_PROVIDER_LOGOUT": _flag("OIDC_PROVIDER_LOGOUT", True),
        "LOCAL_SIGN_IN": local,
    }


def start_warnings(config: Mapping[str, Any]) -> list[str]:
    """What a production start should warn of: the audit stream off, and staff sign-in."""
    if config.get("APP_ENV") != "production":
        return []
    warnings = []
    if config.get("AUDIT_STREAM", "off") == "off":
        warnings.append(
            "AUDIT_STREAM is off: the audit events stay in the database only. Set it to a file "
            "the city's SIEM collects (docs/operations.md, Monitoring)."
        )
    if not config.get("OIDC_ISSUER"):
        return warnings
    if config.get("LOCAL_SIGN_IN") == "on":
        warnings.append(
            "Single sign-on is configured and LOCAL_SIGN_IN=on: every account may also sign in "
            "with a password of ours. Set LOCAL_SIGN_IN=admins (a way in for administrators "
            "when the provider fails) or off."
        )
    if not config.get("OIDC_REQUIRE_MFA"):
        warnings.append(
            "OIDC_REQUIRE_MFA is off: a sign-in the provider made with a password alone is "
            "accepted."
        )
    return warnings


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
        # A pooled connection is checked before use by database.py's own check.
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _flag("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": False,
        "RATELIMIT_STORAGE_TIMEOUT": float(os.environ.get("RATELIMIT_STORAGE_TIMEOUT", "0.5")),
        "REQUEST_RATE_LIMIT": os.environ.get("REQUEST_RATE_LIMIT", "10 per hour"),
        "FAMILY_CENTRE_PHONE": os.environ.get("FAMILY_CENTRE_PHONE", "09 310 12345"),
        "FAMILY_CENTRE_HOURS": _opening_hours("FAMILY_CENTRE_HOURS", "mon-fri 9:00-15:00"),
        "SOCIAL_EMERGENCY_PHONE": os.environ.get("SOCIAL_EMERGENCY_PHONE", "020 696 006"),
        "SOCIAL_EMERGENCY_NAME": _per_language(
            "SOCIAL_EMERGENCY_NAME", "Sosiaalipäivystys", "Socialjouren"
        ),
        "CRISIS_LINE_PHONE": _per_language("CRISIS_LINE_PHONE", "09 2525 0111", "09 2525 0112"),
        "CRISIS_LINE_NAME": _per_language(
            "CRISIS_LINE_NAME", "MIELI ry:n Kriisipuhelin", "MIELI rf:s Kristelefon"
        ),
        "QUICK_EXIT_URL": _web_address("QUICK_EXIT_URL", "https://www.google.com/"),
        "CONTROLLER_NAME": _per_language(
            "CONTROLLER_NAME", "Esimerkkilän kaupunki", "Exempelby stad"
        ),
        "CONTROLLER_ADDRESS": _per_language(
            "CONTROLLER_ADDRESS", "PL 1, 00099 Esimerkkilä", "PB 1, 00099 Exempelby"
        ),
        "DPO_EMAIL": os.environ.get("DPO_EMAIL", "tietosuoja@esimerkkila.example"),
        "DPO_PHONE": os.environ.get("DPO_PHONE", "09 310 12300"),
        "ACCESSIBILITY_FEEDBACK_EMAIL": os.environ.get(
            "ACCESSIBILITY_FEEDBACK_EMAIL", "saavutettavuus@esimerkkila.example"
        ),
        "ACCESSIBILITY_STATEMENT_PREPARED": _day("ACCESSIBILITY_STATEMENT_PREPARED", "2026-12-01"),
        "ACCESSIBILITY_STATEMENT_REVIEWED": _day("ACCESSIBILITY_STATEMENT_REVIEWED", "2026-12-01"),
        # The status page: wrong tries per reference and per client address, and how long
        # a parent's opened status page stays open without a click.
        "STATUS_RATE_LIMIT": os.environ.get("STATUS_RATE_LIMIT", "5 per 15 minutes"),
        "STATUS_ADDRESS_RATE_LIMIT": os.environ.get("STATUS_ADDRESS_RATE_LIMIT", "30 per hour"),
        "STATUS_SESSION_MINUTES": int(os.environ.get("STATUS_SESSION_MINUTES", "15")),
        # E-mail, through the outbox (notices/): with no MAIL_SERVER messages stay there.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "").strip(),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _flag("MAIL_USE_SSL", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", "").strip(),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "").strip()
        or "Pyydä apua – Be om hjälp <no-reply@localhost>",
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", "10")),
        "MAIL_MAX_ATTEMPTS": int(os.environ.get("MAIL_MAX_ATTEMPTS", "8")),
        "TEAM_EMAIL": os.environ.get("TEAM_EMAIL", "").strip(),
        "TEAM_LANGUAGE": os.environ.get("TEAM_LANGUAGE", "fi").strip() or "fi",
        # The service's own address, for the links in e-mail (sent with no web request).
        "PUBLIC_URL": _web_address("PUBLIC_URL", "http://127.0.0.1:5000/").rstrip("/"),
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
        **_single_sign_on(),
        # What the city's operations see (docs/operations.md, Monitoring).
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "").strip().lower() or "text",
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN", "").strip(),
        "SENTRY_DSN": os.environ.get("SENTRY_DSN", "").strip(),
        "AUDIT_STREAM": os.environ.get("AUDIT_STREAM", "").strip() or "off",
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
    issuer = urlsplit(str(config.get("OIDC_ISSUER", "")))
    if issuer.scheme == "http" and issuer.hostname not in {"127.0.0.1", "localhost"}:
        problems.append(
            "OIDC_ISSUER must be an https:// address in production (http:// only on this machine)."
        )
    storage = str(config.get("RATELIMIT_STORAGE_URI", ""))
    if storage.startswith("memory://") and not config.get("ALLOW_MEMORY_RATE_LIMITS"):
        problems.append(
            "RATELIMIT_STORAGE_URI is memory://, which each process counts on its own; use "
            "redis://…, or set ALLOW_MEMORY_RATE_LIMITS=1 for a single-process deployment."
        )
    return problems


def mail_settings_unset(config: Mapping[str, Any]) -> list[str]:
    """The e-mail settings left unset: without ``MAIL_SERVER`` the outbox is never sent,
    without ``TEAM_EMAIL`` the team hears of nothing, and a ``PUBLIC_URL`` on this machine
    makes every link in the e-mail point nowhere."""
    unset = [name for name in ("MAIL_SERVER", "TEAM_EMAIL") if not config.get(name)]
    if urlsplit(str(config.get("PUBLIC_URL", ""))).hostname in {"127.0.0.1", "localhost"}:
        unset.append("PUBLIC_URL")
    return unset


def check_production(config: Mapping[str, Any]) -> None:
    """Refuse to run with a configuration unfit for production (the first problem named)."""
    problems = production_problems(config)
    if problems:
        raise ConfigError(problems[0])
