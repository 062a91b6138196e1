"""Where a page's time goes: each part of its answer timed in one process (CPU time, the test
client), beside the bare Flask + Jinja page measured the same way, and the page's templates
rendered again with its data already in memory (what the page would cost with no database,
no session check and no audit: the floor of this stack for that page).

    .venv/bin/python benchmarks/page_profile.py [--size 1000] [--rounds 200]

Run by ``make bench`` for the pages below their target; prints a Markdown table per page.
"""

from __future__ import annotations

import argparse
import importlib
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import bare
from datasets import COUNSELLOR, Dataset, working_copy
from latency import sign_in

from pyydaapua import create_app

# The parts of each page, as (what it is, module, function): the module's own name for the
# function is replaced by a timed one while the page is measured.
PARTS: dict[str, list[tuple[str, str, str]]] = {
    "inbox": [
        ("status counts", "pyydaapua.inbox.queries", "counts"),
        ("the page's requests", "pyydaapua.inbox.queries", "requests_page"),
        ("same number asked again", "pyydaapua.inbox.queries", "asked_again"),
        ("upcoming visits", "pyydaapua.inbox.queries", "upcoming_visits"),
        ("rows prepared (inbox/rows.py)", "pyydaapua.inbox.rows", "inbox_rows"),
        ("audit events written", "pyydaapua.audit", "record_reads"),
        ("commit", "pyydaapua.inbox.views", "commit_keeping_loaded"),
        ("templates rendered", "pyydaapua.inbox.views", "render_template"),
    ],
    "request page": [
        ("the request", "pyydaapua.casework.changes", "get_request"),
        ("same number asked again", "pyydaapua.inbox.queries", "asked_again"),
        ("timeline, visits, referrals (one query)", "pyydaapua.casework.changes", "work"),
        ("timeline rows prepared", "pyydaapua.casework.views", "timeline_rows"),
        ("audit log (supervisors)", "pyydaapua.casework.views", "_audit_events"),
        ("audit events written", "pyydaapua.audit", "record_reads"),
        ("action forms built", "pyydaapua.casework.views", "fresh_forms"),
        ("planned visits' edit forms built", "pyydaapua.casework.views", "_visit_form"),
        ("commit", "pyydaapua.casework.views", "commit_keeping_loaded"),
        ("templates rendered", "pyydaapua.casework.views", "render_template"),
    ],
}


@dataclass(frozen=True)
class Profile:
    page: str
    path: str
    total_ms: float  # CPU time per answer, through the test client
    parts_ms: dict[str, float]
    in_memory_ms: float  # the page's templates rendered with its data in memory
    bare_ms: float


def _cpu_ms(call: Callable[[], object], rounds: int) -> float:
    """CPU time of one ``call()``, in ms, over ``rounds`` calls."""
    started = time.process_time()
    for _ in range(rounds):
        call()
    return (time.process_time() - started) / rounds * 1000


def bare_page_ms(rounds: int) -> float:
    client = bare.app.test_client()
    _cpu_ms(lambda: client.get("/"), rounds)  # warm-up
    return _cpu_ms(lambda: client.get("/"), rounds)


@contextmanager
def _timed(parts: list[tuple[str, str, str]], spent: defaultdict[str, float]) -> Iterator[None]:
    """Each part's function replaced by one that adds its CPU time to ``spent``."""
    replaced = []
    for label, module_name, name in parts:
        module = importlib.import_module(module_name)
        original = getattr(module, name)

        def timed(*args: Any, _original: Any = original, _label: str = label, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_label] += time.process_time() - started

        setattr(module, name, timed)
        replaced.append((module, name, original))
    try:
        yield
    finally:
        for module, name, original in replaced:
            setattr(module, name, original)


@contextmanager
def _rendering_again(module_name: str, times: int, spent: list[float]) -> Iterator[None]:
    """The page's render_template, which also renders the same page ``times`` more times with
    the data it was given (inside the same request) and adds their CPU time to ``spent``."""
    module = importlib.import_module(module_name)
    original = getattr(module, "render_template")  # noqa: B009 - any view module

    def again(template: str, **context: Any) -> str:
        started = time.process_time()
        for _ in range(times):
            original(template, **context)
        spent.append((time.process_time() - started) / times)
        return str(original(template, **context))

    setattr(module, "render_template", again)  # noqa: B010 - any view module
    try:
        yield
    finally:
        setattr(module, "render_template", original)  # noqa: B010


def profile_page(
    dataset: Dataset, page: str, path: str, email: str, rounds: int, bare_ms: float
) -> Profile:
    app = create_app({"SQLALCHEMY_DATABASE_URI": dataset.url, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    sign_in(client, dataset.url, email)

    def get() -> None:
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)

    spent: defaultdict[str, float] = defaultdict(float)
    with _timed(PARTS[page], spent):
        total = _cpu_ms(get, rounds)
        spent.clear()  # the warm-up's
        total = _cpu_ms(get, rounds)
    renders: list[float] = []
    view_module = next(module for label, module, name in PARTS[page] if name == "render_template")
    with _rendering_again(view_module, 20, renders):
        for _ in range(5):
            get()
    with app.app_context():
        from pyydaapua.database import db

        db.engine.dispose()
    return Profile(
        page,
        path,
        total,
        {label: spent[label] / rounds * 1000 for label, _, _ in PARTS[page]},
        min(renders) * 1000,
        bare_ms,
    )


def print_profile(profile: Profile) -> None:
    print(f"**{profile.page}** (`GET {profile.path}`), CPU ms per answer, one process:")
    print()
    print("| part | ms | share |")
    print("|---|---:|---:|")
    rest = profile.total_ms - sum(profile.parts_ms.values())
    rows = [*profile.parts_ms.items(), ("the rest: sign-in check, Flask, the test client", rest)]
    for label, ms in rows:
        print(f"| {label} | {ms:.2f} | {ms / profile.total_ms:.0%} |")
    print(f"| **the whole answer** | **{profile.total_ms:.2f}** | 100 % |")
    floor = profile.bare_ms + profile.in_memory_ms
    print()
    print(
        f"The bare page: {profile.bare_ms:.2f} ms a request "
        f"({profile.bare_ms / profile.total_ms:.2f} × this page's time). This page's templates "
        "alone, with its data in memory: "
        f"{profile.in_memory_ms:.2f} ms; answered with nothing else, the page would take about "
        f"{floor:.2f} ms, {profile.bare_ms / floor:.2f} of the bare page's rate."
    )
    print()


def profiles(dataset: Dataset, rounds: int) -> list[Profile]:
    bare_ms = bare_page_ms(rounds * 5)
    return [
        profile_page(dataset, "inbox", "/staff/", COUNSELLOR, rounds, bare_ms),
        profile_page(
            dataset,
            "request page",
            f"/staff/requests/{dataset.long_request_id}",
            COUNSELLOR,
            rounds,
            bare_ms,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    with working_copy(args.size) as dataset:
        for found in profiles(dataset, args.rounds):
            print_profile(found)


if __name__ == "__main__":
    main()
