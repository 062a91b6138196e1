"""A staff member changes their own password; the forced change after an admin set one."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from pyydaapua import audit
from pyydaapua.accounts import users
from pyydaapua.accounts.admin import show_account_error
from pyydaapua.accounts.auth import client_address, permission_required, signed_in_limits
from pyydaapua.accounts.forms import OwnPasswordForm
from pyydaapua.accounts.permissions import Permission
from pyydaapua.accounts.views import bp
from pyydaapua.database import db


@bp.route("/account/password", methods=["GET", "POST"], endpoint="account_password")
@permission_required(Permission.OWN_ACCOUNT)
@signed_in_limits
def account_password() -> Response | tuple[str, int]:
    """Change one's own password: the current one, the new one twice. Clears a forced change;
    the user's other sessions end, this one goes on. The user's own failed tries are limited
    per account (``LOGIN_RATE_LIMIT``, a 429), checked after the session: a POST from anyone
    not signed in goes to the sign-in page and counts against no one."""
    form = OwnPasswordForm()
    if form.validate_on_submit():
        try:
            users.change_own_password(
                current_user,
                form.current_password.data,
                form.new_password.data,
                keep_token=current_user.session_token,
                commit=False,
            )
        except users.AccountError as error:
            db.session.rollback()
            show_account_error(form, error)
        else:
            audit.record(
                "password_changed",
                user_id=current_user.id,
                client_address=client_address(),
                target=f"user:{current_user.id}",
            )
            flash(_("Your password has been changed."))
            return redirect(url_for("accounts.account"), code=303)
    status = 422 if form.errors else 200
    return render_template(
        "accounts/account_password.html",
        form=form,
        min_password_length=users.MIN_PASSWORD_LENGTH,
    ), status
