"""The fi and sv catalogues: complete, not fuzzy, and up to date with the source."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from pyydaapua.tools.cli import TRANSLATIONS, extract_messages


@pytest.fixture(scope="module")
def source_ids(tmp_path_factory: pytest.TempPathFactory) -> set:
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    extract_messages(pot)
    with pot.open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


def load(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_every_message_is_translated_and_not_fuzzy(lang: str) -> None:
    catalogue = load(lang)
    untranslated, fuzzy = [], []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_catalogue_is_up_to_date_with_the_source(lang: str, source_ids: set) -> None:
    catalogue_ids = {message.id for message in load(lang) if message.id}
    assert sorted(map(str, source_ids - catalogue_ids)) == [], (
        "run: flask --app app translate update"
    )
    assert sorted(map(str, catalogue_ids - source_ids)) == [], "obsolete entries in the catalogue"


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_placeholders_survive_translation(lang: str) -> None:
    import re

    placeholder = re.compile(r"%\(\w+\)s")
    for message in load(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(placeholder.findall(ids[-1]))
        for text in strings:
            assert set(placeholder.findall(text)) == expected, (message.id, text)


def test_no_catalogue_for_an_unknown_language() -> None:
    assert {p.name for p in Path(TRANSLATIONS).iterdir() if p.is_dir()} == {"fi", "sv"}
