"""The fi and sv catalogues: complete, not fuzzy, up to date with the source, and keeping the
terms of the glossary (docs/GLOSSARY.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from pyydaapua.tools.cli import TRANSLATIONS, extract_messages


@pytest.fixture(scope="module")
def source_ids(tmp_path_factory: pytest.TempPathFactory) -> set:
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    extract_messages(pot)
    with pot.open("rb") as handle:
        return {(message.context, message.id) for message in read_po(handle) if message.id}


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
    catalogue_ids = {(message.context, message.id) for message in load(lang) if message.id}
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


def translations(lang: str) -> list[tuple[str, str]]:
    """(English, translation) for every string of a catalogue, plural forms included."""
    pairs = []
    for message in load(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs.extend((ids[min(n, len(ids) - 1)], text) for n, text in enumerate(strings))
    return pairs


# Words that docs/GLOSSARY.md rules out, with what to write instead.
FORBIDDEN = {
    "fi": {
        r"tunnuksesi": "reads like a login ID: pyyntösi tunnus",
        r"käyttöloki": "one term for the audit log: lokitiedot",
        r"lokitapahtum": "one term for the audit log: lokitiedot",
        r"hylätty": "a referral the family declined: perhe kieltäytyi",
        r"soitot\b|soittoja\b|soittokiel": "a call is a puhelu",
    },
    "sv": {
        r"förfall": "an invoice word: sista dag / ring senast",
        r"arbetsdag": "vardag, everywhere, reports too",
        r"\bvisade\b": "means 'showed': öppnade / tittade på",
        r"\(frivillig\)": "(frivilligt) agrees with every label",
        r"fel frågor": "inga dumma frågor",
        r"avböjd": "a referral the family declined: familjen tackade nej",
        r"logg över användning|logghändelse": "one term for the audit log: logguppgifter",
        r"enhetens adress": "the client address is the IP-adress",
    },
}


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_no_word_that_the_glossary_rules_out(lang: str) -> None:
    found = [
        (pattern, instead, text)
        for english, text in translations(lang)
        for pattern, instead in FORBIDDEN[lang].items()
        if re.search(pattern, text, re.IGNORECASE)
    ]
    assert found == []


# Where the English names a concept of the glossary, the translation uses its term (a stem,
# so that every case ending passes; alternatives separated by "|").
TERMS = {
    r"working day": ("arkipäiv", "vardag"),
    r"within three working days": ("kolmen arkipäivän kuluessa", "inom tre vardagar"),
    r"audit log": ("lokitie", "logguppgift"),
    r"\(optional\)": (r"\(vapaaehtoinen\)", r"\(frivilligt\)"),
    r"home visit": ("kotikäyn", "hembesök"),
    r"referr": ("ohja", "hänvis"),
    r"service counsellor": ("palveluohjaaj", "servicehandledar"),
    r"family centre": ("perhekesku", "familjecent"),
    r"owner": ("käsittelij", "handläggar"),
    r"service catalogue": ("palveluluettelo", "tjänstekatalog"),
    r"supervisor\b": ("esihenkilö", "förman"),
    r"\breference\b(?!\)s)": ("tunnu", "referens"),
    r"two-factor": ("kaksivaihei", "tvåstegsverifiering"),
    r"verification code": ("vahvistuskoodi", "verifieringskod"),
    r"recovery code": ("varakood", "reservkod"),
    r"internal note": ("sisäi", "intern"),
    r"anonymous": ("nimettöm|nimetön", "anonym"),
    r"call language": ("puhelun kiel", "samtalsspråk"),
    r"due date": ("määräpäiv", "sista dag"),
    r"\bfilter": ("rajau|rajaa", "filtr"),
    r"city service": ("kaupungin palvelu", "stadens tjänst"),
    r"\bconsent": ("suostumu", "samtyck"),
    r"disclosure log": ("luovutuslok", r"logg\w* över utlämnanden"),
    r"third.sector": ("kolma", "tredje sektorn"),
    r"wellbeing services county": ("hyvinvointialue", "välfärdsområde"),
    r"social emergency": ("sosiaalipäivy", "socialjour"),
    r"neuropsychiatric": ("neuropsykiatri", "neuropsykiatri"),
    r"school attendance": ("koulupoissaolo", "skolfrånvaro"),
    r"couple relationship": ("parisuhte", "parförhållande"),
    r"custody": ("huoltaju", "vårdnad"),
    r"new sibling": ("sisaru", "syskon"),
    r"\bcoping": ("jaksa", "ork"),
    r"finances": ("talousasi", "ekonomi"),
    r"status page": ("pyynnön tila", "begärans status"),
    r"secret code": ("salai", "hemlig"),
    r"message to the family": ("viesti perheelle", "meddelande till familjen"),
    r"privacy notice": ("tietosuojaselost", "dataskyddsbeskrivning"),
    r"accessibility statement": ("saavutettavuusselost", "tillgänglighetsutlåtande"),
    r"no wrong questions": (
        "ei vääriä tai tyhmiä kysymyksiä|eikä ole vääriä tai tyhmiä",
        "inga dumma frågor",
    ),
}


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_glossary_terms_are_used(lang: str) -> None:
    column = ["fi", "sv"].index(lang)
    missing = [
        (english_pattern, english, text)
        for english, text in translations(lang)
        for english_pattern, terms in TERMS.items()
        if re.search(english_pattern, english, re.IGNORECASE)
        and not re.search(terms[column], text, re.IGNORECASE)
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("context", "msgid", "fi", "sv"),
    [
        (None, "Received", "Saapunut", "Mottagen"),  # a date: when the request came in
        ("column: how many requests", "Received", "Saapuneet", "Mottagna"),
        ("column of row names", "Requests", "Pyynnöt", "Begäranden"),
    ],
)
def test_one_english_word_with_two_translations_has_a_context(context, msgid, fi, sv) -> None:
    assert load("fi").get(msgid, context).string == fi
    assert load("sv").get(msgid, context).string == sv
