"""Templates compiled once per language (web/translated_templates.py): each fixed text is put
in as its translation while compiling, and the page reads exactly as when it was translated
at every render."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from jinja2 import DictLoader

from pyydaapua.rules.codes import LANGUAGES
from pyydaapua.web import i18n
from pyydaapua.web.translated_templates import TranslatedEnvironment
from tests.helpers.app import make_app

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# A fixed text alone between the braces, as the templates write it.
FIXED_TEXT = re.compile(r"\{\{-? *_\(\"[^\"]*\"\) *-?\}\}")


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_app(f"sqlite:///{tmp_path / 'texts.sqlite3'}")


def _environment(app: Flask, templates: dict[str, str]) -> TranslatedEnvironment:
    """An environment as the app's, reading ``templates``."""
    env = TranslatedEnvironment(
        app, loader=DictLoader(templates), autoescape=True, extensions=["jinja2.ext.i18n"]
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n._template_gettext, ngettext=i18n._template_ngettext, newstyle=True
    )
    return env


def _render(app: Flask, env: TranslatedEnvironment, name: str, language: str, **values: Any):
    with app.test_request_context(), force_locale(language):
        return env.get_template(name).render(**values)


def test_every_fixed_text_of_the_templates_reads_as_translated_at_render(app: Flask) -> None:
    """Each ``{{ _("…") }}`` of every template, compiled per language, against the same text
    translated when rendering (Jinja's own way): the same characters, escaping and all."""
    found = sorted(
        {text for path in TEMPLATES.rglob("*.*") for text in FIXED_TEXT.findall(path.read_text())}
    )
    assert len(found) > 300
    # And texts no catalogue has, which stand as they are: markup and a doubled "%".
    made_up = ['{{ _("Tom & Jerry\'s <b>") }}', '{{ _("100 %% sure") }}']
    source = "\n|\n".join([*found, *made_up])
    env = _environment(app, {"all.html": source})
    for language in LANGUAGES:
        with app.test_request_context(), force_locale(language):
            compiled = env.get_template("all.html").render()
            at_render = env.from_string(source).render()  # not through the per-language cache
        assert compiled == at_render
        assert compiled.endswith("Tom & Jerry's <b>\n|\n100 % sure")


def test_a_fixed_text_is_not_looked_up_when_the_page_is_rendered(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = _environment(
        app,
        {"page.html": '<h2>{{ _("Timeline") }}</h2><p>{{ _("%(count)s rows", count=n) }}</p>'},
    )
    for language in LANGUAGES:
        _render(app, env, "page.html", language, n=3)  # compiled in the language
    looked_up: list[str] = []
    catalogue = i18n.page_translations

    def counted() -> Any:
        looked_up.append("once")
        return catalogue()

    monkeypatch.setattr(i18n, "page_translations", counted)
    assert _render(app, env, "page.html", "fi", n=3).startswith("<h2>Tapahtumat</h2>")
    assert _render(app, env, "page.html", "sv", n=3).startswith("<h2>Händelser</h2>")
    # Only the text with a value was looked up, once a page.
    assert looked_up == ["once", "once"]


def test_each_language_keeps_its_own_compiled_template(app: Flask) -> None:
    env = _environment(app, {"page.html": '{{ _("Timeline") }}'})
    rendered = [_render(app, env, "page.html", language) for language in ("fi", "sv", "fi", "sv")]
    assert rendered == ["Tapahtumat", "Händelser", "Tapahtumat", "Händelser"]


def test_a_text_that_cannot_be_formatted_is_left_to_the_render(app: Flask) -> None:
    """Jinja formats a translation with no values: a lone "%" fails there, as before."""
    env = _environment(app, {"page.html": '{{ _("100 %") }}'})
    with pytest.raises(ValueError):
        _render(app, env, "page.html", "fi")


def test_outside_a_page_templates_are_compiled_as_jinja_does(app: Flask) -> None:
    env = _environment(app, {"page.html": '{{ _("Timeline") }}'})
    with app.app_context():
        template = env.get_template("page.html")
    assert env.translated.items() == []
    with app.test_request_context(), force_locale("sv"):
        assert template.render() == "Händelser"  # translated when rendered
