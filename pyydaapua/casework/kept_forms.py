"""The request page's action forms as a fresh page shows them, rendered once and kept.

A fresh form (nothing typed, no errors) looks the same on every request page of a language but
for a few values: the request's id (in the form's address), its version, the session's CSRF
token and the forms' times (the time of a call, a visit's proposed day …). Such a form is
rendered with marks in the place of these values, kept per process under a key that holds
everything else it shows (the language, the values of its fields that are not its own
defaults, its staff and service choices, the request's status, good time to call and planned
call, the signed-in user), and the values are written in per request. The key is worked out
from what the form would be given (``FreshForm``), so a page whose forms are all kept builds
none of them. A form that was sent (with errors, open work to confirm or a changed request) is
rendered as it is. Nothing is kept while templates are reloaded (development): the form is
still rendered through the marks.

A kept form holds nothing of a family: its request's id, version and times are marks, and
the rest is the service's words, the staff's and services' names and the request's status and
good time to call as codes in the key.
"""

from __future__ import annotations

import secrets
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, ClassVar

from flask import current_app, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from wtforms import SelectChoice
from wtforms.fields.core import UnboundField

from pyydaapua.casework.actions import Action
from pyydaapua.models import HelpRequest
from pyydaapua.web.days import LocalDateTimeField
from pyydaapua.web.i18n import page_language

_MARK = secrets.token_hex(12)
# Numbers, for the address's converter: 18 digits no page shows otherwise.
_ID_MARK = 10**17 + secrets.randbelow(10**16)
_VERSION_MARK = 2 * 10**17 + secrets.randbelow(10**16)
_CSRF_MARK = f"csrf-mark-{_MARK}"
_EXTENSION = "casework.kept_forms"
# At most this many forms are kept (a few per action, language and member of staff); past it
# the kept forms are dropped and made again.
KEPT_MAX = 512


def _field_mark(name: str) -> str:
    return f"field-mark-{_MARK}-{name}"


@dataclass(frozen=True)
class KeptRequest:
    """What the forms' partials read of the request (``req``): its id and version as marks,
    and the rest as the key holds it."""

    id: int
    version: int
    status: str
    call_time: str
    planned_call_at: bool


def frozen(value: Any) -> Hashable:
    """A value a form shows, as part of a key: texts (lazy ones translated), numbers, and
    lists and choices of them."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, SelectChoice):
        return (frozen(value.value), frozen(value.label), frozen(value.render_kw))
    if isinstance(value, (list, tuple)):
        return tuple(frozen(item) for item in value)
    if isinstance(value, dict):
        return tuple((key, frozen(item)) for key, item in value.items())
    if isinstance(value, datetime):
        return value
    if hasattr(value, "__html__"):  # a lazy text
        return str(value)
    raise TypeError(f"not a value of a form: {value!r}")


# The marked fields of each action's form, found once.
_MARKED: dict[str, dict[str, Any]] = {}


def marked_defaults(action: Action) -> dict[str, Any]:
    """The fields of ``action``'s form whose values are times, written in per request, with
    their own defaults (a value, a function or None)."""
    found = _MARKED.get(action.name)
    if found is None:
        found = _MARKED[action.name] = {
            name: unbound.kwargs.get("default")
            for name in dir(action.form)
            if isinstance(unbound := getattr(action.form, name, None), UnboundField)
            and issubclass(unbound.field_class, LocalDateTimeField)
        }
    return found


@dataclass
class FreshForm:
    """An action's fresh form on a request before it is built: its choices, and the values of
    its fields where they are not the form's own defaults, its times worked out once (so that
    the form built and its kept copy show the same). Built (``form``) only when its kept copy
    is missing; a fresh form has no errors and no open work."""

    action: Action
    help_request: HelpRequest
    choices: dict[str, list[SelectChoice]] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    errors: ClassVar[dict[str, list[str]]] = {}
    open_work: ClassVar[None] = None

    @classmethod
    def of(cls, action: Action, help_request: HelpRequest) -> FreshForm:
        data = {
            name: default() if callable(default) else default
            for name, default in marked_defaults(action).items()
        }
        if action.fresh is not None:
            data.update(action.fresh(help_request))
        choices = action.choices() if action.choices is not None else {}
        return cls(action, help_request, choices, data)

    @cached_property
    def form(self) -> FlaskForm:
        """The form itself. Never validated: it has no CSRF field of its own (the page writes
        the token with ``csrf_field()``)."""
        form = self.action.make_form(formdata=None, meta={"csrf": False})
        form.version.data = self.help_request.version
        for name, choices in self.choices.items():
            form[name].choices = choices
        for name, value in self.data.items():
            form[name].data = value
        return form


def form_key(fresh: FreshForm) -> Hashable:
    """Everything a fresh form shows but its marked values."""
    marked = marked_defaults(fresh.action)
    help_request = fresh.help_request
    return (
        fresh.action.name,
        page_language(),
        request.script_root,
        current_user.id,
        current_user.name,
        help_request.status,
        help_request.call_time,
        help_request.planned_call_at is not None,
        tuple((name, frozen(value)) for name, value in fresh.data.items() if name not in marked),
        tuple((name, frozen(choices)) for name, choices in fresh.choices.items()),
    )


def _render_marked(fresh: FreshForm) -> str:
    """The form's partial with marks in the place of the values written in per request."""
    form, help_request = fresh.form, fresh.help_request
    marked = [form[name] for name in marked_defaults(fresh.action)]
    values = [(each, each.data) for each in marked]
    try:
        for each in marked:
            each.data = _field_mark(each.short_name)
        form.version.data = _VERSION_MARK
        standing_in = KeptRequest(
            id=_ID_MARK,
            version=_VERSION_MARK,
            status=help_request.status,
            call_time=help_request.call_time,
            planned_call_at=help_request.planned_call_at is not None,
        )
        html = render_template(fresh.action.host, form=form, req=standing_in)
    finally:
        for each, data in values:
            each.data = data
        form.version.data = help_request.version
    return html.replace(str(escape(generate_csrf())), _CSRF_MARK)


def kept_form(
    action: Action, form: FlaskForm | FreshForm, help_request: HelpRequest
) -> Markup | None:
    """The fresh ``form`` of ``action`` on ``help_request``, from the kept forms; None for a
    form that was sent, which the page renders itself."""
    if not isinstance(form, FreshForm):
        return None
    key = form_key(form)
    kept: dict[Hashable, str] = current_app.extensions.setdefault(_EXTENSION, {})
    html = kept.get(key)
    if html is None:
        html = _render_marked(form)
        if not current_app.jinja_env.auto_reload:
            if len(kept) >= KEPT_MAX:
                kept.clear()
            kept[key] = html
    html = (
        html.replace(str(_ID_MARK), str(help_request.id))
        .replace(str(_VERSION_MARK), str(help_request.version))
        .replace(_CSRF_MARK, str(escape(generate_csrf())))
    )
    for name in marked_defaults(action):
        text = LocalDateTimeField.text_of(form.data.get(name))
        html = html.replace(_field_mark(name), str(escape(text)))
    # Our own template's output; the values are escaped as they go in.
    return Markup(html)  # noqa: S704
