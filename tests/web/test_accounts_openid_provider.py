"""The OpenID Provider that staff sign-on is tested against (tests/helpers/oidc_provider.py):
the code flow with PKCE, the claims taken from the accounts file at each sign-in, the sign-in
form's refusals, and the sign-out that reaches the client over the back channel."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from tests.helpers.oidc_provider import (
    BACKCHANNEL_LOGOUT_EVENT,
    LogoutReceiver,
    OidcClient,
    OpenIdProvider,
    ProviderUserAgent,
    SignInRefused,
    end_session_with_requests,
    forms_of,
    new_signing_key,
    provider_version,
    sign_in_with_requests,
    skip_without_openid_provider,
)

CALLBACK = "http://127.0.0.1:5999/staff/sso/callback"
SIGNED_OUT = "http://127.0.0.1:5999/staff/signed-out"


@pytest.fixture(scope="module")
def receiver() -> Iterator[LogoutReceiver]:
    with LogoutReceiver() as receiver:
        yield receiver


@pytest.fixture(scope="module")
def running(receiver: LogoutReceiver) -> Iterator[tuple[OpenIdProvider, OidcClient]]:
    skip_without_openid_provider()
    provider = OpenIdProvider()
    client = provider.add_client(
        [CALLBACK],
        client_id="pyydaapua",
        post_logout_redirect_uris=[SIGNED_OUT],
        backchannel_logout_uri=receiver.url,
    )
    provider.set_account(
        "anna",
        password="right horse",
        name="Anna Aalto",
        email="anna@example.fi",
        groups=["counsellors"],
        amr=["pwd", "mfa"],
        acr="urn:example:mfa",
    )
    with provider:
        yield provider, client


def code_of(callback: str) -> dict[str, str]:
    assert callback.startswith(CALLBACK + "?"), callback
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(callback).query))


def signed_in(provider: OpenIdProvider, client: OidcClient, username: str, password: str,
              agent: ProviderUserAgent | None = None) -> dict[str, object]:  # fmt: skip
    """Sign in, redeem the code, and return the ID token's verified claims."""
    url, request = provider.authorize_url(client)
    answer = code_of(sign_in_with_requests(url, username, password, agent=agent))
    assert answer["state"] == request.state
    assert answer["iss"] == provider.issuer
    status, tokens = provider.redeem_code(client, answer["code"], request.code_verifier)
    assert status == 200, tokens
    claims = jwt.decode(tokens["id_token"], KeySet.import_key_set(provider.public_jwks)).claims
    assert claims["nonce"] == request.nonce
    return {**claims, "id_token": tokens["id_token"]}


def test_discovery_names_the_issuer_and_what_sign_on_needs(running) -> None:
    provider, _ = running
    url = f"{provider.issuer}/.well-known/openid-configuration"
    with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - loopback
        metadata = json.load(answer)
    assert metadata["issuer"] == provider.issuer
    assert set(metadata["scopes_supported"]) >= {"openid", "profile", "email", "groups"}
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["backchannel_logout_session_supported"] is True
    assert metadata["end_session_endpoint"] == f"{provider.issuer}/session/end"
    with urllib.request.urlopen(metadata["jwks_uri"], timeout=5) as answer:  # noqa: S310
        assert json.load(answer) == provider.public_jwks
    assert provider_version().startswith("9.")


def test_a_sign_in_gives_an_id_token_with_the_accounts_claims(running) -> None:
    provider, client = running
    claims = signed_in(provider, client, "anna", "right horse")
    assert claims["iss"] == provider.issuer
    assert claims["aud"] == client.client_id
    assert claims["sub"] == "anna"
    assert claims["name"] == "Anna Aalto"
    assert claims["email"] == "anna@example.fi"
    assert claims["groups"] == ["counsellors"]
    assert claims["amr"] == ["pwd", "mfa"]
    assert claims["acr"] == "urn:example:mfa"
    assert claims["sid"]
    assert claims["exp"] - claims["iat"] == 600


def test_the_claims_follow_the_accounts_file_between_sign_ins(running) -> None:
    provider, client = running
    provider.set_account("ben", password="pw", name="Ben", groups=["counsellors", "admins"])
    assert signed_in(provider, client, "ben", "pw")["groups"] == ["counsellors", "admins"]
    provider.set_account("ben", password="pw", name="Ben", groups=["counsellors"], amr=None)
    second = signed_in(provider, client, "ben", "pw")
    assert second["groups"] == ["counsellors"]
    assert "amr" not in second
    assert "acr" not in second
    provider.remove_account("ben")
    url, _ = provider.authorize_url(client)
    with pytest.raises(SignInRefused) as refused:
        sign_in_with_requests(url, "ben", "pw")
    assert refused.value.answer.status == 401


