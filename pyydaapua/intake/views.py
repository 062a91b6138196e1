"""Public views, every one under a language prefix (/fi/…, /sv/…)."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import replace
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from pyydaapua.intake import submission as help_requests
from pyydaapua.intake.forms import DESCRIPTION_MAX, RequestForm
from pyydaapua.models import LANGUAGES
from pyydaapua.rules.phones import tel_uri
from pyydaapua.rules.secret_codes import format_secret_code
from pyydaapua.status_page import domain as status_page
from pyydaapua.web import htmx, request_shape
from pyydaapua.web.errors import DATABASE_UNAVAILABLE
from pyydaapua.web.extensions import db, limiter

bp = Blueprint("public", __name__, url_prefix="/<lang>")
root = Blueprint("root", __name__)


@bp.url_value_preprocessor
def _pull_language(endpoint: str | None, values: dict[str, Any] | None) -> None:
    lang = (values or {}).pop("lang", None)
    if lang not in LANGUAGES:
        abort(404)
    g.lang = lang


@bp.url_defaults
def _add_language(endpoint: str, values: dict[str, Any]) -> None:
    values.setdefault("lang", g.get("lang", LANGUAGES[0]))


@root.get("/")
def index() -> Response:
    """Send the visitor to the landing page in their preferred language (Finnish by default)."""
    lang = request.accept_languages.best_match(LANGUAGES) or LANGUAGES[0]
    return redirect(url_for("public.landing", lang=lang), code=302)


@bp.get("/", strict_slashes=False)
def landing() -> str:
    """What the service is, and the button that leads to the form."""
    return render_template("intake/landing.html")


# The submission key of the last request sent from this browser session. The form page
# shows it again (empty, with a notice) until the parent starts a new request, so that the
# back button and "Send" give the same request, never a second one.
SENT_KEY = "sent_request"
# The secret code of a request just sent for the status page, from the POST to the one
# confirmation page that shows it: ``{"key": submission key, "code": the code}``.
SECRET_CODE_KEY = "new_status_code"  # noqa: S105 - a session key's name
# The name of the language buttons on the form page: they post what is typed to the form in
# the other language. The value is the language of the page the parent left.
SWITCH_LANGUAGE = "switch_language"


def _sent_key() -> str | None:
    """The key of the request last sent from this browser session, while it is stored."""
    key = session.get(SENT_KEY)
    if not isinstance(key, str) or not help_requests.valid_submission_key(key):
        return None
    try:
        stored = help_requests.find_by_submission(key)
    except DATABASE_UNAVAILABLE:
        # The form page needs no data: without the database the request counts as sent.
        with suppress(SQLAlchemyError):
            db.session.rollback()
        return key
    if stored is None:  # removed since (e.g. on request)
        session.pop(SENT_KEY, None)
        return None
    return key


def _is_language_switch() -> bool:
    return request.method == "POST" and request.form.get(SWITCH_LANGUAGE) in LANGUAGES


def _not_limited() -> bool:
    """A language switch stores nothing; a form sent again leads to its stored request."""
    if _is_language_switch():
        return True
    key = request.form.get("submission_key")
    return help_requests.valid_submission_key(key) and bool(
        help_requests.find_by_submission(str(key))
    )


def family_centre_phone() -> dict[str, str]:
    """The family centre's phone number as shown, and as a ``tel:`` link target."""
    shown = str(current_app.config["FAMILY_CENTRE_PHONE"])
    return {"shown": shown, "href": tel_uri(shown)}


def render_request_form(
    form: RequestForm, status: int = 200, notice: str | None = None
) -> tuple[str, int]:
    """The form page, or only the form itself for htmx; ``notice`` explains a refusal."""
    if not help_requests.valid_submission_key(form.submission_key.data):
        form.submission_key.data = help_requests.new_submission_key()
    # A form whose request is stored is shown empty: its values must not come back.
    already_sent = form.submission_key.data == session.get(SENT_KEY)
    template = "intake/_request_form.html" if htmx.is_htmx() else "intake/request.html"
    body = render_template(
        template,
        form=form,
        notice=notice,
        already_sent=already_sent,
        description_max=DESCRIPTION_MAX,
        family_centre_phone=family_centre_phone() if notice == "rate_limit" else None,
    )
    return body, status


