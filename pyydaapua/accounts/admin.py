"""Administration (admin role only): staff accounts and the service catalogue.

Accounts are never deleted, only deactivated; every change is audited with the account or
service it concerns as the target ("user:12", "service:3").
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from pyydaapua import audit
from pyydaapua.accounts import identity_provider, users
from pyydaapua.accounts.auth import client_address, permission_required
from pyydaapua.accounts.forms import (
    ActiveForm,
    NewUserForm,
    SetPasswordForm,
    TwoFactorResetForm,
    UserForm,
)
from pyydaapua.accounts.permissions import Permission
from pyydaapua.accounts.views import bp
from pyydaapua.database import db
from pyydaapua.models import StaffUser

# AccountError codes: the field the message belongs to (None: the whole form) and the message.
ACCOUNT_MESSAGES: dict[str, tuple[str | None, Any]] = {
    "email_invalid": ("email", _l("Enter an email address like name@example.fi.")),
    "email_taken": ("email", _l("There is already an account with this email address.")),
    "name_empty": ("name", _l("Enter the name.")),
    "role_invalid": ("role", _l("Choose the role.")),
    "language_invalid": ("language", _l("Choose the language.")),
    "password_short": ("new_password", _l("The password is too short.")),
    "own_admin_role": (
        "role",
        _l("You cannot take away your own administrator role. Ask another administrator."),
    ),
    "own_account": (None, _l("You cannot deactivate your own account.")),
    "sso_subject_taken": (
        "sso_subject",
        _l("This city account is already tied to another account in this service."),
    ),
    "own_two_factor": (
        None,
        _l("You cannot reset your own two-factor sign-in. Ask another administrator."),
    ),
    "password_wrong": ("current_password", _l("Your current password is not correct.")),
    "password_same": (
        "new_password",
        _l("Choose a new password that is different from your current one."),
    ),
}


def show_account_error(form: FlaskForm, error: users.AccountError) -> None:
    """Put the message of ``error`` on the field it concerns (or on the form)."""
    field, message = ACCOUNT_MESSAGES.get(error.code, (None, _l("The change was not saved.")))
    if field is not None and field in form:
        form[field].errors = [*form[field].errors, message]
    else:
        form.form_errors.append(message)


def _audit(action: str, target: str) -> None:
    audit.record(action, user_id=current_user.id, client_address=client_address(), target=target)


def _user_or_404(user_id: int) -> StaffUser:
    user = db.session.get(StaffUser, user_id)
    if user is None:
        abort(404)
    return user


def _user_page(
    user: StaffUser,
    http_status: int = 200,
    form: UserForm | None = None,
    active_form: ActiveForm | None = None,
    password_form: SetPasswordForm | None = None,
    two_factor_form: TwoFactorResetForm | None = None,
) -> tuple[str, int]:
    """The account page with its forms; the one being corrected keeps what was typed."""
    if form is None:
        form = UserForm(formdata=None, obj=user)
    if active_form is None:
        active_form = ActiveForm(formdata=None)
    if password_form is None:
        password_form = SetPasswordForm(formdata=None)
    if two_factor_form is None:
        two_factor_form = TwoFactorResetForm(formdata=None)
    context = {
        "user": user,
        "form": form,
        "active_form": active_form,
        "password_form": password_form,
        "two_factor_form": two_factor_form,
        "recovery_codes_left": users.unused_recovery_codes(user),
        "is_self": user.id == current_user.id,
        "min_password_length": users.MIN_PASSWORD_LENGTH,
        "single_sign_on": identity_provider.enabled(),
    }
    return render_template("accounts/admin_user.html", **context), http_status


@bp.get("/admin/users", endpoint="admin_users")
@permission_required(Permission.MANAGE_ACCOUNTS)
def admin_users() -> str:
    """Every staff account, active or deactivated, by name."""
    return render_template(
        "accounts/admin_users.html",
        users=users.list_users(),
        single_sign_on=identity_provider.enabled(),
    )


@bp.route("/admin/users/new", methods=["GET", "POST"], endpoint="admin_user_new")
@permission_required(Permission.MANAGE_ACCOUNTS)
def admin_user_new() -> Response | tuple[str, int]:
    """Create an account; its first password must be changed at the first sign-in."""
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = users.create_user(
                form.email.data,
                form.name.data,
                form.role.data,
                form.new_password.data,
                form.language.data,
                password_change_required=True,
                commit=False,
            )
        except users.AccountError as error:
            db.session.rollback()
            show_account_error(form, error)
        else:
            _audit("user_created", f"user:{user.id}")
            flash(_("The account of %(name)s was created.", name=user.name))
            return redirect(url_for("accounts.admin_users"), code=303)
    elif not form.is_submitted():
        form.language.data = "fi"
    http_status = 422 if form.errors else 200
    return render_template(
        "accounts/admin_user_new.html",
        form=form,
        min_password_length=users.MIN_PASSWORD_LENGTH,
    ), http_status


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"], endpoint="admin_user")
@permission_required(Permission.MANAGE_ACCOUNTS)
def admin_user(user_id: int) -> Response | tuple[str, int]:
    """An account: change its name, role and language; set a password; deactivate it."""
    user = _user_or_404(user_id)
    form = UserForm()
    if not form.is_submitted():
        return _user_page(user)
    if form.validate():
        try:
            changed = users.update_user(
                user,
                name=form.name.data,
                role=form.role.data,
                language=form.language.data,
                sso_subject=form.sso_subject.data if identity_provider.enabled() else None,
                actor=current_user,
                commit=False,
            )
        except users.AccountError as error:
            db.session.rollback()
            show_account_error(form, error)
        else:
            if changed:
                _audit("user_changed", f"user:{user.id}")
            flash(_("The account of %(name)s was saved.", name=user.name))
            return redirect(url_for("accounts.admin_user", user_id=user.id), code=303)
    return _user_page(user, 422, form=form)


@bp.post("/admin/users/<int:user_id>/active", endpoint="admin_user_active")
@permission_required(Permission.MANAGE_ACCOUNTS)
def admin_user_active(user_id: int) -> Response | tuple[str, int]:
    """Deactivate (ending the user's sessions at once) or reactivate an account."""
    user = _user_or_404(user_id)
    form = ActiveForm()
    if not form.validate():
        abort(400)
    active = form.action.data == "reactivate"
    try:
        changed = users.set_active(user, active, actor=current_user, commit=False)
    except users.AccountError as error:
        db.session.rollback()
        show_account_error(form, error)
        return _user_page(user, 422, active_form=form)
    if changed:
        _audit("user_reactivated" if active else "user_deactivated", f"user:{user.id}")
    if active:
        flash(_("The account of %(name)s is in use again.", name=user.name))
    else:
        flash(_("The account of %(name)s was deactivated.", name=user.name))
    return redirect(url_for("accounts.admin_user", user_id=user.id), code=303)


@bp.post("/admin/users/<int:user_id>/password", endpoint="admin_user_password")
@permission_required(Permission.MANAGE_ACCOUNTS)
def admin_user_password(user_id: int) -> Response | tuple[str, int]:
    """Set a new password that the user must change; the user's sessions end."""
    user = _user_or_404(user_id)
    form = SetPasswordForm()
    if user.id == current_user.id:
        form.form_errors.append(_l("Change your own password on your account page."))
        return _user_page(user, 422, password_form=form)
    if form.validate():
        try:
            users.set_password(user, form.new_password.data, must_change=True, commit=False)
        except users.AccountError as error:
            db.session.rollback()
            show_account_error(form, error)
        else:
            _audit("password_set", f"user:{user.id}")
            flash(
                _(
                    "A new password was set for %(name)s. They must change it when they next "
                    "sign in.",
                    name=user.name,
                )
            )
            return redirect(url_for("accounts.admin_user", user_id=user.id), code=303)
    return _user_page(user, 422, password_form=form)


@bp.post("/admin/users/<int:user_id>/two-factor", endpoint="admin_user_two_factor")
@permission_required(Permission.MANAGE_ACCOUNTS)
def admin_user_two_factor(user_id: int) -> Response | tuple[str, int]:
    """Reset the user's two-factor sign-in (a lost phone): their sessions end, and they take
    it into use again at their next sign-in. Not one's own."""
    user = _user_or_404(user_id)
    form = TwoFactorResetForm()
    if not form.validate():
        abort(400)
    try:
        users.reset_two_factor(user, actor=current_user, commit=False)
    except users.AccountError as error:
        db.session.rollback()
        show_account_error(form, error)
        return _user_page(user, 422, two_factor_form=form)
    _audit("two_factor_reset", f"user:{user.id}")
    flash(
        _(
            "The two-factor sign-in of %(name)s was reset. They take it into use again when "
            "they next sign in.",
            name=user.name,
        )
    )
    return redirect(url_for("accounts.admin_user", user_id=user.id), code=303)
