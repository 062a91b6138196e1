"""Public views, every one under a language prefix (/fi/…, /sv/…)."""

from __future__ import annotations

import secrets
from contextlib import suppress
from dataclasses import replace

from flask import (
    Blueprint,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError, generate_csrf
from markupsafe import Markup, escape
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from pyydaapua.database import db
from pyydaapua.intake import public_info, public_session, submission
from pyydaapua.intake.forms import DESCRIPTION_MAX, RequestForm
from pyydaapua.intake.public_session import PublicState
from pyydaapua.models import HelpRequest
from pyydaapua.rules.codes import LANGUAGES
from pyydaapua.rules.secret_codes import format_secret_code
from pyydaapua.status_page import access
from pyydaapua.web import areas, errors, htmx, request_shape
from pyydaapua.web.errors import DATABASE_UNAVAILABLE
from pyydaapua.web.extensions import limiter

bp = Blueprint("intake", __name__, url_prefix="/<lang>")
areas.language_prefixed(bp)


@bp.get("/", strict_slashes=False)
def landing() -> str:
    """What the service is, and the button that leads to the form."""
    return render_template("intake/landing.html")


# The name of the language buttons on the form page: they post what is typed to the form in
# the other language. The value is the language of the page the parent left.
SWITCH_LANGUAGE = "switch_language"


def _form_session() -> PublicState | None:
    """This browser's session, started for the form page: the form's submission key is
    bound to it. Without the database the form page still opens, bound to nothing."""
    try:
        return public_session.start()
    except DATABASE_UNAVAILABLE:
        with suppress(SQLAlchemyError):
            db.session.rollback()
        return None


def _form_page() -> tuple[str, bool]:
    """The key of the form page given to this browser, and whether its request was sent from
    here. The page needs no database: without it, a new form bound to nothing."""
    try:
        # A first visit creates the session with its form key: one INSERT.
        row = public_session.start(form_key=submission.new_submission_key())
        return _key_for(row)
    except DATABASE_UNAVAILABLE:
        with suppress(SQLAlchemyError):
            db.session.rollback()
        return submission.new_submission_key(), False


def _key_for(row: PublicState | None) -> tuple[str, bool]:
    """The submission key of the form given to this browser, and whether its request was
    sent from here: the sent request's key while its confirmation lives (the form comes back
    empty, and "Send" gives the same request), else the session's current form key."""
    if row is None:
        return submission.new_submission_key(), False
    sent_key = public_session.sent_key(row)
    if sent_key:
        return sent_key, True
    if not submission.valid_submission_key(row.form_key):
        public_session.change(row, form_key=submission.new_submission_key())
    return str(row.form_key), False


def _new_key(row: PublicState | None) -> str:
    """A fresh form key for this browser, for a request not yet sent."""
    key = submission.new_submission_key()
    if row is not None:
        public_session.change(row, form_key=key)
    return key


def _is_language_switch() -> bool:
    return request.method == "POST" and request.form.get(SWITCH_LANGUAGE) in LANGUAGES


def _stored_for(key: str | None) -> HelpRequest | None:
    """The request stored with the submission key ``key``, looked up once per request (the
    limit's exemption and the view both ask)."""
    if not submission.valid_submission_key(key):
        return None
    found = g.get("stored_for_key")
    if found is None or found[0] != key:
        found = (key, submission.find_by_submission(str(key)))
        g.stored_for_key = found
    return found[1]


def _not_limited() -> bool:
    """A language switch stores nothing; a form sent again leads to its stored request."""
    if _is_language_switch():
        return True
    return _stored_for(request.form.get("submission_key")) is not None


# The form as a GET shows it is the same for every browser of a language but for its two
# hidden values, the CSRF token and the submission key: it is rendered once per language (and
# per "already sent" notice) in each process with these marks in their place, and the values
# are written in per request. Not kept while templates are reloaded (development).
_CSRF_MARK = "csrf-mark-" + secrets.token_hex(12)
_KEY_MARK = "key-mark-" + secrets.token_hex(12)
_FRESH_FORMS = "intake.fresh_forms"


def _fresh_form(key: str, already_sent: bool) -> Markup:
    """The untouched form (``intake/_request_form.html``) with this browser's CSRF token and
    submission key ``key``."""
    cache_key = (g.lang, already_sent, request.script_root)
    kept: dict[tuple[str, bool, str], str] = current_app.extensions.setdefault(_FRESH_FORMS, {})
    html = kept.get(cache_key)
    if html is None:
        form = RequestForm(call_language=g.lang, submission_key=_KEY_MARK)
        form.csrf_token.current_token = _CSRF_MARK
        html = render_template(
            "intake/_request_form.html",
            form=form,
            banner=None,
            already_sent=already_sent,
            description_max=DESCRIPTION_MAX,
            family_centre_phone=None,
        )
        if not current_app.jinja_env.auto_reload:
            kept[cache_key] = html
    # Our own template's output; the two values are escaped as they go in.
    page = Markup(html)  # noqa: S704
    return page.replace(_CSRF_MARK, escape(generate_csrf())).replace(_KEY_MARK, escape(key))


def render_request_form(
    form: RequestForm,
    http_status: int = 200,
    banner: str | None = None,
    already_sent: bool = False,
) -> tuple[str, int]:
    """The form page, or only the form itself for htmx; ``banner`` explains a refusal.
    ``already_sent``: the form's request is stored, so the form is shown empty."""
    if not submission.valid_submission_key(form.submission_key.data):
        form.submission_key.data = submission.new_submission_key()
    partial = htmx.is_htmx()
    body = render_template(
        "intake/_request_form.html" if partial else "intake/request.html",
        htmx_title=partial,
        form=form,
        fresh_form=None,
        banner=banner,
        already_sent=already_sent,
        description_max=DESCRIPTION_MAX,
        family_centre_phone=public_info.family_centre_phone() if banner == "rate_limit" else None,
    )
    return body, http_status


def fresh_form_page(key: str, already_sent: bool) -> str:
    """The form page as a GET gives it (nothing typed, no errors, no banner), or only the form
    for htmx: the form rendered once and kept, with this browser's key ``key``. No form is
    built."""
    fresh = _fresh_form(key, already_sent)
    if htmx.is_htmx():
        return str(fresh)
    return render_template("intake/request.html", form=None, fresh_form=fresh)


def refused_form(banner: str, http_status: int) -> tuple[str, int]:
    """Re-render a refused submission with everything the parent typed and a calm banner."""
    form = RequestForm(formdata=request_shape.posted_fields(), call_language=g.lang)
    return render_request_form(form, http_status=http_status, banner=banner)


# Refusals of the request form that give it back filled in, with the banner each shows; any
# other answer of the package is the site's error page (web/errors.py).
REFUSED_FORM_BANNERS = {400: "csrf", 415: "content_type", 429: "rate_limit"}


def _is_form_submission() -> bool:
    return request.endpoint == "intake.request_form" and request.method == "POST"


@bp.errorhandler(CSRFError)
@bp.errorhandler(415)
@bp.errorhandler(429)
def _refused_submission(error: HTTPException) -> tuple[str, int]:
    """An expired form, a body that is not a form's, too many requests: the form comes back
    with everything the parent typed."""
    if _is_form_submission() and error.code in REFUSED_FORM_BANNERS:
        return refused_form(REFUSED_FORM_BANNERS[error.code], error.code)
    return errors.render_error(error)


def _database_unavailable(error: Exception) -> Response:
    """503; the request form comes back filled in, to be sent again."""
    if _is_form_submission():
        return errors.database_unavailable(error, lambda: refused_form("unavailable", 503)[0])
    return errors.database_unavailable(error)


for _error_class in DATABASE_UNAVAILABLE:
    bp.register_error_handler(_error_class, _database_unavailable)


def _submission_counted(_response: Response) -> bool:
    """Only a stored request (or a filled honeypot) uses up the sender's submission limit."""
    return bool(g.get("submission_counted"))


def _sent_from_here(row: PublicState | None, key: str | None) -> bool:
    """Whether the form posted with ``key`` was given to this browser: only then may it see
    the request's confirmation. A key copied from elsewhere grants nothing."""
    return row is not None and key is not None and row.form_key == key


def _switched_language_form(row: PublicState | None) -> tuple[RequestForm, bool]:
    """The posted form in this page's language, as typed; no errors are shown yet, and
    whether it is the form of the request sent from here.

    The call language was the page's default unless changed: when it is still the language
    of the page left, it follows the parent to the new one. A form whose request is already
    stored (a switch posted again from the browser's history, or a copied key) comes back
    empty, with this browser's own key."""
    form = RequestForm(call_language=g.lang)
    if submission.find_by_submission(form.submission_key.data) is not None:
        key, already_sent = _key_for(row)
        empty = RequestForm(formdata=None, call_language=g.lang, submission_key=key)
        return empty, already_sent
    if form.call_language.data == request.form.get(SWITCH_LANGUAGE):
        form.call_language.data = g.lang
    return form, False


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
    count towards the submission limit. The form sent again (a double click, the back button)
    leads to the confirmation of the request already stored; a different text posted with a
    used key is not dropped: 409, the text kept with a new key, and a banner saying that the request
    was already sent. After a request is sent, the form page shows that request's key, empty,
    until the parent starts a new request.
    """
    if request.method == "GET":
        key, already_sent = _form_page()
        return fresh_form_page(key, already_sent), 200
    row = _form_session()
    if _is_language_switch():
        form, already_sent = _switched_language_form(row)
        return render_request_form(form, already_sent=already_sent)
    form = _new_form()
    key = form.submission_key.data
    stored = _stored_for(key)
    if stored is not None:
        return _posted_again(row, form, stored)
    if form.is_spam:
        current_app.logger.info("honeypot filled in; nothing stored")
        g.submission_counted = True
        return htmx.redirect_after_post(url_for(".landing"))
    if not form.validate():
        return render_request_form(form, http_status=422)
    new = form.to_new_request(language=g.lang)
    code = None
    if new.contact_method == "status_page":
        code, secret_hash = access.new_secret()
        new = replace(new, status_secret_hash=secret_hash)

    def sent_from_here(stored: HelpRequest) -> None:
        # This browser sent it: its confirmation and status page open here. Marked in the
        # transaction that stores the request: both are stored, or neither.
        if row is not None:
            public_session.mark_sent(row, stored, code, commit=False)

    stored, created = submission.store(new, looked_up=True, in_transaction=sent_from_here)
    if not created:  # the same key's request was stored meanwhile (a second click)
        return _posted_again(row, form, stored)
    g.submission_counted = True
    return htmx.redirect_after_post(url_for(".confirmation"))


def _posted_again(
    row: PublicState | None, form: RequestForm, stored: HelpRequest
) -> Response | tuple[str, int]:
    """A form posted with the key of a stored request. The same request again (a double
    click, the back button) leads to the confirmation, which shows it only to the browser
    that was given the key. Anything else is not dropped: the text comes back with a new key
    and a banner saying that the request was already sent."""
    same = form.validate() and submission.same_request(stored, form.to_new_request(language=g.lang))
    if same:
        if row is not None and _sent_from_here(row, stored.submission_key):
            public_session.mark_sent(row, stored, None)
        return htmx.redirect_after_post(url_for(".confirmation"))
    form.submission_key.data = _new_key(row)
    form.form_errors.clear()
    for field in form:
        field.errors = []
    return render_request_form(form, http_status=409, banner="already_sent")


@bp.get("/request/new")
def new_request() -> Response:
    """Start a new request: the form page shows a fresh, empty form again."""
    row = public_session.current()
    if row is not None:
        # The form page no longer shows the request sent, and gives a fresh form.
        public_session.change(row, sent=False, form_key=submission.new_submission_key())
    return redirect(url_for(".request_form"), code=303)


def _new_form() -> RequestForm:
    return RequestForm(call_language=g.lang)


@bp.get("/request/sent")
def confirmation() -> tuple[str, int]:
    """The reference and the call-back due date of the request sent from this browser, while
    its session lives; for the written channel, the secret code until the parent says it is
    written down. The address holds nothing: opened anywhere else (another browser, after the
    quick exit, after the session ended) it shows no family content."""
    row = public_session.current()
    stored = public_session.sent_request(row)
    if row is None or stored is None:
        return render_template("intake/confirmation_gone.html"), 200
    secret_code = format_secret_code(row.secret_code) if row.secret_code else None
    return render_template(
        "intake/confirmation.html",
        help_request=stored,
        show_phone=stored.contact_method == "phone",
        secret_code=secret_code,
    ), 200


@bp.post("/request/sent/code-written")
def code_written() -> Response:
    """The parent has written the secret code down: it is no longer kept or shown."""
    row = public_session.current()
    if row is not None and row.secret_code is not None:
        public_session.change(row, secret_code=None)
    target = request.form.get("next")
    endpoint = "status_page.status" if target == "status" else ".confirmation"
    return redirect(url_for(endpoint), code=303)


@bp.get("/exit")
def quick_exit() -> Response:
    """The quick exit: end this browser's session on the server (the status page, the sent
    request, the secret code), then leave for the neutral site. ``Clear-Site-Data`` asks the
    browser to drop what it cached of this site, the back-forward cache included."""
    with suppress(*DATABASE_UNAVAILABLE):
        public_session.end()
    session.pop("csrf_token", None)
    response = redirect(str(current_app.config["QUICK_EXIT_URL"]), code=303)
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


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
