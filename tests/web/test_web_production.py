"""Production mode: the start-up checks, HTTPS with strict CSRF, cookies and caching."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pyydaapua import create_app
from pyydaapua.web.config import ConfigError
from tests.helpers.app import PRODUCTION
from tests.helpers.forms import hidden_fields

PROJECT = Path(__file__).resolve().parents[2]
HTTPS = "https://family.example.fi"
GOOD_SECRET = "k" * 48


@pytest.fixture
def production_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """An environment fit for production; each test spoils one setting."""
    for name in ("FLASK_DEBUG", "ALLOW_SQLITE_IN_PRODUCTION", "ALLOW_MEMORY_RATE_LIMITS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("DATABASE_URL", "postgresql://app@db.internal:5432/pyydaapua")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://redis.internal:6379/0")
    return monkeypatch


def test_a_proper_production_environment_starts(production_env) -> None:
    app = create_app()
    assert app.config["APP_ENV"] == "production"
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("SECRET_KEY", "", "SECRET_KEY"),
        ("SECRET_KEY", "short-secret", "SECRET_KEY"),
        ("DATABASE_URL", "", "DATABASE_URL"),  # the embedded SQLite default
        ("DATABASE_URL", "sqlite:////srv/data.sqlite3", "ALLOW_SQLITE_IN_PRODUCTION"),
        ("FLASK_DEBUG", "1", "FLASK_DEBUG"),
        ("RATELIMIT_STORAGE_URI", "memory://", "ALLOW_MEMORY_RATE_LIMITS"),
    ],
)
def test_production_refuses_to_start_naming_the_setting(production_env, name, value, named):
    production_env.setenv(name, value)
    with pytest.raises(ConfigError, match=named):
        create_app()


@pytest.mark.parametrize(
    ("name", "allowed_by", "value"),
    [
        ("DATABASE_URL", "ALLOW_SQLITE_IN_PRODUCTION", "sqlite:////srv/data.sqlite3"),
        ("RATELIMIT_STORAGE_URI", "ALLOW_MEMORY_RATE_LIMITS", "memory://"),
    ],
)
def test_a_deliberate_setting_allows_a_single_process_deployment(
    production_env, name, allowed_by, value
) -> None:
    production_env.setenv(name, value)
    production_env.setenv(allowed_by, "1")
    assert create_app().config["APP_ENV"] == "production"


def test_development_needs_none_of_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APP_ENV", raising=False)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    monkeypatch.setenv("SECRET_KEY", "short")
    assert create_app().config["APP_ENV"] == "development"


def test_the_entry_point_prints_one_line_and_exits(tmp_path: Path) -> None:
    """``gunicorn app:app`` or ``flask --app app`` with a bad setting: one clear line."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DATABASE_URL", "FLASK_DEBUG"}
    }
    env.update({"APP_ENV": "production", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"})
    result = subprocess.run(
        [sys.executable, "-c", "import app"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pyydaapua: configuration error: SECRET_KEY")


# --- HTTPS: the CSRF token, and the request's own origin, from this site only -------------


@pytest.fixture
def https_app(app_factory):
    return app_factory(**PRODUCTION, RATELIMIT_ENABLED=False)


def _open_form(client, base_url: str = HTTPS) -> dict[str, str]:
    response = client.get("/fi/request", base_url=base_url)
    assert response.status_code == 200
    return hidden_fields(response.get_data(as_text=True))


def _send(client, hidden, base_url: str = HTTPS, **headers: str):
    data = {
        **hidden,
        "contact_method": "phone",
        "phone": "040 123 4567",
        "description": "Tarvitsen apua.",
    }
    return client.post("/fi/request", data=data, base_url=base_url, headers=headers)


def test_pages_ask_browsers_for_a_same_origin_referrer(https_app) -> None:
    """With no-referrer a browser sends "Origin: null" and no Referer on every POST."""
    response = https_app.test_client().get("/fi/request", base_url=HTTPS)
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "headers",
    [
        {},  # no Origin and no Referer: curl, scripts, privacy-minded browsers
        {"Origin": HTTPS},
        {"Origin": HTTPS, "Referer": f"{HTTPS}/fi/request", "Sec-Fetch-Site": "same-origin"},
        {"Referer": f"{HTTPS}/fi/request"},
    ],
)
def test_a_post_from_this_site_over_https_is_accepted(https_app, headers) -> None:
    client = https_app.test_client()
    hidden = _open_form(client)
    response = _send(client, hidden, **headers)
    assert response.status_code == 303
    assert response.headers["Location"] == "/fi/request/sent"


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},  # a sandboxed frame on another site
        {"Origin": "http://family.example.fi"},  # the same host over plain HTTP
        {"Referer": "https://evil.example/fi/request"},
        {"Origin": HTTPS, "Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # another host under the same domain
    ],
)
def test_a_post_from_another_site_is_refused_with_the_text_kept(https_app, headers) -> None:
    client = https_app.test_client()
    hidden = _open_form(client)
    response = _send(client, hidden, **headers)
    assert response.status_code == 400
    assert "Tarvitsen apua." in response.get_data(as_text=True)  # nothing typed is lost


def test_the_token_is_still_required_from_this_site(https_app) -> None:
    client = https_app.test_client()
    hidden = _open_form(client)
    hidden["csrf_token"] = "forged"
    response = _send(client, hidden, Origin=HTTPS, **{"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 400


def test_behind_a_tls_proxy_the_forwarded_scheme_counts(app_factory) -> None:
    app = app_factory(**PRODUCTION, RATELIMIT_ENABLED=False, PROXY_FIX_X_FOR=1)
    client = app.test_client()
    plain = "http://family.example.fi"
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    page = client.get("/fi/request", base_url=plain, headers=forwarded)
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    hidden = hidden_fields(page.get_data(as_text=True))
    refused = _send(client, hidden, base_url=plain, Origin=plain, **forwarded)
    assert refused.status_code == 400
    accepted = _send(client, hidden, base_url=plain, Origin=HTTPS, **forwarded)
    assert accepted.status_code == 303


def test_the_session_cookie_is_host_prefixed_secure_httponly_samesite(
    monkeypatch, app_factory
) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    app = app_factory(**PRODUCTION)
    response = app.test_client().get("/fi/request", base_url=HTTPS)
    cookie = response.headers["Set-Cookie"]
    name, _, attributes = cookie.partition("=")
    assert name == "__Host-session"
    flags = {part.strip().split("=")[0].lower() for part in attributes.split(";")}
    assert {"secure", "httponly", "samesite", "path"} <= flags
    assert "domain" not in flags  # __Host- cookies must not name a domain
    assert "Path=/" in cookie and "SameSite=Lax" in cookie


# --- The browser keeps no copy of what a parent typed ------------------------------


def test_the_form_its_errors_and_the_confirmation_are_not_stored(client, request_form):
    assert client.get("/fi/request").headers["Cache-Control"] == "no-store"
    invalid = request_form.submit(phone="")
    assert invalid.status_code == 422
    assert invalid.headers["Cache-Control"] == "no-store"
    sent = request_form.submit()
    assert sent.status_code == 303
    confirmation = client.get(sent.headers["Location"])
    assert confirmation.status_code == 200
    assert confirmation.headers["Cache-Control"] == "no-store"


def test_pages_without_family_text_may_be_revalidated(client) -> None:
    assert client.get("/fi/privacy").headers["Cache-Control"] == "private, no-cache"


def test_production_warns_of_unset_mail_settings(production_env, caplog) -> None:
    with caplog.at_level(logging.WARNING):
        create_app()
    warnings = [r.getMessage() for r in caplog.records if "E-mail is not set up" in r.getMessage()]
    assert len(warnings) == 1 and "MAIL_SERVER, TEAM_EMAIL, PUBLIC_URL" in warnings[0]
    caplog.clear()
    production_env.setenv("MAIL_SERVER", "smtp.example.fi")
    production_env.setenv("TEAM_EMAIL", "perhekeskus@example.fi")
    production_env.setenv("PUBLIC_URL", "https://apua.example.fi")
    with caplog.at_level(logging.WARNING):
        create_app()
    assert not [r for r in caplog.records if "E-mail is not set up" in r.getMessage()]
