"""Reference codes: alphabet, format and uniqueness."""

import re

from pyydaapua.rules.references import ALPHABET, format_reference, new_reference, parse_reference


def test_alphabet_has_no_look_alike_characters() -> None:
    for confusable in "0O1IL2Z5S8BU":
        assert confusable not in ALPHABET
    assert len(set(ALPHABET)) == len(ALPHABET)


def test_code_is_eight_characters_from_the_alphabet() -> None:
    for _ in range(1000):
        code = new_reference()
        assert len(code) == 8
        assert set(code) <= set(ALPHABET)


def test_codes_are_shown_in_two_groups_of_four() -> None:
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", format_reference(new_reference()))
    assert format_reference("ACDEFHJK") == "ACDE-FHJK"


def test_codes_do_not_repeat_under_many_draws() -> None:
    codes = [new_reference() for _ in range(20_000)]
    # 22**8 possible codes: a repeat among 20 000 draws is possible but rare (0.4 %), and more
    # than one (once in 150 000 runs) would mean the draw is not random.
    assert len(codes) - len(set(codes)) <= 1


def test_parse_accepts_what_a_person_types() -> None:
    assert parse_reference("acde-fhjk") == "ACDEFHJK"
    assert parse_reference(" ACDE FHJK ") == "ACDEFHJK"
    assert parse_reference("ACDEFHJK") == "ACDEFHJK"
    assert parse_reference("ACDE-FHJ0") is None
    assert parse_reference("ACD") is None
