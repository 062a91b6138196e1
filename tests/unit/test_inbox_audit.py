"""The audit events of an inbox answer: the kind of a search, and one event per request shown,
never the text that was typed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pyydaapua.audit import Read
from pyydaapua.inbox.queries import Filters, Listed, Upcoming, search_kind, shown


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("ACDE-FHJK", "reference"),
        ("acdefhjk", "reference"),
        ("040 123 4567", "phone"),
        ("+358401234567", "phone"),
        ("(040) 123-45", "phone"),
        ("12345", "words"),  # too short for a phone number
        ("Virtanen", "words"),
        ("040 123 4567 Virtanen", "words"),
    ],
)
def test_search_kind(text, kind) -> None:
    assert search_kind(text) == kind


def requests(*ids: int, owner: int | None = None) -> list[Listed]:
    """Listed requests of ``ids``, owned by ``owner``: only the id and the owner matter here."""
    now = datetime.now(UTC)
    return [
        Listed(
            request_id,
            "ACDEFHJK",
            now,
            now.date(),
            "new",
            None,
            None,
            "phone",
            "",
            False,
            "",
            "fi",
            None,
            "any",
            "fi",
            0,
            owner,
            None,
            (),
        )
        for request_id in ids
    ]


def test_the_list_and_the_visits_are_each_a_read() -> None:
    """Each listed request's and each visit's owner goes with its read (the access's basis
    needs no query)."""
    now = datetime.now(UTC)
    visits = [Upcoming(9, now, "Katu 1", 3, "Nimi", "ACDEFHJK", 7)]
    assert shown(Filters(), [*requests(1), *requests(2, owner=5)], visits) == [
        Read("request_listed", 1, "inbox", None),
        Read("request_listed", 2, "inbox", 5),
        Read("request_listed", 3, "visits", 7),
    ]
    assert shown(Filters(), [], []) == []  # nothing shown, nothing recorded


@pytest.mark.parametrize(
    ("typed", "action", "target"),
    [
        ("040 123 4567", "request_found_phone", ""),
        ("Maija Virtanen", "request_found_words", ""),
        ("acde-fhjk", "request_found_reference", "ACDEFHJK"),
    ],
)
def test_a_search_records_its_kind_never_the_text(typed, action, target) -> None:
    assert shown(Filters(q=typed), requests(7, 8), []) == [
        Read(action, 7, target, None),
        Read(action, 8, target, None),
    ]


@pytest.mark.parametrize(
    ("typed", "target"),
    [("040 123 4567", "phone"), ("Virtanen", "words"), ("ACDE-FHJK", "reference ACDEFHJK")],
)
def test_a_search_that_finds_nothing_is_recorded(typed, target) -> None:
    assert shown(Filters(q=typed), [], []) == [Read("search_no_results", None, target)]
