"""The benchmark's data sets: N synthetic requests with casework, plus one request with a long
timeline, built once and kept.

SQLite data sets are files under instance/bench/, PostgreSQL ones are databases named
pyydaapua_bench_<size> on the given server. Both are keyed by a fingerprint of the schema
(the alembic head revision and the migrations' text) and of the code that seeds them, and
rebuilt when it changes.
A benchmark never runs on a kept data set itself but on a copy (``working_copy``), because
it submits requests and signs in.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import flask_migrate
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, make_url, select, text
from sqlalchemy.engine import Engine

from pyydaapua import create_app
from pyydaapua.accounts import two_factor
from pyydaapua.casework import changes
from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import HelpRequest, StaffUser
from pyydaapua.rules.status_flow import CHECK_IN_SCALE
from pyydaapua.tools import demo

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "instance" / "bench"
LONG_TIMELINE_KEY = "bench-long-timeline"
LONG_TIMELINE_PHONE = "+358401234599"
COUNSELLOR = "counsellor@example.fi"
SUPERVISOR = "supervisor@example.fi"


@dataclass(frozen=True)
class Dataset:
    size: int
    url: str  # the working copy the benchmark runs on
    backend: str  # "sqlite" or "postgresql"
    long_request_id: int
    long_request_reference: str
    seed_seconds: float | None  # None: reused from the cache


def fingerprint() -> str:
    """The alembic head revision and a digest of the migrations and of the seeding code."""
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    head = ScriptDirectory.from_config(config).get_current_head()
    digest = hashlib.sha256()
    migrations = sorted((ROOT / "migrations" / "versions").glob("*.py"))
    for path in (*migrations, ROOT / "pyydaapua" / "tools" / "demo.py", Path(__file__)):
        digest.update(path.read_bytes())
    return f"{head}-{digest.hexdigest()[:10]}"


def add_long_timeline_request(now: datetime) -> None:
    """One request worked for three weeks: taken, 30 calls, 27 notes and 2 status changes,
    60 timeline entries in all, through the same functions as the staff pages."""
    counsellor = db.session.scalar(select(StaffUser).where(StaffUser.email == COUNSELLOR))
    assert counsellor is not None
    submitted = now - timedelta(days=21)
    request = submit(
        NewRequest(
            submission_key=LONG_TIMELINE_KEY,
            language="fi",
            call_language="fi",
            phone=LONG_TIMELINE_PHONE,
            topics=["finances", "parent_coping"],
            child_ages=["3-5", "6-12"],
            description="Arki on ollut raskasta ja rahat eivät riitä. Soittakaa, kiitos.",
            name="Kerttu",
        ),
        now=submitted,
    )
    changes.assign(request, counsellor, request.version, counsellor)
    for number in range(30):
        reached = number % 5 == 4
        data = changes.CallData(
            called_at=submitted + timedelta(hours=1 + 16 * number),
            result="reached" if reached else "no_answer",
            duration_minutes=20 if reached else None,
            notes="Soitto sovitusti." if reached else "",
            coping=CHECK_IN_SCALE[number % len(CHECK_IN_SCALE)] if reached else None,
            finances=CHECK_IN_SCALE[0] if reached else None,
            daily_life=CHECK_IN_SCALE[-1] if reached else None,
        )
        changes.record_call(request, counsellor, request.version, data)
    for number in range(27):
        changes.add_note(request, counsellor, request.version, f"Muistiinpano {number + 1}.")
    changes.change_status(request, counsellor, request.version, "waiting")
    changes.change_status(request, counsellor, request.version, "in_progress")


def _seed(url: str, size: int) -> float:
    """Build the schema and the data in the empty database at ``url``; returns the seconds
    that the synthetic requests took."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        flask_migrate.upgrade()
        demo.load_demo_users()
        demo.load_services()
        started = time.perf_counter()
        demo.add_synthetic_requests(size, seed=1)
        seconds = time.perf_counter() - started
        add_long_timeline_request(datetime.now(UTC))
        # What the database's routine maintenance (autovacuum on PostgreSQL) does after a load.
        maintenance = "VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(maintenance))
        db.engine.dispose()
    return seconds


