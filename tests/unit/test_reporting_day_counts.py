"""The reports' counts kept per submission day (``report_day_count``, kept by database triggers,
migration 0015) always equal counting the rows themselves: after a new request, after every
change of casework that the reports count, after retention removed personal data, after set
changes and deletes outside the service's code, and after a rolled-back change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from pyydaapua.accounts.users import create_user
from pyydaapua.casework import changes
from pyydaapua.casework.changes import CallData, ConsentData, VisitData
from pyydaapua.data_rights import retention
from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import (
    Disclosure,
    HelpRequest,
    HomeVisit,
    Referral,
    RequestTopic,
    Service,
    StaffUser,
    TimelineEvent,
    home_visit_staff,
)
from pyydaapua.reporting import figures
from pyydaapua.rules.report_arithmetic import Period
from pyydaapua.tools import demo
from tests.helpers.day_counts import assert_kept_as_counted, kept


def remove_parts(ids: Any) -> None:
    """Delete everything that refers to the requests ``ids`` but their topics."""
    visits = select(HomeVisit.id).where(HomeVisit.request_id.in_(ids))
    db.session.execute(delete(home_visit_staff).where(home_visit_staff.c.visit_id.in_(visits)))
    for table in reversed(db.metadata.sorted_tables):
        if "request_id" in table.c and table.name not in ("audit_event", "request_topic"):
            db.session.execute(delete(table).where(table.c.request_id.in_(ids)))


def remove(ids: Any) -> None:
    """Delete requests with everything that refers to them (the service itself never deletes)."""
    remove_parts(ids)
    # The topics go with their request: by the foreign key's cascade on PostgreSQL; SQLite
    # (foreign keys not enforced) leaves them behind, without a request to count them by.
    db.session.execute(delete(HelpRequest).where(HelpRequest.id.in_(ids)))


@pytest.fixture
def counsellor(ctx: Any) -> StaffUser:
    return create_user("anna@example.fi", "Anna", "counsellor", "long enough pw")


def new_request(number: int, at: datetime, **fields: Any) -> HelpRequest:
    values: dict[str, Any] = {
        "submission_key": f"day-counts-{number:04d}-" + "k" * 16,
        "language": "fi",
        "call_language": "fi",
        "phone": f"+3584012345{number:02d}",
        "topics": ["finances", "parent_coping"],
    }
    values.update(fields)
    return submit(NewRequest(**values), now=at)


def test_kept_counts_follow_every_change_of_casework(ctx: Any, counsellor: StaffUser) -> None:
    demo.load_services()
    service = db.session.scalars(select(Service).where(Service.active.is_(True))).first()
    assert service is not None
    sent = datetime.now(UTC).replace(microsecond=0) - timedelta(days=12)
    # New requests: by phone and by the status page, with topics and without, two languages.
    first = new_request(1, sent)
    second = new_request(2, sent + timedelta(hours=1), call_language="sv", topics=[])
    written = new_request(
        3, sent + timedelta(days=1), contact_method="status_page", phone="", topics=["moving"]
    )
    assert_kept_as_counted()
    assert kept()[(first.submitted_on, first.submitted_month, "received", "fi")] == 1

    def at(hours: int) -> datetime:
        return sent + timedelta(hours=hours)

    # Taking it, calls not reaching the family, then the first reached call (the first contact,
    # its working days and the calls it took), and calls after it.
    changes.assign(first, counsellor, first.version, counsellor)
    changes.record_call(first, counsellor, first.version, CallData(at(2), "no_answer"))
    assert_kept_as_counted()
    changes.record_call(first, counsellor, first.version, CallData(at(3), "left_message"))
    changes.record_call(first, counsellor, first.version, CallData(at(30), "reached"))
    assert first.first_contact_attempts == 3
    assert_kept_as_counted()
    changes.record_call(first, counsellor, first.version, CallData(at(31), "reached"))
    assert first.call_attempts == 4
    assert_kept_as_counted()
    # A message on the status page is the first contact of a request answered there.
    changes.message_family(written, counsellor, written.version, "Hei, palaamme asiaan.")
    assert written.first_contact_at is not None
    assert_kept_as_counted()
    # The quick "all fine" call, reached at the first try, closing the request.
    changes.record_all_fine(second, counsellor, second.version, close=True)
    assert (second.first_contact_attempts, second.outcome) == (1, "conversation_enough")
    assert_kept_as_counted()
    # Reopened (the outcome cleared) and closed again with another outcome.
    changes.reopen(second, counsellor, second.version, "Perhe soitti uudelleen.")
    assert_kept_as_counted()
    # A home visit booked and done: the first contact of a request not reached before.
    visited = new_request(4, at(5), call_language="sv")
    changes.book_visit(
        visited, counsellor, visited.version, VisitData(at(48), 60, "Kotikatu 1", [counsellor])
    )
    assert_kept_as_counted()
    visit = changes.visits(visited.id)[0]
    changes.set_visit_status(visited, counsellor, visited.version, visit.id, "done")
    assert visited.first_contact_at is not None and visited.first_contact_attempts is None
    assert_kept_as_counted()
    # One booked for days ahead, cancelled when its request is closed below.
    changes.book_visit(
        written,
        counsellor,
        written.version,
        VisitData(datetime.now(UTC) + timedelta(days=3), 60, "Kotikatu 1", [counsellor]),
    )
    assert_kept_as_counted()
    # Referrals: with the family's consent (what is passed on logged), declined, and one recorded
    # without asking; a status changed.
    changes.refer(
        first,
        counsellor,
        first.version,
        service,
        "sent",
        consent=ConsentData("given", ("contact",)),
    )
    changes.refer(
        first, counsellor, first.version, service, "suggested", consent=ConsentData("declined")
    )
    changes.refer(first, counsellor, first.version, service, "suggested")
    assert_kept_as_counted()
    declined = next(r for r in changes.referrals(first.id) if r.consent == "declined")
    changes.set_referral_status(first, counsellor, first.version, declined.id, "accepted")
    assert_kept_as_counted()
    # Closing with open work: the planned visit cancelled and the open referral ended with it.
    future_visit = next(v for v in changes.visits(written.id) if v.status == "planned")
    changes.change_status(
        written,
        counsellor,
        written.version,
        "closed",
        "referred_third_sector",
        open_work_seen=True,
        cancel_visits=[future_visit.id],
    )
    open_referral = next(r for r in changes.referrals(first.id) if r.status == "sent")
    changes.change_status(
        first,
        counsellor,
        first.version,
        "closed",
        "referred_city",
        open_work_seen=True,
        end_referrals=[open_referral.id],
    )
    changes.change_status(second, counsellor, second.version, "closed", "other")
    changes.change_status(
        visited, counsellor, visited.version, "closed", "continues_with_counsellor"
    )
    assert_kept_as_counted()
    assert kept()[(second.submitted_on, second.submitted_month, "outcome", "other")] == 1

    # Retention removes the personal data of the closed requests; the counts stay and agree.
    before = kept()
    result = retention.run(1, apply=True, now=datetime.now(UTC) + timedelta(days=62))
    assert result.count == 4
    assert_kept_as_counted()
    assert kept() == before


def test_kept_counts_follow_bulk_inserts_set_changes_and_deletes(ctx: Any) -> None:
    demo.load_demo_users()
    demo.load_services()
    demo.add_synthetic_requests(150, seed=7, now=datetime(2026, 11, 30, 9, tzinfo=UTC))
    assert sum(n for (_, _, figure, _), n in kept().items() if figure == "received") == 150
    assert_kept_as_counted()

    # Set-based changes outside the service's code: languages, calls, first contacts, outcomes,
    # due dates, referral and visit statuses, and a topic moved to another request.
    db.session.execute(
        update(HelpRequest).where(HelpRequest.id % 3 == 0).values(call_language="sv")
    )
    db.session.execute(update(HelpRequest).values(call_attempts=HelpRequest.call_attempts + 1))
    db.session.execute(
        update(HelpRequest)
        .where(HelpRequest.id % 4 == 1)
        .values(
            first_contact_at=None,
            first_contact_on_time=None,
            first_contact_workdays=None,
            first_contact_attempts=None,
        )
    )
    db.session.execute(
        update(HelpRequest)
        .where(HelpRequest.id % 5 == 2)
        .values(outcome="other", due_date=date(2026, 12, 24))
    )
    db.session.execute(update(Referral).where(Referral.id % 2 == 0).values(status="ended"))
    db.session.execute(update(Referral).where(Referral.id % 3 == 0).values(consent="refused"))
    db.session.execute(update(HomeVisit).values(status="cancelled"))
    db.session.commit()
    assert_kept_as_counted()

    # A request's submission day moved: its topics, referrals and visits move with it.
    moved = db.session.scalars(
        select(HelpRequest).where(HelpRequest.id.in_(select(Referral.request_id))).limit(1)
    ).one()
    moved.submitted_on = date(2026, 1, 15)
    moved.submitted_month = 202601
    db.session.commit()
    assert_kept_as_counted()
    topic = db.session.scalars(select(RequestTopic).limit(1)).one()
    other = db.session.scalar(
        select(HelpRequest.id).where(
            HelpRequest.id != topic.request_id,
            HelpRequest.id.not_in(
                select(RequestTopic.request_id).where(RequestTopic.topic == topic.topic)
            ),
        )
    )
    db.session.execute(
        update(RequestTopic)
        .where(RequestTopic.request_id == topic.request_id, RequestTopic.topic == topic.topic)
        .values(request_id=other)
    )
    db.session.commit()
    assert_kept_as_counted()

    # Deletes: of a request through the ORM (its topics first), of parts, and of requests with
    # everything referring to them.
    ormed = db.session.scalars(
        select(HelpRequest)
        .where(HelpRequest.id.not_in(select(Referral.request_id)))
        .where(HelpRequest.id.not_in(select(HomeVisit.request_id)))
        .where(HelpRequest.id.in_(select(RequestTopic.request_id)))
        .limit(1)
    ).one()
    remove_parts([ormed.id])
    db.session.delete(ormed)
    db.session.commit()
    assert_kept_as_counted()
    db.session.execute(delete(RequestTopic).where(RequestTopic.topic == "finances"))
    gone = select(Referral.id).where(Referral.id % 2 == 1).scalar_subquery()
    for table in (TimelineEvent, Disclosure):
        db.session.execute(
            update(table).where(table.referral_id.in_(gone)).values(referral_id=None)
        )
    db.session.execute(delete(Referral).where(Referral.id.in_(gone)))
    db.session.commit()
    assert_kept_as_counted()
    with_parts = db.session.scalars(
        select(HelpRequest.id).where(HelpRequest.id.in_(select(HomeVisit.request_id))).limit(4)
    ).all()
    remove(with_parts)
    db.session.commit()
    assert_kept_as_counted()


def test_a_request_deleted_with_its_topics_left_behind_or_cascaded(ctx: Any) -> None:
    """A request deleted while it still has topics: PostgreSQL's cascade removes them, SQLite
    (foreign keys not enforced) leaves them without a request. Either way they are no longer
    counted, also when the topics left behind are deleted later."""
    sent = datetime(2026, 11, 23, 8, tzinfo=UTC)
    kept_one = new_request(1, sent)
    gone = new_request(2, sent, topics=["finances", "moving"])
    db.session.execute(delete(HelpRequest).where(HelpRequest.id == gone.id))
    db.session.commit()
    assert_kept_as_counted()
    db.session.execute(delete(RequestTopic).where(RequestTopic.request_id == gone.id))
    db.session.commit()
    assert_kept_as_counted()
    assert kept()[(kept_one.submitted_on, kept_one.submitted_month, "topic", "finances")] == 1


def test_a_change_rolled_back_leaves_the_counts(ctx: Any) -> None:
    demo.load_demo_users()
    demo.load_services()
    demo.add_synthetic_requests(20, seed=8, now=datetime(2026, 11, 30, 9, tzinfo=UTC))
    before = kept()
    db.session.execute(update(HelpRequest).values(outcome="other", call_language="sv"))
    db.session.execute(delete(RequestTopic))
    assert kept() != before
    db.session.rollback()
    assert kept() == before
    assert_kept_as_counted()


def test_the_report_of_a_period_adds_up_its_days(ctx: Any) -> None:
    """The report reads only the days of its period: a request on the day before the period
    or after it is not counted, one on its first or last day is."""
    demo.load_services()
    days = [date(2026, 10, 4), date(2026, 10, 5), date(2026, 10, 11), date(2026, 10, 12)]
    for number, day in enumerate(days):
        new_request(number, datetime(day.year, day.month, day.day, 9, tzinfo=UTC))
    report = figures.build(Period(date(2026, 10, 5), date(2026, 10, 11)), date(2026, 12, 1))
    assert report.received == 2
    assert report.topics_by_month["finances"] == {(2026, 10): 2}
    assert report.first_contact.never_reached == 2
