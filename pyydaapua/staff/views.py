"""Staff views under /staff/: every one needs sign-in, and all but sign-in check the role."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from .. import audit, htmx, inbox, staff_accounts
from ..extensions import db
from ..forms import number_text
from ..models import REQUEST_ROLES, ROLES, StaffUser
from ..params import ID_MAX, int_arg
from ..workdays import helsinki_date
from .auth import (
    client_address,
    mark_password_verified,
    roles_required,
    safe_next,
    sign_in_limits,
)
from .forms import LanguageForm, LoginForm

bp = Blueprint("staff", __name__, url_prefix="/staff")

SEARCH_MESSAGES = {
    "control": _l(
        "The search text had invisible control characters. We took them out: check the text "
        "and search again."
    ),
    "unreadable": _l(
        "Some characters of the search text could not be read; they are shown as \ufffd. "
        "Correct them and search again."
    ),
    "too_long": _l("Write at most %(max)s characters.", max=number_text(inbox.SEARCH_MAX)),
}


@bp.context_processor
def _inbox_counter() -> dict[str, object]:
    """The number beside the inbox link, computed only when a template shows it."""
    return {"unassigned_open": inbox.unassigned_open}


def _home_for(role: str) -> str:
    """Where a user lands after sign-in: the inbox, or the staff accounts for an admin."""
    return url_for("staff.inbox" if role in REQUEST_ROLES else "staff.admin_users")


@bp.route("/login", methods=["GET", "POST"])
@sign_in_limits
def login() -> Response | str | tuple[str, int]:
    """The sign-in form, first step: the password. A failure gets one generic message and a
    401, and is audited. The right password leads to the code (or to enrolment), nothing more."""
    if current_user.is_authenticated:
        return redirect(_home_for(current_user.role))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        user, named = staff_accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            audit.record(
                "sign_in_failed",
                user_id=named.id if named else None,
                client_address=client_address(),
            )
            form.password.errors = [_("The email address or password is not correct.")]
            return render_template("staff/login.html", form=form, failed=True), 401
        mark_password_verified(user, safe_next(form.next.data) or "")
        step = "staff.login_code" if user.two_factor_enrolled else "staff.login_enrol"
        return redirect(url_for(step), code=303)
    status = 422 if form.errors else 200
    return render_template("staff/login.html", form=form), status


def finish_sign_in(user: StaffUser, next_url: str | None) -> str:
    """Start the real staff session after the second step; returns where the user goes next."""
    session.clear()  # a new session on every sign-in; the password marker goes too
    staff_accounts.start_session(user)
    login_user(user)
    audit.record("sign_in", user_id=user.id, client_address=client_address())
    if user.password_change_required:
        return url_for("staff.account_password")
    return next_url or _home_for(user.role)


@bp.post("/logout")
@roles_required(*ROLES)
def logout() -> Response:
    """End the server-side session, so that neither the back button nor the old cookie works."""
    user_id, token = current_user.id, current_user.session_token
    staff_accounts.end_session(token)
    audit.record("sign_out", user_id=user_id, client_address=client_address())
    logout_user()
    session.clear()
    flash(_("You have signed out."))
    return redirect(url_for("staff.login"), code=303)


@bp.get("/", endpoint="inbox")
@roles_required(*REQUEST_ROLES)
def inbox_page() -> str | tuple[str, int]:
    """The team inbox: filters and search from the URL; only the results for htmx. Every
    request shown (a row, an upcoming visit, a search result) is audited, in one INSERT.
    Unknown filter values (a page that is not a page number too) fall back to the defaults. A
    search text that cannot be used is not searched for: the list shows the other filters,
    and the message is next to the search field (422)."""
    filters = inbox.Filters.from_args(request.args)
    now = datetime.now(UTC)
    today = helsinki_date(now)
    counts = inbox.counts(filters, current_user.id, today)
    page = inbox.requests_page(filters, current_user.id, today, counts.total)
    context = {
        "filters": filters,
        "counts": counts,
        "page": page,
        "now": now,
        "deadlines": {item.id: inbox.Deadline.of(item.due_date, today) for item in page.items},
        "newest_id": counts.newest_id,
        "search_error": SEARCH_MESSAGES.get(filters.q_problem),
    }
    full_page = not htmx.is_htmx()
    context["visits"] = inbox.upcoming_visits(current_user.id, now) if full_page else []
    audit.record_reads(
        inbox.shown(filters, page.items, context["visits"]),
        user_id=current_user.id,
        client_address=client_address(),
    )
    if full_page:
        html = render_template("staff/inbox.html", **context)
    else:
        html = render_template("staff/_inbox_results.html", oob_search_error=True, **context)
    db.session.commit()  # after rendering, so that nothing is loaded twice
    return html, 422 if filters.q_problem else 200


@bp.get("/inbox/new")
@roles_required(*REQUEST_ROLES)
def inbox_new() -> str:
    """Polled by the inbox: how many requests have arrived since the list was drawn; 400 when
    ``since`` is not a request id."""
    since = int_arg("since", 0, maximum=ID_MAX)
    back = url_for("staff.inbox", **inbox.Filters.from_args(request.args).to_args(page=1))
    return render_template("staff/_inbox_new.html", arrived=inbox.arrived_since(since), back=back)


@bp.get("/account")
@roles_required(*ROLES)
def account() -> str:
    """The signed-in user's own account and the language of the staff pages."""
    form = LanguageForm(language=current_user.language)
    return render_template("staff/account.html", form=form)


@bp.post("/account/language")
@roles_required(*ROLES)
def account_language() -> Response | tuple[str, int]:
    """Change the language of the staff pages for this user."""
    form = LanguageForm()
    if not form.validate():
        return render_template("staff/account.html", form=form), 422
    current_user.language = form.language.data
    db.session.commit()
    audit.record("language_changed", user_id=current_user.id, client_address=client_address())
    return redirect(url_for("staff.account"), code=303)
