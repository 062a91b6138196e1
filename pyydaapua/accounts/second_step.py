"""The second sign-in step: a time-based code (or a recovery code), and enrolment.

Reached only with the marker that the right password leaves in the Flask session (auth.py);
the real staff session starts here, after a right code. The rules are in two_factor.py and
users.py.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from pyydaapua import audit
from pyydaapua.accounts import two_factor, users
from pyydaapua.accounts.auth import (
    client_address,
    next_after_sign_in,
    password_verified_user,
    sign_in_limits,
)
from pyydaapua.accounts.forms import CodeForm, EnrolForm
from pyydaapua.accounts.views import _home_for, bp, finish_sign_in
from pyydaapua.models import StaffUser


def _back_to_password() -> Response:
    """No valid marker: sign in again from the start."""
    flash(_("Your sign-in took too long or has not started. Sign in again."))
    return redirect(url_for("accounts.login"), code=302 if request.method == "GET" else 303)


def _pending() -> StaffUser | Response:
    """The account whose password was verified, with its pages in its language; else where to
    go instead (the staff home when already signed in, the sign-in page otherwise)."""
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    user = password_verified_user()
    if user is None:
        return _back_to_password()
    g.lang = user.language
    return user


@bp.route("/login/code", methods=["GET", "POST"], endpoint="login_code")
@sign_in_limits
def login_code() -> Response | tuple[str, int]:
    """Second step: the code from the app or a recovery code. A wrong code is a 401 with one
    generic message and an audit event; a right one starts the staff session."""
    user = _pending()
    if isinstance(user, Response):
        return user
    if not user.two_factor_enrolled:
        return redirect(url_for("accounts.login_enrol"), code=303)
    form = CodeForm()
    if form.validate_on_submit():
        kind = users.verify_second_factor(user, form.code.data)
        if kind is None:
            audit.record("sign_in_code_failed", user_id=user.id, client_address=client_address())
            form.code.errors = [_("The code is not correct.")]
            return render_template("accounts/login_code.html", form=form), 401
        if kind == "recovery":
            left = users.unused_recovery_codes(user)
            audit.record(
                "recovery_code_used",
                user_id=user.id,
                client_address=client_address(),
                target=f"user:{user.id}",
            )
        target = finish_sign_in(user, next_after_sign_in())
        if kind == "recovery":
            flash(
                _(
                    "You signed in with a recovery code. It cannot be used again. Unused "
                    "recovery codes left: %(count)s.",
                    count=left,
                )
            )
        return redirect(target, code=303)
    http_status = 422 if form.errors else 200
    return render_template("accounts/login_code.html", form=form), http_status


def _enrol_page(user: StaffUser, form: EnrolForm, http_status: int) -> tuple[str, int]:
    secret = users.start_enrolment(user)
    uri = two_factor.provisioning_uri(secret, user.email)
    context = {
        "form": form,
        "qr_svg": two_factor.qr_svg(
            uri, _("QR code for the authenticator app. The same key is shown as text below.")
        ),
        "secret_groups": two_factor.group_secret(secret).split(),
        "account": user.email,
        "issuer": two_factor.ISSUER,
    }
    return render_template("accounts/login_enrol.html", **context), http_status


@bp.route("/login/enrol", methods=["GET", "POST"], endpoint="login_enrol")
@sign_in_limits
def login_enrol() -> Response | tuple[str, int]:
    """First sign-in (or after an administrator's reset): the secret as a QR code and as text,
    confirmed with one code. Then the recovery codes, shown once, and the staff session."""
    user = _pending()
    if isinstance(user, Response):
        return user
    if user.two_factor_enrolled:
        return redirect(url_for("accounts.login_code"), code=303)
    form = EnrolForm()
    if not form.validate_on_submit():
        return _enrol_page(user, form, 422 if form.errors else 200)
    codes = users.confirm_enrolment(user, form.code.data, commit=False)
    if codes is None:
        audit.record("sign_in_code_failed", user_id=user.id, client_address=client_address())
        form.code.errors = [
            _(
                "The code is not correct. Check that the key was typed in full, and type the "
                "code the app shows now."
            )
        ]
        return _enrol_page(user, form, 422)
    audit.record(
        "two_factor_enrolled",
        user_id=user.id,
        client_address=client_address(),
        target=f"user:{user.id}",
    )
    target = finish_sign_in(user, next_after_sign_in())
    # Shown in this answer only: the codes are stored as hashes and cannot be shown again.
    return render_template("accounts/recovery_codes.html", codes=codes, next_url=target), 200
