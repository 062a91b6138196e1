"""A worker loads only what its configuration uses: single sign-on's Authlib (with joserfc,
cryptography and requests), Sentry's SDK, the Redis client and the PostgreSQL driver are
imported only when their setting is on. Each app is made in a fresh interpreter, so that what
other tests imported does not count."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OPTIONAL = ("authlib", "joserfc", "cryptography", "requests", "sentry_sdk", "redis", "psycopg")

# Makes the app with the given settings, and prints which optional packages it imported.
_PROGRAM = """
import json, sys
from tests.helpers.app import make_app
app = make_app(sys.argv[1], **json.loads(sys.argv[2]))
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[3:]))))
"""


def imported_by_app(tmp_path: Path, **settings: Any) -> set[str]:
    database = f"sqlite:///{tmp_path / 'imports.sqlite3'}"
    answer = subprocess.run(  # noqa: S603 - our own interpreter and program
        [sys.executable, "-c", _PROGRAM, database, json.dumps(settings), *OPTIONAL],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return set(json.loads(answer.stdout.strip().splitlines()[-1]))


def test_a_default_app_imports_none_of_the_optional_packages(tmp_path) -> None:
    assert imported_by_app(tmp_path) == set()


def test_each_setting_imports_its_package(tmp_path) -> None:
    signed_on = imported_by_app(
        tmp_path,
        OIDC_ISSUER="https://login.example.invalid",
        OIDC_CLIENT_ID="pyydaapua",
        OIDC_CLIENT_SECRET="secret",
    )
    assert {"authlib", "requests"} <= signed_on
    assert "sentry_sdk" not in signed_on and "redis" not in signed_on
    tracked = imported_by_app(tmp_path, SENTRY_DSN="https://key@sentry.example.invalid/1")
    assert "sentry_sdk" in tracked and "authlib" not in tracked
    limited = imported_by_app(tmp_path, RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0")
    assert "redis" in limited and "authlib" not in limited and "sentry_sdk" not in limited
    assert "psycopg" not in signed_on | tracked | limited
