"""The same family asking again: requests close in time, and the first words of a request."""

from __future__ import annotations

from datetime import datetime, timedelta

# Two requests from the same phone number this many days apart or closer are flagged.
SAME_FAMILY_DAYS = 30


def asked_within(first: datetime, second: datetime, days: int = SAME_FAMILY_DAYS) -> bool:
    """Whether two requests were sent at most ``days`` days apart, in either order."""
    return abs(first - second) <= timedelta(days=days)


def excerpt(text: str, limit: int) -> str:
    """The first words of ``text`` on one line: at most ``limit`` characters, ending with a
    whole word and "…" when the text goes on. ``text`` is read one character past ``limit``,
    which tells whether it goes on and whether its last word there is whole."""
    flat = " ".join(text[:limit].split())
    if len(text) <= limit:
        return flat
    cut_in_a_word = not (text[limit - 1].isspace() or text[limit].isspace())
    if cut_in_a_word and " " in flat:
        flat = flat[: flat.rfind(" ")]
    return flat.rstrip(" ,.;:–-") + "…"
