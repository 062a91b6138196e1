"""Phone numbers: Finnish and international formats, stored in E.164."""

from __future__ import annotations

import pytest

from pyydaapua.rules.phones import normalise_phone


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("040 123 4567", "+358401234567"),  # Finnish, without the country code
        ("+358 40 123 4567", "+358401234567"),
        ("09 3101 1111", "+358931011111"),  # a landline in Helsinki
        ("+46 70 123 45 67", "+46701234567"),  # Swedish
    ],
)
def test_valid_numbers_are_stored_in_e164(text: str, stored: str) -> None:
    assert normalise_phone(text) == stored


@pytest.mark.parametrize("text", ["", "abc", "123", "040 12", "+358 00 000 0000"])
def test_invalid_numbers_are_refused(text: str) -> None:
    assert normalise_phone(text) is None
