"""Staff views under /staff/: every one needs sign-in, and all but sign-in check a permission."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from pyydaapua import audit
from pyydaapua.accounts import identity_provider, users
from pyydaapua.accounts.auth import (
    client_address,
    idle_limit,
    mark_password_verified,
    permission_required,
    safe_next,
    sign_in_limits,
)
from pyydaapua.accounts.forms import LanguageForm, LoginForm
from pyydaapua.accounts.permissions import Permission, can
from pyydaapua.database import db
from pyydaapua.models import StaffUser
from pyydaapua.rules.identity_claims import local_sign_in_allowed
from pyydaapua.web import htmx

# The staff accounts' views under /staff/: sign-in and its second step (second_step.py), one's
# own account and password (passwords.py), and the administration of accounts (admin.py).
bp = Blueprint("accounts", __name__, url_prefix="/staff")


def _home_for(user: StaffUser) -> str:
    """Where a user lands after sign-in: the inbox for those who work requests, else the staff
    accounts for those who manage them, else their own account."""
    if can(user, Permission.WORK_REQUESTS):
        return url_for("inbox.inbox")
    if can(user, Permission.MANAGE_ACCOUNTS):
        return url_for("accounts.admin_users")
    return url_for("accounts.account")


def _login_page(form: LoginForm, http_status: int = 200, **context: object) -> tuple[str, int]:
    """The sign-in page: the city's account first when single sign-on is set up, then the
    password form where local sign-in is allowed."""
    page = render_template(
        "accounts/login.html",
        form=form,
        single_sign_on=identity_provider.enabled(),
        local_sign_in=current_app.config["LOCAL_SIGN_IN"],
        **context,
    )
    return page, http_status


@bp.route("/login", methods=["GET", "POST"])
@sign_in_limits
def login() -> Response | tuple[str, int]:
    """The sign-in form, first step: the password. A failure gets one generic message and a
    401, and is audited. The right password leads to the code (or to enrolment), nothing more."""
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    mode = current_app.config["LOCAL_SIGN_IN"]
    if request.method == "POST" and mode == "off":
        return _login_page(form, 403)
    if form.validate_on_submit():
        user, named = users.authenticate(form.email.data, form.password.data)
        if user is None:
            audit.record(
                "sign_in_failed",
                user_id=named.id if named else None,
                client_address=client_address(),
            )
            form.password.errors = [_("The email address or password is not correct.")]
            return _login_page(form, 401, failed=True)
        if not local_sign_in_allowed(mode, can(user, Permission.MANAGE_ACCOUNTS)):
            audit.record(
                "sign_in_failed",
                user_id=user.id,
                client_address=client_address(),
                target="local_sign_in_off",
            )
            form.form_errors.append(_("Sign in with the city's account."))
            return _login_page(form, 403)
        mark_password_verified(user, safe_next(form.next.data) or "")
        step = "accounts.login_code" if user.two_factor_enrolled else "accounts.login_enrol"
        return redirect(url_for(step), code=303)
    return _login_page(form, 422 if form.errors else 200)


def finish_sign_in(
    user: StaffUser,
    next_url: str | None,
    *,
    method: str = "password",
    provider_sid: str | None = None,
    id_token: str | None = None,
) -> str:
    """Start the real staff session after the second step, or after the identity provider's
    sign-in (``method="sso"``, with the provider's session and ID token); returns where the
    user goes next."""
    session.clear()  # a new session on every sign-in; the password marker goes too
    user.last_sign_in_at = datetime.now(UTC)
    user.last_sign_in_method = method
    users.start_session(user, provider_sid=provider_sid, id_token=id_token)
    login_user(user)
    audit.record(
        "sign_in",
        user_id=user.id,
        client_address=client_address(),
        target="sso" if method == "sso" else "",
    )
    if user.password_change_required:
        return url_for("accounts.account_password")
    return next_url or _home_for(user)


@bp.post("/logout")
@permission_required(Permission.OWN_ACCOUNT)
def logout() -> Response:
    """End the server-side session, so that neither the back button nor the old cookie works."""
    user_id, token = current_user.id, current_user.session_token
    id_token = users.end_session(token)
    audit.record("sign_out", user_id=user_id, client_address=client_address())
    logout_user()
    session.clear()
    g.pop("staff_idle_remaining", None)
    flash(_("You have signed out."))
    # A single sign-on session ends at the provider too, which then sends the browser back.
    to_provider = identity_provider.provider_logout_address(id_token)
    return redirect(to_provider or url_for("accounts.login"), code=303)


@bp.get("/session", endpoint="session_status")
@permission_required(Permission.OWN_ACCOUNT)
def session_status() -> Response:
    """How many seconds of the idle limit are left: asked by the page before it warns or says
    the session has ended. Never counts as activity (a background request)."""
    return jsonify(remaining=g.get("staff_idle_remaining", 0))


@bp.post("/session", endpoint="session_keep")
@permission_required(Permission.OWN_ACCOUNT)
def session_keep() -> Response:
    """The "Stay signed in" button: the idle clock starts again at once, audited. For htmx a
    204 whose X-Session-Remaining tells the page the time left; without htmx, a 303 to the
    local ``next`` or the staff home page."""
    users.touch_session(current_user.session_token)
    audit.record("session_extended", user_id=current_user.id, client_address=client_address())
    g.staff_idle_remaining = int(idle_limit().total_seconds())
    if htmx.is_htmx():
        return Response(status=204)
    target = safe_next(request.form.get("next")) or _home_for(current_user)
    return redirect(target, code=303)


@bp.get("/account")
@permission_required(Permission.OWN_ACCOUNT)
def account() -> str:
    """The signed-in user's own account and the language of the staff pages."""
    form = LanguageForm(language=current_user.language)
    return render_template("accounts/account.html", form=form)


@bp.post("/account/language")
@permission_required(Permission.OWN_ACCOUNT)
def account_language() -> Response | tuple[str, int]:
    """Change the language of the staff pages for this user."""
    form = LanguageForm()
    if not form.validate():
        return render_template("accounts/account.html", form=form), 422
    current_user.language = form.language.data
    db.session.commit()
    audit.record("language_changed", user_id=current_user.id, client_address=client_address())
    return redirect(url_for("accounts.account"), code=303)
