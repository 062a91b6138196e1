"""The access log keeps no confirmation secrets."""

from __future__ import annotations

from pyydaapua.web.serving import redact_path


def test_the_confirmation_key_is_redacted() -> None:
    assert redact_path("/fi/request/sent/AbC-123_xyz4567890") == "/fi/request/sent/…"
    assert redact_path("/sv/request/sent/k/extra") == "/sv/request/sent/…/extra"


def test_other_paths_are_kept() -> None:
    for path in ("/fi/request", "/staff/requests/12", "/"):
        assert redact_path(path) == path