def refused_form(notice: str, status: int) -> tuple[str, int]:
    """Re-render a refused submission with everything the parent typed and a calm notice."""
    form = RequestForm(formdata=request_shape.posted_fields(), call_language=g.lang)
    return render_request_form(form, status=status, notice=notice)


def _submission_counted(_response: Response) -> bool:
    """Only a stored request (or a filled honeypot) uses up the sender's submission limit."""
    return bool(g.get("submission_counted"))


def _switched_language_form() -> RequestForm:
    """The posted form in this page's language, as typed; no errors are shown yet.

    The call language was the page's default unless changed: when it is still the language
    of the page left, it follows the parent to the new one. A form whose request is already
    stored (a switch posted again from the browser's history) comes back empty."""
    form = RequestForm(call_language=g.lang)
    if help_requests.find_by_submission(form.submission_key.data) is not None:
        session[SENT_KEY] = form.submission_key.data
        return RequestForm(formdata=None, call_language=g.lang, submission_key=session[SENT_KEY])
    if form.call_language.data == request.form.get(SWITCH_LANGUAGE):
        form.call_language.data = g.lang
    return form


@bp.route("/request", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["REQUEST_RATE_LIMIT"],
    methods=["POST"],
    deduct_when=_submission_counted,
    exempt_when=_not_limited,
)
def request_form() -> Response | tuple[str, int]:
    """Show the form; on POST store the request and 303 to its confirmation.

    Invalid input comes back as 422 with the errors and every typed value kept, and does not
    count towards the submission limit. A form sent again (its key is stored) leads to the
    confirmation of the request already stored. After a request is sent, the form page
    shows that request's key, empty, until the parent starts a new request.
    """
    if request.method == "GET":
        sent = _sent_key()
        return render_request_form(
            RequestForm(call_language=g.lang, submission_key=sent) if sent else _new_form()
        )
    if _is_language_switch():
        return render_request_form(_switched_language_form())
    form = _new_form()
    stored = help_requests.find_by_submission(form.submission_key.data)
    if stored is None:
        if form.is_spam:
            current_app.logger.info("honeypot filled in; nothing stored")
            g.submission_counted = True
            return htmx.redirect_after_post(url_for(".landing"))
        if not form.validate():
            return render_request_form(form, status=422)
        new = form.to_new_request(language=g.lang)
        code = None
        if new.contact_method == "status_page":
            code, secret_hash = status_page.new_secret()
            new = replace(new, status_secret_hash=secret_hash)
        stored = help_requests.submit(new)
        g.submission_counted = True
        if code is not None and stored.status_secret_hash == new.status_secret_hash:
            # Shown once, on the confirmation; never in an address.
            session[SECRET_CODE_KEY] = {"key": stored.submission_key, "code": code}
    session[SENT_KEY] = stored.submission_key
    return htmx.redirect_after_post(url_for(".confirmation", key=stored.submission_key))


@bp.get("/request/new")
def new_request() -> Response:
    """Start a new request: the form page shows a fresh, empty form again."""
    session.pop(SENT_KEY, None)
    return redirect(url_for(".request_form"), code=303)


def _new_form() -> RequestForm:
    return RequestForm(call_language=g.lang)


@bp.get("/request/sent/<key>")
def confirmation(key: str) -> str:
    """The reference and the call-back due date of a stored request; 404 for an unknown key.
    For an answer on the status page, the secret code is shown here once, after the POST
    that made it, and never again. The phone number given is shown to check only in the
    browser session that sent it: the address stays in the browser's history, where someone
    else on a shared phone may open it."""
    stored = (
        help_requests.find_by_submission(key) if help_requests.valid_submission_key(key) else None
    )
    if stored is None:
        abort(404)
    secret_code = None
    carried = session.get(SECRET_CODE_KEY)
    if isinstance(carried, dict) and carried.get("key") == key:
        session.pop(SECRET_CODE_KEY)
        secret_code = format_secret_code(str(carried.get("code", "")))
    return render_template(
        "intake/confirmation.html",
        help_request=stored,
        show_phone=session.get(SENT_KEY) == key and stored.contact_method == "phone",
        secret_code=secret_code,
    )


@bp.get("/privacy")
def privacy() -> str:
    """The privacy notice."""
    return render_template(
        "intake/privacy.html", retention_months=current_app.config["RETENTION_MONTHS"]
    )


@bp.get("/accessibility")
def accessibility() -> str:
    """The accessibility statement."""
    return render_template("intake/accessibility.html")
