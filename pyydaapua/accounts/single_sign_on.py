"""Signing staff in through the city's identity provider (OpenID Connect), and out again.

``/staff/sso`` leaves for the provider, ``/staff/sso/callback`` comes back with a code, which
Authlib exchanges (with the PKCE verifier) for an ID token it validates; identity_provider.py
decides the account and its role. The staff session then starts as after a password and a
code (views.py ``finish_sign_in``), and remembers the provider's session for signing out:
``/staff/logout`` ends ours and sends the browser to the provider's end-session address; the
provider's back-channel logout (``/staff/sso/logout``) ends ours on every server.
"""

from __future__ import annotations

import logging

from flask import Flask, abort, g, redirect, render_template, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from pyydaapua import audit
from pyydaapua.accounts import identity_provider
from pyydaapua.accounts.auth import (
    client_address,
    provider_sign_in_limits,
    provider_start_limit,
    safe_next,
)
from pyydaapua.accounts.identity_provider import LogoutTokenInvalid, SignInRefused
from pyydaapua.accounts.views import _home_for, bp, finish_sign_in
from pyydaapua.rules.codes import LANGUAGES
from pyydaapua.web.extensions import csrf

logger = logging.getLogger(__name__)

# Where the address to return to and the language of the sign-in page wait while the browser
# is at the provider (neither is a secret).
NEXT_KEY = "sso_next"
LANGUAGE_KEY = "sso_language"


def flow_errors() -> tuple[type[Exception], ...]:
    """What can go wrong between us and the provider: a refused or replayed code, a tampered
    or lost state, an ID token that fails a check, the provider not answering. (Imported here:
    Authlib and its companions are loaded only when single sign-on is on.)"""
    import requests
    from authlib.common.errors import AuthlibBaseError
    from joserfc.errors import JoseError

    return (AuthlibBaseError, JoseError, requests.RequestException, ValueError, KeyError)


# What the person is told when the provider vouched for them but they may not come in.
REFUSAL_TEXTS = {
    "failed": _l("Signing in with the city's account did not succeed. Try again."),
    "no_subject": _l(
        "The city's sign-in service did not say who you are. Contact the IT help desk."
    ),
    "no_mfa": _l(
        "Signing in needs a second step (for example a code from the authenticator app). "
        "Sign in again with the second step, or contact the IT help desk."
    ),
    "no_role": _l(
        "Your city account has no role in this service. Ask your supervisor to have you added "
        "to the service's group."
    ),
    "no_account": _l(
        "There is no account in this service for your city account. Ask the service's "
        "administrator to create one."
    ),
    "deactivated": _l(
        "Your account in this service is deactivated. Ask the service's administrator."
    ),
}


def _refused(code: str, user_id: int | None, http_status: int) -> tuple[str, int]:
    audit.record("sso_refused", user_id=user_id, client_address=client_address(), target=code)
    page = render_template("accounts/sso_refused.html", code=code, refusal_text=REFUSAL_TEXTS[code])
    return page, http_status


@bp.get("/sso", endpoint="sso_start")
@provider_start_limit
def sso_start() -> Response:
    """Leave for the provider's sign-in page."""
    if not identity_provider.enabled():
        abort(404)
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    session.clear()
    session[NEXT_KEY] = safe_next(request.args.get("next")) or ""
    language = request.args.get("lang")
    extra = {}
    if language in LANGUAGES:
        session[LANGUAGE_KEY] = language
        extra["ui_locales"] = language  # the provider's pages in the same language, if it can
    return identity_provider.client().authorize_redirect(
        identity_provider.public_address("accounts.sso_callback"), **extra
    )


@bp.get("/sso/callback", endpoint="sso_callback")
@provider_sign_in_limits
def sso_callback() -> Response | tuple[str, int]:
    """Back from the provider: the code exchanged and the ID token validated by Authlib, then
    the account decided here. Any failure is a clear page and an audit event, never a 500."""
    if not identity_provider.enabled():
        abort(404)
    if session.get(LANGUAGE_KEY) in LANGUAGES:
        g.lang = session[LANGUAGE_KEY]  # a refusal in the language the sign-in page had
    try:
        token = identity_provider.client().authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        if not claims:
            raise ValueError("no ID token")
    except flow_errors() as error:
        logger.warning("Single sign-on failed: %s", type(error).__name__)
        return _refused("failed", None, 401)
    try:
        signed_in = identity_provider.account_for(claims, token)
    except SignInRefused as refusal:
        return _refused(refusal.code, refusal.user.id if refusal.user else None, 403)
    user = signed_in.user
    if signed_in.created:
        audit.record(
            "user_created",
            user_id=user.id,
            client_address=client_address(),
            commit=False,
            target=f"user:{user.id} sso",
        )
    if signed_in.role_changed_from:
        audit.record(
            "user_changed",
            user_id=user.id,
            client_address=client_address(),
            commit=False,
            target=f"user:{user.id} sso",
        )
    next_url = safe_next(session.get(NEXT_KEY)) or None
    return redirect(
        finish_sign_in(
            user,
            next_url,
            method="sso",
            provider_sid=signed_in.provider_sid,
            id_token=signed_in.id_token,
        ),
        code=303,
    )


@bp.post("/sso/logout", endpoint="sso_backchannel_logout")
@csrf.exempt
def sso_backchannel_logout() -> tuple[str, int, dict[str, str]]:
    """The provider's back-channel logout: a signed logout token naming a provider session
    (or a person), whose sessions here end at once, on every server (they are rows)."""
    if not identity_provider.enabled():
        abort(404)
    headers = {"Cache-Control": "no-store"}
    try:
        claims = identity_provider.logout_token_claims(request.form.get("logout_token", ""))
    except LogoutTokenInvalid as error:
        logger.warning("A back-channel logout token was refused: %s", error)
        audit.record("sso_logout_refused", user_id=None, client_address=client_address())
        return "", 400, headers
    for user_id in identity_provider.end_provider_sessions(claims):
        audit.record("sign_out_by_provider", user_id=user_id, client_address=client_address())
    return "", 200, headers


def init_app(app: Flask) -> None:
    identity_provider.init_app(app)
