"""A phone number as shown to people, and the ``tel:`` link that dials it."""

from __future__ import annotations

from pyydaapua.rules.phones import normalise_phone


def tel_uri(shown: str) -> str:
    """The ``tel:`` URI of a number written for people ("09 310 12345" → "tel:+358931012345").

    A number that is not a valid Finnish or international one keeps only its digits and a
    plus sign, so that a service number the parser does not know still dials as written."""
    dialled = normalise_phone(shown) or "".join(c for c in shown if c.isdigit() or c == "+")
    return f"tel:{dialled}"
