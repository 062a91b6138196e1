"""A small, hand-built set of requests whose report numbers are written out in the tests.

The period is December 2025 to January 2026; "today" is Tuesday 10 February 2026.

- R1 (fi) Wed 3.12. — finances, parent_coping. Reached Fri 5.12.: 2 working days, on time.
  Closed "conversation was enough". Referred to a city service (accepted); a home visit was
  booked and cancelled. 1 call.
- R2 (fi) Mon 22.12. — school_attendance. Due Tue 30.12., because 24.–26.12. are public
  holidays: no answer on 23.12., reached on 30.12. = 3 working days, on time only because of
  the holidays (eight calendar days). Taken, now waiting (open). 2 calls.
- R3 (fi) Wed 10.12. — finances. Three calls without an answer; closed "could not be reached".
- R4 (sv) sent 30.11. at 22.30 UTC = Mon 1.12. 00.30 in Helsinki, so it belongs to December
  (the period's first boundary). Due Thu 4.12.; reached Mon 8.12. = 5 working days, late.
  Referred to a third-sector service (declined); a home visit done. Closed "referred to a
  third-sector service". 1 call.
- R5 (fi) sent 31.1. at 22.30 UTC = Sun 1.2. in Helsinki: outside the period (the last
  boundary). Reached, referred to a city service (sent), a visit done, closed "other". 1 call.
- R6 (fi) Thu 15.1. — finances. Never called, nobody owns it, due Tue 20.1.: overdue today.
- R7 (fi) Mon 9.2. — taken, not yet due: outside the period, open in the backlog.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select

from pyydaapua.accounts.users import create_user
from pyydaapua.casework import changes
from pyydaapua.casework.changes import CallData, VisitData
from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import HelpRequest, Service, StaffUser
from pyydaapua.tools import demo

START = date(2025, 12, 1)
END = date(2026, 1, 31)
TODAY = date(2026, 2, 10)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@dataclass
class Built:
    requests: dict[str, HelpRequest]
    worker: StaffUser


def _request(key: str, at: datetime, topics: list[str], call_language: str = "fi") -> HelpRequest:
    return submit(
        NewRequest(
            submission_key=key * 32,
            language=call_language,
            call_language=call_language,
            phone="+358401234567",
            name=f"Parent {key}",
            email=f"{key}@example.fi",
            description=f"Words of family {key}",
            topics=topics,
        ),
        now=at,
    )


def _call(req: HelpRequest, who: StaffUser, at: datetime, result: str = "no_answer") -> None:
    data = CallData(called_at=at, result=result, notes=f"call notes {req.reference}")
    if result == "reached":
        data = CallData(
            called_at=at,
            result=result,
            duration_minutes=20,
            notes=f"call notes {req.reference}",
            coping="some_worries",
            coping_note="coping note",
            finances="fine",
            finances_note="finances note",
        )
    changes.record_call(req, who, req.version, data)


def _visit(req: HelpRequest, who: StaffUser, at: datetime, status: str) -> None:
    changes.book_visit(req, who, req.version, VisitData(at, 60, "Kotikatu 1", [who]))
    visit = changes.visits(req.id)[0]
    changes.set_visit_status(req, who, req.version, visit.id, status, "visit note")


def _close(req: HelpRequest, who: StaffUser, outcome: str) -> None:
    changes.change_status(
        req, who, req.version, "closed", outcome, "closing note", open_work_seen=True
    )


def build() -> Built:
    """Store R1–R7 (inside an app context); the catalogue comes from the demo data."""
    demo.load_services()
    worker = create_user("report@example.fi", "Report Worker", "counsellor", "long enough pw")
    city = db.session.scalars(select(Service).where(Service.provider_type == "city")).first()
    third = db.session.scalars(
        select(Service).where(Service.provider_type == "third_sector")
    ).first()
    assert city is not None and third is not None

    r1 = _request("a", utc(2025, 12, 3, 8), ["finances", "parent_coping"])
    _call(r1, worker, utc(2025, 12, 5, 9), "reached")
    changes.refer(r1, worker, r1.version, city, "accepted", "referral note")
    _visit(r1, worker, utc(2025, 12, 9, 10), "cancelled")
    _close(r1, worker, "conversation_enough")

    r2 = _request("b", utc(2025, 12, 22, 10), ["school_attendance"])
    changes.assign(r2, worker, r2.version, worker)
    _call(r2, worker, utc(2025, 12, 23, 9))
    _call(r2, worker, utc(2025, 12, 30, 9), "reached")
    changes.change_status(r2, worker, r2.version, "waiting")

    r3 = _request("c", utc(2025, 12, 10, 9), ["finances"])
    for day in (11, 12, 15):
        _call(r3, worker, utc(2025, 12, day, 9))
    _close(r3, worker, "not_reached")

    r4 = _request("d", utc(2025, 11, 30, 22, 30), ["separation_custody"], "sv")
    _call(r4, worker, utc(2025, 12, 8, 10), "reached")
    changes.refer(r4, worker, r4.version, third, "declined")
    _visit(r4, worker, utc(2025, 12, 10, 12), "done")
    _close(r4, worker, "referred_third_sector")

    r5 = _request("e", utc(2026, 1, 31, 22, 30), ["finances"])
    _call(r5, worker, utc(2026, 2, 2, 9), "reached")
    changes.refer(r5, worker, r5.version, city, "sent")
    _visit(r5, worker, utc(2026, 2, 4, 9), "done")
    _close(r5, worker, "other")

    r6 = _request("f", utc(2026, 1, 15, 9), ["finances"])

    r7 = _request("g", utc(2026, 2, 9, 9), ["moving"])
    changes.assign(r7, worker, r7.version, worker)

    names = ("R1", "R2", "R3", "R4", "R5", "R6", "R7")
    return Built(dict(zip(names, (r1, r2, r3, r4, r5, r6, r7), strict=True)), worker)
