"""The casework's words in the page's language, read from its catalogue directly and made once
per language and process: the texts of the actions' timeline entries (``actions.py``) and the
timeline's rows (``timeline_rows.py``) both use them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import cast

from pyydaapua.web import i18n
from pyydaapua.web.labels import CONSENT_SHORT_LABELS, template_labels


def gettext(text: str, **variables: object) -> str:
    """Flask-Babel's ``gettext``, read from the page language's catalogue directly."""
    translated = i18n.page_translations().ugettext(text)
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, num: int, **variables: object) -> str:
    """Flask-Babel's ``ngettext`` (``num`` given to the text), from the catalogue directly."""
    return i18n.page_translations().ungettext(singular, plural, num) % {"num": num, **variables}


@dataclass(frozen=True)
class Words:
    """The timeline's words in one language, translated once; the texts of the casework
    actions (``Action.timeline``) read their labels here."""

    language: str
    the_family: str
    labels: dict[str, dict[str, str]]
    consent_short: dict[str, str]
    # A moment as the timeline writes it ("short").
    moment: Callable[[datetime], str]


@lru_cache(maxsize=8)
def words_in(language: str) -> Words:
    """Called while ``language`` is the page's language, and kept."""
    gettext = i18n.page_translations().ugettext
    return Words(
        language=language,
        the_family=gettext("The family"),
        labels=cast(dict[str, dict[str, str]], template_labels()),
        consent_short={code: str(label) for code, label in CONSENT_SHORT_LABELS.items()},
        moment=i18n.moment_formatter(language, "short"),
    )


def page_words() -> Words:
    """The timeline's words in the page's language."""
    return words_in(i18n.page_language())
