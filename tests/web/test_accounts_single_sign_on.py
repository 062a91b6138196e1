"""Staff single sign-on against a real OpenID Provider (npm's oidc-provider) on loopback: the
test client is our side, the provider's own pages are driven over HTTP with requests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from pyydaapua.accounts import identity_provider
from pyydaapua.database import db
from pyydaapua.models import AuditEvent, SignInState, StaffSession, StaffUser
from tests.helpers.oidc_provider import (
    OpenIdProvider,
    ProviderUserAgent,
    new_signing_key,
    sign_in_with_requests,
    skip_without_openid_provider,
)
from tests.helpers.staff import STAFF_PASSWORD, make_staff, sign_in

PUBLIC_URL = "http://127.0.0.1:5999"
CLIENT_ID = "pyydaapua"
CLIENT_SECRET = "a-client-secret-for-the-tests"
ROLE_MAP = {"fc-counsellors": "counsellor", "fc-leads": "supervisor", "it-admins": "admin"}
MFA = ["pwd", "mfa"]
PASSWORD = "secret"  # the test provider's accounts' password


@pytest.fixture(scope="module")
def provider() -> Iterator[OpenIdProvider]:
    skip_without_openid_provider()
    provider = OpenIdProvider()
    provider.add_client(
        [f"{PUBLIC_URL}/staff/sso/callback"],
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        post_logout_redirect_uris=[f"{PUBLIC_URL}/staff/login"],
        backchannel_logout_uri=f"{PUBLIC_URL}/staff/sso/logout",
    )
    with provider:
        yield provider


def sso_settings(provider: OpenIdProvider, **overrides: Any) -> dict[str, Any]:
    settings = {
        "OIDC_ISSUER": provider.issuer,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_ROLE_MAP": ROLE_MAP,
        "LOCAL_SIGN_IN": "admins",
        "PUBLIC_URL": PUBLIC_URL,
    }
    settings.update(overrides)
    return settings


@pytest.fixture
def sso_app(app_factory, provider) -> Flask:
    return app_factory(**sso_settings(provider))


def local_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def provider_sign_in(
    client: FlaskClient, username: str, password: str = PASSWORD, **start: str
) -> tuple[str, Any]:
    """Start at our /staff/sso, sign in on the provider's page; returns the callback URL and
    our answer to it."""
    started = client.get("/staff/sso", query_string=start)
    assert started.status_code == 302, started.status_code
    callback = sign_in_with_requests(started.location, username, password)
    assert callback.startswith(f"{PUBLIC_URL}/staff/sso/callback?"), callback
    return callback, client.get(local_path(callback))


def account(app: Flask, sub: str) -> StaffUser | None:
    with app.app_context():
        user = db.session.scalar(select(StaffUser).where(StaffUser.sso_subject == sub))
        if user is not None:
            db.session.expunge(user)
        return user


def audit_events(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context():
        events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        for event in events:
            db.session.expunge(event)
        return events


def signed_in(client: FlaskClient) -> bool:
    return client.get("/staff/account").status_code == 200


# Who gets in


def test_a_counsellor_signs_in_with_the_city_account(sso_app, provider) -> None:
    provider.set_account(
        "maija",
        name="Maija Meikäläinen",
        email="maija@city.example",
        groups=["fc-counsellors", "other"],
        amr=MFA,
    )
    client = sso_app.test_client()
    _, answer = provider_sign_in(client, "maija", next="/staff/?view=mine")
    assert answer.status_code == 303
    assert answer.location.endswith("/staff/?view=mine")
    user = account(sso_app, "maija")
    assert user is not None
    assert (user.role, user.name, user.email) == (
        "counsellor",
        "Maija Meikäläinen",
        "maija@city.example",
    )
    assert user.last_sign_in_method == "sso" and user.last_sign_in_at is not None
    assert user.totp_secret is None  # no second step of ours: the provider did it
    assert client.get("/staff/").status_code == 200
    [event] = audit_events(sso_app, "sign_in")
    assert (event.user_id, event.target) == (user.id, "sso")
    created = audit_events(sso_app, "user_created")
    assert [e.target for e in created] == [f"user:{user.id} sso"]
    with sso_app.app_context():
        assert db.session.scalars(select(SignInState)).all() == []  # used state is gone


def test_the_role_follows_the_groups_at_every_sign_in(sso_app, provider) -> None:
    provider.set_account("ville", name="Ville", groups=["fc-counsellors"], amr=MFA)
    provider_sign_in(sso_app.test_client(), "ville")
    assert account(sso_app, "ville").role == "counsellor"

    provider.set_account("ville", name="Ville", groups=["fc-leads"], amr=MFA)
    client = sso_app.test_client()
    provider_sign_in(client, "ville")
    assert account(sso_app, "ville").role == "supervisor"
    assert client.get("/staff/reports").status_code == 200
    changed = audit_events(sso_app, "user_changed")
    assert len(changed) == 1

    provider.set_account("ville", name="Ville", groups=[], amr=MFA)
    client = sso_app.test_client()
    _, answer = provider_sign_in(client, "ville")
    assert answer.status_code == 403
    assert 'data-reason="no_role"' in answer.get_data(as_text=True)
    assert not signed_in(client)
    [refused] = audit_events(sso_app, "sso_refused")
    assert (refused.target, refused.user_id) == ("no_role", account(sso_app, "ville").id)


@pytest.mark.parametrize(
    ("lang", "text"),
    [("fi", "ei ole roolia tässä palvelussa"), ("sv", "har ingen roll i den här tjänsten")],
)
def test_a_person_in_no_mapped_group_is_refused_in_words(sso_app, provider, lang, text) -> None:
    provider.set_account(f"outsider-{lang}", groups=["finance"], amr=MFA)
    client = sso_app.test_client()
    _, answer = provider_sign_in(client, f"outsider-{lang}", lang=lang)
    assert answer.status_code == 403
    page = answer.get_data(as_text=True)
    assert text in page, page
    assert account(sso_app, f"outsider-{lang}") is None  # no account was made


def test_multi_factor_must_be_asserted(app_factory, provider) -> None:
    app = app_factory(**sso_settings(provider))
    provider.set_account("pw-only", groups=["fc-counsellors"], amr=["pwd"])
    _, answer = provider_sign_in(app.test_client(), "pw-only")
    assert answer.status_code == 403
    assert 'data-reason="no_mfa"' in answer.get_data(as_text=True)
    assert account(app, "pw-only") is None

    provider.set_account("by-acr", groups=["fc-counsellors"], amr=["pwd"], acr="urn:city:mfa")
    acr_app = app_factory(**sso_settings(provider, OIDC_MFA_ACR=("urn:city:mfa",)))
    _, answer = provider_sign_in(acr_app.test_client(), "by-acr")
    assert answer.status_code == 303

    relaxed = app_factory(**sso_settings(provider, OIDC_REQUIRE_MFA=False))
    _, answer = provider_sign_in(relaxed.test_client(), "pw-only")
    assert answer.status_code == 303


def test_a_deactivated_account_stays_out(sso_app, provider) -> None:
    provider.set_account("leaver", groups=["fc-counsellors"], amr=MFA)
    provider_sign_in(sso_app.test_client(), "leaver")
    with sso_app.app_context():
        user = db.session.scalar(select(StaffUser).where(StaffUser.sso_subject == "leaver"))
        user.active = False
        db.session.commit()
    client = sso_app.test_client()
    _, answer = provider_sign_in(client, "leaver")
    assert answer.status_code == 403
    assert 'data-reason="deactivated"' in answer.get_data(as_text=True)
    assert not signed_in(client)


def test_accounts_made_by_an_administrator_are_tied_by_subject_not_email(
    app_factory, provider
) -> None:
    app = app_factory(**sso_settings(provider, OIDC_CREATE_ACCOUNTS=False))
    # A local account with the same e-mail address is not taken over by it.
    make_staff(app, "counsellor", email="anna@city.example", name="Anna")
    provider.set_account("anna-sub", email="anna@city.example", groups=["fc-leads"], amr=MFA)
    client = app.test_client()
    _, answer = provider_sign_in(client, "anna-sub")
    assert answer.status_code == 403
    assert 'data-reason="no_account"' in answer.get_data(as_text=True)

    admin = app.test_client()
    sign_in(admin, make_staff(app, "admin")[1])
    with app.app_context():
        anna = db.session.scalar(select(StaffUser).where(StaffUser.email == "anna@city.example"))
        anna_id = anna.id
    page = admin.get(f"/staff/admin/users/{anna_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    saved = admin.post(
        f"/staff/admin/users/{anna_id}",
        data={
            "csrf_token": token,
            "name": "Anna",
            "role": "counsellor",
            "language": "fi",
            "sso_subject": "anna-sub",
        },
    )
    assert saved.status_code == 303
    _, answer = provider_sign_in(client, "anna-sub")
    assert answer.status_code == 303
    user = account(app, "anna-sub")
    assert (user.id, user.role) == (anna_id, "supervisor")  # the role from the groups
    listing = admin.get("/staff/admin/users").get_data(as_text=True)
    row = re.search(rf'<tr id="user-{anna_id}".*?</tr>', listing, re.S).group(0)
    assert 'data-sign-in="sso"' in row and "Kaupungin tunnuksella" in row


def test_the_callback_may_land_on_another_server(app_factory, provider) -> None:
    """What the sign-in keeps between leaving and coming back lives in the database, so a
    second server (another app on the same database and secret) finishes what one began."""
    first, second = app_factory(**sso_settings(provider)), app_factory(**sso_settings(provider))
    provider.set_account("roaming", groups=["fc-counsellors"], amr=MFA)
    started = first.test_client()
    callback = sign_in_with_requests(started.get("/staff/sso").location, "roaming", PASSWORD)
    cookie = started.get_cookie("session").value
    held = first.session_interface.get_signing_serializer(first).loads(cookie)
    state_keys = [key for key in held if key.startswith("_state_city_")]
    assert len(state_keys) == 1 and set(held[state_keys[0]]) == {"exp"}  # nothing secret
    elsewhere = second.test_client()
    elsewhere.set_cookie("session", started.get_cookie("session").value)
    assert elsewhere.get(local_path(callback)).status_code == 303
    assert signed_in(elsewhere)


def test_signing_out_may_lead_on_to_the_provider(sso_app, provider, app) -> None:
    """The content security policy lets the sign-out form lead on to the provider's origin,
    and only with single sign-on set up."""
    policy = sso_app.test_client().get("/staff/login").headers["Content-Security-Policy"]
    assert f"form-action 'self' {provider.issuer};" in policy
    plain = app.test_client().get("/staff/login").headers["Content-Security-Policy"]
    assert "form-action 'self';" in plain


# The flow's own checks


def test_a_tampered_state_is_refused(sso_app, provider) -> None:
    provider.set_account("tamper", groups=["fc-counsellors"], amr=MFA)
    client = sso_app.test_client()
    started = client.get("/staff/sso")
    callback = sign_in_with_requests(started.location, "tamper", PASSWORD)
    tampered = re.sub(r"state=[^&]+", "state=forged", callback)
    answer = client.get(local_path(tampered))
    assert answer.status_code == 401
    assert 'data-reason="failed"' in answer.get_data(as_text=True)
    assert not signed_in(client)
    assert [e.target for e in audit_events(sso_app, "sso_refused")] == ["failed"]


def test_a_replayed_code_is_refused_by_the_provider(sso_app, provider) -> None:
    provider.set_account("replay", groups=["fc-counsellors"], amr=MFA)
    first = sso_app.test_client()
    started = first.get("/staff/sso")
    callback = sign_in_with_requests(started.location, "replay", PASSWORD)
    cookie = first.get_cookie("session").value
    with sso_app.app_context():  # what an attacker would need besides the code: the state
        kept = [
            (row.key, row.value, row.expires_at) for row in db.session.scalars(select(SignInState))
        ]
    assert first.get(local_path(callback)).status_code == 303

    with sso_app.app_context():
        for key, value, expires_at in kept:
            db.session.add(SignInState(key=key, value=value, expires_at=expires_at))
        db.session.commit()
    second = sso_app.test_client()
    second.set_cookie("session", cookie)
    answer = second.get(local_path(callback))
    assert answer.status_code == 401  # the state passed; the provider refused the used code
    assert 'data-reason="failed"' in answer.get_data(as_text=True)
    assert not signed_in(second)


@pytest.mark.parametrize(
    "change",
    ["audience", "expired", "issuer", "foreign_key", "nonce"],
)
def test_an_id_token_that_fails_a_check_is_refused(sso_app, provider, change) -> None:
    """The checks Authlib makes with our settings: the provider's published keys, its issuer,
    our client as the audience, the expiry and the nonce."""
    import time

    from authlib.common.errors import AuthlibBaseError
    from joserfc.errors import JoseError

    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "x",
        "aud": CLIENT_ID,
        "nonce": "n-1",
        "iat": now,
        "exp": now + 300,
    }
    key = None
    if change == "audience":
        claims["aud"] = "another-client"
    elif change == "expired":
        claims.update(iat=now - 3600, exp=now - 1800)
    elif change == "issuer":
        claims["iss"] = "http://127.0.0.1:1"
    elif change == "foreign_key":
        key = new_signing_key(kid=provider.kid)  # the provider's key id, another key
    elif change == "nonce":
        claims["nonce"] = "n-2"
    token = provider.mint_id_token(claims, key=key)
    with sso_app.test_request_context():
        client = identity_provider.client()
        with pytest.raises((JoseError, AuthlibBaseError)):
            client.parse_id_token({"id_token": token, "access_token": "a"}, nonce="n-1")
        # The same token with nothing changed passes: the test refuses for the one reason.
        good = provider.mint_id_token({"sub": "x", "aud": CLIENT_ID, "nonce": "n-1"})
        assert client.parse_id_token({"id_token": good}, nonce="n-1")["sub"] == "x"


# Signing out


def test_signing_out_ends_our_session_and_the_providers(sso_app, provider) -> None:
    provider.set_account("leena", groups=["fc-counsellors"], amr=MFA)
    client = sso_app.test_client()
    agent = ProviderUserAgent()
    started = client.get("/staff/sso")
    callback = agent.sign_in(started.location, "leena", PASSWORD)
    client.get(local_path(callback))
    page = client.get("/staff/account").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post("/staff/logout", data={"csrf_token": token})
    assert answer.status_code == 303
    to_provider = answer.location
    assert to_provider.startswith(provider.end_session_endpoint)
    query = parse_qs(urlsplit(to_provider).query)
    assert query["post_logout_redirect_uri"] == [f"{PUBLIC_URL}/staff/login"]
    assert query["client_id"] == [CLIENT_ID] and query["id_token_hint"]
    assert not signed_in(client)
    with sso_app.app_context():  # the ID token is forgotten with the session
        assert db.session.scalars(select(StaffSession.id_token)).all() == [None]

    back = agent.end_session(to_provider)
    assert back.startswith(f"{PUBLIC_URL}/staff/login")
    # The provider's session is over too: the next sign-in asks for the password again.
    again = agent.follow(client.get("/staff/sso").location)
    assert not isinstance(again, str), again  # not straight back to us
    assert again.status == 200 and 'name="password"' in again.body


def test_a_back_channel_logout_ends_the_session(sso_app, provider) -> None:
    provider.set_account("tuula", groups=["fc-counsellors"], amr=MFA)
    client = sso_app.test_client()
    provider_sign_in(client, "tuula")
    with sso_app.app_context():
        sid = db.session.scalar(select(StaffSession.provider_sid))
    assert sid
    other = sso_app.test_client()
    logout = provider.mint_logout_token(audience="another-client", sid=sid)
    assert other.post("/staff/sso/logout", data={"logout_token": logout}).status_code == 400
    assert signed_in(client)
    logout = provider.mint_logout_token(audience=CLIENT_ID, sid=sid)
    answer = other.post("/staff/sso/logout", data={"logout_token": logout})
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    assert not signed_in(client)
    [event] = audit_events(sso_app, "sign_out_by_provider")
    assert event.user_id == account(sso_app, "tuula").id


@pytest.mark.parametrize(
    "broken",
    ["foreign_key", "no_event", "nonce", "neither_sub_nor_sid", "old", "issuer", "garbage"],
)
def test_a_logout_token_that_fails_a_check_is_refused(sso_app, provider, broken) -> None:
    import time

    provider.set_account("kalle", groups=["fc-counsellors"], amr=MFA)
    client = sso_app.test_client()
    provider_sign_in(client, "kalle")
    with sso_app.app_context():
        sid = db.session.scalar(select(StaffSession.provider_sid))
    claims: dict[str, Any] = {}
    key, sub_sid = None, {"sid": sid}
    if broken == "foreign_key":
        key = new_signing_key(kid=provider.kid)
    elif broken == "no_event":
        claims["events"] = {}
    elif broken == "nonce":
        claims["nonce"] = "n"
    elif broken == "neither_sub_nor_sid":
        sub_sid = {}
    elif broken == "old":
        claims.update(iat=int(time.time()) - 3600, exp=int(time.time()) + 60)
    elif broken == "issuer":
        claims["iss"] = "http://127.0.0.1:1"
    token = (
        "not.a.token"
        if broken == "garbage"
        else provider.mint_logout_token(audience=CLIENT_ID, claims=claims, key=key, **sub_sid)
    )
    answer = sso_app.test_client().post("/staff/sso/logout", data={"logout_token": token})
    assert answer.status_code == 400
    assert signed_in(client)
    assert len(audit_events(sso_app, "sso_logout_refused")) == 1


# Local sign-in beside it


@pytest.mark.parametrize(
    ("lang", "button"),
    [("fi", "Kirjaudu kaupungin tunnuksella"), ("sv", "Logga in med stadens konto")],
)
def test_the_sign_in_page_leads_with_the_city_account(sso_app, lang, button) -> None:
    page = sso_app.test_client().get(f"/staff/login?lang={lang}").get_data(as_text=True)
    assert button in page
    assert page.index('id="sso-sign-in"') < page.index('name="password"')


def test_local_sign_in_for_administrators_only(sso_app) -> None:
    _, counsellor = make_staff(sso_app, "counsellor")
    answer = sign_in(sso_app.test_client(), counsellor)
    assert answer.status_code == 403
    assert "Kirjaudu kaupungin tunnuksella." in answer.get_data(as_text=True)
    [event] = audit_events(sso_app, "sign_in_failed")
    assert event.target == "local_sign_in_off"
    _, admin = make_staff(sso_app, "admin")
    client = sso_app.test_client()
    sign_in(client, admin)
    assert signed_in(client)


def test_local_sign_in_off(app_factory, provider) -> None:
    app = app_factory(**sso_settings(provider, LOCAL_SIGN_IN="off"))
    _, admin = make_staff(app, "admin")
    client = app.test_client()
    page = client.get("/staff/login").get_data(as_text=True)
    assert 'name="password"' not in page and 'id="sso-sign-in"' in page
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    answer = client.post(
        "/staff/login", data={"csrf_token": token, "email": admin, "password": STAFF_PASSWORD}
    )
    assert answer.status_code == 403
    assert "Kirjaudu kaupungin tunnuksella." in answer.get_data(as_text=True)
    assert not signed_in(client)


def test_without_single_sign_on_nothing_changes(app) -> None:
    client = app.test_client()
    page = client.get("/staff/login").get_data(as_text=True)
    assert 'id="sso-sign-in"' not in page and 'name="password"' in page
    assert client.get("/staff/sso").status_code == 404
    assert client.post("/staff/sso/logout", data={"logout_token": "x"}).status_code == 404
    _, email = make_staff(app, "counsellor")
    sign_in(client, email)
    assert signed_in(client)


# Settings


def test_the_settings_are_read_and_checked(monkeypatch, tmp_path) -> None:
    from pyydaapua.web.config import ConfigError, from_environment, production_problems

    monkeypatch.setenv("OIDC_ISSUER", "https://login.city.example/realms/staff/")
    monkeypatch.setenv("OIDC_CLIENT_ID", "fc")
    monkeypatch.setenv("OIDC_CLIENT_SECRET", "s")
    monkeypatch.setenv("OIDC_ROLE_MAP", "fc-counsellors=counsellor; fc-leads=supervisor")
    monkeypatch.setenv("OIDC_MFA_AMR", "mfa, otp")
    config = from_environment(str(tmp_path))
    assert config["OIDC_ISSUER"] == "https://login.city.example/realms/staff"
    assert config["OIDC_ROLE_MAP"] == {"fc-counsellors": "counsellor", "fc-leads": "supervisor"}
    assert config["OIDC_MFA_AMR"] == ("mfa", "otp")
    assert config["LOCAL_SIGN_IN"] == "admins"  # with single sign-on, the password is a fallback
    assert config["OIDC_REQUIRE_MFA"] is True and config["OIDC_CREATE_ACCOUNTS"] is True

    monkeypatch.setenv("OIDC_ROLE_MAP", "fc-leads=boss")
    with pytest.raises(ConfigError, match="OIDC_ROLE_MAP"):
        from_environment(str(tmp_path))
    monkeypatch.setenv("OIDC_ROLE_MAP", "fc-leads=supervisor")
    monkeypatch.setenv("LOCAL_SIGN_IN", "sometimes")
    with pytest.raises(ConfigError, match="LOCAL_SIGN_IN"):
        from_environment(str(tmp_path))
    monkeypatch.delenv("LOCAL_SIGN_IN")
    monkeypatch.delenv("OIDC_CLIENT_SECRET")
    with pytest.raises(ConfigError, match="OIDC_CLIENT_SECRET"):
        from_environment(str(tmp_path))

    http = {
        "APP_ENV": "production",
        "SECRET_KEY": "x" * 40,
        "ALLOW_SQLITE_IN_PRODUCTION": True,
        "ALLOW_MEMORY_RATE_LIMITS": True,
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
    }
    assert production_problems({**http, "OIDC_ISSUER": "http://login.city.example"})
    assert not production_problems({**http, "OIDC_ISSUER": "http://127.0.0.1:8080"})
    assert not production_problems({**http, "OIDC_ISSUER": "https://login.city.example"})


def test_production_warns_when_passwords_stay_open_to_everyone(
    app_factory, provider, caplog
) -> None:
    from tests.helpers.app import PRODUCTION

    with caplog.at_level("WARNING"):
        app_factory(**PRODUCTION, **sso_settings(provider, LOCAL_SIGN_IN="on"))
    assert "LOCAL_SIGN_IN=on" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING"):
        app_factory(**PRODUCTION, **sso_settings(provider))
    assert "LOCAL_SIGN_IN" not in caplog.text and "OIDC_REQUIRE_MFA" not in caplog.text


def test_starts_and_failed_callbacks_are_limited_per_address(app_factory, provider) -> None:
    """Each start keeps a row of sign-in state, and a failed callback may be someone trying
    codes: both count per client address (never per account, which nobody is yet)."""
    app = app_factory(
        **sso_settings(provider), RATELIMIT_ENABLED=True, LOGIN_ADDRESS_RATE_LIMIT="2 per hour"
    )
    client = app.test_client()
    assert [client.get("/staff/sso").status_code for _ in range(3)] == [302, 302, 429]
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.2"
    forged = "/staff/sso/callback?code=x&state=forged"
    assert [other.get(forged).status_code for _ in range(3)] == [401, 401, 429]