@contextmanager
def _server(url: str) -> Iterator[Engine]:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        yield engine
    finally:
        engine.dispose()


def _describe(url: str, size: int, backend: str, seconds: float | None) -> Dataset:
    engine = create_engine(url)
    with engine.connect() as connection:
        row = connection.execute(
            select(HelpRequest.id, HelpRequest.reference).where(
                HelpRequest.submission_key == LONG_TIMELINE_KEY
            )
        ).one()
    engine.dispose()
    return Dataset(size, url, backend, row.id, row.reference, seconds)


def _sqlite(size: int) -> tuple[Path, float | None]:
    """The kept SQLite file for ``size``, built when missing; old fingerprints are removed."""
    CACHE.mkdir(parents=True, exist_ok=True)
    kept = CACHE / f"requests-{size}-{fingerprint()}.sqlite3"
    if kept.exists():
        return kept, None
    for old in CACHE.glob(f"requests-{size}-*"):
        old.unlink()
    partial = kept.with_suffix(".partial")
    _remove_sqlite(partial)
    seconds = _seed(f"sqlite:///{partial}", size)
    partial.rename(kept)
    return kept, seconds


def _pg_fingerprint(engine: Engine, name: str) -> str | None:
    """The fingerprint stored as the database's comment, None when there is no database."""
    with engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :n"
            ),
            {"n": name},
        ).first()
    return None if found is None else (found[0] or "")


def _postgresql(server_url: str, size: int) -> tuple[str, float | None]:
    """The kept database for ``size`` on the server, built when missing or out of date."""
    name = f"pyydaapua_bench_{size}"
    wanted = fingerprint()
    with _server(server_url) as engine:
        found = _pg_fingerprint(engine, name)
        if found == wanted:
            return name, None
        with engine.connect() as connection:
            if found is not None:
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    seconds = _seed(url, size)
    with _server(server_url) as engine, engine.connect() as connection:
        # Only a complete data set gets its fingerprint: an interrupted build is redone.
        connection.execute(text(f"COMMENT ON DATABASE \"{name}\" IS '{wanted}'"))
    return name, seconds


def _remove_sqlite(path: Path) -> None:
    """A SQLite file with its write-ahead log and shared-memory index."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextmanager
def working_copy(size: int, server_url: str | None = None) -> Iterator[Dataset]:
    """A fresh copy of the data set of ``size`` (SQLite, or PostgreSQL on ``server_url``),
    removed afterwards."""
    if server_url is None:
        kept, seconds = _sqlite(size)
        copy = CACHE / f"work-{size}.sqlite3"
        _remove_sqlite(copy)  # a write-ahead log left by a run that was stopped would spoil it
        shutil.copyfile(kept, copy)
        try:
            yield _describe(f"sqlite:///{copy}", size, "sqlite", seconds)
        finally:
            _remove_sqlite(copy)
        return
    name, seconds = _postgresql(server_url, size)
    work = f"{name}_work"
    with _server(server_url) as engine, engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{work}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{work}" TEMPLATE "{name}"'))
    url = make_url(server_url).set(database=work).render_as_string(hide_password=False)
    try:
        yield _describe(url, size, "postgresql", seconds)
    finally:
        with _server(server_url) as engine, engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{work}" WITH (FORCE)'))


def second_step_code(url: str, email: str) -> str:
    """A valid sign-in code for a demo account. The data set is a copy for benchmarking, so the
    last used time step is forgotten first: every sign-in may use the current code."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE staff_user SET totp_last_step = NULL WHERE email = :email"),
            {"email": email},
        )
        secret = connection.execute(
            select(StaffUser.totp_secret).where(StaffUser.email == email)
        ).scalar_one()
    engine.dispose()
    return two_factor.code_for_step(secret, two_factor.time_step(datetime.now(UTC)))
