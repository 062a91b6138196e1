"""The rules of the second sign-in step: codes with drift and replay, recovery codes, the QR."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest

from pyydaapua.accounts import two_factor

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = datetime(2026, 11, 30, 12, 0, 10, tzinfo=UTC)
STEP = two_factor.time_step(NOW)


def code_at(moment: datetime) -> str:
    return pyotp.TOTP(SECRET).at(moment)


def test_the_code_of_an_authenticator_app_is_accepted_and_its_step_returned() -> None:
    assert two_factor.verify_code(SECRET, code_at(NOW), None, NOW) == STEP
    assert two_factor.verify_code(SECRET, two_factor.code_for_step(SECRET, STEP), None, NOW) == STEP


@pytest.mark.parametrize("drift", [-30, 30])
def test_one_step_of_clock_drift_either_way_is_allowed(drift: int) -> None:
    code = code_at(NOW + timedelta(seconds=drift))
    assert two_factor.verify_code(SECRET, code, None, NOW) == STEP + drift // 30


@pytest.mark.parametrize("drift", [-60, 60, -3600])
def test_codes_further_off_are_refused(drift: int) -> None:
    code = code_at(NOW + timedelta(seconds=drift))
    assert two_factor.verify_code(SECRET, code, None, NOW) is None


def test_a_code_cannot_be_used_twice() -> None:
    step = two_factor.verify_code(SECRET, code_at(NOW), None, NOW)
    assert two_factor.verify_code(SECRET, code_at(NOW), step, NOW) is None
    assert two_factor.verify_code(SECRET, code_at(NOW), step, NOW + timedelta(seconds=15)) is None
    # Nor an older one still inside the drift window, once a later one has been used.
    previous = code_at(NOW - timedelta(seconds=30))
    assert two_factor.verify_code(SECRET, previous, step, NOW) is None
    # The next step's code is fine.
    later = NOW + timedelta(seconds=30)
    assert two_factor.verify_code(SECRET, code_at(later), step, later) == step + 1


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", None])
def test_malformed_codes_are_refused(typed: str | None) -> None:
    assert two_factor.verify_code(SECRET, typed, None, NOW) is None


def test_spaces_and_hyphens_in_a_typed_code_are_ignored() -> None:
    code = code_at(NOW)
    assert two_factor.verify_code(SECRET, f" {code[:3]} {code[3:]} ", None, NOW) == STEP
    assert two_factor.verify_code(SECRET, f"{code[:3]}-{code[3:]}", None, NOW) == STEP


def test_a_wrong_secret_or_none_refuses() -> None:
    assert two_factor.verify_code("A" * 32, code_at(NOW), None, NOW) is None
    assert two_factor.verify_code("", code_at(NOW), None, NOW) is None


def test_new_secrets_are_random_base32_of_160_bits() -> None:
    secrets = {two_factor.new_secret() for _ in range(20)}
    assert len(secrets) == 20
    assert all(re.fullmatch(r"[A-Z2-7]{32}", secret) for secret in secrets)


def test_the_secret_is_grouped_for_reading_aloud() -> None:
    assert two_factor.group_secret("ABCDEFGHIJKL") == "ABCD EFGH IJKL"


def test_the_provisioning_uri_names_the_service_and_account() -> None:
    uri = two_factor.provisioning_uri(SECRET, "anna@example.fi")
    assert uri.startswith("otpauth://totp/")
    assert f"secret={SECRET}" in uri
    assert "anna%40example.fi" in uri and "issuer=Pyyd%C3%A4%20apua" in uri


def test_ten_recovery_codes_unique_and_readable() -> None:
    codes = two_factor.new_recovery_codes()
    assert len(codes) == len(set(codes)) == 10
    for code in codes:
        assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", code)
        assert not set(code) & set("ilo01")
        assert two_factor.looks_like_recovery_code(code)


def test_recovery_codes_are_hashed_and_match_however_typed() -> None:
    code = "k7pm-q2xa-9fhd-w3ne"
    stored = two_factor.hash_recovery_code(code)
    assert code not in stored and len(stored) == 64
    assert two_factor.hash_recovery_code("K7PM Q2XA 9FHD W3NE") == stored
    other = two_factor.hash_recovery_code("aaaa-bbbb-cccc-dddd")
    assert two_factor.match_recovery_code(" K7PMQ2XA9FHDW3NE ", [other, stored]) == stored


def test_a_used_or_unknown_recovery_code_matches_nothing() -> None:
    stored = two_factor.hash_recovery_code("k7pm-q2xa-9fhd-w3ne")
    # Used codes are left out of the unused hashes by the caller: nothing matches then.
    assert two_factor.match_recovery_code("k7pm-q2xa-9fhd-w3ne", []) is None
    assert two_factor.match_recovery_code("k7pm-q2xa-9fhd-w3nf", [stored]) is None
    assert two_factor.match_recovery_code("123456", [stored]) is None
    assert two_factor.match_recovery_code("", [stored]) is None


def test_the_qr_code_is_inline_svg_with_a_name_and_no_styles_or_scripts() -> None:
    svg = two_factor.qr_svg("otpauth://totp/x?secret=ABC", 'QR "code" <for> the app')
    assert svg.startswith('<svg role="img" aria-label="QR &quot;code&quot; &lt;for&gt; the app"')
    assert "<title>" in svg
    assert "style" not in svg.lower() and "script" not in svg.lower()
    assert "<path" in svg


def test_module_imports_neither_flask_nor_the_database() -> None:
    tree = ast.parse(Path(two_factor.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0] or "." * node.level
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }
    assert not imported & {"flask", "flask_login", "sqlalchemy", "."}
    assert {"pyotp", "segno"} <= imported
