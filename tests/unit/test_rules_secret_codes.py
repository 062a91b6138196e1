"""The status page's secret codes: alphabet, length, grouping and what a parent may type."""

from __future__ import annotations

import pytest

from pyydaapua.rules.secret_codes import (
    ALPHABET,
    LENGTH,
    format_secret_code,
    new_secret_code,
    normalise_secret_code,
)


def test_alphabet_has_no_ambiguous_characters() -> None:
    assert not set("0O1IL") & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET) == 31


def test_new_codes_are_ten_characters_of_the_alphabet_and_differ() -> None:
    codes = {new_secret_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == LENGTH == 10
        assert set(code) <= set(ALPHABET)


def test_shown_in_two_groups_of_five() -> None:
    assert format_secret_code("K7PX3M4QRT") == "K7PX3-M4QRT"


@pytest.mark.parametrize(
    "typed",
    [
        "K7PX3-M4QRT",
        "k7px3-m4qrt",
        "K7PX3M4QRT",
        " k7px3 m4qrt ",
        "K7 PX3 - M4 QRT",
        "K7PX3\u2013M4QRT",
    ],
)
def test_typed_forms_are_accepted(typed: str) -> None:
    assert normalise_secret_code(typed) == "K7PX3M4QRT"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "K7PX3-M4QR",  # too short
        "K7PX3-M4QRTT",  # too long
        "K7PX3-M4QR0",  # zero
        "K7PX3-M4QRO",  # letter O
        "K7PX3-M4QR1",  # one
        "K7PX3-M4QRI",  # I
        "K7PX3-M4QRL",  # L
        "K7PX3_M4QRT",  # another separator
        "K7PX3-M4QRÄ",
    ],
)
def test_wrong_lengths_and_characters_are_refused(typed: str) -> None:
    assert normalise_secret_code(typed) is None


def test_a_new_code_survives_being_shown_and_typed_back() -> None:
    code = new_secret_code()
    assert normalise_secret_code(format_secret_code(code).lower()) == code
