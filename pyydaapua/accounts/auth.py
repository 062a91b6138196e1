"""Sign-in plumbing: Flask-Login on server-side sessions, permission checks, audit of refusals."""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable
from datetime import timedelta
from functools import lru_cache, wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, select
from werkzeug.wrappers import Response

from pyydaapua import audit
from pyydaapua.accounts import users
from pyydaapua.accounts.permissions import Permission, can
from pyydaapua.database import db
from pyydaapua.models import StaffUser
from pyydaapua.rules.codes import LANGUAGES
from pyydaapua.web import htmx
from pyydaapua.web.extensions import login_manager
from pyydaapua.web.ratelimits import address_limit, failure_limits

# After the right password the Flask session holds only this marker: which account's password
# was verified, when, and where to go afterwards. It opens no staff page; only a right code
# (or a finished enrolment) starts the real, server-side staff session.
SECOND_STEP = "second_step"
SECOND_STEP_SECONDS = 5 * 60


def client_address() -> str:
    return request.remote_addr or ""


# Requests that a page makes on its own, not the counsellor: they never keep a session alive.
# The inbox's poll is one by its endpoint; any other request says so with this header, which
# static/js/app.js adds to every request of an htmx trigger that runs "every" few seconds.
BACKGROUND_ENDPOINTS = frozenset({"inbox.inbox_new", "accounts.session_status"})
BACKGROUND_HEADER = "X-Background-Request"
# The header that tells a page how many seconds of the idle limit are left.
REMAINING_HEADER = "X-Session-Remaining"
# What the sign-in page is told when the session ended for being idle (``ended=idle``).
ENDED_IDLE = "idle"


def idle_limit() -> timedelta:
    """How long a staff session may go without activity: ``STAFF_IDLE_MINUTES``, or, when set,
    ``STAFF_IDLE_SECONDS`` (for tests of the warning, which cannot wait for minutes)."""
    config = current_app.config
    seconds = config.get("STAFF_IDLE_SECONDS")
    if seconds is not None:
        return timedelta(seconds=seconds)
    return timedelta(minutes=config["STAFF_IDLE_MINUTES"])


