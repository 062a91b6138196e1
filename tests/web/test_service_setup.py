"""Configuration, migrations and the demo data command."""

from __future__ import annotations

import re
import warnings
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, func, insert, select, text

from pyydaapua.database import db
from pyydaapua.models import HelpRequest, RequestTopic
from pyydaapua.tools.demo import EXAMPLES, synthetic_rows
from pyydaapua.web.config import from_environment, normalise_database_url
from tests.helpers.app import make_app

# The open requests' index in the inbox's order, whose expression SQLite's reflection skips.
EXPRESSION_INDEX = "ix_help_request_open_reached_due"
# Indexes for the search, on PostgreSQL only and not in the models.
SEARCH_INDEXES = {
    "ix_help_request_search_trgm",  # the name and the description (migration 0018)
    "ix_help_request_phone_trgm",
    "ix_help_request_reached_due",  # every request in the inbox's order (migration 0016)
}


def test_migrations_match_the_models(app) -> None:
    """The schema built by the migrations is the models' schema, but for the search's indexes,
    which exist on PostgreSQL only (migrations 0006, 0016 and 0018) and are not in the models. The
    open requests' index has an expression that SQLite's reflection skips: its definition is
    compared as the database holds it, and so is the search's index in the inbox's order."""

    def compared(obj: object, name: str | None, kind: str, reflected: bool, _: object) -> bool:
        if kind == "index" and name == EXPRESSION_INDEX:
            return False
        return not (kind == "index" and reflected and name in SEARCH_INDEXES)

    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": compared})
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
            warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified exp")
            assert compare_metadata(context, db.metadata) == []
        postgresql = db.engine.dialect.name == "postgresql"
        query = (
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s"
            if postgresql
            else "SELECT sql FROM sqlite_master WHERE name = ?"
        )
        found = {
            name: " ".join((definition or "").lower().replace('"', "").split())
            for name in (EXPRESSION_INDEX, "ix_help_request_reached_due")
            for definition in [connection.exec_driver_sql(query, (name,)).scalar()]
        }
    columns = r"\(+first_contact_at is not null\)+, due_date, submitted_at, id\)"
    open_only, every = found.values()
    assert re.search(columns, open_only), found
    assert all(status in open_only for status in ("'new'", "'in_progress'", "'waiting'")), found
    if postgresql:  # every request, in the inbox's order, for the search
        assert re.search(columns, every) and "where" not in every, found
    else:
        assert every == "", found
    if postgresql:
        with app.app_context(), db.engine.connect() as connection:
            names = connection.exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'help_request'"
            ).scalars()
            assert set(names) >= SEARCH_INDEXES


