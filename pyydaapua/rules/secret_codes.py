"""The status page's secret codes: easy to copy by hand, hard to guess."""

from __future__ import annotations

import re
import secrets

# No 0/O, 1/I/L: nothing that is easily mistaken for another character when written down.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10
GROUP = 5
# What a parent may type between the characters: spaces and hyphens of any kind.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]")
_CODE = re.compile(rf"[{ALPHABET}]{{{LENGTH}}}")


def new_secret_code() -> str:
    """A random secret code of ten characters (about 49 bits), stored without separators."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def format_secret_code(code: str) -> str:
    """The code as shown to people, in two groups of five: ``K7PX3-M4QRT``."""
    return "-".join(code[start : start + GROUP] for start in range(0, len(code), GROUP))


def normalise_secret_code(text: str) -> str | None:
    """The code as typed (any case, spaces and hyphens anywhere) in its stored form, or None
    when it cannot be a code: the wrong length or a character outside the alphabet."""
    cleaned = _SEPARATORS.sub("", text).upper()
    if not _CODE.fullmatch(cleaned):
        return None
    return cleaned
