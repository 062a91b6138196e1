"""The text rules every form field goes through, and the LIKE pattern of the searches."""

from __future__ import annotations

import pytest

from pyydaapua.rules import typed_text
from pyydaapua.rules.typed_text import TextProblem


def test_multiline_text_gets_lf_line_ends_and_nfc() -> None:
    assert typed_text.normalise("a\r\nb\rc\n", multiline=True) == "a\nb\nc\n"
    assert typed_text.normalise("Ha\u0308meenlinna", multiline=True) == "H\u00e4meenlinna"


def test_single_line_text_keeps_its_line_ends_to_be_refused() -> None:
    assert typed_text.normalise("a\r\nb", multiline=False) == "a\r\nb"
    assert typed_text.normalise("A\u030angström", multiline=False) == "\u00c5ngström"


@pytest.mark.parametrize(
    ("text", "multiline", "problem"),
    [
        ("Hei\nmaailma\tja kaikki", True, None),
        ("Hei\x00", True, TextProblem("control", 4)),
        ("\x07kello", True, TextProblem("control", 1)),
        ("a\rb", True, TextProblem("control", 2)),
        ("a\x7fb", True, TextProblem("control", 2)),
        ("a\x85b", True, TextProblem("control", 2)),
        ("Anna\nVirtanen", False, TextProblem("control", 5)),
        ("Anna\tVirtanen", False, TextProblem("control", 5)),
        ("Anna Virtanen", False, None),
        ("caf\ufffd", False, TextProblem("unreadable", 4)),
        ("x\ud800", True, TextProblem("unreadable", 2)),
        ("emoji 👨‍👩‍👧 ja ­pehmeä tavuviiva", False, None),
    ],
)
def test_find_problem(text: str, multiline: bool, problem: TextProblem | None) -> None:
    assert typed_text.find_problem(text, multiline) == problem


def test_control_characters_are_taken_out_of_the_text_offered_back() -> None:
    assert typed_text.without_control_characters("a\x00b\nc\x07", True) == "ab\nc"
    assert typed_text.without_control_characters("Anna\tVirta\x00nen\n", False) == "Anna Virtanen "
    assert typed_text.without_control_characters("caf\ufffd\x00", False) == "caf\ufffd"
    # A lone surrogate cannot be stored: it is offered back as U+FFFD.
    assert typed_text.without_control_characters("a\ud800b", False) == "a\ufffdb"


def test_urlencoded_bodies_keep_every_field_and_mark_unreadable_bytes() -> None:
    pairs = typed_text.decode_urlencoded(b"a=caf%C3%A9&b=%FF%FEx&c=\xff&d=ok+ok&e&&f=%00")
    assert pairs == [
        ("a", "café"),
        ("b", "\ufffd\ufffdx"),
        ("c", "\ufffd"),
        ("d", "ok ok"),
        ("e", ""),
        ("f", "\x00"),
    ]


@pytest.mark.parametrize(
    ("text", "pattern"),
    [("abc", "%abc%"), ("50%", "%50\\%%"), ("a_b", "%a\\_b%"), ("c:\\x", "%c:\\\\x%")],
)
def test_like_any_takes_wildcards_literally(text: str, pattern: str) -> None:
    assert typed_text.like_any(text) == pattern


@pytest.mark.parametrize(
    ("name", "first"),
    [("Anna Virtanen", "Anna"), ("  Anna-Liisa  Ek ", "Anna-Liisa"), ("Erik", "Erik"), ("", "")],
)
def test_a_counsellor_signs_with_the_first_word_of_their_name(name: str, first: str) -> None:
    assert typed_text.first_name(name) == first
