"""The request page's action forms as a fresh page shows them, rendered once and kept.

A fresh form (nothing typed, no errors) looks the same on every request page of a language but
for a few values: the request's id (in the form's address), its version, the session's CSRF
token and the forms' times (the time of a call, a visit's proposed day …). Such a form is
rendered with marks in the place of these values, kept per process under a key that holds
everything else it shows (the language, each field's value and choices, the request's status,
good time to call and planned call, the signed-in user), and the values are written in per
request. A form with errors or with open work to confirm is rendered as it is. Nothing is kept
while templates are reloaded (development): the form is still rendered through the marks.

A kept form holds nothing of a family: its request's id, version and times are marks, and
the rest is the service's words, the staff's and services' names and the request's status and
good time to call as codes in the key.
"""

from __future__ import annotations

import secrets
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from wtforms import Field, SelectChoice

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


def _marked(form: FlaskForm) -> list[Field]:
    """The fields whose values are times, written in per request."""
    return [field for field in form if isinstance(field, LocalDateTimeField)]


def form_key(action: Action, form: FlaskForm, help_request: HelpRequest) -> Hashable:
    """Everything a fresh form shows but its marked values."""
    skipped = {form.meta.csrf_field_name, "version", *(field.short_name for field in _marked(form))}
    fields = tuple(
        (
            field.name,
            frozen(field.label.text),
            frozen(field.data),
            frozen(field.raw_data),
            frozen(getattr(field, "choices", None)),
        )
        for field in form
        if field.short_name not in skipped
    )
    return (
        action.name,
        page_language(),
        request.script_root,
        current_user.id,
        current_user.name,
        help_request.status,
        help_request.call_time,
        help_request.planned_call_at is not None,
        fields,
    )


def _render_marked(action: Action, form: FlaskForm, help_request: HelpRequest) -> str:
    """The form's partial with marks in the place of the values written in per request."""
    marked = _marked(form)
    values = [(field, field.data) for field in marked]
    version = form.version.data
    try:
        for field in marked:
            field.data = _field_mark(field.short_name)
        form.version.data = _VERSION_MARK
        standing_in = KeptRequest(
            id=_ID_MARK,
            version=_VERSION_MARK,
            status=help_request.status,
            call_time=help_request.call_time,
            planned_call_at=help_request.planned_call_at is not None,
        )
        html = render_template(action.host, form=form, req=standing_in)
    finally:
        for field, data in values:
            field.data = data
        form.version.data = version
    return html.replace(str(escape(generate_csrf())), _CSRF_MARK)


def kept_form(action: Action, form: FlaskForm, help_request: HelpRequest) -> Markup | None:
    """The fresh ``form`` of ``action`` on ``help_request``, from the kept forms; None for a
    form with errors or open work, which the page renders itself."""
    if form.errors or getattr(form, "open_work", None):
        return None
    key = form_key(action, form, help_request)
    kept: dict[Hashable, str] = current_app.extensions.setdefault(_EXTENSION, {})
    html = kept.get(key)
    if html is None:
        html = _render_marked(action, form, help_request)
        if not current_app.jinja_env.auto_reload:
            if len(kept) >= KEPT_MAX:
                kept.clear()
            kept[key] = html
    html = (
        html.replace(str(_ID_MARK), str(help_request.id))
        .replace(str(_VERSION_MARK), str(form.version.data))
        .replace(_CSRF_MARK, str(escape(generate_csrf())))
    )
    for field in _marked(form):
        html = html.replace(_field_mark(field.short_name), str(escape(field._value())))
    # Our own template's output; the values are escaped as they go in.
    return Markup(html)  # noqa: S704
