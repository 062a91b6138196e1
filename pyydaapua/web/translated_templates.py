"""Templates compiled once per language, with their fixed texts already translated.

Most of the templates' texts are written ``{{ _("…") }}``: a fixed text, alone between the
braces. At every render each of them went through Jinja's gettext wrappers and the page's
catalogue (some sixty on a request page). Here a template is compiled once for each language
it is rendered in, and each such text is put in as the language's translation while compiling,
as the template's own text. A text with values (``_("… %(name)s", name=…)``), a plural or a
text passed on to a macro is still translated when the page is rendered.

The result is what the render-time look-up gives: Jinja's gettext treats a translation as safe
markup and formats it with no values (``%%`` is written ``%``); a translation that cannot be
formatted so is left to the render, where it fails as before.

Jinja keys its compiled templates by name only, so this environment keeps those of each
language apart (``Environment._load_template`` is Jinja's one place for loading with a cache,
which the two kinds of keys share here). Outside a request or a forced language (a template
compiled from a string, the command line) templates are compiled as Jinja does.

Written here because neither Jinja nor Flask-Babel translates at compile time: Jinja's i18n
extension always translates when rendering.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableMapping
from contextvars import ContextVar
from typing import Any

from babel import Locale
from flask import g, has_app_context, has_request_context
from flask.templating import Environment as FlaskEnvironment
from jinja2 import Template
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2.utils import LRUCache

from pyydaapua.rules.codes import LANGUAGES
from pyydaapua.web.i18n import page_locale, page_translations

# The language a template is being compiled in (None: as Jinja does).
_COMPILING: ContextVar[str | None] = ContextVar("compiling_language", default=None)
# A fixed text alone between the braces: {{ _("…") }}.
_FIXED_TEXT = ("variable_begin", "name", "lparen", "string", "rparen", "variable_end")
# Compiled templates of all languages kept per process (each language's whole set fits).
CACHE_SIZE = 400


def rendering_language() -> str | None:
    """The language of the page being rendered, when it is one of the service's: the page's,
    or outside a request the one forced (``force_locale``), if any."""
    locale: Locale | None
    if has_request_context():
        locale = page_locale()
    elif has_app_context():
        locale = getattr(g.get("_flask_babel"), "babel_locale", None)
    else:
        return None
    language = None if locale is None else str(locale.language)
    return language if language in LANGUAGES else None


def _translated(text: str) -> str | None:
    """``text`` in the catalogue of the language being compiled, as Jinja's gettext would
    write it with no values; None when that would fail (the render then does as before)."""
    try:
        return str(page_translations().ugettext(text) % {})
    except (TypeError, ValueError, KeyError):
        return None


class FixedTexts(Extension):
    """Puts each ``{{ _("…") }}`` in as its translation while compiling in a language."""

    def filter_stream(self, stream: TokenStream) -> Iterable[Token]:
        if _COMPILING.get() is None:
            return stream
        return _folded(list(stream))


def _folded(tokens: list[Token]) -> Iterator[Token]:
    at = 0
    while at < len(tokens):
        window = tokens[at : at + len(_FIXED_TEXT)]
        fixed = tuple(token.type for token in window) == _FIXED_TEXT and window[1].value == "_"
        text = _translated(window[3].value) if fixed else None
        if text is None:
            yield tokens[at]
            at += 1
        else:
            yield Token(window[0].lineno, "data", text)
            at += len(_FIXED_TEXT)


class TranslatedEnvironment(FlaskEnvironment):
    """Flask's template environment, with each template compiled once per language."""

    def __init__(self, *args: Any, **options: Any) -> None:
        options["extensions"] = [*options.get("extensions", ()), FixedTexts]
        super().__init__(*args, **options)
        self.translated = LRUCache(CACHE_SIZE)

    def _load_template(self, name: str, globals: MutableMapping[str, Any] | None) -> Template:
        language = rendering_language()
        if language is None or self.loader is None:
            return super()._load_template(name, globals)
        template = self.translated.get((name, language))
        if template is not None and (not self.auto_reload or template.is_up_to_date):
            if globals:
                template.globals.update(globals)
            return template
        compiling = _COMPILING.set(language)
        try:
            template = self.loader.load(self, name, self.make_globals(globals))
        finally:
            _COMPILING.reset(compiling)
        self.translated[(name, language)] = template
        return template
