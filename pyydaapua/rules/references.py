"""Reference codes that a parent can read out on the phone without confusion."""

from __future__ import annotations

import re
import secrets

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B or U: nothing that looks or sounds like another character.
ALPHABET = "ACDEFHJKMNPRTVWXY34679"
LENGTH = 8
_SHOWN = re.compile(rf"^[{ALPHABET}]{{4}}-?[{ALPHABET}]{{4}}$")


def new_reference() -> str:
    """A random reference code of eight characters, stored without the hyphen."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def format_reference(code: str) -> str:
    """The code as shown to people: ``XXXX-XXXX``."""
    return f"{code[:4]}-{code[4:]}"


def parse_reference(text: str) -> str | None:
    """The stored form of a typed code (any case, hyphen and spaces optional), or None."""
    cleaned = re.sub(r"\s", "", text).upper()
    if not _SHOWN.match(cleaned):
        return None
    return cleaned.replace("-", "")
