"""The service on several app servers behind a load balancer, set up, checked and measured.

Sets up a PostgreSQL database of its own (migrated and seeded once), a private Redis for the
rate limits, two gunicorn instances in production mode with the same environment, and HAProxy
in front of them terminating TLS with a throw-away certificate, and a real OpenID Provider
(tests/oidc_provider, npm's oidc-provider) for the staff's single sign-on. Then it checks, through
the balancer, what has to work when more than one server answers (sessions, the form, rate
limits, the inbox poll, stale versions, the reports, a single sign-on whose callback lands on the
other instance, the provider's back-channel logout), measures the throughput with wrk, and tears
everything down (also on failure) unless --keep is given.

    .venv/bin/python deploy/several_servers.py [--keep] [--wrk-duration 10s]

Each wrk run is measured after an unmeasured warm-up on the same page and target, lasts at least
5 s, and counts only when the page answered (enough answers, no stalls of seconds, no errors).

Every check prints a line starting with "ok" or "FAILED"; the exit status is 1 when one failed.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg
import pyotp
import redis

from pyydaapua.tools.demo import DEMO_PASSWORD
from tests.helpers.oidc_provider import (
    OpenIdProvider,
    ProviderUserAgent,
    missing_openid_provider,
)

PROJECT = Path(__file__).resolve().parents[1]
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
# The programs it runs, with the Debian package each comes in.
TOOLS = {HAPROXY: "haproxy", REDIS_SERVER: "redis-server", WRK: "wrk", OPENSSL: "openssl"}


def missing_packages() -> list[str]:
    """The Debian packages of the programs that are not installed."""
    return [package for path, package in TOOLS.items() if not os.access(path, os.X_OK)]


DATABASE = "pyydaapua_several"
LOGIN_RATE_LIMIT = "3 per 15 minutes"
# Only for the checks: a request with this header goes to the named instance. Not part of
# a real balancer's configuration.
PIN_HEADER = "X-Test-Server"
# A phone number of the range reserved for drama and examples.
PHONE = "040 123 4567"
DEMO_COUNSELLOR = "counsellor@example.fi"
DEMO_SUPERVISOR = "supervisor@example.fi"
WRONG_PASSWORD = "not-the-password"  # noqa: S105 - a failed sign-in on purpose
# The single sign-on client at the test provider, and a person in the counsellors' group.
SSO_CLIENT_ID = "pyydaapua-several"
SSO_CLIENT_SECRET = secrets.token_urlsafe(24)
SSO_PERSON = "several-counsellor"
METRICS_TOKEN = secrets.token_urlsafe(24)


# --- Processes ---


class Processes:
    """Started processes, each in a process group of its own, stopped in reverse order."""

    def __init__(self) -> None:
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, args: list[str], log: Path, env: dict[str, str]) -> None:
        with log.open("ab") as out:
            self.running[name] = subprocess.Popen(  # noqa: S603 - fixed programs, own arguments
                args,
                cwd=PROJECT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop(self, name: str) -> None:
        process = self.running.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for name in reversed(list(self.running)):
            self.stop(name)

    def exited(self, name: str) -> bool:
        return self.running[name].poll() is not None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until(what: str, test: Callable[[], bool], timeout: float = 60.0) -> None:
    """Call ``test()`` until it is true; raise after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if test():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not become ready in {timeout:.0f} s")


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


# --- HTTP ---


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str

    @property
    def served_by(self) -> str:
        return self.headers.get("x-served-by", "?")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass
class Client:
    """A browser-like client: its own cookie jar, no redirects followed, and on a POST the
    Origin and Sec-Fetch-Site headers a browser sends from one of the site's own pages."""

    base: str
    context: ssl.SSLContext | None = None
    jar: CookieJar = field(default_factory=CookieJar)
    headers: dict[str, str] = field(default_factory=dict)
    origin: str | None = None

    def __post_init__(self) -> None:
        handlers: list[urllib.request.BaseHandler] = [
            _NoRedirect(),
            urllib.request.HTTPCookieProcessor(self.jar),
        ]
        if self.context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=self.context))
        self.opener = urllib.request.build_opener(*handlers)

    def request(
        self,
        path: str,
        data: dict[str, str] | list[tuple[str, str]] | None = None,
        pin: str | None = None,
    ) -> Answer:
        headers = {"User-Agent": "several-servers-check", **self.headers}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin or self.base
            headers["Sec-Fetch-Site"] = "same-origin"
        if pin:
            headers[PIN_HEADER] = pin
        request = urllib.request.Request(self.base + path, data=body, headers=headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=30) as response:
                status, raw, answer_headers = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, raw, answer_headers = error.code, error.read(), error.headers
        return Answer(
            status,
            {name.lower(): value for name, value in answer_headers.items()},
            raw.decode("utf-8", errors="replace"),
        )

    def get(self, path: str, pin: str | None = None) -> Answer:
        return self.request(path, pin=pin)

    def post(
        self, path: str, data: dict[str, str] | list[tuple[str, str]], pin: str | None = None
    ) -> Answer:
        return self.request(path, data, pin=pin)

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)


