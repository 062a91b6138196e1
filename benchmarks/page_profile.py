"""Where a page's time goes: each part of its answer timed in one process (CPU time, the test
client), beside the bare Flask + Jinja page measured the same way, and the floor of this stack
for that page: what Flask, Jinja and the database driver cost for the same answer with
nothing of ours between them. The floor adds up

- Flask and the test client: the bare page without its template;
- the page's templates rendered again with its data already in memory;
- the page's own SQL statements, recorded as the driver received them, sent again straight
  through the driver (DB-API) with their parameters, their rows fetched, committed where the
  page committed;
- on PostgreSQL, the database server's CPU time for those statements (the server processes'
  ticks in ``/proc``), as the server shares the cores with the workers.

What the page takes beyond the floor is the project's own code and SQLAlchemy's.

A submission is two answers, the form page and the POST that stores the request, each from a
browser without a cookie as in the throughput run: its floor counts Flask twice. Its
statements insert rows, so each replay gives them values of their own (the unique keys, and
the ids the inserts return in place of the recorded ones). That needs the parameters by name,
which PostgreSQL's driver has: the submission is profiled there, where it is below target.

    .venv/bin/python benchmarks/page_profile.py [--size 1000] [--rounds 200] [--database-url URL]

Run by ``make bench`` for the pages below their target; prints a Markdown table per page.
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import os
import re
import secrets
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import bare
import throughput
from datasets import COUNSELLOR, Dataset, working_copy
from flask import Flask, render_template
from latency import hidden_fields, sign_in
from sqlalchemy import Engine, column, event, func, inspect, select, table

from pyydaapua import create_app
from pyydaapua.database import db, prepared_on_server
from pyydaapua.rules.references import new_reference

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
    "submission": [
        (
            "GET: the browser's session started, with the form's key",
            "pyydaapua.intake.views",
            "_form_page",
        ),
        ("GET: templates rendered", "pyydaapua.intake.views", "render_template"),
        ("POST: the browser's session read", "pyydaapua.intake.views", "_form_session"),
        ("POST: the posted form read", "pyydaapua.intake.views", "_new_form"),
        ("POST: the form's key looked up", "pyydaapua.intake.views", "_stored_for"),
        ("POST: the posted form checked", "pyydaapua.intake.forms", "RequestForm.validate"),
        (
            "POST: the request stored, the session marked, one commit",
            "pyydaapua.intake.submission",
            "store",
        ),
    ],
}


# Each profiled page's name in the throughput runs.
LOADS = {
    "inbox": throughput.INBOX,
    "request page": throughput.LONG_REQUEST,
    "submission": throughput.SUBMIT,
}
# What the submission posts, as submit.lua does.
SUBMITTED = {"topics": "finances", "description": "Rahat eivät riitä vuokraan."}
# The parameters whose values are unique in their table, with a fresh value for each replay.
UNIQUE_VALUES = {
    "token_hash": lambda: secrets.token_hex(32),
    "submission_key": lambda: secrets.token_urlsafe(24),
    "reference": new_reference,
}
# A parameter that names a row by its id (``id``, ``request_id``, ``id_1`` …).
ID_PARAMETER = re.compile(r"(^|_)id(_\d+)?$")
INSERT_INTO = re.compile(r"^\s*INSERT INTO (\w+)", re.IGNORECASE)
COMMIT = "COMMIT"  # the mark of a commit among the recorded statements


@dataclass(frozen=True)
class Bare:
    total_ms: float  # CPU time per answer of the bare page, through the test client
    template_ms: float  # its template alone


@dataclass(frozen=True)
class Statement:
    sql: str
    parameters: Any
    many: bool
    prepared: bool = False  # prepared on the server, as the app prepares it on PostgreSQL


@dataclass(frozen=True)
class Profile:
    page: str
    path: str  # with its method(s)
    load: str  # the page's name in throughput.py
    requests: int  # HTTP requests in one answer (a submission: the form page and the POST)
    total_ms: float  # CPU time per answer, through the test client
    server_ms: float  # the database server's CPU time per answer (0 on SQLite)
    parts_ms: dict[str, float]
    in_memory_ms: float  # the page's templates rendered with its data in memory
    statements: int
    statements_ms: float  # the page's statements through the driver alone
    statements_server_ms: float  # the server's CPU time for them
    bare: Bare

    @property
    def floor_ms(self) -> float:
        """Flask, the templates, the driver and the server, for this answer."""
        return (
            self.requests * (self.bare.total_ms - self.bare.template_ms)
            + self.in_memory_ms
            + self.statements_ms
            + self.statements_server_ms
        )

    @property
    def answered_ms(self) -> float:
        return self.total_ms + self.server_ms


def _cpu_ms(call: Callable[[], object], rounds: int) -> float:
    """CPU time of one ``call()``, in ms, over ``rounds`` calls."""
    started = time.process_time()
    for _ in range(rounds):
        call()
    return (time.process_time() - started) / rounds * 1000


def _server_ticks(database: str) -> int:
    """CPU ticks so far of this machine's PostgreSQL processes that serve ``database`` or the
    whole server (its WAL writer, checkpointer …), not the connections to other databases."""
    ticks = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as stat:
                name, fields = stat.read().rsplit(")", 1)
            with open(f"/proc/{pid}/cmdline") as cmdline:
                words = cmdline.read().replace("\0", " ").split()
        except OSError:
            continue  # ended meanwhile
        connection = any("(" in word or word == "[local]" for word in words[1:])
        if name.endswith("(postgres") and (database in words or not connection):
            values = fields.split()
            ticks += int(values[11]) + int(values[12])  # utime, stime
    return ticks


def _cpu_and_server_ms(
    call: Callable[[], object], rounds: int, database: str | None
) -> tuple[float, float]:
    """``_cpu_ms`` of ``call``, and the CPU time per call of the PostgreSQL server's processes
    for ``database`` (0 without one)."""
    if database is None:
        return _cpu_ms(call, rounds), 0.0
    ticks = _server_ticks(database)
    cpu_ms = _cpu_ms(call, rounds)
    return cpu_ms, (_server_ticks(database) - ticks) / os.sysconf("SC_CLK_TCK") / rounds * 1000


def bare_page(rounds: int) -> Bare:
    client = bare.app.test_client()
    _cpu_ms(lambda: client.get("/"), rounds)  # warm-up
    total = _cpu_ms(lambda: client.get("/"), rounds)
    with bare.app.test_request_context("/"):
        template = _cpu_ms(lambda: render_template("inbox.html", rows=bare.ROWS), rounds)
    return Bare(total, template)


def _recorded(engine: Engine, call: Callable[[], object]) -> list[Statement]:
    """The statements ``call()`` sent to the driver, with their parameters, and a ``COMMIT``
    mark where it committed."""
    recorded: list[Statement] = []

    def record(*args: Any) -> None:
        _connection, _cursor, sql, parameters, context, many = args
        recorded.append(Statement(sql, parameters, many, prepared_on_server(context)))

    def committed(_connection: Any) -> None:
        recorded.append(Statement(COMMIT, None, False))

    event.listen(engine, "before_cursor_execute", record)
    event.listen(engine, "commit", committed)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
        event.remove(engine, "commit", committed)
    return recorded


def _inserted_ids(engine: Engine, statements: list[Statement]) -> dict[str, int]:
    """The id of the newest row of each table that ``statements`` inserted into with an id
    of its own: right after they ran in this one process, the row they inserted."""
    names = {
        found.group(1)
        for statement in statements
        if (found := INSERT_INTO.match(statement.sql)) and "RETURNING" in statement.sql
    }
    ids = {}
    with engine.connect() as connection:
        for name in names:
            if inspect(connection).get_pk_constraint(name)["constrained_columns"] == ["id"]:
                newest = select(func.max(column("id"))).select_from(table(name))
                ids[name] = connection.execute(newest).scalar_one()
    return ids


def _fresh_values(parameters: Any, values: dict[Any, Any]) -> Any:
    """``parameters`` with each id and unique value recorded replaced by this replay's own
    (``values``: recorded → new; a unique value met for the first time gets a new one)."""
    if not isinstance(parameters, dict):
        return parameters
    fresh = {}
    for name, value in parameters.items():
        unique = UNIQUE_VALUES.get(re.sub(r"_\d+$", "", name))
        if unique is not None and isinstance(value, str):
            value = values.setdefault(("unique", value), unique())
        elif isinstance(value, int) and ID_PARAMETER.search(name) and ("id", value) in values:
            value = values[("id", value)]
        fresh[name] = value
    return fresh


def _through_the_driver(
    engine: Engine, statements: list[Statement], rounds: int, database: str | None
) -> tuple[float, float]:
    """CPU ms (this process's, and the server's) of ``statements`` sent straight through the
    driver, their rows fetched, committed where the answer committed. Rows they insert are
    inserted again with values of their own each time."""
    recorded_ids = _inserted_ids(engine, statements)
    pooled = engine.raw_connection()
    connection = pooled.driver_connection
    assert connection is not None

    def once() -> None:
        values: dict[Any, Any] = {}
        cursor = connection.cursor()
        for statement in statements:
            if statement.sql == COMMIT:
                connection.commit()
                continue
            parameters = _fresh_values(statement.parameters, values)
            if statement.many:
                cursor.executemany(statement.sql, parameters)
            elif database is not None:  # PostgreSQL: prepared as the app prepares it
                cursor.execute(statement.sql, parameters, prepare=statement.prepared)
            else:
                cursor.execute(statement.sql, parameters)
            rows = cursor.fetchall() if cursor.description is not None else []
            inserted = INSERT_INTO.match(statement.sql)
            if inserted and inserted.group(1) in recorded_ids and rows:
                values[("id", recorded_ids[inserted.group(1)])] = rows[0][0]
        cursor.close()
        connection.commit()

    try:
        once()  # warm-up
        return _cpu_and_server_ms(once, rounds, database)
    finally:
        pooled.close()


@contextmanager
def _timed(parts: list[tuple[str, str, str]], spent: defaultdict[str, float]) -> Iterator[None]:
    """Each part's function (a module's, or ``Class.method``) replaced by one that adds its
    CPU time to ``spent``."""
    replaced = []
    for label, module_name, name in parts:
        owner: Any = importlib.import_module(module_name)
        *path, name = name.split(".")
        for step in path:
            owner = getattr(owner, step)
        own = vars(owner).get(name)  # None: inherited, removed again afterwards
        original = getattr(owner, name)

        def timed(*args: Any, _original: Any = original, _label: str = label, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_label] += time.process_time() - started

        setattr(owner, name, timed)
        replaced.append((owner, name, own))
    try:
        yield
    finally:
        for owner, name, own in replaced:
            if own is None:
                delattr(owner, name)
            else:
                setattr(owner, name, own)


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


def _answer(app: Flask, dataset: Dataset, path: str, email: str | None) -> Callable[[], None]:
    """One answer of the page: with ``email``, a GET signed in as that user; without, a
    submission from a browser of its own (the form page, then its POST)."""
    if email is not None:
        client = app.test_client()
        sign_in(client, dataset.url, email)

        def get() -> None:
            answer = client.get(path)
            assert answer.status_code == 200, (path, answer.status_code)

        return get

    numbers = itertools.count(1_234_567)

    def submit() -> None:
        browser = app.test_client()
        page = browser.get(path).get_data(as_text=True)
        phone = f"040{next(numbers) % 10**7:07d}"  # each family its own number
        answer = browser.post(path, data={**hidden_fields(page), "phone": phone, **SUBMITTED})
        assert answer.status_code == 303, (path, answer.status_code)

    return submit


def profile_page(
    dataset: Dataset,
    page: str,
    path: str,
    rounds: int,
    bare_page: Bare,
    email: str | None = None,
) -> Profile:
    """The parts of ``page`` and its floor: signed in as ``email``, or without, a submission."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": dataset.url,
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": True,
        }
    )
    with app.app_context():
        engine = db.engine
    answer = _answer(app, dataset, path, email)
    database = engine.url.database if dataset.backend == "postgresql" else None
    spent: defaultdict[str, float] = defaultdict(float)
    with _timed(PARTS[page], spent):
        _cpu_ms(answer, rounds)
        spent.clear()  # the warm-up's
        total, server_ms = _cpu_and_server_ms(answer, rounds, database)
    renders: list[float] = []
    view_module = next(module for label, module, name in PARTS[page] if "rendered" in label)
    with _rendering_again(view_module, 20, renders):
        for _ in range(5):
            answer()
    statements = _recorded(engine, answer)
    statements_ms, statements_server_ms = _through_the_driver(engine, statements, rounds, database)
    engine.dispose()
    return Profile(
        page,
        f"GET {path}" if email is not None else f"GET + POST {path}",
        LOADS[page],
        1 if email is not None else 2,
        total,
        server_ms,
        {label: spent[label] / rounds * 1000 for label, _, _ in PARTS[page]},
        min(renders) * 1000,
        sum(statement.sql != COMMIT for statement in statements),
        statements_ms,
        statements_server_ms,
        bare_page,
    )


