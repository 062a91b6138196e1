"""Sign-in plumbing: Flask-Login on server-side sessions, permission checks, audit of refusals."""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, redirect, request, session, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from pyydaapua import audit
from pyydaapua.accounts import users
from pyydaapua.accounts.permissions import Permission, can
from pyydaapua.inbox import queries as inbox_queries
from pyydaapua.models import StaffUser
from pyydaapua.web import htmx
from pyydaapua.web.extensions import db, limiter, login_manager

# After the right password the Flask session holds only this marker: which account's password
# was verified, when, and where to go afterwards. It opens no staff page; only a right code
# (or a finished enrolment) starts the real, server-side staff session.
SECOND_STEP = "second_step"
SECOND_STEP_SECONDS = 5 * 60


def client_address() -> str:
    return request.remote_addr or ""


def _load_user(token: str) -> StaffUser | None:
    """The signed-in user; on a page that is only read, with the inbox link's number read in
    the same statement (after a change it is read again, when the answer shows it)."""
    config = current_app.config
    return users.resume_session(
        token,
        idle=timedelta(minutes=config["STAFF_IDLE_MINUTES"]),
        lifetime=timedelta(hours=config["STAFF_SESSION_HOURS"]),
        unassigned_open=inbox_queries.unassigned_open_column() if request.method == "GET" else None,
    )


def _unauthorised() -> Response:
    """Send a visitor who is not signed in to the sign-in page, and back afterwards."""
    target = url_for("staff.login", next=request.full_path.rstrip("?"))
    if request.method != "GET":
        target = url_for("staff.login")
    return htmx.redirect_after_post(target) if htmx.is_htmx() else redirect(target)


# Longer than any address of the staff pages with their filters.
NEXT_MAX = 2000
# Unicode categories of control, format, surrogate, private and unassigned characters, and
# of the line and paragraph separators.
_NOT_IN_LINKS = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site (never another host), else None.

    Control and format characters, line and paragraph separators, and over-long values are
    refused too: none is in a link of ours, and a redirect cannot carry them."""
    if not target or len(target) > NEXT_MAX:
        return None
    if any(unicodedata.category(char) in _NOT_IN_LINKS for char in target):
        return None
    try:
        parts = urlsplit(target)
    except ValueError:  # e.g. "//[": an unbalanced IPv6 host
        return None
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


# The only pages a user whose password must be changed can reach, besides signing in.
PASSWORD_CHANGE_ENDPOINTS = ("staff.account_password", "staff.logout")


def _password_change_first() -> Response:
    """Send a user who must choose a new password to the page where they do it."""
    target = url_for("staff.account_password")
    if htmx.is_htmx():
        return htmx.redirect_after_post(target)
    return redirect(target, code=302 if request.method == "GET" else 303)


def permission_required(
    permission: Permission,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Allow only signed-in staff whose role has ``permission``; a refusal is a 403 and an audit
    event.

    A user whose password an administrator has set must change it before anything else."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if (
                current_user.password_change_required
                and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS
            ):
                return _password_change_first()
            if not can(current_user, permission):
                audit.record(
                    "access_refused",
                    user_id=current_user.id,
                    client_address=client_address(),
                    target=request.endpoint or "",
                )
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def mark_password_verified(user: StaffUser, next_url: str) -> None:
    """Start the second step: a fresh Flask session with only the marker in it."""
    session.clear()
    session[SECOND_STEP] = {"user": user.id, "at": int(time.time()), "next": next_url}


def password_verified_user() -> StaffUser | None:
    """The active account whose password was verified a moment ago in this browser, or None
    (no marker, or an expired one, which is then removed)."""
    marker = session.get(SECOND_STEP)
    if not isinstance(marker, dict):
        return None
    user_id, at = marker.get("user"), marker.get("at")
    user = None
    fresh = isinstance(at, int) and 0 <= time.time() - at <= SECOND_STEP_SECONDS
    if isinstance(user_id, int) and fresh:
        user = db.session.get(StaffUser, user_id)
    if user is None or not user.active:
        session.pop(SECOND_STEP, None)
        return None
    return user


def next_after_sign_in() -> str | None:
    marker = session.get(SECOND_STEP)
    return safe_next(marker.get("next")) if isinstance(marker, dict) else None


# Sign-in limits: failed attempts are counted per account and, more generously, per client
# address, so that one office network does not lock the whole team out. A successful attempt
# is not counted (only failures are deducted).
def _account_key() -> str:
    """The account an attempt is for: the e-mail typed, or the one whose password was verified."""
    if request.endpoint == "staff.login":
        return "account:" + users.normalise_email(request.form.get("email", ""))[:254]
    marker = session.get(SECOND_STEP)
    user = marker.get("user") if isinstance(marker, dict) else None
    return f"account-id:{user}"


def _address_key() -> str:
    return "address:" + client_address()


def _failed(response: Response) -> bool:
    """A wrong password or code (401), or a form that did not pass (422)."""
    return response.status_code in (401, 422)


def sign_in_limits(view: Callable[..., Any]) -> Callable[..., Any]:
    """The per-account (``LOGIN_RATE_LIMIT``) and per-address (``LOGIN_ADDRESS_RATE_LIMIT``)
    limits of failed sign-in attempts, on the POSTs of a sign-in step."""
    per_address = limiter.limit(
        lambda: current_app.config["LOGIN_ADDRESS_RATE_LIMIT"],
        key_func=_address_key,
        methods=["POST"],
        deduct_when=_failed,
    )
    per_account = limiter.limit(
        lambda: current_app.config["LOGIN_RATE_LIMIT"],
        key_func=_account_key,
        methods=["POST"],
        deduct_when=_failed,
    )
    return per_account(per_address(view))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorised)
    app.add_template_global(current_user_can, "can")


def current_user_can(permission: Permission | str) -> bool:
    """``can("read_reports")`` in a template: whether the signed-in user has the permission."""
    return can(current_user, permission)
