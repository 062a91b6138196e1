"""Where typed text enters: the base class of every form, and the request class that decodes
form bodies and query strings.

Every form of the app derives from ``Form``, which binds two rules to its fields:

- the text rules (``text_rules``): each single-line and multi-line text field is normalised
  (line ends, Unicode NFC) before its own filters, and refused with a message in the user's
  language when it holds a control character or a character that could not be read. Password
  and hidden fields are left as they are (passwords are only hashed; hidden fields are checked
  by their own forms);
- the number rule (``form_integer``): every integer field, and every choice whose values are
  ids (``coerce=int``), takes only a decimal number that an INTEGER column holds (ids from 0);
  anything else is refused with a message in the user's language, before any other check, and
  the typed text is shown again. A multiple choice keeps each value once.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from babel import support
from flask import Request, current_app, has_request_context
from flask_babel import LazyString, get_locale
from flask_babel import gettext as babel_gettext
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from werkzeug.formparser import FormDataParser
from werkzeug.utils import cached_property
from wtforms import (
    Field,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectFieldBase
from wtforms.i18n import messages_path
from wtforms.validators import Length, NumberRange, StopValidation

from pyydaapua.rules import typed_text
from pyydaapua.web.i18n import page_translations
from pyydaapua.web.params import ID_MAX, parse_int


class PageText(LazyString):
    """Flask-Babel's lazy text (``lazy_gettext``), read in a request from the page language's
    catalogue directly (``i18n.page_translations``): Flask-Babel's own look-up finds the
    request context, the domain and the locale again for each text, and a page with forms
    shows some hundred labels, choices and hints. Outside a request, Flask-Babel's own."""

    def __init__(self, text: str, **variables: Any) -> None:
        super().__init__(babel_gettext, text, **variables)

    def __str__(self) -> str:
        if not has_request_context():
            return str(super().__str__())
        translated = page_translations().ugettext(self._args[0])
        return translated % self._kwargs if self._kwargs else translated


def _l(text: str, **variables: Any) -> PageText:
    """``lazy_gettext`` for the texts of forms: a ``PageText``."""
    return PageText(text, **variables)


def page_text(text: Any) -> Any:
    """A Flask-Babel lazy text (``lazy_gettext``, as in ``web/labels.py``) as a ``PageText``;
    anything else as it is."""
    if type(text) is LazyString and text._func is babel_gettext and len(text._args) == 1:
        return PageText(text._args[0], **text._kwargs)
    return text


def page_choices(labels: dict[Any, Any]) -> list[SelectChoice]:
    """Form choices from a table of codes and their labels (``labels.choices``), the labels
    read as ``PageText``."""
    return [SelectChoice(value, page_text(label)) for value, label in labels.items()]


CONTROL_MESSAGE = _l(
    "This text had invisible control characters that cannot be saved. We took them out: "
    "check the text and send it again."
)
UNREADABLE_MESSAGE = _l(
    "Some characters of this text could not be read; they are shown as \ufffd. Correct them "
    "and send the text again."
)

NUMBER_MESSAGE = _l("Enter a whole number.")
CHOICE_MESSAGE = _l("Choose from the list.")

# The range of an INTEGER column, 32 bits in PostgreSQL: every number a form takes is stored in
# one or compared with one (ids, versions, durations), and PostgreSQL refuses a larger one.
INTEGER_MIN = -(2**31)
INTEGER_MAX = ID_MAX


