"""The status page's views: /<lang>/status.

The status page opens in the browser that sent the request (its public session, no code
needed while it lives), or anywhere with the right reference and secret code; the public
session on the server (intake/public_session.py) then holds which request is open. It closes on
"Close the status page", on the quick exit and after ``STATUS_SESSION_MINUTES`` without use.
Nothing secret is ever in an address or a cookie. Wrong pairs are limited per reference and per
client address; only failures count.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from pyydaapua.intake import public_info, public_session
from pyydaapua.intake.public_session import PublicState
from pyydaapua.models import HelpRequest
from pyydaapua.rules.references import parse_reference
from pyydaapua.rules.secret_codes import format_secret_code
from pyydaapua.status_page import access
from pyydaapua.status_page.forms import WRONG_PAIR, MessageForm, OpenForm
from pyydaapua.web import areas, errors
from pyydaapua.web.ratelimits import failure_limits

bp = Blueprint("status_page", __name__, url_prefix="/<lang>")
areas.language_prefixed(bp)


def _render_open_form(
    form: OpenForm, http_status: int = 200, banner: str | None = None
) -> tuple[str, int]:
    form.secret_code.data = ""  # a code is never written back into a page
    body = render_template(
        "status_page/open.html",
        form=form,
        banner=banner,
        family_centre_phone=public_info.family_centre_phone() if banner == "rate_limit" else None,
        message_max=access.MESSAGE_MAX,
    )
    return body, http_status


def _render_status_page(
    row: PublicState,
    help_request: HelpRequest,
    form: MessageForm | None = None,
    http_status: int = 200,
    banner: str | None = None,
) -> tuple[str, int]:
    if banner is None and row.message_sent:
        banner = "sent"
        public_session.change(row, message_sent=False)
    body = render_template(
        "status_page/page.html",
        help_request=help_request,
        state=access.state_of(help_request),
        messages=access.messages(help_request),
        form=form or MessageForm(formdata=None),
        banner=banner,
        message_max=access.MESSAGE_MAX,
        # The code of a request just sent from here, until the parent has written it down.
        secret_code=format_secret_code(row.secret_code) if row.secret_code else None,
    )
    return body, http_status


def refused_status_form(banner: str, http_status: int) -> tuple[str, int]:
    """A refused attempt to open (too many wrong tries, an expired form): the form again with
    the reference and any message kept, never the code."""
    form = OpenForm(formdata=request.form)
    return _render_open_form(form, http_status=http_status, banner=banner)


# The status page's forms that keep what was typed when refused.
STATUS_FORMS = frozenset({"status_page.status", "status_page.status_message"})


@bp.errorhandler(CSRFError)
def _form_expired(error: CSRFError) -> tuple[str, int]:
    """The status page's session has gone with the token: the form for the reference and
    code, with any message kept."""
    if request.endpoint in STATUS_FORMS and request.method == "POST":
        banner = "ended_with_message" if request.form.get("message") else "ended"
        return refused_status_form(banner, 400)
    return errors.render_error(error)


@bp.errorhandler(429)
def _too_many_tries(error: HTTPException) -> tuple[str, int]:
    """Too many wrong pairs: the form again, with the family centre's phone number."""
    if request.endpoint == "status_page.status" and request.method == "POST":
        return refused_status_form("rate_limit", 429)
    return errors.render_error(error)


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
        row = public_session.current()
        help_request = public_session.opened_request(row)
        if row is not None and help_request is not None:
            return _render_status_page(row, help_request)
        banner = "ended" if public_session.has_ended() else None
        return _render_open_form(OpenForm(formdata=None), banner=banner)
    form = OpenForm()
    if not form.validate():
        return _render_open_form(form, http_status=422)
    help_request = access.open_request(form.reference.data, form.secret_code.data)
    if help_request is None:
        form.form_errors.append(str(WRONG_PAIR))
        return _render_open_form(form, http_status=422)
    row = public_session.start()
    public_session.open_status(row, help_request)
    if form.message.data:
        if not access.is_open(help_request):
            kept = MessageForm(formdata=None, message=form.message.data)
            return _render_status_page(row, help_request, kept, http_status=409, banner="closed")
        _family_wrote(row, help_request, form.message.data)
    return redirect(url_for(".status"), code=303)


def _family_wrote(row: PublicState, help_request: HelpRequest, text: str) -> None:
    access.family_wrote(help_request, text)
    public_session.change(row, message_sent=True)


@bp.post("/status/message")
def status_message() -> Response | tuple[str, int]:
    """The family's message. After the page has closed, the message comes back in the form
    for the reference and code, and is sent once they are entered again."""
    row = public_session.current()
    help_request = public_session.opened_request(row)
    if row is None or help_request is None:
        kept = OpenForm(formdata=None, message=request.form.get("message", "").strip())
        return _render_open_form(kept, http_status=403, banner="ended_with_message")
    form = MessageForm()
    if not access.is_open(help_request):
        return _render_status_page(row, help_request, form, http_status=409, banner="closed")
    if not form.validate():
        return _render_status_page(row, help_request, form, http_status=422)
    _family_wrote(row, help_request, form.message.data)
    return redirect(url_for(".status"), code=303)


@bp.post("/status/close")
def status_close() -> Response:
    """Close the status page in this browser: the whole public session ends on the server,
    and the reference and code are needed again."""
    public_session.end()
    return redirect(url_for("intake.landing"), code=303)
