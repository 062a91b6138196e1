"""Phone numbers: Finnish and international formats, stored in E.164."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyydaapua.rules.phones import normalise_phone, readable_phone, tel_uri


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


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+358401234567", "040 123 4567"),  # as dialled in Finland, in groups to read aloud
        ("+358451234567", "045 123 4567"),
        ("+358931011111", "09 3101 1111"),
        ("+46701234567", "+46 70 123 45 67"),  # abroad: with its country code
        ("0401234567", "040 123 4567"),  # written as dialled in Finland
        ("+3588001234", "0800 1234"),  # four digits stay one group
        ("+358116111", "116111"),  # a service number: as it is dialled
        ("not a number", "not a number"),
    ],
)
def test_a_stored_number_is_shown_for_checking(stored: str, shown: str) -> None:
    assert readable_phone(stored) == shown


@pytest.mark.parametrize(
    ("written", "uri"),
    [
        ("09 310 12345", "tel:+358931012345"),
        ("020 696 006", "tel:+35820696006"),
        ("112", "tel:112"),  # the emergency number is dialled as it is
        ("+46 8 123 456 78", "tel:+46812345678"),
    ],
)
def test_a_number_in_a_setting_becomes_a_tel_link(written: str, uri: str) -> None:
    assert tel_uri(written) == uri


@pytest.mark.parametrize(
    ("shown", "uri"),
    [
        ("09 310 12345", "tel:+358931012345"),
        ("08 558 45 000", "tel:+358855845000"),
        ("+358 40 123 4567", "tel:+358401234567"),
        ("(09) 310-12345", "tel:+358931012345"),
        ("116 111", "tel:116111"),  # a service number: dialled as written
    ],
)
def test_tel_uri_of_a_number_as_written(shown: str, uri: str) -> None:
    assert tel_uri(shown) == uri


@given(st.from_regex(r"\+358[1-9][0-9]{4,11}", fullmatch=True))
def test_a_stored_finnish_number_reads_as_the_parsed_number_does(stored: str) -> None:
    """Stored Finnish numbers are read without phonenumbers' parser (the inbox shows 50 at a
    time); the groups are those of the parsed number."""
    parsed = phonenumbers.parse(stored, "FI")
    groups = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL).split()
    if len(groups) > 1 and len(groups[-1]) > 4:
        last = groups.pop()
        groups += [last[:-4], last[-4:]]
    assert readable_phone(stored) == " ".join(groups)
