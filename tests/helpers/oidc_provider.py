"""A real OpenID Provider for the staff sign-on tests: npm's oidc-provider, run with Node.

`make test` installs it (``npm ci`` in tests/oidc_provider, pinned by its package-lock.json).
Without Node or the installed package the tests that need it are skipped with the reason,
unless REQUIRE_OPENID_PROVIDER=1 turns that into a failure (as CI does).

    with OpenIdProvider() as provider:
        client = provider.add_client(redirect_uris=[...])     # or before start, see below
        provider.set_account("anna", name="Anna", email="anna@example.fi", groups=["staff"])
        callback = sign_in_with_requests(authorize_url, "anna", "secret")

Clients are fixed when the provider starts: give them to the constructor or ``add_client``
before ``start()`` / ``with``. Accounts are read again by the provider on every sign-in and
every account look-up, so ``set_account`` and ``remove_account`` work at any time.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.message import Message
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from tests.helpers.servers import PROJECT, free_port, stop_process, wait_for_port

PROVIDER_DIR = PROJECT / "tests" / "oidc_provider"
PROVIDER_SCRIPT = PROVIDER_DIR / "provider.mjs"
PROVIDER_PACKAGE = PROVIDER_DIR / "node_modules" / "oidc-provider" / "package.json"

BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
SCOPE = "openid profile email groups"


def node_command() -> str | None:
    return os.environ.get("NODE") or shutil.which("node")


def node_version(node: str) -> tuple[int, ...]:
    found = subprocess.run(  # noqa: S603 - the node found on PATH
        [node, "--version"], capture_output=True, text=True, timeout=30, check=False
    ).stdout.strip()
    return tuple(int(part) for part in found.lstrip("v").split(".") if part.isdigit())


def missing_openid_provider() -> str | None:
    """Why the provider cannot run here, or None when it can."""
    node = node_command()
    if node is None:
        return "Node.js was not found (Node.js 20 or later, with npm)"
    if node_version(node) < (20,):
        return f"{node} is older than Node.js 20, which oidc-provider 9 needs"
    if not PROVIDER_PACKAGE.is_file():
        return f"{PROVIDER_PACKAGE.parent} was not found (make test runs npm ci in {PROVIDER_DIR})"
    return None


def skip_without_openid_provider() -> None:
    """A skip when the provider cannot run (a failure under REQUIRE_OPENID_PROVIDER=1)."""
    import pytest

    missing = missing_openid_provider()
    if missing:
        if os.environ.get("REQUIRE_OPENID_PROVIDER") == "1":
            pytest.fail(f"REQUIRE_OPENID_PROVIDER=1 but {missing}")
        pytest.skip(missing)


def provider_version() -> str:
    return json.loads(PROVIDER_PACKAGE.read_text(encoding="utf-8"))["version"]


def new_signing_key(kid: str | None = None) -> dict[str, Any]:
    """A fresh private RSA JWK for RS256 (the provider's, or a stranger's for refusal tests)."""
    parameters = {"kid": kid or secrets.token_hex(8), "alg": "RS256", "use": "sig"}
    return RSAKey.generate_key(2048, parameters=parameters, private=True).as_dict(private=True)


def public_part(jwk: dict[str, Any]) -> dict[str, Any]:
    return RSAKey.import_key(jwk).as_dict(private=False)


@dataclass
class OidcClient:
    """A client registered at the provider (client_secret_basic, code flow, PKCE S256)."""

    client_id: str
    client_secret: str
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str] = field(default_factory=list)
    backchannel_logout_uri: str | None = None

    def as_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "redirect_uris": self.redirect_uris,
            "post_logout_redirect_uris": self.post_logout_redirect_uris,
        }
        if self.backchannel_logout_uri:
            config["backchannel_logout_uri"] = self.backchannel_logout_uri
            config["backchannel_logout_session_required"] = True
        return config


class OpenIdProvider:
    """oidc-provider on a free loopback port, issuer ``http://127.0.0.1:<port>``."""

    def __init__(self, clients: Iterable[OidcClient] = (), *, folder: Path | None = None) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.clients: list[OidcClient] = list(clients)
        self._own_folder = folder is None
        self.folder = Path(tempfile.mkdtemp(prefix="oidc-provider-")) if folder is None else folder
        self.accounts_file = self.folder / "accounts.json"
        self.private_jwk = new_signing_key()
        self.kid: str = self.private_jwk["kid"]
        self.public_jwks = {"keys": [public_part(self.private_jwk)]}
        self.accounts: dict[str, dict[str, Any]] = {}
        self.metadata: dict[str, Any] = {}
        self.process: subprocess.Popen[bytes] | None = None
        self._write_accounts()

    # The clients, fixed at start

    def add_client(
        self,
        redirect_uris: Sequence[str],
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        post_logout_redirect_uris: Sequence[str] = (),
        backchannel_logout_uri: str | None = None,
    ) -> OidcClient:
        if self.process is not None:
            raise RuntimeError("clients are fixed when the provider starts: add them before")
        client = OidcClient(
            client_id=client_id or f"client-{secrets.token_hex(4)}",
            client_secret=client_secret or secrets.token_urlsafe(24),
            redirect_uris=list(redirect_uris),
            post_logout_redirect_uris=list(post_logout_redirect_uris),
            backchannel_logout_uri=backchannel_logout_uri,
        )
        self.clients.append(client)
        return client

    # The accounts, read again by the provider on every sign-in

    def set_account(
        self,
        sub: str,
        *,
        password: str = "secret",  # noqa: S107 - a test account's
        name: str = "",
        email: str = "",
        groups: Sequence[str] = (),
        amr: Sequence[str] | None = ("pwd",),
        acr: str | None = None,
    ) -> None:
        self.accounts[sub] = {
            "password": password,
            "claims": {"name": name, "email": email, "groups": list(groups)},
            "amr": list(amr) if amr is not None else None,
            "acr": acr,
        }
        self._write_accounts()

    def remove_account(self, sub: str) -> None:
        self.accounts.pop(sub, None)
        self._write_accounts()

    def _write_accounts(self) -> None:
        # Written whole and then renamed, so that the provider never reads half a file.
        partial = self.accounts_file.with_suffix(".partial")
        partial.write_text(json.dumps(self.accounts), encoding="utf-8")
        partial.replace(self.accounts_file)

    # Start and stop

    @property
    def log_file(self) -> Path:
        return self.folder / "provider.log"

    def log(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""

    def start(self) -> OpenIdProvider:
        node = node_command()
        missing = missing_openid_provider()
        if node is None or missing:
            raise RuntimeError(f"the OpenID Provider cannot start: {missing}")
        config = {
            "port": self.port,
            "clients": [client.as_config() for client in self.clients],
            "jwks": {"keys": [self.private_jwk]},
            "accounts_file": str(self.accounts_file),
        }
        config_file = self.folder / "config.json"
        config_file.write_text(json.dumps(config), encoding="utf-8")
        with self.log_file.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own script and configuration
                [node, str(PROVIDER_SCRIPT), "--config", str(config_file)],
                cwd=PROVIDER_DIR,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for_port(self.port, timeout=30, process=self.process)
            self.metadata = self._discovery()
        except Exception as error:
            self.stop()
            message = f"the OpenID Provider did not start ({error}):\n{self.log()}"
            raise RuntimeError(message) from None
        return self

    def _discovery(self) -> dict[str, Any]:
        url = f"{self.issuer}/.well-known/openid-configuration"
        deadline = time.monotonic() + 15
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - loopback
                    return json.load(answer)
            except OSError:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"node exited with {self.process.returncode}") from None
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
        self.process = None

    def __enter__(self) -> OpenIdProvider:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if self._own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    # The endpoints, as discovery gives them

    @property
    def authorization_endpoint(self) -> str:
        return self.metadata["authorization_endpoint"]

    @property
    def token_endpoint(self) -> str:
        return self.metadata["token_endpoint"]

    @property
    def end_session_endpoint(self) -> str:
        return self.metadata["end_session_endpoint"]

    @property
    def jwks_uri(self) -> str:
        return self.metadata["jwks_uri"]

    # Tokens signed with the provider's own key (or another), for refusal tests

    def mint_id_token(
        self,
        claims: dict[str, Any],
        *,
        kid: str | None = None,
        key: dict[str, Any] | None = None,
        header: dict[str, Any] | None = None,
    ) -> str:
        """An RS256 JWT; ``iss``, ``iat`` and ``exp`` (in 10 minutes) unless ``claims`` say."""
        now = int(time.time())
        payload = {"iss": self.issuer, "iat": now, "exp": now + 600, **claims}
        signing_key = key or self.private_jwk
        headers = {"alg": "RS256", "kid": kid or signing_key.get("kid") or self.kid}
        headers.update(header or {})
        return jwt.encode(headers, payload, RSAKey.import_key(signing_key))

    def mint_logout_token(
        self,
        *,
        audience: str,
        sub: str | None = None,
        sid: str | None = None,
        claims: dict[str, Any] | None = None,
        kid: str | None = None,
        key: dict[str, Any] | None = None,
    ) -> str:
        """A back-channel logout token like the provider's (typ logout+jwt, 2 minutes)."""
        now = int(time.time())
        payload: dict[str, Any] = {
            "aud": audience,
            "iat": now,
            "exp": now + 120,
            "jti": secrets.token_urlsafe(16),
            "events": {BACKCHANNEL_LOGOUT_EVENT: {}},
        }
        if sub is not None:
            payload["sub"] = sub
        if sid is not None:
            payload["sid"] = sid
        payload.update(claims or {})
        return self.mint_id_token(payload, kid=kid, key=key, header={"typ": "logout+jwt"})

    def verify(self, token: str) -> dict[str, Any]:
        """The claims of a JWT that the provider signed (the signature checked, nothing else)."""
        return jwt.decode(token, KeySet.import_key_set(self.public_jwks)).claims

    # The client's side of the code flow, for tests of the provider itself

    def authorize_url(
        self, client: OidcClient, *, redirect_uri: str | None = None, **params: str
    ) -> tuple[str, PkceRequest]:
        """An authorisation request with PKCE S256, state and nonce; and what it used."""
        request = PkceRequest.new()
        query = {
            "response_type": "code",
            "client_id": client.client_id,
            "redirect_uri": redirect_uri or client.redirect_uris[0],
            "scope": SCOPE,
            "state": request.state,
            "nonce": request.nonce,
            "code_challenge": request.code_challenge,
            "code_challenge_method": "S256",
            **params,
        }
        return f"{self.authorization_endpoint}?{urllib.parse.urlencode(query)}", request

    def redeem_code(
        self, client: OidcClient, code: str, code_verifier: str, redirect_uri: str | None = None
    ) -> tuple[int, dict[str, Any]]:
        """The token endpoint's answer (status, JSON) to a code, with client_secret_basic."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri or client.redirect_uris[0],
            "code_verifier": code_verifier,
        }
        basic = f"{_form_quote(client.client_id)}:{_form_quote(client.client_secret)}"
        request = urllib.request.Request(  # noqa: S310 - the provider on loopback
            self.token_endpoint,
            data=urllib.parse.urlencode(form).encode(),
            headers={"Authorization": "Basic " + base64.b64encode(basic.encode()).decode()},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
                return answer.status, json.load(answer)
        except urllib.error.HTTPError as error:
            with error:
                return error.code, json.load(error)


def _form_quote(value: str) -> str:
    # RFC 6749 2.3.1: the id and secret are form-encoded before Basic authentication.
    return urllib.parse.quote_plus(value)


@dataclass(frozen=True)
class PkceRequest:
    state: str
    nonce: str
    code_verifier: str

    @classmethod
    def new(cls) -> PkceRequest:
        return cls(secrets.token_urlsafe(16), secrets.token_urlsafe(16), secrets.token_urlsafe(48))

    @property
    def code_challenge(self) -> str:
        digest = hashlib.sha256(self.code_verifier.encode()).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


# A person's browser at the provider, without JavaScript


@dataclass
class Answer:
    status: int
    url: str
    headers: Message
    body: str

    @property
    def location(self) -> str | None:
        target = self.headers.get("Location")
        return urllib.parse.urljoin(self.url, target) if target else None


class SignInRefused(AssertionError):
    """The provider answered with a page where a redirect back to the client was expected."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(f"the provider answered {answer.status} at {answer.url}:\n{answer.body}")
        self.answer = answer


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str]


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(Form(values.get("action", ""), values.get("method", "get"), {}))
        elif tag == "input" and self.forms and values.get("name"):
            self.forms[-1].fields[values["name"]] = values.get("value", "")


