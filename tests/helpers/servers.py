"""Real servers for tests: a private Redis, a throw-away TLS certificate, gunicorn.

Each starts on a free port of the loopback address and is stopped when its block ends.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import redis

PROJECT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0, process: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port}")


def stop_process(process: subprocess.Popen, timeout: float = 15.0) -> None:
    """Terminate ``process`` and wait for it; kill it if it does not end in time."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, made with openssl, valid for a day."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            shutil.which("openssl") or "openssl",
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class RedisServer:
    """A throw-away redis-server (no persistence) that a test can stop and start again."""

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        self.workdir = workdir
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--save", "", "--appendonly", "no", "--dir", str(self.workdir)]
        self.process = subprocess.Popen(  # noqa: S603 - a fixed binary and our own arguments
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}")
            try:
                if self.client().ping():
                    return
            except OSError:
                pass
            except Exception:  # noqa: S110 - redis' own ConnectionError while starting
                pass
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
        self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=1)

    def stored_keys(self) -> list[str]:
        with self.client() as client:
            return [key.decode() for key in client.keys("*")]


@contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """A private redis-server for the length of the block; yields its URL."""
    server = RedisServer(workdir)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


class Gunicorn:
    """``gunicorn app:app`` with the project's gunicorn.conf.py, in production mode."""

    def __init__(
        self,
        env: dict[str, str],
        certificate: tuple[Path, Path] | None = None,
        workers: int = 2,
    ):
        self.port = free_port()
        scheme = "https" if certificate else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        command = [
            sys.executable, "-m", "gunicorn",
            "--config", str(PROJECT / "gunicorn.conf.py"),
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
        ]  # fmt: skip
        if certificate:
            command += ["--certfile", str(certificate[0]), "--keyfile", str(certificate[1])]
        self.log = PROJECT / "instance" / f"gunicorn-{self.port}.log"
        self.log.parent.mkdir(exist_ok=True)
        self._log_file = self.log.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and config
            [*command, "app:app"],
            cwd=PROJECT,
            env={**os.environ, **env},
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )

    def __enter__(self) -> Gunicorn:
        try:
            wait_for_port(self.port, timeout=60, process=self.process)
            self._wait_until_serving()
        except Exception:
            self.__exit__()
            raise RuntimeError(f"gunicorn did not start:\n{self.output()}") from None
        return self

    def _wait_until_serving(self) -> None:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/fi/", context=context, timeout=5)  # noqa: S310
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def output(self) -> str:
        if not self._log_file.closed:
            self._log_file.flush()
        return self.log.read_text(errors="replace")

    def __exit__(self, *exc: object) -> None:
        stop_process(self.process)
        self._log_file.close()


class NeutralSite:
    """The neutral site that the quick exit leads to: a plain page on a free loopback port."""

    PAGE = b"<!doctype html><html lang='en'><title>Weather</title><p id='neutral'>Weather</p>"

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        page = self.PAGE

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"

    def __enter__(self) -> NeutralSite:
        import threading

        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


# Every page carries the session's CSRF token for htmx (``<body hx-headers=…>``).
_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the answer itself (303) is what is checked


class Browser:
    """One HTTP session on a real server (its own cookies, no redirects followed), as one
    browser or one tab; it keeps the CSRF token of the last page that carried one."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirects()
        )
        self.token = ""

    def send(
        self,
        path: str,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        """GET, or POST ``data`` with the session's CSRF token; the status and the body."""
        body = None
        if data is not None:
            body = urllib.parse.urlencode({"csrf_token": self.token, **data}).encode()
        request = urllib.request.Request(  # noqa: S310 - our server
            self.base + path, data=body, headers=headers or {}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read().decode(errors="replace")

    def page(self, path: str) -> str:
        status, html = self.send(path)
        assert status == 200, (path, status)
        found = _TOKEN.search(html)
        if found:
            self.token = found.group(1)
        return html
