"""The same family asking again (within 30 days), and the first words of a request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pyydaapua.rules.repeats import SAME_FAMILY_DAYS, asked_within, excerpt

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("apart", "flagged"),
    [
        (timedelta(0), True),
        (timedelta(days=1), True),
        (timedelta(days=30), True),
        (timedelta(days=30, seconds=1), False),
        (timedelta(days=31), False),
    ],
)
def test_asked_within_thirty_days_in_either_order(apart: timedelta, flagged: bool) -> None:
    assert SAME_FAMILY_DAYS == 30
    assert asked_within(AT, AT + apart) is flagged
    assert asked_within(AT + apart, AT) is flagged


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("", 10, ""),
        ("Short one.", 10, "Short one."),
        # What SQL gave: one character past the limit tells that the text goes on.
        ("We need help with", 10, "We need…"),
        ("We need he", 10, "We need he"),
        ("We need he ", 10, "We need he…"),
        ("We needed, x", 10, "We needed…"),
        ("Onelongwordthatgoeson", 10, "Onelongwor…"),
        ("Line one\n\nline  two", 30, "Line one line two"),
        ("Tabs\tand\r\nbreaks go", 16, "Tabs and breaks…"),
        ("Tabs\tand\r\nbreaks go", 15, "Tabs and…"),
    ],
)
def test_excerpt_is_whole_words_on_one_line(text: str, limit: int, expected: str) -> None:
    assert excerpt(text, limit) == expected
    assert len(excerpt(text, limit)) <= limit + 1