def forms_of(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class ProviderUserAgent:
    """Cookies at the provider, and its redirects followed until one leads elsewhere: the URL
    that would take the browser back to the client is returned, not fetched, so that a Flask
    test client can GET it. Keep one agent for a sign-in and the sign-out that ends it."""

    def __init__(self) -> None:
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects()
        )
        self.origin: str | None = None

    def request(self, url: str, form: dict[str, str] | None = None) -> Answer:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            answer = self.opener.open(url, data=data, timeout=10)
        except urllib.error.HTTPError as error:
            answer = error
        with answer:
            body = answer.read().decode("utf-8", errors="replace")
            return Answer(answer.status, answer.url, answer.headers, body)

    def follow(self, url: str, form: dict[str, str] | None = None) -> Answer | str:
        """The provider's page where the redirects stop, or the first URL away from it."""
        if self.origin is None:
            parts = urllib.parse.urlsplit(url)
            self.origin = f"{parts.scheme}://{parts.netloc}"
        answer = self.request(url, form)
        for _ in range(20):
            location = answer.location
            if answer.status not in (301, 302, 303, 307, 308) or location is None:
                return answer
            if not location.startswith(self.origin + "/"):
                return location
            answer = self.request(location)
        raise AssertionError(f"too many redirects from {url}")

    def submit(self, answer: Answer, action_ends: str, extra: dict[str, str]) -> Answer | str:
        for form in forms_of(answer.body):
            if form.action.endswith(action_ends):
                target = urllib.parse.urljoin(answer.url, form.action)
                return self.follow(target, {**form.fields, **extra})
        raise SignInRefused(answer)

    def sign_in(self, authorize_url: str, username: str, password: str) -> str:
        """The callback URL (with ``code`` and ``state``) after signing in with the form.

        A wrong password raises SignInRefused; its ``answer`` is the 401 page."""
        page = self.follow(authorize_url)
        if isinstance(page, str):
            return page  # signed in already at the provider
        left = self.submit(page, "/login", {"username": username, "password": password})
        if isinstance(left, str):
            return left
        raise SignInRefused(left)

    def cancel_sign_in(self, authorize_url: str) -> str:
        """The callback URL (``error=access_denied``) after pressing Cancel on the form."""
        page = self.follow(authorize_url)
        if isinstance(page, str):
            raise AssertionError(f"no sign-in form: signed in already ({page})")
        left = self.submit(page, "/cancel", {})
        if isinstance(left, str):
            return left
        raise SignInRefused(left)

    def end_session(self, end_session_url: str) -> str:
        """Where the browser goes after the provider's sign-out: the post-logout redirect URI
        (with ``state``) or the provider's own "Signed out" page.

        The confirmation page submits itself in a browser; here its form is posted as is."""
        page = self.follow(end_session_url)
        if isinstance(page, str):
            return page
        left = self.submit(page, "/session/end/confirm", {})
        if isinstance(left, str):
            return left
        if left.status == 200:
            return left.url
        raise SignInRefused(left)


def sign_in_with_requests(
    authorize_url: str, username: str, password: str, *, agent: ProviderUserAgent | None = None
) -> str:
    """Sign in at the provider by HTTP requests; the callback URL to the client, unfetched."""
    return (agent or ProviderUserAgent()).sign_in(authorize_url, username, password)


def end_session_with_requests(end_session_url: str, *, agent: ProviderUserAgent) -> str:
    """Sign out at the provider with the agent that signed in; where it leads, unfetched."""
    return agent.end_session(end_session_url)


class LogoutReceiver:
    """A back-channel logout endpoint on a free loopback port that keeps what it is sent
    (path, content type, body). The provider sends before it redirects the browser on."""

    def __init__(self, status: int = 200) -> None:
        received: list[tuple[str, str, str]] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                received.append((self.path, self.headers.get("Content-Type", ""), body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.send_header("Cache-Control", "no-store")
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/backchannel-logout"

    def logout_tokens(self) -> list[str]:
        return [urllib.parse.parse_qs(body)["logout_token"][0] for _, _, body in self.received]

    def __enter__(self) -> LogoutReceiver:
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
