"""Integers from URLs and query strings: plain decimal numbers within 64 bits only."""

from __future__ import annotations

import pytest

from pyydaapua.web.params import INT64_MAX, INT64_MIN, parse_int


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("42", 42),
        ("007", 7),
        ("-3", -3),
        (str(INT64_MAX), INT64_MAX),
        (str(INT64_MIN), INT64_MIN),
    ],
)
def test_plain_numbers_in_range(text, expected) -> None:
    assert parse_int(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        " 1",
        "1 ",
        "+1",
        "1_000",
        "١",
        "1.0",
        "1e3",
        "0x10",
        "-",
        str(INT64_MAX + 1),
        str(INT64_MIN - 1),
        "9" * 30,
        "9" * 5000,
    ],
)
def test_anything_else_is_not_a_number(text) -> None:
    assert parse_int(text) is None


def test_bounds_are_inclusive() -> None:
    assert parse_int("1", 1, 5) == 1 and parse_int("5", 1, 5) == 5
    assert parse_int("0", 1, 5) is None and parse_int("6", 1, 5) is None