def form_integer(
    value: object, minimum: int = INTEGER_MIN, maximum: int = INTEGER_MAX
) -> int | None:
    """A form value as an integer from ``minimum`` to ``maximum``: None when it is empty (or
    white space), ValueError when it is anything but ASCII digits with an optional minus in
    that range (no ``+``, ``_``, exponents or digits of other scripts, which ``int()`` takes)."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        if minimum <= value <= maximum:
            return value
        raise ValueError(value)
    if not isinstance(value, str):
        raise ValueError(value)
    text = value.strip()
    if not text:
        return None
    number = parse_int(text, minimum, maximum)
    if number is None:
        raise ValueError(text[:50])
    return number


def form_id(value: object) -> int | None:
    """An id chosen in a form: ``form_integer`` from 0 (ids are never negative)."""
    return form_integer(value, 0, ID_MAX)


def number_text(number: int) -> str:
    """A whole number with a no-break space between thousands, as in Finnish and Swedish."""
    return f"{number:,}".replace(",", "\u00a0")


def max_length(maximum: int) -> Length:
    """The longest text a field accepts, with a message that says the limit."""
    return Length(
        max=maximum, message=_l("Write at most %(max)s characters.", max=number_text(maximum))
    )


class CleanText:
    """A check run first on every text field: no control characters (line feed and tab
    allowed in multi-line fields), nothing unreadable. A refused text is offered back without
    its control characters, so the person only has to check it."""

    def __init__(self, multiline: bool) -> None:
        self.multiline = multiline

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if not isinstance(field.data, str):
            return
        problem = typed_text.find_problem(field.data, self.multiline)
        if problem is None:
            return
        field.data = typed_text.without_control_characters(field.data, self.multiline)
        message = CONTROL_MESSAGE if problem.kind == "control" else UNREADABLE_MESSAGE
        raise StopValidation(str(message))


def text_kind(field: Field) -> bool | None:
    """True for a multi-line text field, False for a single-line one, None for the rest."""
    if isinstance(field, TextAreaField):
        return True
    if isinstance(field, (PasswordField, HiddenField)):
        return None
    if isinstance(field, StringField):
        return False
    return None


def number_kind(field: Field) -> str | None:
    """ "integer" for an integer field, "id" for a choice of ids (``coerce=int``), "multiple"
    for any other multiple choice, None for the rest."""
    if isinstance(field, IntegerField):
        return "integer"
    if isinstance(field, SelectFieldBase) and getattr(field, "coerce", None) in (int, form_id):
        return "id"
    if isinstance(field, SelectMultipleField):
        return "multiple"
    return None


class BoundedNumbers:
    """The number rule of one field, run before its own ``process_formdata`` and checks: a
    value that ``form_integer`` refuses leaves the field empty and is refused with the
    field's own range message (integers) or "Choose from the list." (ids), so that no check
    after it meets a number that the database could not hold; the typed text stays in
    ``raw_data`` and is shown again. A multiple choice keeps each value once, in the order
    sent (``home_visit_staff`` and the like hold a person or an item once)."""

    def __init__(self, field: Field, kind: str) -> None:
        self.field = field
        self.kind = kind
        self.refused = False
        self.own_process_formdata = field.process_formdata
        if kind == "id":
            field.coerce = form_id

    def process_formdata(self, valuelist: list[Any]) -> None:
        field = self.field
        self.refused = False
        if self.kind == "integer":
            if not valuelist:
                return
            try:
                field.data = form_integer(valuelist[0])
            except ValueError:
                field.data, self.refused = None, True
            return
        if isinstance(field, SelectMultipleField):
            # An empty value among the ids is left out, as nothing chosen.
            if self.kind == "id":
                valuelist = [value for value in valuelist if str(value).strip()]
            try:
                self.own_process_formdata(valuelist)
            except ValueError:
                field.data, self.refused = [], True
                return
            field.data = list(dict.fromkeys(field.data or []))
            return
        try:
            self.own_process_formdata(valuelist)
        except ValueError:
            field.data, self.refused = None, True

    def message(self) -> str:
        if self.kind == "id":
            return str(CHOICE_MESSAGE)
        ranges = [v for v in self.field.validators if isinstance(v, NumberRange) and v.message]
        return str(ranges[0].message if ranges else NUMBER_MESSAGE)

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if self.refused:
            raise StopValidation(self.message())


class Form(FlaskForm):
    """The base of every form: the text rules on every text field, the number rule on every
    integer field and choice of ids."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
            field = super().bind_field(form, unbound_field, options)  # type: ignore[misc]
            multiline = text_kind(field)
            if multiline is not None:

                def normalise(value: object, multiline: bool = multiline) -> object:
                    return (
                        typed_text.normalise(value, multiline) if isinstance(value, str) else value
                    )

                field.filters = (normalise, *field.filters)
                field.pre_validate = _checked_first(field, CleanText(multiline))
            kind = number_kind(field)
            if kind is not None:
                rule = BoundedNumbers(field, kind)
                field.process_formdata = rule.process_formdata
                field.number_rule = rule
                if kind != "multiple":
                    field.pre_validate = _checked_first(field, rule)
            return field

        def get_translations(self, form: Any) -> Any:
            """WTForms' own messages in the page's language: the catalogue read once per
            language, where Flask-WTF reads it from disk for every answer with a form."""
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)  # type: ignore[misc]
            return _wtforms_catalogue(str(get_locale()))


@lru_cache(maxsize=8)
def _wtforms_catalogue(locale: str) -> support.NullTranslations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def _checked_first(field: Field, check: Callable[[FlaskForm, Field], None]) -> Any:
    """The field's ``pre_validate`` with a rule's check before it, so that the rule's message
    is the one shown (and no other check runs on such a value)."""
    own = field.pre_validate

    def pre_validate(form: FlaskForm) -> None:
        check(form, field)
        own(form)

    return pre_validate


class _FormDataParser(FormDataParser):
    def _parse_urlencoded(
        self, stream: Any, mimetype: str, content_length: Any, options: Any
    ) -> Any:
        items = typed_text.decode_urlencoded(stream.read())
        return stream, self.cls(items), self.cls()


class TextDecoding:
    """Form bodies and query strings with invalid UTF-8 keep every field: the bytes that
    cannot be read become U+FFFD in their own field (Werkzeug would drop the whole body, fail
    on a raw byte in the query string, or keep percent-encoded bytes as they are), and the
    text rules refuse that field with a message. Mixed into the app's request class."""

    form_data_parser_class = _FormDataParser
    query_string: bytes
    parameter_storage_class: type[MultiDict[str, str]]

    @cached_property
    def args(self) -> MultiDict[str, str]:
        return self.parameter_storage_class(typed_text.decode_urlencoded(self.query_string))


def with_text_decoding(request_class: type[Request]) -> type[Request]:
    """``request_class`` with ``TextDecoding`` mixed in."""
    if issubclass(request_class, TextDecoding):
        return request_class
    return type(request_class.__name__, (TextDecoding, request_class), {})


def strip(value: str | None) -> str:
    """A form filter: surrounding white space off; a missing value becomes empty."""
    return value.strip() if isinstance(value, str) else ""


class MultipleChoiceField(SelectMultipleField):
    """A multiple choice whose refusal of an unknown value is in the user's language: WTForms'
    own message for it has no Finnish or Swedish translation (and repeats the value)."""

    def pre_validate(self, form: Form) -> None:
        try:
            super().pre_validate(form)
        except ValidationError as error:
            raise ValidationError(self.gettext("Not a valid choice.")) from error