def print_profile(profile: Profile, load_ratio: float | None = None) -> None:
    """The page's parts and its floor; with ``load_ratio``, the page's rate under wrk over the
    bare page's in the same run, what the floor's would be at most."""
    print(f"**{profile.page}** (`{profile.path}`), CPU ms per answer, one process:")
    print()
    print("| part | ms | share |")
    print("|---|---:|---:|")
    rest = profile.total_ms - sum(profile.parts_ms.values())
    rows = [*profile.parts_ms.items(), ("the rest: sign-in check, Flask, the test client", rest)]
    for label, ms in rows:
        print(f"| {label} | {ms:.2f} | {ms / profile.total_ms:.0%} |")
    print(f"| **the whole answer** | **{profile.total_ms:.2f}** | 100 % |")
    print()
    print(
        f"The bare page: {profile.bare.total_ms:.2f} ms a request "
        f"({profile.bare.total_ms / profile.total_ms:.2f} × this page's time)."
    )
    print()
    print("The floor of this stack for the same answer, CPU ms:")
    print()
    print("| part | ms |")
    print("|---|---:|")
    floor_parts = [
        (
            "Flask and the test client (the bare page without its template)"
            + (f", {profile.requests} requests" if profile.requests > 1 else ""),
            profile.requests * (profile.bare.total_ms - profile.bare.template_ms),
        ),
        ("the page's templates, its data in memory", profile.in_memory_ms),
        (
            f"its {profile.statements} SQL statements straight through the driver, and its commits",
            profile.statements_ms,
        ),
    ]
    if profile.server_ms:
        floor_parts.append(("the database server's work for them", profile.statements_server_ms))
    for label, ms in floor_parts:
        print(f"| {label} | {ms:.2f} |")
    bare_ms = profile.bare.total_ms
    print(
        f"| **the floor** | **{profile.floor_ms:.2f}**: {bare_ms / profile.floor_ms:.2f} "
        "of the bare page's rate |"
    )
    answered = "the page as answered" + (", with the server's work" if profile.server_ms else "")
    print(
        f"| {answered} | {profile.answered_ms:.2f}: {bare_ms / profile.answered_ms:.2f} "
        "of the bare page's rate |"
    )
    print(
        f"| beyond the floor: the project's code and SQLAlchemy | "
        f"{profile.answered_ms - profile.floor_ms:.2f} |"
    )
    print()
    if load_ratio is not None:
        # Under wrk, each answer also carries gunicorn's and wrk's own work, the same for every
        # page: the ratios are higher than in one process, and scaling the page's by its time
        # over the floor's overstates the floor's.
        print(
            f"Under wrk in this run the page answered at {load_ratio:.2f} of the bare page's "
            "rate; its floor, scaled by the page's time over the floor's, at most "
            f"{load_ratio * profile.answered_ms / profile.floor_ms:.2f}."
        )
        print()


def profiles(dataset: Dataset, rounds: int) -> list[Profile]:
    """The inbox and the request page; on PostgreSQL also a submission."""
    bare_measured = bare_page(rounds * 5)
    found = [
        profile_page(dataset, "inbox", "/staff/", rounds, bare_measured, COUNSELLOR),
        profile_page(
            dataset,
            "request page",
            f"/staff/requests/{dataset.long_request_id}",
            rounds,
            bare_measured,
            COUNSELLOR,
        ),
    ]
    if dataset.backend == "postgresql":
        found.append(profile_page(dataset, "submission", "/fi/request", rounds, bare_measured))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--database-url", help="a PostgreSQL server, e.g. for BENCH_DATABASE_URL")
    args = parser.parse_args()
    with working_copy(args.size, args.database_url) as dataset:
        for found in profiles(dataset, args.rounds):
            print_profile(found)


if __name__ == "__main__":
    main()
