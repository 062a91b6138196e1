"""The texts of forms read from the page language's catalogue (web/forms.py ``PageText``): the
same words as Flask-Babel's lazy texts, in Finnish and Swedish, and the request page's forms
show no label or choice through Flask-Babel's own look-up."""

from __future__ import annotations

import pytest
from flask_babel import LazyString, force_locale, lazy_gettext
from markupsafe import escape

from pyydaapua.casework.actions import ACTIONS
from pyydaapua.web.forms import PageText, _l, page_text
from pyydaapua.web.labels import STATUS_LABELS


@pytest.mark.parametrize(
    ("lang", "status", "at_most"),
    [("fi", "Uusi", "Kirjoita enintään 90 merkkiä."), ("sv", "Ny", "Skriv högst 90 tecken.")],
)
def test_the_words_of_flask_babel_in_the_page_language(app, lang, status, at_most) -> None:
    label = page_text(STATUS_LABELS["new"])
    limit = _l("Write at most %(max)s characters.", max="90")
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        assert isinstance(label, PageText)
        assert str(label) == str(STATUS_LABELS["new"]) == status
        assert str(limit) == str(lazy_gettext("Write at most %(max)s characters.", max="90"))
        assert str(limit) == at_most
        # Written into a page as Flask-Babel's lazy text is, and compared as its text.
        assert escape(label) == escape(STATUS_LABELS["new"])
        assert label == status and f"{label}!" == status + "!"


def test_only_flask_babels_lazy_texts_are_turned() -> None:
    assert page_text("plain") == "plain"
    own = _l("Write the note.")
    assert page_text(own) is own
    other = LazyString(lambda: "made elsewhere")
    assert page_text(other) is other


def test_the_request_pages_forms_show_no_text_through_flask_babel(app) -> None:
    """Every label and choice of the casework forms is read from the catalogue directly."""
    with app.test_request_context("/fi/"), force_locale("fi"):
        for action in ACTIONS.values():
            form = action.make_form(formdata=None)
            for field in form:
                texts = [field.label.text]
                texts += [choice.label for choice in getattr(field, "choices", None) or []]
                slow = [t for t in texts if type(t) is LazyString]
                assert not slow, (action.name, field.name, slow)