def test_revision_0004_fills_in_the_days_of_existing_requests(tmp_path) -> None:
    """Requests stored before 0004 get their Helsinki day, month and working days to contact."""
    app = make_app(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    with app.app_context():
        flask_migrate.upgrade(revision="0003")
        old = MetaData()
        old.reflect(db.engine, only=["help_request"])
        table = old.tables["help_request"]

        def row(submitted_at: datetime, first_contact_at: datetime | None) -> dict:
            values = {
                "reference": f"R{submitted_at:%m%d%H}",
                "submission_key": f"k{submitted_at.timestamp():.0f}",
                "language": "fi",
                "call_language": "fi",
                "description": "vanha",
                "child_ages": "",
                "name": "",
                "phone": "+358401234567",
                "email": "",
                "call_time": "any",
                "sms_ok": False,
                "submitted_at": submitted_at,
                "due_date": submitted_at.date(),
                "first_contact_at": first_contact_at,
            }
            return {key: value for key, value in values.items() if key in table.c}

        with db.engine.begin() as connection:
            connection.execute(
                insert(table),
                [
                    # 23.12. 23:30 in Helsinki is the 23rd; Christmas Eve to Boxing Day are
                    # holidays, so the 29th is the first working day after it.
                    row(
                        datetime(2025, 12, 23, 21, 30, tzinfo=UTC),
                        datetime(2025, 12, 29, 8, tzinfo=UTC),
                    ),
                    # Sunday 30.11. 23:30 UTC is already Monday 1.12. in Helsinki.
                    row(
                        datetime(2025, 11, 30, 23, 30, tzinfo=UTC),
                        datetime(2025, 12, 1, 9, tzinfo=UTC),
                    ),
                    row(datetime(2026, 1, 30, 10, tzinfo=UTC), None),
                ],
            )
        db.engine.dispose()
        flask_migrate.upgrade(revision="0004")
        new = MetaData()
        new.reflect(db.engine, only=["help_request"])
        table = new.tables["help_request"]
        with db.engine.connect() as connection:
            rows = connection.execute(
                select(
                    table.c.submitted_on, table.c.submitted_month, table.c.first_contact_workdays
                ).order_by(table.c.id)
            ).all()
        db.engine.dispose()
    assert [tuple(found) for found in rows] == [
        (date(2025, 12, 23), 202512, 1),
        (date(2025, 12, 1), 202512, 0),
        (date(2026, 1, 30), 202601, None),
    ]


def test_production_uses_the_given_secret_and_secure_cookies(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    config = from_environment(str(tmp_path))
    assert config["SECRET_KEY"] == "from-the-environment"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_NAME"] == "__Host-session"


def test_embedded_mode_generates_and_keeps_a_secret(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("APP_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    first = from_environment(str(tmp_path))
    second = from_environment(str(tmp_path))
    assert len(first["SECRET_KEY"]) >= 40
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/pyydaapua.sqlite3"
    assert first["RATELIMIT_STORAGE_URI"] == "memory://"
    assert first["RATELIMIT_ENABLED"] is True
    assert first["SESSION_COOKIE_NAME"] == "session"  # plain HTTP: no __Host- prefix


@pytest.mark.parametrize(("value", "enabled"), [("0", False), ("1", True), ("false", False)])
def test_rate_limits_can_be_turned_off(monkeypatch, tmp_path, value, enabled) -> None:
    monkeypatch.setenv("RATELIMIT_ENABLED", value)
    assert from_environment(str(tmp_path))["RATELIMIT_ENABLED"] is enabled


def test_postgres_urls_use_psycopg_3() -> None:
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_seed_demo_loads_examples_once_and_synthetic_requests(app, runner) -> None:
    result = runner.invoke(args=["seed-demo", "--requests", "300", "--seed", "7"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["seed-demo"])
    assert "Example requests added: 0" in again.output
    once = runner.invoke(args=["seed-demo", "--requests", "300", "--once"])  # as make run does
    assert "Synthetic requests are there already." in once.output
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(HelpRequest))
        assert total == len(EXAMPLES) + 300
        oldest = db.session.scalar(select(func.min(HelpRequest.submitted_at)))
        if oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        assert oldest >= datetime.now(UTC) - timedelta(days=549)
        languages = set(db.session.scalars(select(HelpRequest.language).distinct()))
        assert languages == {"fi", "sv"}
        assert db.session.scalar(select(func.count()).select_from(RequestTopic)) > 0


def test_synthetic_requests_follow_the_seasons() -> None:
    import random

    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    rows = list(synthetic_rows(20_000, now, random.Random(3)))
    assert all(now - timedelta(days=549) <= r["submitted_at"] <= now for r in rows)

    def share(topic: str, months: set[int]) -> float:
        in_months = [r for r in rows if r["submitted_at"].month in months]
        return sum(topic in r["topics"] for r in in_months) / len(in_months)

    after_summer, spring = {8, 9}, {2, 3}
    assert share("couple_relationship", after_summer) > 1.8 * share("couple_relationship", spring)
    end_of_terms, autumn_start = {5, 12}, {9, 10}
    assert share("school_attendance", end_of_terms) > 1.8 * share("school_attendance", autumn_start)
    counts = Counter(len(r["topics"]) for r in rows)
    assert counts[0] > 0  # choosing no topic is common too
    assert {r["language"] for r in rows} == {"fi", "sv"}


def test_seed_demo_once_adds_synthetic_requests_to_a_fresh_database(app, runner) -> None:
    result = runner.invoke(args=["seed-demo", "--requests", "50", "--once"])
    assert "Synthetic requests added: 50" in result.output
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(HelpRequest))
    assert total == len(EXAMPLES) + 50


def test_seed_demo_gives_synthetic_requests_casework(app, runner) -> None:
    from pyydaapua.models import Call, HomeVisit, Referral, Service, TimelineEvent

    result = runner.invoke(args=["seed-demo", "--requests", "1500", "--seed", "3"])
    assert result.exit_code == 0, result.output
    with app.app_context():

        def count(model, *where) -> int:
            return db.session.scalar(select(func.count()).select_from(model).where(*where))

        assert count(Service) >= 20
        assert {s.provider_type for s in db.session.scalars(select(Service))} == {
            "city",
            "third_sector",
            "wellbeing_county",
        }
        closed = count(HelpRequest, HelpRequest.status == "closed")
        assert closed > 1000
        assert (
            count(HelpRequest, HelpRequest.status == "closed", HelpRequest.outcome.is_(None)) == 0
        )
        assert count(Call) >= count(HelpRequest, HelpRequest.call_attempts > 0)
        assert count(Referral) > 0 and count(HomeVisit) > 0
        assert count(HelpRequest, HelpRequest.first_contact_on_time.is_(True)) > 0
        # Every call, visit, referral and closing is on the timeline, with its record.
        assert count(TimelineEvent, TimelineEvent.kind == "call") == count(Call)
        assert count(TimelineEvent, TimelineEvent.kind == "closed") == closed
        referred = count(HelpRequest, HelpRequest.outcome.like("referred_%"))
        assert count(Referral) == referred


def test_sqlite_uses_the_write_ahead_log(tmp_path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'wal.sqlite3'}")
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        db.engine.dispose()


def test_the_web_app_does_not_load_the_migrations() -> None:
    """Alembic, Mako and Pygments (about 10 MB a worker) are loaded by the db commands only."""
    import subprocess
    import sys

    code = (
        "import sys; from pyydaapua import create_app; "
        "app = create_app({'SQLALCHEMY_DATABASE_URI': 'sqlite://'}); "
        "app.test_client().get('/fi/request'); "
        "print(sorted(m for m in ('alembic', 'mako', 'pygments', 'flask_migrate') "
        "if m in sys.modules))"
    )
    result = subprocess.run(  # noqa: S603 - this Python, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]", result.stderr


def test_the_db_commands_run(tmp_path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    runner = app.test_cli_runner()
    upgraded = runner.invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    current = runner.invoke(args=["db", "current"])
    assert current.exit_code == 0, current.output
    with app.app_context():
        head = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        db.engine.dispose()
    assert head == "0018_search_text"
    assert "db" in runner.invoke(args=["--help"]).output