def idle_minutes() -> int:
    """The idle limit in whole minutes (rounded up), as the pages tell it."""
    return max(1, -(-int(idle_limit().total_seconds()) // 60))


def idle_warning_seconds() -> int:
    """How long before the idle limit the page warns: ``STAFF_IDLE_WARNING_SECONDS``, at most
    half the limit."""
    lead = int(current_app.config["STAFF_IDLE_WARNING_SECONDS"])
    return max(1, min(lead, int(idle_limit().total_seconds()) // 2))


def idle_remaining() -> int:
    """Seconds left of the idle limit for this request's user: the whole limit right after
    signing in, when the session was started rather than checked."""
    remaining = g.get("staff_idle_remaining")
    return int(idle_limit().total_seconds()) if remaining is None else remaining


def is_background_request() -> bool:
    """Whether the page made this request on its own (a poll), not the counsellor."""
    return request.endpoint in BACKGROUND_ENDPOINTS or request.headers.get(BACKGROUND_HEADER) == "1"


# The numbers beside the staff menu's links ("n without an owner", undelivered e-mail): the
# package that owns each registers a scalar column for it (``menu_count``). On a page that is
# only read they come with the session check, in the same statement; after a change they are
# read once, when the answer is rendered (``menu_counts``).
MENU_COUNTS: dict[str, Callable[[], ColumnElement[int]]] = {}


def menu_count(name: str, column: Callable[[], ColumnElement[int]]) -> None:
    """Register a number of the staff menu: ``column()`` gives the scalar column to read."""
    MENU_COUNTS[name] = column


@lru_cache(maxsize=1)
def _menu_columns() -> dict[str, ColumnElement[int]]:
    """The menu's numbers as columns, made once: every number is registered at import."""
    return {name: column() for name, column in MENU_COUNTS.items()}


def menu_counts() -> dict[str, int]:
    """The staff menu's numbers for this answer, read once (with the session when it could)."""
    if "menu_counts" not in g:
        counts = dict(getattr(current_user, "menu_counts", None) or {})
        missing = [name for name in MENU_COUNTS if name not in counts]
        if missing:
            row = db.session.execute(select(*(MENU_COUNTS[name]() for name in missing))).one()
            counts.update(zip(missing, row, strict=True))
        g.menu_counts = {name: int(value or 0) for name, value in counts.items()}
    return dict(g.menu_counts)


def _menu_context() -> dict[str, Any]:
    """The menu's numbers, computed before a staff page is rendered (public pages and pages
    without a signed-in user have none)."""
    signed_in = current_user.is_authenticated and not g.get("database_unavailable")
    return {"menu_counts": menu_counts() if signed_in else {}}


def _load_user(token: str) -> StaffUser | None:
    """The signed-in user; on a page that is only read, with the menu's numbers read in the
    same statement. A background request does not count as activity."""
    reading = request.method == "GET"
    check = users.check_session(
        token,
        idle=idle_limit(),
        lifetime=timedelta(hours=current_app.config["STAFF_SESSION_HOURS"]),
        activity=not is_background_request(),
        counts=_menu_columns() if reading else None,
    )
    g.staff_session_idled_out = check.idled_out
    if check.user is not None:
        g.staff_idle_remaining = int(check.idle_remaining)
    return check.user


def add_remaining_header(response: Response) -> Response:
    """Tell the page how long the session has left, on every answer to a signed-in user."""
    remaining = g.get("staff_idle_remaining")
    if remaining is not None:  # a live session's user was loaded (and not signed out since)
        response.headers[REMAINING_HEADER] = str(remaining)
    return response


def _page_of_request() -> str | None:
    """The local address of the page the counsellor was on: for htmx the page's own address,
    for a plain form its referrer, for a page load the page itself."""
    if htmx.is_htmx():
        candidate = request.headers.get("HX-Current-URL")
    elif request.method == "GET":
        return request.full_path.rstrip("?")
    else:
        candidate = request.referrer
    if not candidate:
        return request.full_path.rstrip("?") if request.method == "GET" else None
    parts = urlsplit(candidate)
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path + ("?" + parts.query if parts.query else "")
    return safe_next(path)


def _unauthorised() -> Response:
    """Send a visitor who is not signed in to the sign-in page, and back afterwards to the
    page they were on; the sign-in page says so when the session ended for being idle."""
    args: dict[str, Any] = {}
    target = _page_of_request()
    if target is not None and not target.startswith(url_for("accounts.login")):
        args["next"] = target
    if g.get("staff_session_idled_out"):
        args["ended"] = ENDED_IDLE
        # In the language of the pages the counsellor was on, remembered in the session.
        if session.get("staff_language") in LANGUAGES:
            args["lang"] = session["staff_language"]
    url = url_for("accounts.login", **args)
    return htmx.redirect_after_post(url) if htmx.is_htmx() else redirect(url)


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
PASSWORD_CHANGE_ENDPOINTS = (
    "accounts.account_password",
    "accounts.logout",
    "accounts.session_status",
    "accounts.session_keep",
)


def _password_change_first() -> Response:
    """Send a user who must choose a new password to the page where they do it."""
    target = url_for("accounts.account_password")
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
    if request.endpoint == "accounts.login":
        return "account:" + users.normalise_email(request.form.get("email", ""))[:254]
    marker = session.get(SECOND_STEP)
    user = marker.get("user") if isinstance(marker, dict) else None
    return f"account-id:{user}"


def _address_key() -> str:
    return "address:" + client_address()


def _failed(response: Response) -> bool:
    """A wrong password or code (401), or a form that did not pass (422)."""
    return response.status_code in (401, 422)


# The per-account (``LOGIN_RATE_LIMIT``) and per-address (``LOGIN_ADDRESS_RATE_LIMIT``)
# limits of failed sign-in attempts, on the POSTs of a sign-in step.
sign_in_limits = failure_limits(
    ("LOGIN_RATE_LIMIT", _account_key),
    ("LOGIN_ADDRESS_RATE_LIMIT", _address_key),
    failed=_failed,
)


# Coming back from the identity provider names no account before the ID token is checked: its
# failures count per client address only, so that nobody can use up another person's limit.
provider_sign_in_limits = failure_limits(
    ("LOGIN_ADDRESS_RATE_LIMIT", _address_key), failed=_failed, methods=("GET",)
)
# Leaving for the provider keeps a row of sign-in state: every start counts per address.
provider_start_limit = address_limit("LOGIN_ADDRESS_RATE_LIMIT", _address_key)


def _signed_in_key() -> str:
    """The signed-in account (the limit below is checked only after its session was)."""
    return f"signed-in:{current_user.id}"


# The limit of a signed-in user's own failures (a wrong current password, 422) on a staff POST,
# per account and never per address: put it *under* ``permission_required``, so that a POST
# without a live session is sent to the sign-in page before the limit is looked at, and no one
# else's posts, from the same network or anywhere, can use up a user's limit.
signed_in_limits = failure_limits(("LOGIN_RATE_LIMIT", _signed_in_key), failed=_failed)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorised)
    app.after_request(add_remaining_header)
    app.add_template_global(current_user_can, "can")
    app.add_template_global(idle_warning_seconds)
    app.add_template_global(idle_minutes)
    app.add_template_global(idle_remaining)
    app.context_processor(_menu_context)


def current_user_can(permission: Permission | str) -> bool:
    """``can("read_reports")`` in a template: whether the signed-in user has the permission."""
    return can(current_user, permission)