class _Forms(HTMLParser):
    """The fields of every form on a page, as a browser would send them unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append((a.get("action", ""), []))
        elif not self.forms or "name" not in a:
            return
        fields = self.forms[-1][1] if self.forms else []
        if tag == "input":
            kind = a.get("type", "text")
            if kind in {"radio", "checkbox"} and "checked" not in a:
                return
            if kind not in {"submit", "button", "file"}:
                fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea":
            self._textarea = a["name"]
            fields.append((a["name"], ""))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            fields.append((self._select, a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_fields(page: str, action: str) -> dict[str, str]:
    """The fields of the form on ``page`` that posts to ``action`` (path, without a query)."""
    parser = _Forms()
    parser.feed(page)
    for form_action, fields in parser.forms:
        if urllib.parse.urlsplit(html.unescape(form_action)).path == action:
            return dict(fields)
    raise LookupError(f"no form posts to {action}")


# --- The results ---


class Results:
    def __init__(self) -> None:
        self.failures = 0

    def check(self, passed: bool, text: str, detail: str = "") -> bool:
        if passed:
            print(f"ok {text}", flush=True)
        else:
            self.failures += 1
            print(f"FAILED {text}" + (f" ({detail})" if detail else ""), flush=True)
        return passed


def note(text: str) -> None:
    print(f"   {text}", flush=True)


# --- The set-up ---


@dataclass
class Setup:
    folder: Path
    processes: Processes
    admin_url: str
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    redis_port: int = field(default_factory=free_port)
    balancer_port: int = field(default_factory=free_port)
    instance_ports: dict[str, int] = field(
        default_factory=lambda: {"a": free_port(), "b": free_port()}
    )
    database_created: bool = False
    provider: OpenIdProvider = field(default_factory=OpenIdProvider)

    @property
    def database_url(self) -> str:
        parts = urllib.parse.urlsplit(self.admin_url)
        return urllib.parse.urlunsplit(parts._replace(path=f"/{DATABASE}"))

    @property
    def balancer(self) -> str:
        return f"https://127.0.0.1:{self.balancer_port}"

    def instance(self, name: str) -> str:
        return f"http://127.0.0.1:{self.instance_ports[name]}"

    @property
    def app_env(self) -> dict[str, str]:
        """The environment every instance shares (and the one-off commands too)."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("FLASK_", "RATELIMIT_", "GUNICORN_", "WEB_CONCURRENCY"))
        }
        env.update(
            APP_ENV="production",
            SECRET_KEY=self.secret_key,
            DATABASE_URL=self.database_url,
            RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{self.redis_port}/0",
            PROXY_FIX_X_FOR="1",
            LOGIN_RATE_LIMIT=LOGIN_RATE_LIMIT,
            PUBLIC_URL=self.balancer,
            OIDC_ISSUER=self.provider.issuer,
            OIDC_CLIENT_ID=SSO_CLIENT_ID,
            OIDC_CLIENT_SECRET=SSO_CLIENT_SECRET,
            OIDC_ROLE_MAP="fc-counsellors=counsellor",
            # The demo accounts sign in with passwords in the other checks.
            LOCAL_SIGN_IN="on",
            LOG_FORMAT="json",
            METRICS_TOKEN=METRICS_TOKEN,
        )
        return env

    def start_provider(self) -> None:
        """The OpenID Provider on loopback; its back-channel logout goes to instance a (the
        provider does not know the balancer's throw-away certificate)."""
        missing = missing_openid_provider()
        if missing:
            raise RuntimeError(f"the OpenID Provider cannot start: {missing}")
        self.provider.add_client(
            [f"{self.balancer}/staff/sso/callback"],
            client_id=SSO_CLIENT_ID,
            client_secret=SSO_CLIENT_SECRET,
            post_logout_redirect_uris=[f"{self.balancer}/staff/login"],
            backchannel_logout_uri=f"{self.instance('a')}/staff/sso/logout",
        )
        self.provider.set_account(SSO_PERSON, name="Several Servers", groups=["fc-counsellors"],
                                  amr=["pwd", "mfa"])  # fmt: skip
        self.provider.start()

    # The steps

    def create_database(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{DATABASE}"')
        self.database_created = True

    def drop_database(self) -> None:
        if self.database_created:
            with psycopg.connect(self.admin_url, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')

    def flask(self, *args: str, **env: str) -> None:
        """A one-off command, run once for the whole service."""
        command = [sys.executable, "-m", "flask", "--app", "app", *args]
        done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
            command, cwd=PROJECT, env={**self.app_env, **env}, capture_output=True, text=True
        )
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")

    def start_redis(self) -> None:
        args = [REDIS_SERVER, "--port", str(self.redis_port), "--bind", "127.0.0.1"]
        args += ["--save", "", "--appendonly", "no", "--dir", str(self.folder)]
        self.processes.start("redis", args, self.folder / "redis.log", dict(os.environ))
        wait_until("redis-server", lambda: port_open(self.redis_port), 10)

    def start_instance(self, name: str, workers: int) -> None:
        port = self.instance_ports[name]
        command = [
            sys.executable, "-m", "gunicorn", "--config", str(PROJECT / "gunicorn.conf.py"),
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "app:app",
        ]  # fmt: skip
        # Each instance counts its workers' metrics in a folder of its own, and writes its audit
        # stream to a file of its own (as a city's log shipper would collect it).
        env = {
            **self.app_env,
            "PROMETHEUS_MULTIPROC_DIR": str(self.folder / f"metrics-{name}"),
            "AUDIT_STREAM": str(self.folder / f"audit-{name}.jsonl"),
        }
        self.processes.start(f"gunicorn-{name}", command, self.folder / f"gunicorn-{name}.log",
                             env)  # fmt: skip

    def wait_for_instance(self, name: str) -> None:
        def serving() -> bool:
            if self.processes.exited(f"gunicorn-{name}"):
                log = (self.folder / f"gunicorn-{name}.log").read_text(errors="replace")
                raise RuntimeError(f"gunicorn {name} exited:\n{log[-2000:]}")
            return Client(self.instance(name)).get("/fi/").status == 200

        wait_until(f"gunicorn {name}", serving, 60)

    def certificate(self) -> Path:
        cert, key = self.folder / "cert.pem", self.folder / "key.pem"
        subprocess.run(  # noqa: S603 - fixed arguments
            [
                OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", str(key), "-out", str(cert),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        combined = self.folder / "haproxy.pem"
        combined.write_text(cert.read_text() + key.read_text())
        combined.chmod(0o600)
        return cert

    def haproxy_config(self) -> Path:
        servers = "\n".join(
            f"    server {name} 127.0.0.1:{port}" for name, port in self.instance_ports.items()
        )
        pins = "\n".join(
            f"    use-server {name} if {{ req.hdr({PIN_HEADER}) -m str {name} }}"
            for name in self.instance_ports
        )
        config = f"""\
global
    maxconn 512
    ssl-default-bind-options ssl-min-ver TLSv1.2

defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    retries 2
    option redispatch

frontend https
    bind 127.0.0.1:{self.balancer_port} ssl crt {self.folder / "haproxy.pem"}
    # The client address (the app trusts one proxy: PROXY_FIX_X_FOR=1) and the scheme.
    option forwardfor
    http-request set-header X-Forwarded-Proto https
    default_backend app

backend app
    balance roundrobin
    option httpchk
    http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host localhost
    http-check expect status 200
    default-server check inter 1s fall 2 rise 2
    # Which instance answered, for the checks.
    http-response set-header X-Served-By %s
    # For the checks only: {PIN_HEADER}: a|b sends a request to that instance.
{pins}
{servers}
"""
        path = self.folder / "haproxy.cfg"
        path.write_text(config)
        return path

    def start_haproxy(self) -> None:
        config = self.haproxy_config()
        check = subprocess.run(  # noqa: S603 - fixed program
            [HAPROXY, "-c", "-f", str(config)], capture_output=True, text=True
        )
        if check.returncode:
            raise RuntimeError(f"haproxy refused its configuration:\n{check.stdout}{check.stderr}")
        self.processes.start(
            "haproxy", [HAPROXY, "-db", "-f", str(config)], self.folder / "haproxy.log",
            dict(os.environ),
        )  # fmt: skip
        wait_until("haproxy", lambda: port_open(self.balancer_port), 10)

    def wait_for_balancer(self, context: ssl.SSLContext) -> None:
        """Until the balancer has both instances in use again (its health checks)."""

        def both_up() -> bool:
            client = Client(self.balancer, context)
            seen = {client.get("/fi/").served_by for _ in range(4)}
            return seen == set(self.instance_ports)

        wait_until("both instances behind the balancer", both_up, 30)


# --- Signing in ---


class Totp:
    """Codes of the demo accounts. A code is accepted once per account and time step (and one
    step ahead is allowed), so a second sign-in in the same step uses the next step's code."""

    def __init__(self, database_url: str) -> None:
        with psycopg.connect(database_url) as connection:
            rows = connection.execute("SELECT email, totp_secret FROM staff_user").fetchall()
        self.secrets = {email: secret for email, secret in rows if secret}
        self.last_step: dict[str, int] = {}

    def code(self, email: str) -> str:
        step = int(time.time()) // 30
        last = self.last_step.get(email)
        if last is not None and step <= last:
            if last > step:
                time.sleep(30 - time.time() % 30 + 0.5)
                step = int(time.time()) // 30
            step = max(step, last + 1)
        self.last_step[email] = step
        return pyotp.TOTP(self.secrets[email]).at(step * 30)


def sign_in(client: Client, email: str, password: str, totp: Totp, pin: str | None = None) -> str:
    """Sign in with the password and the code; returns where the last step sent the user."""
    page = client.get("/staff/login", pin=pin)
    fields = form_fields(page.body, "/staff/login")
    fields.update(email=email, password=password)
    first = client.post("/staff/login", fields, pin=pin)
    if first.status != 303:
        raise RuntimeError(f"the password step answered {first.status}")
    page = client.get("/staff/login/code", pin=pin)
    fields = form_fields(page.body, "/staff/login/code")
    fields["code"] = totp.code(email)
    second = client.post("/staff/login/code", fields, pin=pin)
    if second.status != 303:
        raise RuntimeError(f"the code step answered {second.status}")
    return second.headers.get("location", "")


def send_request(client: Client, pin: str | None = None) -> tuple[str, list[str]]:
    """A parent sends the public form (GET, then POST with its hidden fields); returns the
    reference on the confirmation page and the instances that served the three steps."""
    form = client.get("/fi/request", pin=pin)
    fields = form_fields(form.body, "/fi/request")
    fields.update(phone=PHONE, description="Several servers check.")
    sent = client.post("/fi/request", fields, pin=pin)
    if sent.status != 303:
        raise RuntimeError(f"the form answered {sent.status}")
    location = urllib.parse.urlsplit(sent.headers["location"]).path
    confirmation = client.get(location, pin=pin)
    found = re.search(r'id="reference">([^<]+)<', confirmation.body)
    if confirmation.status != 200 or not found:
        raise RuntimeError(f"the confirmation answered {confirmation.status} without a reference")
    return found.group(1).strip(), [form.served_by, sent.served_by, confirmation.served_by]


# --- The checks ---


def check_single_sign_on(setup: Setup, context: ssl.SSLContext, results: Results) -> None:
    """A single sign-on started on instance a finishes on instance b (what the sign-in keeps
    lives in the database), and the provider's back-channel logout, received by instance a,
    ends the session on b too."""
    person = Client(setup.balancer, context)
    started = person.get("/staff/sso", pin="a")
    location = started.headers.get("location", "")
    agent = ProviderUserAgent()
    callback = agent.sign_in(location, SSO_PERSON, "secret")
    parts = urllib.parse.urlsplit(callback)
    back = person.get(f"{parts.path}?{parts.query}", pin="b")
    inbox = person.get("/staff/", pin="b")
    results.check(
        started.status == 302 and back.status == 303 and inbox.status == 200,
        "single sign-on: started on a, the provider's callback finished on b, the inbox opens",
        f"statuses {started.status} {back.status} {inbox.status}",
    )
    # Signing out at the provider (as from another of the city's services): the provider
    # posts its logout token to instance a before it answers; the session ends on b too.
    agent.end_session(f"{setup.provider.end_session_endpoint}?client_id={SSO_CLIENT_ID}")
    after = person.get("/staff/", pin="b")
    results.check(
        after.status == 302,
        "single sign-on: the provider's back-channel logout, received by a, ends the session on b",
        f"then {after.status}",
    )


def check_monitoring(setup: Setup, context: ssl.SSLContext, results: Results) -> None:
    """Health, readiness, the metrics of both instances' workers and the request id, through
    the balancer; the JSON log lines of both instances carry it."""
    client = Client(setup.balancer, context)
    health = [client.get("/healthz", pin=name).status for name in setup.instance_ports]
    ready = [client.get("/readyz", pin=name).status for name in setup.instance_ports]
    results.check(
        health == [200, 200] and ready == [200, 200],
        f"/healthz and /readyz answer 200 on both instances (HAProxy checks /readyz): "
        f"{health} {ready}",
    )
    tagged = Client(setup.balancer, context, headers={"X-Request-ID": "several-servers-0001"})
    answer = tagged.get("/fi/", pin="b")
    logged = "several-servers-0001" in (setup.folder / "gunicorn-b.log").read_text()
    results.check(
        answer.headers.get("x-request-id") == "several-servers-0001" and logged,
        "the balancer's X-Request-ID comes back and is in instance b's JSON log",
    )
    bearer = Client(setup.balancer, context, headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    pages = {name: bearer.get("/metrics", pin=name) for name in setup.instance_ports}
    counted = {
        name: "pyydaapua_http_requests_total" in page.body and page.status == 200
        for name, page in pages.items()
    }
    refused = Client(setup.balancer, context).get("/metrics").status
    results.check(
        all(counted.values()) and refused == 401,
        f"/metrics with the token on both instances ({counted}), 401 without ({refused})",
    )
    streamed = {}
    for name in setup.instance_ports:
        path = setup.folder / f"audit-{name}.jsonl"
        lines = path.read_text().splitlines() if path.exists() else []
        streamed[name] = sum(1 for line in lines if json.loads(line).get("type") == "audit")
    results.check(
        all(streamed.values()),
        f"both instances stream their audit events as JSON lines: {streamed}",
    )


def run_checks(setup: Setup, context: ssl.SSLContext, results: Results) -> str:
    """Every check of several instances; returns the session cookie of a signed-in counsellor
    for the throughput measurement (signed in again after the sign-out check)."""
    both = set(setup.instance_ports)
    totp = Totp(setup.database_url)
    balancer = setup.balancer

    # The app sees HTTPS behind the balancer.
    first = Client(balancer, context).get("/fi/request")
    results.check(
        first.status == 200 and "strict-transport-security" in first.headers,
        "the app sees HTTPS behind the balancer (X-Forwarded-Proto): HSTS is sent",
        f"status {first.status}",
    )

    # What X-Forwarded-Proto is for: a browser's POST as the balancer passes it on, sent to
    # instance a directly with and without the header (the phone number left empty: 422).
    parent = Client(balancer, context)
    fields = form_fields(parent.get("/fi/request").body, "/fi/request")
    host = urllib.parse.urlsplit(balancer).netloc
    passed_on = {"Host": host, "Cookie": f"__Host-session={parent.cookie('__Host-session')}"}
    plain = Client(setup.instance("a"), headers=passed_on, origin=balancer)
    proxied = Client(setup.instance("a"), origin=balancer,
                     headers={**passed_on, "X-Forwarded-Proto": "https"})  # fmt: skip
    without, with_proto = plain.post("/fi/request", fields), proxied.post("/fi/request", fields)
    results.check(
        (without.status, with_proto.status) == (400, 422),
        "a browser's POST with Origin https://… is refused without X-Forwarded-Proto "
        f"({without.status}) and passes the origin check with it ({with_proto.status})",
    )

    # Requests are spread.
    anonymous = Client(balancer, context)
    served = [anonymous.get("/fi/").served_by for _ in range(6)]
    results.check(
        set(served) == both, f"requests are spread over both instances: {' '.join(served)}"
    )

    # One session, both instances; signing out on one ends it on the other.
    counsellor = Client(balancer, context)
    sign_in(counsellor, DEMO_COUNSELLOR, DEMO_PASSWORD, totp)
    cookie = next((c for c in counsellor.jar if c.name == "__Host-session"), None)
    results.check(
        cookie is not None and cookie.secure and cookie.path == "/" and not cookie.domain_specified,
        "signed in through the balancer (password and TOTP code): cookie __Host-session, Secure",
    )
    pages = [counsellor.get("/staff/") for _ in range(6)]
    results.check(
        all(p.status == 200 for p in pages) and {p.served_by for p in pages} == both,
        "the session is valid on both instances: GET /staff/ "
        + " ".join(f"{p.status}@{p.served_by}" for p in pages),
    )
    old_cookie = counsellor.cookie("__Host-session") or ""
    page = counsellor.get("/staff/account", pin="a")
    out = counsellor.post("/staff/logout", form_fields(page.body, "/staff/logout"), pin="a")
    replay = Client(balancer, context, headers={"Cookie": f"__Host-session={old_cookie}"})
    after = [replay.get("/staff/", pin=name) for name in ("a", "b")]
    results.check(
        out.status == 303
        and all(a.status == 302 and "/staff/login" in a.headers.get("location", "") for a in after),
        f"signing out on a ({out.status}) ends the session on both: the old cookie gets "
        + " ".join(f"{a.status}@{a.served_by}" for a in after),
    )

    # The public form through the balancer.
    parent = Client(balancer, context)
    try:
        reference, steps = send_request(parent)
        results.check(
            True,
            f"the public form is sent through the balancer (GET@{steps[0]}, POST@{steps[1]}, "
            f"confirmation@{steps[2]}): reference {reference}",
        )
    except (RuntimeError, LookupError, KeyError) as error:
        results.check(False, "the public form is sent through the balancer", str(error))

    # Rate limits are shared.
    attacker = Client(balancer, context)
    login = attacker.get("/staff/login")
    fields = form_fields(login.body, "/staff/login")
    fields.update(email=f"nobody-{secrets.token_hex(3)}@example.fi", password=WRONG_PASSWORD)
    tries = [attacker.post("/staff/login", fields) for _ in range(4)]
    shown = " ".join(f"{t.status}@{t.served_by}" for t in tries)
    results.check(
        [t.status for t in tries] == [401, 401, 401, 429]
        and {t.served_by for t in tries[:3]} == both,
        f"failed sign-ins share one limit ({LOGIN_RATE_LIMIT}) over both instances: {shown}",
    )

    # Redis holds the rate-limit counters and nothing else.
    with redis.Redis(port=setup.redis_port, socket_timeout=5) as store:
        keys = sorted(key.decode() for key in store.keys("*"))
    results.check(
        bool(keys) and all("LIMITER/" in key for key in keys),
        f"Redis holds rate-limit counters only: {len(keys)} keys, e.g. {keys[0] if keys else '-'}",
    )

    # The inbox poll sees a request sent through the other instance.
    counsellor = Client(balancer, context)
    sign_in(counsellor, DEMO_COUNSELLOR, DEMO_PASSWORD, totp)
    inbox = counsellor.get("/staff/", pin="a")
    since = re.search(r"/staff/inbox/new\?since=(\d+)", inbox.body)
    if since is None:
        results.check(False, "the inbox poll", "no poll address on the inbox page")
        return counsellor.cookie("__Host-session") or ""
    poll = f"/staff/inbox/new?since={since.group(1)}"
    before = counsellor.get(poll, pin="a")
    reference, steps = send_request(Client(balancer, context), pin="b")
    later = counsellor.get(poll, pin="a")
    results.check(
        before.status == 200
        and "/staff/" not in before.body
        and later.status == 200
        and "/staff/" in later.body,
        f"the inbox poll on a sees the request {reference} sent through {steps[1]}: "
        f"{html.unescape(re.sub(r'<[^>]+>', '', later.body)).strip()!r}",
    )

    # A casework action with a version check, across instances.
    found = counsellor.get(f"/staff/?q={urllib.parse.quote(reference)}", pin="a")
    # The row's link carries the view it was found in (?q=…), for "next request".
    link = rf'href="/staff/requests/(\d+)(?:\?[^"]*)?">{re.escape(reference)}<'
    request_id = re.search(link, found.body)
    if request_id is None:
        results.check(False, "the casework version check", f"{reference} not found by search")
        return counsellor.cookie("__Host-session") or ""
    path = f"/staff/requests/{request_id.group(1)}"
    page = counsellor.get(path, pin="a")
    old = form_fields(page.body, f"{path}/take")
    taken = counsellor.post(f"{path}/take", old, pin="a")
    stale = counsellor.post(f"{path}/take", old, pin="b")
    page = counsellor.get(path, pin="b")
    fresh = form_fields(page.body, f"{path}/assign")
    fresh["assign-assignee"] = ""
    unassigned = counsellor.post(f"{path}/assign", fresh, pin="b")
    results.check(
        (taken.status, stale.status, unassigned.status) == (303, 409, 303),
        f"versions across instances: take with version {old.get('assign-version')} on a "
        f"{taken.status}, the same version on b {stale.status}, unassign with version "
        f"{fresh.get('assign-version')} on b {unassigned.status}",
    )

    # The reports.
    supervisor = Client(balancer, context)
    sign_in(supervisor, DEMO_SUPERVISOR, DEMO_PASSWORD, totp)
    reports = [supervisor.get("/staff/reports") for _ in range(2)]
    results.check(
        all(r.status == 200 for r in reports),
        "the reports page answers through the balancer: "
        + " ".join(f"{r.status}@{r.served_by}" for r in reports),
    )
    return counsellor.cookie("__Host-session") or ""


# --- Throughput ---

# Each measured wrk run lasts at least this long: a 2-second run is shorter than one slow
# answer, and measures the tail of the run before it instead of the page.
MIN_DURATION_SECONDS = 5.0
# Before each measured run, an unmeasured one of this length on the same page and target: every
# worker has then answered the page many times (templates, catalogues, SQL compiled, the
# database's plans and caches warm), and the measured run starts from a steady state.
WARM_UP = "2s"
# A measured run is only a measurement when the page answered: at least MIN_ANSWERS answers,
# no error and no non-2xx answer, and no stalls: the slowest 1 % of the answers (wrk's 99th
# percentile) took no more than STALL_SECONDS or STALL_FACTOR times the median, whichever is
# longer. 8 connections queue on a few workers, so on a busy machine every answer may wait a
# second, and one answer may be late; answers that take seconds again and again while the
# median takes tens of milliseconds are a stall to find, not a rate to report.
MIN_ANSWERS = 20
STALL_SECONDS = 2.0
STALL_FACTOR = 5
# One page at a time, nothing queues: none may take this long.
SLOWEST_ALONE_SECONDS = 2.0
# On a freshly started instance, the first inbox pages one at a time: the start-up cost of a
# worker and anything that sets in after a few pages (a plan the database switches to after
# five runs of a prepared statement did, at the eleventh page).
FIRST_PAGES = 30


def seconds(text: str) -> float:
    """A duration as wrk writes and takes it: ``850.12us``, ``41.3ms``, ``2.01s``, ``1m``."""
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)?", text.strip())
    if found is None:
        raise ValueError(f"not a duration: {text!r}")
    unit = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}[found.group(2) or "s"]
    return float(found.group(1)) * unit


def run_length(text: str) -> str:
    """``--wrk-duration``: a wrk duration of at least MIN_DURATION_SECONDS."""
    try:
        length = seconds(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if length < MIN_DURATION_SECONDS:
        raise argparse.ArgumentTypeError(
            f"{text} is too short to measure a page: at least {MIN_DURATION_SECONDS:.0f}s"
        )
    return text


@dataclass
class Measure:
    label: str
    requests_per_second: float
    answers: int
    median_seconds: float
    p99_seconds: float
    slowest_seconds: float
    non_2xx: int
    socket_errors: int

    def problems(self) -> list[str]:
        """Why this run is not a measurement of the page (empty when it is)."""
        found = []
        if self.answers < MIN_ANSWERS:
            found.append(f"only {self.answers} answers, fewer than {MIN_ANSWERS}")
        stall = max(STALL_SECONDS, STALL_FACTOR * self.median_seconds)
        if self.p99_seconds > stall:
            found.append(
                f"1 % of the answers took {self.p99_seconds:.1f} s or more, the median "
                f"{self.median_seconds * 1000:.0f} ms"
            )
        if self.non_2xx:
            found.append(f"{self.non_2xx} non-2xx answers")
        if self.socket_errors:
            found.append(f"{self.socket_errors} socket errors")
        return found


def parse_wrk(label: str, out: str) -> Measure:
    """The figures of wrk's report."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    answers = re.search(r"^\s*(\d+) requests in ", out, re.M)
    latency = re.search(r"^\s*Latency\s+\S+\s+\S+\s+(\S+)", out, re.M)
    median = re.search(r"^\s*50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s*99%\s+(\S+)", out, re.M)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return Measure(
        label,
        float(rate.group(1)) if rate else 0.0,
        int(answers.group(1)) if answers else 0,
        seconds(median.group(1)) if median else 0.0,
        seconds(p99.group(1)) if p99 else 0.0,
        seconds(latency.group(1)) if latency else 0.0,
        int(non_2xx.group(1)) if non_2xx else 0,
        sum(int(n) for n in errors.groups()) if errors else 0,
    )


def wrk(url: str, duration: str, cookie: str | None = None, pin: str | None = None) -> Measure:
    # An answer is waited for up to 10 s (wrk's own limit is 2 s, and on a busy machine a page
    # queued behind 7 others may take that): a slow answer counts in the figures, and a stall
    # is told from queueing by the median.
    command = [WRK, "-t2", "-c8", f"-d{duration}", "--latency", "--timeout", "10s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: __Host-session={cookie}"]
    if pin:
        command[1:1] = ["-H", f"{PIN_HEADER}: {pin}"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    return parse_wrk(url, done.stdout)


def first_pages(
    setup: Setup,
    context: ssl.SSLContext,
    results: Results,
    cookie: str,
    target: tuple[str, str, str | None],
) -> None:
    """The first FIRST_PAGES inbox pages of a freshly started instance, one at a time: none
    may take over SLOWEST_ALONE_SECONDS."""
    label, base, pin = target
    client = Client(base, context if base.startswith("https:") else None,
                    headers={"Cookie": f"__Host-session={cookie}"})  # fmt: skip
    times, statuses = [], set()
    for _ in range(FIRST_PAGES):
        started = time.monotonic()
        statuses.add(client.get("/staff/", pin=pin).status)
        times.append(time.monotonic() - started)
    ordered = sorted(times)
    slowest = max(range(len(times)), key=times.__getitem__)
    results.check(
        statuses == {200} and ordered[-1] <= SLOWEST_ALONE_SECONDS,
        f"the first {FIRST_PAGES} inbox pages of a fresh instance, {label}, one at a time: "
        f"first {times[0] * 1000:.0f} ms, median {ordered[len(ordered) // 2] * 1000:.0f} ms, "
        f"slowest {ordered[-1] * 1000:.0f} ms (page {slowest + 1}); statuses {sorted(statuses)}",
    )


def measure(
    setup: Setup, results: Results, duration: str, cookie: str, workers: int
) -> list[tuple[str, str, Measure]]:
    pages = [("the request form /fi/request", "/fi/request", None),
             ("the inbox /staff/ (signed in)", "/staff/", cookie)]  # fmt: skip
    one = f"one instance, {workers} worker{'s' if workers > 1 else ''}"
    targets: list[tuple[str, str, str | None]] = [
        (f"{one}, plain HTTP", setup.instance("a"), None),
        (f"two instances x {workers} behind HAProxy (HTTPS)", setup.balancer, None),
    ]
    if workers > 1:
        # The cost of TLS and the proxy alone: the balancer with one instance behind it.
        targets.insert(1, (f"{one} behind HAProxy (HTTPS)", setup.balancer, "a"))
    rows = []
    for page_label, path, page_cookie in pages:
        for target_label, base, pin in targets:
            warm = wrk(base + path, WARM_UP, page_cookie, pin)  # not measured
            result = wrk(base + path, duration, page_cookie, pin)
            rows.append((page_label, target_label, result))
            problems = result.problems()
            results.check(
                not problems,
                f"wrk {page_label}, {target_label}: {result.requests_per_second:.1f} requests/s "
                f"({result.answers} answers, median {result.median_seconds * 1000:.0f} ms, "
                f"99 % {result.p99_seconds * 1000:.0f} ms, "
                f"slowest {result.slowest_seconds * 1000:.0f} ms; "
                f"after a {WARM_UP} warm-up of {warm.answers}), non-2xx {result.non_2xx}, "
                f"socket errors {result.socket_errors}",
                "; ".join(problems),
            )
    return rows


@contextmanager
def temporary_folder(keep: bool) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="pyydaapua-several-"))
    try:
        yield folder
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="leave everything running")
    parser.add_argument(
        "--wrk-duration",
        type=run_length,
        default="10s",
        help=f"length of each measured wrk run, at least {MIN_DURATION_SECONDS:.0f}s "
        f"(each after an unmeasured {WARM_UP} warm-up)",
    )
    parser.add_argument(
        "--admin-database-url",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help=f"a PostgreSQL server to create the database {DATABASE} on",
    )
    args = parser.parse_args()
    missing = missing_packages()
    if missing:
        print(
            f"several-servers needs {', '.join(missing)}: apt-get install {' '.join(missing)} "
            "(make several-servers installs them)",
            file=sys.stderr,
        )
        return 2
    # A SIGTERM tears down like Ctrl+C does (the finally block below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results = Results()
    processes = Processes()
    with temporary_folder(args.keep) as folder:
        setup = Setup(folder, processes, args.admin_database_url)
        try:
            note(f"temporary folder {folder}")
            setup.create_database()
            note(f"database {DATABASE}: migrating and seeding once")
            setup.flask("db", "upgrade")
            # Demo accounts are refused in production: this one step runs as development.
            setup.flask("seed-demo", "--requests", "2000", "--seed", "1", "--once",
                        APP_ENV="development")  # fmt: skip
            setup.start_redis()
            setup.start_provider()
            for name in setup.instance_ports:
                setup.start_instance(name, workers=2)
            for name in setup.instance_ports:
                setup.wait_for_instance(name)
            cert = setup.certificate()
            context = ssl.create_default_context(cafile=str(cert))
            setup.start_haproxy()
            setup.wait_for_balancer(context)
            note(
                f"balancer {setup.balancer} -> "
                + ", ".join(f"{n} {setup.instance(n)}" for n in setup.instance_ports)
                + f"; redis 127.0.0.1:{setup.redis_port}"
            )
            cookie = run_checks(setup, context, results)
            check_single_sign_on(setup, context, results)
            check_monitoring(setup, context, results)
            rows = measure(setup, results, args.wrk_duration, cookie, workers=2)
            for name in setup.instance_ports:
                processes.stop(f"gunicorn-{name}")
                setup.start_instance(name, workers=1)
            for name in setup.instance_ports:
                setup.wait_for_instance(name)
            setup.wait_for_balancer(context)
            # Both instances were started anew (1 worker each): their first inbox pages.
            first_pages(
                setup, context, results, cookie, ("a, plain HTTP", setup.instance("a"), None)
            )
            first_pages(setup, context, results, cookie,
                        ("b behind HAProxy (HTTPS)", setup.balancer, "b"))  # fmt: skip
            rows += measure(setup, results, args.wrk_duration, cookie, workers=1)
            print()
            load = " ".join(f"{n:.2f}" for n in os.getloadavg())
            print(
                f"Throughput (wrk -t2 -c8 -d{args.wrk_duration}, each after a {WARM_UP} warm-up, "
                f"{os.cpu_count()} cores, load average now {load}):"
            )
            for page_label, target_label, result in rows:
                print(
                    f"  {page_label:32} {target_label:48} {result.requests_per_second:8.1f} /s "
                    f"median {result.median_seconds * 1000:5.0f} ms "
                    f"99 % {result.p99_seconds * 1000:5.0f} ms"
                    + (
                        " NOT A MEASUREMENT: " + "; ".join(result.problems())
                        if result.problems()
                        else ""
                    )
                )
        except Exception as error:  # reported as a failure, then torn down
            results.check(False, "the set-up", f"{type(error).__name__}: {error}")
        finally:
            if args.keep:
                pids = " ".join(str(p.pid) for p in processes.running.values())
                note(f"kept running: balancer {setup.balancer}, files in {folder}, database "
                     f"{DATABASE}; stop with: kill -- -PID for each of {pids}")  # fmt: skip
            else:
                processes.stop_all()
                setup.provider.stop()
                setup.drop_database()
    print()
    print("all checks passed" if not results.failures else f"{results.failures} check(s) FAILED")
    return 1 if results.failures else 0


if __name__ == "__main__":
    sys.exit(main())
