"""The status page's views, in the public blueprint: /<lang>/status.

A right reference and secret code put ``{"request": id, "seen": time}`` in the Flask session;
the status page is shown while that is fresh (``STATUS_SESSION_MINUTES`` since the last page
load or message). Nothing secret is ever in an address. Wrong pairs are limited per reference
and per client address; only failures count.
"""

from __future__ import annotations

import time

from flask import current_app, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from pyydaapua.intake.views import bp, family_centre_phone
from pyydaapua.models import HelpRequest
from pyydaapua.rules.references import parse_reference
from pyydaapua.status_page import domain
from pyydaapua.status_page.forms import WRONG_PAIR, MessageForm, OpenForm
from pyydaapua.web.ratelimits import failure_limits

# The opened request of this browser session and when the parent last used the page.
STATUS_KEY = "status_page"
# "Your message was sent", shown once on the next page load.
SENT_NOTICE_KEY = "status_message_sent"


def session_limit_seconds() -> int:
    return int(current_app.config["STATUS_SESSION_MINUTES"]) * 60


def _fresh(marker: object, now: float) -> bool:
    if not isinstance(marker, dict):
        return False
    request_id, seen = marker.get("request"), marker.get("seen")
    return (
        isinstance(request_id, int)
        and isinstance(seen, int | float)
        and 0 <= now - seen <= session_limit_seconds()
    )


@bp.before_app_request
def _end_stale_status_session() -> None:
    """An opened status page that has not been used for the limit ends on the next request
    of any page (e.g. after the quick exit): it is never left open for later."""
    if STATUS_KEY in session and not _fresh(session[STATUS_KEY], time.time()):
        session.pop(STATUS_KEY, None)
        session.pop(SENT_NOTICE_KEY, None)
        g.status_session_ended = True


def _opened_request() -> HelpRequest | None:
    """The request opened in this browser session, while it is fresh; using it keeps it so."""
    marker = session.get(STATUS_KEY)
    if not _fresh(marker, time.time()):
        return None
    assert isinstance(marker, dict)
    help_request = domain.get_opened(marker["request"])
    if help_request is None:  # removed, or its code removed by retention
        session.pop(STATUS_KEY, None)
        return None
    session[STATUS_KEY] = {"request": help_request.id, "seen": int(time.time())}
    return help_request


def _render_open_form(
    form: OpenForm, status: int = 200, notice: str | None = None
) -> tuple[str, int]:
    form.secret_code.data = ""  # a code is never written back into a page
    body = render_template(
        "status_page/open.html",
        form=form,
        notice=notice,
        family_centre_phone=family_centre_phone() if notice == "rate_limit" else None,
        message_max=domain.MESSAGE_MAX,
    )
    return body, status


def _render_status_page(
    help_request: HelpRequest,
    form: MessageForm | None = None,
    status: int = 200,
    notice: str | None = None,
) -> tuple[str, int]:
    body = render_template(
        "status_page/page.html",
        help_request=help_request,
        state=domain.state_of(help_request),
        messages=domain.messages(help_request),
        form=form or MessageForm(formdata=None),
        notice=notice or ("sent" if session.pop(SENT_NOTICE_KEY, False) else None),
        message_max=domain.MESSAGE_MAX,
    )
    return body, status


def refused_status_form(notice: str, status: int) -> tuple[str, int]:
    """A refused attempt to open (too many wrong tries, an expired form): the form again with
    the reference and any message kept, never the code."""
    form = OpenForm(formdata=request.form)
    return _render_open_form(form, status=status, notice=notice)


# Limits of wrong tries: per reference (normalised, so that spellings count as one) and per
# client address. Only failures (422) are counted.
def _reference_key() -> str:
    typed = request.form.get("reference", "")
    reference = parse_reference(typed) or typed.strip().upper()[:40]
    return "status-reference:" + reference


def _address_key() -> str:
    return "status-address:" + (request.remote_addr or "")


def _failed(response: Response) -> bool:
    return response.status_code == 422


_status_limits = failure_limits(
    ("STATUS_RATE_LIMIT", _reference_key),
    ("STATUS_ADDRESS_RATE_LIMIT", _address_key),
    failed=_failed,
)


@bp.route("/status", methods=["GET", "POST"])
@_status_limits
def status() -> Response | tuple[str, int]:
    """GET: the opened request's status page, else the form for the reference and code.
    POST: open the request with the pair (and send a message kept from before), then 303."""
    if request.method == "GET":
        help_request = _opened_request()
        if help_request is not None:
            return _render_status_page(help_request)
        notice = "ended" if g.get("status_session_ended") else None
        return _render_open_form(OpenForm(formdata=None), notice=notice)
    form = OpenForm()
    if not form.validate():
        return _render_open_form(form, status=422)
    help_request = domain.open_request(form.reference.data, form.secret_code.data)
    if help_request is None:
        form.form_errors.append(str(WRONG_PAIR))
        return _render_open_form(form, status=422)
    session[STATUS_KEY] = {"request": help_request.id, "seen": int(time.time())}
    if form.message.data:
        if not domain.is_open(help_request):
            kept = MessageForm(formdata=None, message=form.message.data)
            return _render_status_page(help_request, kept, status=409, notice="closed")
        domain.family_wrote(help_request, form.message.data)
        session[SENT_NOTICE_KEY] = True
    return redirect(url_for(".status"), code=303)


@bp.post("/status/message")
def status_message() -> Response | tuple[str, int]:
    """The family's message. After the page has closed, the message comes back in the form
    for the reference and code, and is sent once they are entered again."""
    help_request = _opened_request()
    if help_request is None:
        kept = OpenForm(formdata=None, message=request.form.get("message", "").strip())
        return _render_open_form(kept, status=403, notice="ended_with_message")
    form = MessageForm()
    if not domain.is_open(help_request):
        return _render_status_page(help_request, form, status=409, notice="closed")
    if not form.validate():
        return _render_status_page(help_request, form, status=422)
    domain.family_wrote(help_request, form.message.data)
    session[SENT_NOTICE_KEY] = True
    return redirect(url_for(".status"), code=303)


@bp.post("/status/close")
def status_close() -> Response:
    """Close the status page in this browser: the reference and code are needed again."""
    session.pop(STATUS_KEY, None)
    session.pop(SENT_NOTICE_KEY, None)
    return redirect(url_for(".landing"), code=303)
