"""The city's OpenID Connect provider: the client, the accounts its people sign in to, and the
back-channel logout token.

The protocol is Authlib's (its Flask client): the authorisation code flow with PKCE (S256) and
a nonce, the ID token checked for its issuer, audience, expiry, nonce and signature against the
provider's published keys. What Authlib keeps between leaving for the provider and coming back
(the nonce, the PKCE verifier, the return address) is kept in the database (``SignInState``,
through Authlib's cache interface), so that the cookie holds nothing secret and the callback may
land on another server than the one that started the sign-in.

Which account a person signs in to is decided here: by the provider's stable identifier of the
person (``OIDC_SUBJECT_CLAIM``, ``sub`` by default), never by an e-mail address; the role comes
from the groups claim at every sign-in (rules/identity_claims.py).

Authlib and joserfc (with cryptography and requests, some 18 MB in every worker) are imported
only when single sign-on is on: in ``init_app`` with ``OIDC_ISSUER`` set, and in the functions
that only a signed-on flow reaches.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Flask, current_app, url_for
from sqlalchemy import delete, func, select

from pyydaapua.accounts import users
from pyydaapua.database import db
from pyydaapua.models import SignInState, StaffSession, StaffUser
from pyydaapua.rules.identity_claims import claimed_groups, mfa_asserted, role_for

PROVIDER = "city"
EXTENSION = "city_identity_provider"

# The event a back-channel logout token carries (OpenID Connect Back-Channel Logout 1.0).
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
# How far the provider's clock may be from ours, in seconds.
LEEWAY = 120


class DatabaseStateCache:
    """Authlib's cache interface (get, set, delete) over ``sign_in_state``."""

    def get(self, key: str) -> str | None:
        row = db.session.get(SignInState, key)
        if row is None or row.expires_at <= datetime.now(UTC):
            return None
        return row.value

    def set(self, key: str, value: str, expires: int | None = None) -> None:
        now = datetime.now(UTC)
        db.session.execute(delete(SignInState).where(SignInState.expires_at <= now))
        expires_at = now + timedelta(seconds=expires or 600)
        db.session.merge(SignInState(key=key[:200], value=value, expires_at=expires_at))
        db.session.commit()

    def delete(self, key: str) -> None:
        db.session.execute(delete(SignInState).where(SignInState.key == key[:200]))
        db.session.commit()


def init_app(app: Flask) -> None:
    """Register the provider's client when ``OIDC_ISSUER`` is set."""
    if not app.config.get("OIDC_ISSUER"):
        return
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(app, cache=DatabaseStateCache())  # one per app: each has its own provider
    app.extensions[EXTENSION] = oauth
    oauth.register(
        PROVIDER,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=app.config["OIDC_ISSUER"] + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": app.config["OIDC_SCOPES"],
            "code_challenge_method": "S256",
            "timeout": 10,
        },
    )


def enabled() -> bool:
    return bool(current_app.config.get("OIDC_ISSUER"))


def client() -> Any:
    """The registered client (Authlib's FlaskOAuth2App)."""
    return current_app.extensions[EXTENSION].create_client(PROVIDER)


def end_session_endpoint() -> str | None:
    """The provider's RP-initiated logout address, if it offers one and it is to be used."""
    if not current_app.config.get("OIDC_PROVIDER_LOGOUT"):
        return None
    endpoint = client().load_server_metadata().get("end_session_endpoint")
    return endpoint if isinstance(endpoint, str) and endpoint else None


def public_address(endpoint: str) -> str:
    """An address of ours as the provider must see it: under ``PUBLIC_URL``."""
    return current_app.config["PUBLIC_URL"] + url_for(endpoint)


def provider_logout_address(id_token: str | None) -> str | None:
    """Where the browser goes to end the provider's session too, or None (no ID token, or
    no end-session address)."""
    endpoint = end_session_endpoint() if enabled() else None
    if not id_token or not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": current_app.config["OIDC_CLIENT_ID"],
            "post_logout_redirect_uri": public_address("accounts.login"),
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


