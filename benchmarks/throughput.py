"""Throughput under gunicorn (2 sync workers) with wrk, against a bare Flask + Jinja page, and
the resident memory of our workers after each run. Each page is warmed by an unmeasured wrk
run of WARM_UP just before its measured one."""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from datasets import COUNSELLOR, Dataset, second_step_code
from latency import hidden_fields

from pyydaapua.tools import demo

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORKERS = 2
CONNECTIONS = 8
THREADS = 2
# Before each page's measured run, an unmeasured one of this length on the same page: both
# workers have then answered it many times (SQL compiled, the database's caches warm), and
# the measured run starts from a steady state rather than from a worker's first answers.
WARM_UP = "2s"

BARE = "bare Flask + Jinja page (50 rows)"
FORM = "GET /fi/request"
INBOX = "GET /staff/ (signed in)"
LONG_REQUEST = "GET /staff/requests/<id> (long timeline)"
SUBMIT = "GET + POST /fi/request (submissions/s)"


@dataclass(frozen=True)
class Load:
    page: str
    rate: float  # requests per second, or submissions per second for SUBMIT
    statuses: dict[int, int]
    unexpected: int  # answers with a status the page should not give
    non_2xx_3xx: int
    socket_errors: int
    rss_mb: tuple[float, ...]  # of each of our workers after the run; () for the bare page


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _gunicorn(arguments: list[str], env: dict[str, str], cwd: Path) -> Iterator[tuple[str, int]]:
    """Start gunicorn; yields its base URL and the master's process id."""
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", *arguments],
        cwd=cwd,
        env={**os.environ, **env},
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=5).close()  # noqa: S310 - our own server
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start: {arguments}") from None
                time.sleep(0.2)
        yield base, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def bare_server() -> AbstractContextManager[tuple[str, int]]:
    return _gunicorn(
        ["-w", str(WORKERS), "-k", "sync", "--log-level", "warning", "bare:app"], {}, HERE
    )


def app_server(dataset: Dataset) -> AbstractContextManager[tuple[str, int]]:
    return _gunicorn(
        ["-c", str(HERE / "gunicorn_bench.py"), "-w", str(WORKERS), "-k", "sync", "app:app"],
        {
            "WEB_CONCURRENCY": str(WORKERS),
            "GUNICORN_LOG_LEVEL": "warning",
            "RATELIMIT_ENABLED": "0",
            "DATABASE_URL": dataset.url,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "APP_ENV": "development",
        },
        ROOT,
    )


def worker_rss_mb(master: int) -> tuple[float, ...]:
    """VmRSS of each child process of ``master``, in MB."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue  # gone meanwhile
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields["PPid"]) == master and "VmRSS" in fields:
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return tuple(sorted(sizes))


def sign_in(base: str, database_url: str) -> str:
    """Sign the counsellor in over HTTP (both steps); returns the Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def form(path: str, fields: dict[str, str]) -> None:
        with opener.open(base + path) as page:  # the form, for its CSRF token
            hidden = hidden_fields(page.read().decode())
        body = urllib.parse.urlencode({**hidden, **fields}).encode()
        opener.open(base + path, data=body).close()

    form("/staff/login", {"email": COUNSELLOR, "password": demo.DEMO_PASSWORD})
    form("/staff/login/code", {"code": second_step_code(database_url, COUNSELLOR)})
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def check_page(url: str, cookie: str) -> None:
    """The page answers 200 itself: no error, and no redirect to the sign-in page."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
    with urllib.request.urlopen(request) as answer:  # noqa: S310 - our own server
        if answer.status != 200 or answer.geturl() != url:
            raise RuntimeError(f"{url} answered {answer.status} at {answer.geturl()}")


NUMBER = r"([\d.]+)"


def wrk(
    page: str,
    url: str,
    duration: str,
    *,
    cookie: str | None = None,
    script: str = "count.lua",
    expected: frozenset[int] = frozenset({200}),
    master: int | None = None,
) -> Load:
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration}", "-s", str(HERE / script)]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(  # noqa: S603 - fixed arguments
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    statuses = {
        int(status): int(count)
        for status, count in re.findall(r"^status (\d+) (\d+)$", output, re.M)
    }
    seconds = int(re.search(r"^duration (\d+)$", output, re.M).group(1)) / 1e6  # type: ignore[union-attr]
    rate = float(re.search(r"Requests/sec:\s*" + NUMBER, output).group(1))  # type: ignore[union-attr]
    if script == "submit.lua":
        rate = statuses.get(303, 0) / seconds
    errors = re.search(r"connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Load(
        page,
        rate,
        statuses,
        sum(count for status, count in statuses.items() if status not in expected),
        int(non_2xx.group(1)) if non_2xx else 0,
        sum(int(n) for n in errors.groups()) if errors else 0,
        worker_rss_mb(master) if master else (),
    )


def measure(dataset: Dataset, bare: str, duration: str) -> list[Load]:
    """Our pages, each warmed and then measured between two runs on the bare page (the
    machine's speed drifts)."""
    wrk(BARE, bare, WARM_UP)  # not measured
    loads = [wrk(BARE, bare, duration)]
    with app_server(dataset) as (base, master):
        cookie = sign_in(base, dataset.url)
        form, inbox = f"{base}/fi/request", f"{base}/staff/"
        long_request = f"{base}/staff/requests/{dataset.long_request_id}"
        for url in (form, inbox, long_request):
            check_page(url, cookie)
        runs: list[Callable[[str], Load]] = [
            lambda length: wrk(FORM, form, length, master=master),
            lambda length: wrk(INBOX, inbox, length, cookie=cookie, master=master),
            lambda length: wrk(LONG_REQUEST, long_request, length, cookie=cookie, master=master),
            lambda length: wrk(
                SUBMIT,
                form,
                length,
                script="submit.lua",
                expected=frozenset({200, 303}),
                master=master,
            ),
        ]
        for run in runs:
            run(WARM_UP)  # not measured
            loads.append(run(duration))
            loads.append(wrk(BARE, bare, duration))
    return loads


def ratio(loads: list[Load], page: str) -> float:
    """The page's rate over the bare page's: the mean of the runs just before and after it."""
    at = next(number for number, load in enumerate(loads) if load.page == page)
    return loads[at].rate / ((loads[at - 1].rate + loads[at + 1].rate) / 2)


def print_table(results: dict[str, list[Load]]) -> None:
    print(
        "| data set | page | req/s | × bare | unexpected statuses | non-2xx/3xx "
        "| socket errors | worker RSS MB |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name, loads in results.items():
        for load in loads:
            if load.page == BARE:
                continue
            rss = " / ".join(f"{mb:.0f}" for mb in load.rss_mb) or "–"
            statuses = ", ".join(f"{s}: {n}" for s, n in sorted(load.statuses.items()))
            print(
                f"| {name} | {load.page} | {load.rate:,.0f} | {ratio(loads, load.page):.2f} "
                f"| {load.unexpected} ({statuses}) | {load.non_2xx_3xx} | {load.socket_errors} "
                f"| {rss} |"
            )
        runs = [load for load in loads if load.page == BARE]
        rates = [load.rate for load in runs]
        print(
            f"| {name} | {BARE}, {len(runs)} runs: before and after each page "
            f"| {min(rates):,.0f}–{max(rates):,.0f} | 1 | {sum(r.unexpected for r in runs)} "
            f"| {sum(r.non_2xx_3xx for r in runs)} | {sum(r.socket_errors for r in runs)} | – |"
        )
