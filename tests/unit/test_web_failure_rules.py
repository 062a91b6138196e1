"""Small rules behind the failure handling: what a 503 page shows, how Redis is reached."""

from __future__ import annotations

from pyydaapua.web.errors import visible_values
from pyydaapua.web.ratelimits import storage_options


def test_only_written_text_is_shown_for_copying() -> None:
    fields = [
        ("csrf_token", "IjA1ZTk2Zj.ZSxQ.Xy"),
        ("note-version", "3"),
        ("submission_key", "Abc_def-123456789012"),
        ("next", "/staff/requests/4"),
        ("call-result", "reached"),
        ("call-called_at", "30.11.2026 14.05"),
        ("call-duration_minutes", "15"),
        ("call-notes", "Äiti soittaa\nhuomenna"),
        ("note-note", "ok, soitan"),
        ("email", "anna@example.fi"),
    ]
    assert visible_values(fields) == ["Äiti soittaa\nhuomenna", "ok, soitan", "anna@example.fi"]


def test_redis_is_given_short_timeouts_and_other_storages_nothing() -> None:
    options = storage_options("redis://127.0.0.1:6379/0", 0.5)
    assert options["socket_connect_timeout"] == options["socket_timeout"] == 0.5
    assert options["retry"].get_retries() == 1
    assert storage_options("memory://", 0.5) == {}
