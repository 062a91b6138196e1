"""Retention: personal data of long-closed requests is removed, statistics stay."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select

from pyydaapua.accounts.users import create_user
from pyydaapua.casework import changes
from pyydaapua.casework.changes import CallData, VisitData
from pyydaapua.data_rights import retention
from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import (
    AuditEvent,
    Call,
    HelpRequest,
    HomeVisit,
    OutboxMessage,
    PublicSession,
    Referral,
    Service,
    StaffUser,
    TimelineEvent,
)
from pyydaapua.rules.workdays import month_number
from pyydaapua.tools import demo
from tests.helpers.app import assert_cli_error, count_queries

NOW = datetime.now(UTC)


def worked(worker: StaffUser, service: Service, key: str, submitted: datetime) -> HelpRequest:
    """A request with everything that holds personal data: call notes and check-in notes, a
    home visit with an address and a note, a referral note and timeline notes."""
    req = submit(
        NewRequest(
            submission_key=key * 32,
            language="fi",
            call_language="sv",
            phone="+358401234567",
            topics=["finances", "moving"],
            child_ages=["3-5", "13-17"],
            description="Perheemme tarvitsee apua",
            name="Maija Meikäläinen",
            email="maija@example.fi",
            call_time="morning",
            sms_ok=True,
        ),
        now=submitted,
    )
    changes.assign(req, worker, req.version, worker)
    changes.record_call(
        req,
        worker,
        req.version,
        CallData(
            called_at=submitted + timedelta(days=1),
            result="reached",
            duration_minutes=20,
            notes="Äiti väsynyt",
            coping="some_worries",
            coping_note="nukkuu huonosti",
            finances="serious_worries",
            finances_note="vuokra rästissä",
            daily_life="fine",
            daily_life_note="koulu sujuu",
        ),
    )
    changes.book_visit(
        req,
        worker,
        req.version,
        VisitData(submitted + timedelta(days=3), 90, "Kotikatu 1 A 2", [worker]),
    )
    visit = changes.visits(req.id)[0]
    changes.set_visit_status(req, worker, req.version, visit.id, "done", "koira pihalla")
    changes.refer(req, worker, req.version, service, "sent", "soita ti")
    changes.add_note(req, worker, req.version, "Isä soitti takaisin")
    # A status page's secret code, and an e-mail to the parent's own address.
    req.status_secret_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"
    db.session.add(
        OutboxMessage(
            created_at=submitted,
            kind="confirmation",
            request_id=req.id,
            recipient="maija@example.fi",
            language="fi",
            subject="Pyyntösi on vastaanotettu",
            body="Pyynnön tunnus",
            next_attempt_at=submitted,
        )
    )
    db.session.commit()
    return req


def close(req: HelpRequest, worker: StaffUser, closed_at: datetime) -> None:
    changes.change_status(
        req, worker, req.version, "closed", "referred_city", "kaikki hyvin", open_work_seen=True
    )
    req.closed_at = closed_at
    db.session.commit()


@pytest.fixture
def requests(ctx) -> dict[str, int]:
    """An old closed request, a recently closed one and an old one still open."""
    demo.load_services()
    service = db.session.scalars(select(Service)).first()
    worker = create_user("anna@example.fi", "Anna", "counsellor", "long enough pw")
    old = worked(worker, service, "a", NOW - timedelta(days=500))
    close(old, worker, NOW - timedelta(days=400))
    recent = worked(worker, service, "b", NOW - timedelta(days=90))
    close(recent, worker, NOW - timedelta(days=45))
    still_open = worked(worker, service, "c", NOW - timedelta(days=700))
    # A browser that sent each request still holds its session (and a secret code).
    for number, request_id in enumerate((old.id, recent.id, still_open.id)):
        db.session.add(
            PublicSession(
                token_hash=f"{number:064d}",
                created_at=NOW,
                last_seen_at=NOW,
                request_id=request_id,
                sent=True,
                status_open=True,
                secret_code="ABCDE-FGHJK",
                message_sent=False,
            )
        )
    db.session.commit()
    return {"old": old.id, "recent": recent.id, "open": still_open.id}


def stats(request_id: int) -> dict[str, Any]:
    """Everything statistics need about a request; none of it may change."""
    db.session.expire_all()
    req = db.session.get(HelpRequest, request_id)
    fields = (
        "reference",
        "language",
        "call_language",
        "child_ages",
        "call_time",
        "sms_ok",
        "submitted_at",
        "submitted_on",
        "submitted_month",
        "due_date",
        "status",
        "assigned_to_id",
        "call_attempts",
        "first_contact_at",
        "first_contact_on_time",
        "first_contact_workdays",
        "first_contact_attempts",
        "outcome",
        "closed_at",
    )
    calls = db.session.scalars(select(Call).where(Call.request_id == request_id)).all()
    visits = db.session.scalars(select(HomeVisit).where(HomeVisit.request_id == request_id)).all()
    referrals = db.session.scalars(select(Referral).where(Referral.request_id == request_id)).all()
    events = db.session.scalars(
        select(TimelineEvent).where(TimelineEvent.request_id == request_id)
    ).all()
    values = {
        "request": {name: getattr(req, name) for name in fields},
        "topics": req.topic_codes,
        "calls": [
            (c.called_at, c.result, c.duration_minutes, c.coping, c.finances, c.daily_life)
            for c in calls
        ],
        "visits": [
            (v.starts_at, v.duration_minutes, v.status, [u.id for u in v.staff]) for v in visits
        ],
        "referrals": [(r.service_id, r.status) for r in referrals],
        "timeline": [
            (e.at, e.kind, e.value, e.user_id, e.other_user_id, e.call_id, e.visit_id)
            for e in events
        ],
    }
    db.session.rollback()  # no read transaction left open (SQLite would lock out the CLI)
    return values


def personal(request_id: int) -> dict[str, Any]:
    """Every personal or free-text value stored about a request."""
    db.session.expire_all()
    req = db.session.get(HelpRequest, request_id)
    calls = db.session.scalars(select(Call).where(Call.request_id == request_id)).all()
    visits = db.session.scalars(select(HomeVisit).where(HomeVisit.request_id == request_id)).all()
    referrals = db.session.scalars(select(Referral).where(Referral.request_id == request_id)).all()
    events = db.session.scalars(
        select(TimelineEvent).where(TimelineEvent.request_id == request_id)
    ).all()
    values = {
        "request": (req.name, req.phone, req.email, req.description),
        "calls": [(c.notes, c.coping_note, c.finances_note, c.daily_life_note) for c in calls],
        "visits": [(v.address, v.status_note) for v in visits],
        "referrals": [r.note for r in referrals],
        "notes": [e.note for e in events],
        "removed_at": req.personal_data_removed_at,
    }
    db.session.rollback()
    return values


def is_empty(values: dict[str, Any]) -> bool:
    texts = [
        *values["request"],
        *(t for call in values["calls"] for t in call),
        *(t for visit in values["visits"] for t in visit),
        *values["referrals"],
        *values["notes"],
    ]
    return all(text == "" for text in texts)


def snapshot(ids: dict[str, int]) -> dict[str, Any]:
    return {name: (stats(rid), personal(rid)) for name, rid in ids.items()}


def audit_targets() -> list[tuple[str, str, int | None]]:
    return [
        (e.action, e.target, e.user_id)
        for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    ]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 11, 23), 12, date(2025, 11, 23)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2028, 3, 31), 1, date(2028, 2, 29)),
        (date(2026, 1, 15), 1, date(2025, 12, 15)),
        (date(2026, 5, 31), 27, date(2024, 2, 29)),
    ],
)
def test_months_before_counts_calendar_months(day: date, months: int, expected: date) -> None:
    assert retention.months_before(day, months) == expected


def test_cutoff_is_a_helsinki_day() -> None:
    # 22:30 UTC on 22 November is already 23 November in Helsinki.
    now = datetime(2026, 11, 22, 22, 30, tzinfo=UTC)
    assert retention.cutoff_day(now, 12) == date(2025, 11, 23)


def test_dry_run_changes_nothing(requests) -> None:
    before = snapshot(requests)
    result = retention.run(12)
    assert (result.count, result.applied) == (1, False)
    assert result.cutoff == retention.cutoff_day(NOW, 12)
    assert snapshot(requests) == before
    assert audit_targets() == [("retention_dry_run", result.target, None)]
    assert result.target == f"requests=1 cutoff={result.cutoff.isoformat()} months=12"


def test_apply_clears_only_the_old_closed_request(requests) -> None:
    before = snapshot(requests)
    assert not is_empty(before["old"][1])
    result = retention.run(12, apply=True)
    assert (result.count, result.applied) == (1, True)
    after = snapshot(requests)
    # The old closed request: every personal value gone, every statistic as it was.
    assert after["old"][0] == before["old"][0]
    assert is_empty(after["old"][1])
    assert after["old"][1]["removed_at"] is not None
    # The recent closed one and the old open one are untouched.
    assert after["recent"] == before["recent"]
    assert after["open"] == before["open"]
    assert audit_targets() == [("retention_run", result.target, None)]


def test_second_run_finds_nothing(requests) -> None:
    retention.run(12, apply=True)
    before = snapshot(requests)
    again = retention.run(12, apply=True)
    dry = retention.run(12)
    assert again.count == dry.count == 0
    assert snapshot(requests) == before
    assert [action for action, _, _ in audit_targets()] == [
        "retention_run",
        "retention_run",
        "retention_dry_run",
    ]


def test_fewer_months_reach_the_recent_request(requests) -> None:
    result = retention.run(1, apply=True)
    assert result.count == 2
    assert is_empty(personal(requests["recent"]))
    assert not is_empty(personal(requests["open"]))


def test_removal_bumps_the_version_so_open_forms_are_stale(requests) -> None:
    version = db.session.get(HelpRequest, requests["old"]).version
    retention.run(12, apply=True)
    db.session.expire_all()
    assert db.session.get(HelpRequest, requests["old"]).version == version + 1


def test_a_request_closed_again_after_removal_is_cleared_again(requests) -> None:
    """Reopening a cleared request is allowed; notes written then go when it has been closed
    long enough again."""
    retention.run(12, apply=True)
    old = db.session.get(HelpRequest, requests["old"])
    worker = db.session.scalars(select(StaffUser)).first()
    changes.reopen(old, worker, old.version, "perhe soitti taas")
    changes.add_note(old, worker, old.version, "uusi muistiinpano")
    close(old, worker, NOW - timedelta(days=10))
    assert retention.run(12).count == 0  # closed again only recently
    old.personal_data_removed_at = NOW - timedelta(days=500)
    old.closed_at = NOW - timedelta(days=400)
    db.session.commit()
    assert retention.run(12, apply=True).count == 1
    assert is_empty(personal(requests["old"]))


def test_months_must_be_positive(ctx) -> None:
    with pytest.raises(ValueError):
        retention.run(0)


def test_thousands_of_rows_in_a_few_statements(app, ctx) -> None:
    count = 3000
    closed = NOW - timedelta(days=800)
    first = (db.session.scalar(select(db.func.max(HelpRequest.id))) or 0) + 1
    ids = range(first, first + count)
    db.session.execute(
        insert(HelpRequest),
        [
            {
                "id": rid,
                "reference": f"R{rid:07d}",
                "submission_key": uuid.uuid4().hex,
                "language": "fi",
                "call_language": "fi",
                "description": "sanat",
                "name": "Nimi",
                "phone": "+358401234567",
                "email": "a@example.fi",
                "submitted_at": closed - timedelta(days=5),
                "submitted_on": (closed - timedelta(days=5)).date(),
                "submitted_month": month_number((closed - timedelta(days=5)).date()),
                "due_date": closed.date(),
                "status": "closed",
                "outcome": "conversation_enough",
                "closed_at": closed,
                "version": 1,
            }
            for rid in ids
        ],
    )
    db.session.execute(
        insert(Call),
        [
            {"request_id": rid, "called_at": closed, "result": "reached", "notes": "muistiin"}
            for rid in ids
        ],
    )
    db.session.execute(
        insert(TimelineEvent),
        [{"request_id": rid, "at": closed, "kind": "note", "note": "teksti"} for rid in ids],
    )
    db.session.commit()
    started = time.perf_counter()
    result, queries = count_queries(app, lambda: retention.run(12, apply=True))
    elapsed = time.perf_counter() - started
    assert result.count == count
    # Set-based: the same handful of statements whatever the number of rows.
    assert len(queries) <= 10, queries
    assert elapsed < 10, elapsed
    db.session.expire_all()
    assert set(db.session.scalars(select(HelpRequest.name).where(HelpRequest.id.in_(ids)))) == {""}
    assert set(db.session.scalars(select(Call.notes))) == {""}
    assert set(db.session.scalars(select(TimelineEvent.note))) == {""}
    assert set(db.session.scalars(select(HelpRequest.outcome))) == {"conversation_enough"}


def test_cli_dry_run_and_apply(app, runner, requests) -> None:
    dry = runner.invoke(args=["retention"])
    assert dry.exit_code == 0, dry.output
    cutoff = retention.cutoff_day(datetime.now(UTC), 12).isoformat()
    assert "Dry run: 1 closed requests" in dry.output and cutoff in dry.output
    assert not is_empty(personal(requests["old"]))

    applied = runner.invoke(args=["retention", "--apply"])
    assert applied.exit_code == 0, applied.output
    assert "Removed the personal data of 1 closed requests" in applied.output
    assert is_empty(personal(requests["old"]))
    assert not is_empty(personal(requests["recent"]))

    shorter = runner.invoke(args=["retention", "--apply", "--months", "1"])
    assert "Removed the personal data of 1 closed requests" in shorter.output
    assert is_empty(personal(requests["recent"]))
    assert_cli_error(
        runner.invoke(args=["retention", "--months", "0"]),
        2,
        "Invalid value for '--months': 0 is not in the range x>=1.",
    )
    assert [action for action, _, _ in audit_targets()] == [
        "retention_dry_run",
        "retention_run",
        "retention_run",
    ]


def test_cli_months_default_comes_from_the_config(app_factory) -> None:
    app = app_factory(RETENTION_MONTHS=30)
    result = app.test_cli_runner().invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    cutoff = retention.cutoff_day(datetime.now(UTC), 30).isoformat()
    assert f"closed before {cutoff}, 30 months" in result.output


def rows(request_id: int) -> dict[str, dict[tuple[Any, ...], dict[str, Any]]]:
    """Every stored row of a request and of its parts (each table with a ``request_id``), by
    table and primary key."""
    db.session.expire_all()
    request_table = HelpRequest.__table__
    found = {}
    for table in db.metadata.sorted_tables:
        if table is request_table:
            where = table.c.id == request_id
        elif "request_id" in table.c and table.c.request_id.references(request_table.c.id):
            where = table.c.request_id == request_id
        else:
            continue
        found[table.name] = {
            tuple(row[c] for c in table.primary_key.columns): dict(row)
            for row in db.session.execute(select(table).where(where)).mappings()
        }
    db.session.rollback()
    return found


# Written by the removal itself (when, by nobody, a new version), though not personal data.
REMOVAL_STAMP = ("personal_data_removed_at", "updated_at", "updated_by_id", "version")


def test_retention_clears_every_column_marked_personal_and_keeps_every_other(requests) -> None:
    before = {name: rows(rid) for name, rid in requests.items()}
    retention.run(12, apply=True, now=NOW)
    after = {name: rows(rid) for name, rid in requests.items()}
    assert after["recent"] == before["recent"]
    assert after["open"] == before["open"]
    old_before, old_after = before["old"], after["old"]
    # The sessions of the old request's browsers end with its data (the code with them).
    assert len(old_before["public_session"]) == 1 and old_after["public_session"] == {}
    ended = old_before.pop("public_session")
    old_after.pop("public_session")
    filled = {"public_session.secret_code"} if next(iter(ended.values()))["secret_code"] else set()
    assert set(old_after) == set(old_before)
    for name, table_rows in old_before.items():
        table = db.metadata.tables[name]
        assert set(table_rows) == set(old_after[name])
        for key, row in table_rows.items():
            for column in table.columns:
                value, kept = old_after[name][key][column.name], row[column.name]
                if column.info["personal"]:
                    assert value == (None if column.nullable else ""), (name, column.name)
                    if kept:
                        filled.add(f"{name}.{column.name}")
                elif name == "help_request" and column.name in REMOVAL_STAMP:
                    continue
                else:
                    assert value == kept, (name, column.name)
    # The request had a value in every personal column, so each clearing was seen.
    personal = {
        f"{table.name}.{column.name}"
        for table in db.metadata.sorted_tables
        for column in table.columns
        if column.info["personal"]
    }
    assert filled == personal
    request = old_after["help_request"][(requests["old"],)]
    assert request["personal_data_removed_at"] == request["updated_at"] == NOW
    assert request["updated_by_id"] is None
    assert request["version"] == old_before["help_request"][(requests["old"],)]["version"] + 1
