"""The request page reads its visits, referrals and disclosure log through the timeline's
entries (``changes.work``): every one must be named there, however the work went."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from pyydaapua.accounts.users import create_user
from pyydaapua.casework import changes
from pyydaapua.casework.changes import ConsentData, VisitData
from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import HelpRequest, Service, StaffUser
from pyydaapua.tools import demo

MONDAY = datetime(2026, 11, 23, 8, tzinfo=UTC)


@pytest.fixture
def req(ctx) -> HelpRequest:
    return submit(
        NewRequest(
            submission_key="w" * 32, language="fi", call_language="fi", phone="+358401234567"
        ),
        now=MONDAY,
    )


@pytest.fixture
def staff(ctx) -> tuple[StaffUser, StaffUser]:
    return (
        create_user("anna@example.fi", "Anna", "counsellor", "long enough pw"),
        create_user("erik@example.fi", "Erik", "supervisor", "long enough pw", "sv"),
    )


def _values(record: object, names: str) -> tuple[object, ...]:
    return tuple(getattr(record, name) for name in names.split())


VISIT = "id starts_at duration_minutes address status status_note"
REFERRAL = "id status note consent"
SERVICE = "name_fi name_sv provider_type phone email active"
DISCLOSURE = "id referral_id at recipient categories basis"


def same_as_loaded_apart(request_id: int) -> None:
    """``work`` gives what the separate queries give, read afresh from the database as ORM
    objects: every value the request page shows of the visits, referrals and disclosures."""
    db.session.expunge_all()
    work = changes.work(request_id)
    timeline = changes.timeline(request_id)
    visits = changes.visits(request_id)
    referrals, disclosures = changes.referrals_and_disclosures(request_id)
    assert [e.id for e in work.timeline] == [e.id for e in timeline]
    assert [_values(v, VISIT) for v in work.visits] == [_values(v, VISIT) for v in visits]
    assert [sorted((u.id, u.name) for u in v.staff) for v in work.visits] == [
        sorted((u.id, u.name) for u in v.staff) for v in visits
    ]
    assert [(_values(r, REFERRAL), _values(r.service, SERVICE)) for r in work.referrals] == [
        (_values(r, REFERRAL), _values(r.service, SERVICE)) for r in referrals
    ]
    assert [(_values(d, DISCLOSURE), d.user and d.user.name) for d in work.disclosures] == [
        (_values(d, DISCLOSURE), d.user and d.user.name) for d in disclosures
    ]
    # Each entry names its own visit and referral, the same values as in the lists.
    shown_visits = {v.id: v for v in work.visits}
    shown_referrals = {r.id: r for r in work.referrals}
    for entry, read in zip(work.timeline, timeline, strict=True):
        assert (entry.visit and entry.visit.id) == (read.visit and read.visit.id)
        assert entry.visit is None or entry.visit is shown_visits[entry.visit.id]
        assert (entry.referral and entry.referral.id) == read.referral_id
        assert entry.referral is None or entry.referral is shown_referrals[entry.referral.id]


def test_nothing_done_yet(req) -> None:
    work = changes.work(req.id)
    assert (work.timeline, work.visits, work.referrals, work.disclosures) == ([], [], [], [])


def test_the_timeline_names_every_visit_referral_and_disclosure(req, staff) -> None:
    anna, erik = staff
    ids = (anna.id, erik.id)
    demo.load_services()
    first, second = db.session.scalars(select(Service).order_by(Service.id).limit(2))
    start = MONDAY + timedelta(days=3)
    # Booked later but starting earlier: the visits are listed by time.
    changes.book_visit(req, anna, 1, VisitData(start + timedelta(days=2), 60, "Katu 1", [anna]))
    changes.book_visit(req, anna, 2, VisitData(start, 45, "Katu 2", [anna, erik]))
    changes.refer(req, anna, 3, first, "sent", consent=ConsentData("given", ("contact",)))
    changes.refer(req, anna, 4, second, "suggested", consent=ConsentData("declined"))
    changes.refer(req, anna, 5, first, "sent", consent=ConsentData("given", ("children",), "B"))
    same_as_loaded_apart(req.id)

    # Changed, cancelled and updated: more entries name the same visits and referrals.
    stored = db.session.get(HelpRequest, req.id)
    anna, erik = (db.session.get(StaffUser, user_id) for user_id in ids)
    assert stored is not None and anna is not None and erik is not None
    visits = [visit.id for visit in changes.visits(req.id)]
    referrals = [referral.id for referral in changes.referrals(req.id)]
    changes.update_visit(stored, anna, 6, visits[0], VisitData(start, 90, "Katu 3", [erik]))
    changes.set_visit_status(stored, anna, 7, visits[1], "cancelled", "ill")
    changes.set_referral_status(stored, anna, 8, referrals[0], "accepted")
    changes.set_referral_status(stored, anna, 9, referrals[0], "ended")
    same_as_loaded_apart(req.id)
    work = changes.work(req.id)
    assert len(work.visits) == 2 and len(work.referrals) == 3 and len(work.disclosures) == 2
    assert [d.referral_id for d in work.disclosures] == [referrals[0], referrals[2]]


def test_the_visits_staff_are_joined_without_reading_every_visit(req) -> None:
    """The timeline's query joins the visits' staff one table after the other: a nested join
    of the link table, as an eager load writes it, made SQLite build every visit's staff for
    each page (12 ms at 100,000 requests instead of 0.2)."""
    sent: list[tuple[str, object]] = []

    def capture(_conn: object, _cursor: object, statement: str, parameters: object, *_: object):
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        changes.work(req.id)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    statement, parameters = next(item for item in sent if "timeline_event" in item[0])
    assert "JOIN (home_visit_staff" not in statement.replace("\n", " "), statement
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as connection:
            plan = " ".join(
                str(row)
                for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            )
        assert "SCAN home_visit_staff" not in plan, plan
