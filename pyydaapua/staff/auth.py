"""Sign-in plumbing: Flask-Login on server-side sessions, role checks, audit of refusals."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, redirect, request, url_for
from flask_login import current_user, login_required

from .. import audit, htmx, staff_accounts
from ..extensions import login_manager
from ..models import StaffUser


def client_address() -> str:
    return request.remote_addr or ""


def _load_user(token: str) -> StaffUser | None:
    config = current_app.config
    return staff_accounts.resume_session(
        token,
        idle=timedelta(minutes=config["STAFF_IDLE_MINUTES"]),
        lifetime=timedelta(hours=config["STAFF_SESSION_HOURS"]),
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


def roles_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Allow only signed-in staff with one of ``roles``; a refusal is a 403 and an audit event.

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
            if current_user.role not in roles:
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


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorised)
