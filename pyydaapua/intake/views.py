"""Public views, every one under a language prefix (/fi/…, /sv/…)."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from pyydaapua.intake import submission as help_requests
from pyydaapua.intake.forms import DESCRIPTION_MAX, RequestForm
from pyydaapua.models import LANGUAGES
from pyydaapua.web import htmx, request_shape
from pyydaapua.web.extensions import limiter

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


def _new_form() -> RequestForm:
    return RequestForm(call_language=g.lang)


def render_request_form(
    form: RequestForm, status: int = 200, notice: str | None = None
) -> tuple[str, int]:
    """The form page, or only the form itself for htmx; ``notice`` explains a refusal."""
    if not help_requests.valid_submission_key(form.submission_key.data):
        form.submission_key.data = help_requests.new_submission_key()
    template = "intake/_request_form.html" if htmx.is_htmx() else "intake/request.html"
    body = render_template(template, form=form, notice=notice, description_max=DESCRIPTION_MAX)
    return body, status


def refused_form(notice: str, status: int) -> tuple[str, int]:
    """Re-render a refused submission with everything the parent typed and a calm notice."""
    form = RequestForm(formdata=request_shape.posted_fields(), call_language=g.lang)
    return render_request_form(form, status=status, notice=notice)


def _submission_counted(_response: Response) -> bool:
    """Only a stored request (or a filled honeypot) uses up the sender's submission limit."""
    return bool(g.get("submission_counted"))


@bp.route("/request", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["REQUEST_RATE_LIMIT"],
    methods=["POST"],
    deduct_when=_submission_counted,
)
def request_form() -> Response | tuple[str, int]:
    """Show the form; on POST store the request and 303 to its confirmation.

    Invalid input comes back as 422 with the errors and every typed value kept, and does not
    count towards the submission limit.
    """
    form = _new_form()
    if request.method == "POST":
        if form.is_spam:
            current_app.logger.info("honeypot filled in; nothing stored")
            g.submission_counted = True
            return htmx.redirect_after_post(url_for(".landing"))
        if form.validate():
            stored = help_requests.submit(form.to_new_request(language=g.lang))
            g.submission_counted = True
            return htmx.redirect_after_post(url_for(".confirmation", key=stored.submission_key))
        return render_request_form(form, status=422)
    return render_request_form(form)


@bp.get("/request/sent/<key>")
def confirmation(key: str) -> str:
    """The reference and the call-back due date of a stored request; 404 for an unknown key."""
    stored = (
        help_requests.find_by_submission(key) if help_requests.valid_submission_key(key) else None
    )
    if stored is None:
        abort(404)
    return render_template("intake/confirmation.html", help_request=stored)


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