def test_a_wrong_password_shows_the_form_again_with_the_reason(running) -> None:
    provider, client = running
    url, _ = provider.authorize_url(client)
    agent = ProviderUserAgent()
    page = agent.follow(url)
    assert not isinstance(page, str)
    assert page.status == 200
    assert '<html lang="en">' in page.body
    assert '<label for="username">Username</label>' in page.body
    assert '<label for="password">Password</label>' in page.body
    assert '<button type="submit">Sign in</button>' in page.body
    with pytest.raises(SignInRefused) as refused:
        agent.sign_in(url, "anna", "wrong horse")
    again = refused.value.answer
    assert again.status == 401
    assert 'role="alert">Wrong username or password.</p>' in again.body
    assert forms_of(again.body)[0].fields["username"] == "anna"


def test_cancel_returns_access_denied_to_the_client(running) -> None:
    provider, client = running
    url, request = provider.authorize_url(client)
    answer = code_of(ProviderUserAgent().cancel_sign_in(url))
    assert answer["error"] == "access_denied"
    assert answer["state"] == request.state


def test_pkce_is_required_and_checked(running) -> None:
    provider, client = running
    url, _ = provider.authorize_url(client, code_challenge="", code_challenge_method="")
    refused = ProviderUserAgent().follow(url)
    assert isinstance(refused, str)
    assert code_of(refused)["error"] == "invalid_request"

    url, _request = provider.authorize_url(client)
    code = code_of(sign_in_with_requests(url, "anna", "right horse"))["code"]
    status, answer = provider.redeem_code(client, code, "a-verifier-of-another-request" * 2)
    assert (status, answer["error"]) == (400, "invalid_grant")


def test_sign_out_redirects_back_and_tells_the_client_over_the_back_channel(
    running, receiver: LogoutReceiver
) -> None:
    provider, client = running
    agent = ProviderUserAgent()
    claims = signed_in(provider, client, "anna", "right horse", agent=agent)
    receiver.received.clear()
    query = urllib.parse.urlencode(
        {
            "id_token_hint": claims["id_token"],
            "post_logout_redirect_uri": SIGNED_OUT,
            "state": "bye",
        }
    )
    left = end_session_with_requests(f"{provider.end_session_endpoint}?{query}", agent=agent)
    assert left == f"{SIGNED_OUT}?state=bye"

    [(path, content_type, _body)] = receiver.received
    assert path == "/backchannel-logout"
    assert content_type == "application/x-www-form-urlencoded"
    [token] = receiver.logout_tokens()
    logout = jwt.decode(token, KeySet.import_key_set(provider.public_jwks))
    assert logout.header["typ"] == "logout+jwt"
    assert logout.claims["iss"] == provider.issuer
    assert logout.claims["aud"] == client.client_id
    assert logout.claims["sub"] == "anna"
    assert logout.claims["sid"] == claims["sid"]
    assert logout.claims["events"] == {BACKCHANNEL_LOGOUT_EVENT: {}}
    assert "nonce" not in logout.claims

    # The provider's session ended too: the next authorisation asks for the password again.
    url, _ = provider.authorize_url(client)
    page = agent.follow(url)
    assert not isinstance(page, str)
    assert "Password" in page.body


def test_minted_tokens_carry_the_providers_signature_or_a_strangers(running) -> None:
    provider, client = running
    token = provider.mint_id_token({"sub": "anna", "aud": "someone-else"})
    claims = jwt.decode(token, KeySet.import_key_set(provider.public_jwks)).claims
    assert (claims["iss"], claims["aud"]) == (provider.issuer, "someone-else")

    stranger = provider.mint_id_token({"sub": "anna", "aud": client.client_id},
                                      key=new_signing_key(provider.kid))  # fmt: skip
    with pytest.raises(BadSignatureError):
        jwt.decode(stranger, KeySet.import_key_set(provider.public_jwks))

    logout = jwt.decode(
        provider.mint_logout_token(audience=client.client_id, sub="anna", sid="s1"),
        KeySet.import_key_set(provider.public_jwks),
    )
    assert logout.header["typ"] == "logout+jwt"
    assert logout.claims["events"] == {BACKCHANNEL_LOGOUT_EVENT: {}}
