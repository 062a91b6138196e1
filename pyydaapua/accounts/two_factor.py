"""The rules of the second sign-in step, without Flask or the database.

Time-based one-time codes (TOTP, RFC 6238: six digits, 30-second steps, SHA-1, as every
authenticator app does) and single-use recovery codes. A code is accepted for the current time
step and one step either side (clock drift), and never for a step at or before the last one
accepted for the user, so a code cannot be used twice. Recovery codes are random, shown once
and stored only as SHA-256 hashes: with 80 random bits each, a hash cannot be reversed by
trying codes.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import re
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime

import pyotp
import segno

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
# Lower-case letters and digits that are hard to confuse when read aloud or copied by hand.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_GROUPS = 4
RECOVERY_GROUP_LENGTH = 4
ISSUER = "Pyydä apua"

_SEPARATORS = re.compile(r"[\s\-]+")


def new_secret() -> str:
    """A new random secret: 32 base32 characters (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32(32)


def group_secret(secret: str) -> str:
    """The secret in groups of four, for reading aloud and typing: ``ABCD EFGH …``."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, account: str, issuer: str = ISSUER) -> str:
    """The ``otpauth://`` address that an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=issuer
    )


def qr_svg(data: str, label: str) -> str:
    """``data`` as a QR code in inline SVG with ``label`` as its accessible name.

    No style attributes or scripts (the pages' content security policy allows neither)."""
    code = segno.make(data, error="m")
    svg = code.svg_inline(scale=4, dark="#000", light="#fff", svgclass="qr-code", title=label)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{html.escape(label)}" ', 1)


def time_step(now: datetime) -> int:
    """The TOTP time step that ``now`` falls in."""
    return int(now.astimezone(UTC).timestamp()) // STEP_SECONDS


def normalise_code(text: str) -> str:
    """What was typed, without spaces and hyphens, in lower case."""
    return _SEPARATORS.sub("", text or "").lower()


def looks_like_totp(text: str) -> bool:
    code = normalise_code(text)
    return len(code) == DIGITS and code.isascii() and code.isdigit()


def code_for_step(secret: str, step: int) -> str:
    """The code an authenticator shows during ``step``."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def verify_code(secret: str, text: str, last_step: int | None, now: datetime) -> int | None:
    """The time step that the typed code belongs to, or None when it is wrong, outside the
    drift window, or of a step already used (``last_step``: the last accepted step)."""
    if not secret or not looks_like_totp(text):
        return None
    code = normalise_code(text)
    current = time_step(now)
    accepted = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        # Compare with every step (no early exit), so the time taken tells nothing.
        if hmac.compare_digest(code_for_step(secret, step), code):
            accepted = step
    if accepted is None or (last_step is not None and accepted <= last_step):
        return None
    return accepted


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """``count`` random recovery codes like ``k7pm-q2xa-9fhd-w3ne`` (80 bits each)."""
    return [
        "-".join(
            "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUP_LENGTH))
            for _ in range(RECOVERY_GROUPS)
        )
        for _ in range(count)
    ]


def hash_recovery_code(text: str) -> str:
    """The stored form of a recovery code: SHA-256 of the normalised code, in hex."""
    return hashlib.sha256(normalise_code(text).encode()).hexdigest()


def looks_like_recovery_code(text: str) -> bool:
    code = normalise_code(text)
    return len(code) == RECOVERY_GROUPS * RECOVERY_GROUP_LENGTH and all(
        character in RECOVERY_ALPHABET for character in code
    )


def match_recovery_code(text: str, unused_hashes: Iterable[str]) -> str | None:
    """The hash among ``unused_hashes`` that the typed code matches, or None. The caller
    marks it used, so each code works once."""
    if not looks_like_recovery_code(text):
        return None
    typed = hash_recovery_code(text)
    found = None
    for stored in unused_hashes:
        if hmac.compare_digest(stored, typed):
            found = stored
    return found