class SignInRefused(Exception):
    """The provider vouched for a person we do not let in; ``code`` says why
    (REFUSAL_CODES), ``user`` names the account when there is one."""

    def __init__(self, code: str, user: StaffUser | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.user = user


# Why a sign-in through the provider was refused. The page says each in words.
REFUSAL_CODES = (
    "failed",  # the flow failed: a tampered or lost state, a refused code, a bad ID token
    "no_subject",  # the ID token does not name the person
    "no_mfa",  # multi-factor authentication was required and not asserted
    "no_role",  # none of the person's groups is mapped to a role
    "no_account",  # no account is tied to the person, and accounts are not made at sign-in
    "deactivated",  # the account is deactivated here
)


@dataclass(frozen=True)
class ProviderSignIn:
    """An account the provider signed a person in to, with what the session keeps."""

    user: StaffUser
    provider_sid: str | None
    id_token: str
    role_changed_from: str | None = None
    created: bool = False


def _text_claim(claims: dict[str, Any], name: str, limit: int) -> str:
    value = claims.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _free_email(claimed: str, subject: str) -> str:
    """The account's e-mail address: the claimed one when no other account has it; else a
    placeholder naming the subject (the account is never found by its address)."""
    address = users.normalise_email(claimed) if claimed else ""
    taken = address and db.session.scalar(
        select(func.count()).select_from(StaffUser).where(StaffUser.email == address)
    )
    if address and not taken:
        return address
    return f"sso-{secrets.token_hex(8)}@invalid"


def account_for(claims: dict[str, Any], token: dict[str, Any]) -> ProviderSignIn:
    """The account the person of these (validated) ID token claims signs in to, its role set
    from the groups claim; SignInRefused when they may not come in."""
    config = current_app.config
    subject = _text_claim(claims, config["OIDC_SUBJECT_CLAIM"], 255)
    if not subject:
        raise SignInRefused("no_subject")
    user = db.session.scalar(select(StaffUser).where(StaffUser.sso_subject == subject))
    if config["OIDC_REQUIRE_MFA"] and not mfa_asserted(
        claims, config["OIDC_MFA_AMR"], config["OIDC_MFA_ACR"]
    ):
        raise SignInRefused("no_mfa", user)
    role = role_for(claimed_groups(claims, config["OIDC_GROUPS_CLAIM"]), config["OIDC_ROLE_MAP"])
    if role is None:
        raise SignInRefused("no_role", user)
    name = _text_claim(claims, "name", 200) or _text_claim(claims, "preferred_username", 200)
    created, changed_from = False, None
    if user is None:
        if not config["OIDC_CREATE_ACCOUNTS"]:
            raise SignInRefused("no_account")
        user = StaffUser(
            email=_free_email(_text_claim(claims, "email", 254), subject),
            name=name or subject[:200],
            role=role,
            language="sv" if _text_claim(claims, "locale", 16).startswith("sv") else "fi",
            active=True,
            password_hash="",  # no password of ours: an empty hash never verifies
            sso_subject=subject,
            created_at=datetime.now(UTC),
        )
        db.session.add(user)
        db.session.flush()
        created = True
    elif not user.active:
        raise SignInRefused("deactivated", user)
    elif role != user.role:  # the groups at the provider changed: so does the role here
        changed_from, user.role = user.role, role
    if name and user.name != name:
        user.name = name
    sid = claims.get("sid")
    return ProviderSignIn(
        user=user,
        provider_sid=sid[:255] if isinstance(sid, str) and sid else None,
        id_token=str(token.get("id_token", "")),
        role_changed_from=changed_from,
        created=created,
    )


class LogoutTokenInvalid(Exception):
    """A back-channel logout token that is not from our provider, for us, or well formed."""


def logout_token_claims(logout_token: str) -> dict[str, Any]:
    """The claims of a back-channel logout token, validated as the specification asks: signed
    by the provider's keys, its issuer, our client as the audience, issued recently, the logout
    event, a ``sub`` or ``sid``, and no ``nonce``."""
    from joserfc import jwt
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    provider = client()
    metadata = provider.load_server_metadata()
    try:
        try:
            keys = KeySet.import_key_set(provider.fetch_jwk_set())
            token = jwt.decode(logout_token, keys)
        except JoseError:
            keys = KeySet.import_key_set(provider.fetch_jwk_set(force=True))
            token = jwt.decode(logout_token, keys)
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY,
            iss={"essential": True, "value": metadata.get("issuer")},
            aud={"essential": True, "value": current_app.config["OIDC_CLIENT_ID"]},
            iat={"essential": True},
        )
        registry.validate(token.claims)
    except (JoseError, ValueError) as error:
        raise LogoutTokenInvalid(str(error)) from None
    claims = dict(token.claims)
    issued = claims.get("iat")
    if not isinstance(issued, int | float) or issued < datetime.now(UTC).timestamp() - 600:
        raise LogoutTokenInvalid("issued too long ago")
    events = claims.get("events")
    if not isinstance(events, dict) or BACKCHANNEL_EVENT not in events:
        raise LogoutTokenInvalid("not a logout event")
    if "nonce" in claims:
        raise LogoutTokenInvalid("a logout token has no nonce")
    if not (isinstance(claims.get("sub"), str) or isinstance(claims.get("sid"), str)):
        raise LogoutTokenInvalid("names neither sub nor sid")
    return claims


def end_provider_sessions(claims: dict[str, Any]) -> list[int]:
    """End our sessions that a logout token names: the provider session's (``sid``), else
    every session of the person (``sub``). Returns the ids of the users signed out."""
    now = datetime.now(UTC)
    sessions = select(StaffSession).where(StaffSession.ended_at.is_(None))
    sid, subject = claims.get("sid"), claims.get("sub")
    if isinstance(sid, str):
        sessions = sessions.where(StaffSession.provider_sid == sid)
    else:
        sessions = sessions.join(StaffUser, StaffUser.id == StaffSession.user_id).where(
            StaffUser.sso_subject == subject, StaffSession.provider_sid.is_not(None)
        )
    ended = list(db.session.scalars(sessions))
    for staff_session in ended:
        staff_session.ended_at = now
    db.session.commit()
    return sorted({staff_session.user_id for staff_session in ended})
