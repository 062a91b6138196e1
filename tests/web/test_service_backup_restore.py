"""The backup and restore procedure of docs/operations.md, run: ``pg_dump`` of a seeded
database, ``pg_restore`` into a new one, every table's rows and the kept counts equal, and the
app serving the restored data. PostgreSQL only (the procedure is PostgreSQL's)."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import HelpRequest, RequestCount
from tests.helpers.app import empty_tables, make_app
from tests.helpers.staff import make_staff, start_session

PG_DUMP = shutil.which("pg_dump") or "/usr/bin/pg_dump"
PG_RESTORE = shutil.which("pg_restore") or "/usr/bin/pg_restore"


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as pg_dump and pg_restore take it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def restored_url(migrated_url: str) -> Iterator[str]:
    if not migrated_url.startswith("postgresql"):
        pytest.skip("backup and restore are tested on PostgreSQL")
    if not (Path(PG_DUMP).exists() and Path(PG_RESTORE).exists()):
        pytest.fail("pg_dump and pg_restore are needed (apt-get install postgresql-client)")
    name = f"pyydaapua_restored_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(migrated_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(migrated_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def table_rows(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for table in db.metadata.sorted_tables
            } | {
                "alembic_version": connection.execute(
                    text("SELECT count(*) FROM alembic_version")
                ).scalar_one()
            }
    finally:
        engine.dispose()


def test_a_dump_restores_into_a_new_database_that_the_app_serves(
    migrated_url, restored_url, tmp_path: Path
) -> None:
    app = make_app(migrated_url)
    try:
        result = app.test_cli_runner().invoke(
            args=["seed-demo", "--requests", "300", "--seed", "3"]
        )
        assert result.exit_code == 0, result.output
        dump = tmp_path / "pyydaapua.dump"
        subprocess.run(  # noqa: S603 - the documented command
            [PG_DUMP, "--format=custom", "--no-owner", f"--file={dump}", libpq_url(migrated_url)],
            check=True, capture_output=True,
        )  # fmt: skip
        subprocess.run(  # noqa: S603 - the documented command
            [PG_RESTORE, "--no-owner", "--exit-on-error", f"--dbname={libpq_url(restored_url)}",
             str(dump)],
            check=True, capture_output=True,
        )  # fmt: skip
        before, after = table_rows(migrated_url), table_rows(restored_url)
        assert before == after
        assert before["help_request"] >= 300 and before["timeline_event"] > 0

        restored = make_app(restored_url)
        with restored.app_context():
            counts = {(row.status, row.assigned): row.total for row in db.session.scalars(
                select(RequestCount))}  # fmt: skip
            counted = dict(
                db.session.execute(
                    select(HelpRequest.status, func.count()).group_by(HelpRequest.status)
                ).all()
            )
            newest = db.session.scalars(
                select(HelpRequest.reference).order_by(HelpRequest.submitted_at.desc())
            ).first()
        for status, total in counted.items():  # the kept counts, restored with their triggers
            assert counts.get((status, True), 0) + counts.get((status, False), 0) == total
        _, email = make_staff(restored, "counsellor")
        client = restored.test_client()
        start_session(client, email)
        page = client.get(f"/staff/?q={newest}")
        assert page.status_code == 200
        assert newest[:4] in page.get_data(as_text=True)
        # The restored database keeps counting: a new request moves its kept count.
        with restored.app_context():
            submit(NewRequest(submission_key="r" * 32, language="fi", call_language="fi",
                              phone="+358401234567"))  # fmt: skip
            kept = db.session.scalar(
                select(func.sum(RequestCount.total)).where(RequestCount.status == "new")
            )
            assert kept == counted.get("new", 0) + 1
        empty_tables(restored)  # and closes its connections, after the context let them go
    finally:
        empty_tables(app)
