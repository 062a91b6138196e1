"""The kept counts per status and owner (``request_count``, kept by database triggers) always
equal counting the requests themselves, and the inbox's counts read them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import delete, event, func, select, update

from pyydaapua.database import db
from pyydaapua.inbox import queries
from pyydaapua.models import HelpRequest, HomeVisit, RequestCount, StaffUser, home_visit_staff
from pyydaapua.tools import demo

TODAY = date(2026, 11, 30)


def kept() -> dict[tuple[str, bool], int]:
    rows = db.session.execute(
        select(RequestCount.status, RequestCount.assigned, RequestCount.total)
    )
    return {(status, bool(assigned)): total for status, assigned, total in rows if total}


def counted() -> dict[tuple[str, bool], int]:
    assigned = HelpRequest.assigned_to_id.is_not(None)
    rows = db.session.execute(
        select(HelpRequest.status, assigned, func.count()).group_by(HelpRequest.status, assigned)
    )
    return {(status, bool(owned)): total for status, owned, total in rows}


def remove(ids: Any) -> None:
    """Delete requests with everything that refers to them (the app itself never deletes)."""
    visits = select(HomeVisit.id).where(HomeVisit.request_id.in_(ids))
    db.session.execute(delete(home_visit_staff).where(home_visit_staff.c.visit_id.in_(visits)))
    for table in reversed(db.metadata.sorted_tables):
        if "request_id" in table.c and table.name != "audit_event":
            db.session.execute(delete(table).where(table.c.request_id.in_(ids)))
    db.session.execute(delete(HelpRequest).where(HelpRequest.id.in_(ids)))


def test_counts_follow_inserts_changes_and_deletes(ctx: Any) -> None:
    demo.load_demo_users()
    demo.load_services()
    demo.add_synthetic_requests(120, seed=3, now=datetime(2026, 11, 30, 9, tzinfo=UTC))
    assert sum(kept().values()) == 120
    assert kept() == counted()

    owner = db.session.scalar(select(StaffUser.id).where(StaffUser.role == "counsellor"))
    first, second, third = db.session.scalars(select(HelpRequest).limit(3)).all()
    first.assigned_to_id, first.status = None, "new"
    db.session.commit()
    assert kept() == counted()
    # Through the ORM: a new owner and status, then a change of status only, then a delete.
    first.assigned_to_id, first.status = owner, "in_progress"
    second.status = "waiting"
    db.session.commit()
    remove([third.id])
    db.session.commit()
    assert kept() == counted()
    # A set-based change outside the ORM, and one that changes nothing counted.
    db.session.execute(
        update(HelpRequest).where(HelpRequest.status == "waiting").values(assigned_to_id=None)
    )
    db.session.execute(update(HelpRequest).values(call_attempts=HelpRequest.call_attempts + 1))
    # Closed requests with home visits among them, so that everything referring to them goes.
    closed = db.session.scalars(
        select(HelpRequest.id)
        .where(HelpRequest.status == "closed")
        .order_by(HelpRequest.id.in_(select(HomeVisit.request_id)).desc(), HelpRequest.id)
        .limit(5)
    ).all()
    assert db.session.scalar(
        select(func.count(HomeVisit.id)).where(HomeVisit.request_id.in_(closed))
    )
    remove(closed)
    db.session.commit()
    assert kept() == counted()


def test_a_change_rolled_back_leaves_the_counts(ctx: Any) -> None:
    demo.load_demo_users()
    demo.add_synthetic_requests(10, seed=4, now=datetime(2026, 11, 30, 9, tzinfo=UTC))
    before = kept()
    db.session.execute(update(HelpRequest).values(status="closed"))
    assert kept() != before
    db.session.rollback()
    assert kept() == before == counted()


def test_inbox_counts_from_the_kept_counts_equal_counting(ctx: Any) -> None:
    demo.load_demo_users()
    demo.load_services()
    demo.add_synthetic_requests(80, seed=5, now=datetime(2026, 11, 30, 9, tzinfo=UTC))
    # Some open requests without an owner, as new ones are.
    db.session.execute(
        update(HelpRequest)
        .where(HelpRequest.id.in_(select(HelpRequest.id).limit(7)))
        .values(status="new", assigned_to_id=None)
    )
    db.session.commit()
    for owner in ("all", "unassigned"):
        filters = queries.Filters(owner=owner, status="all")
        assert queries._counted_ahead(filters)
        fast = queries.counts(filters, 0, TODAY)
        # The same numbers by counting the filtered requests (a language filter that every
        # request passes forces the slow path).
        db.session.execute(update(HelpRequest).values(call_language="fi"))
        slow = queries.counts(queries.Filters(owner=owner, status="all", language="fi"), 0, TODAY)
        db.session.rollback()
        assert fast == slow
        assert fast.total == sum(
            total for (_, assigned), total in counted().items() if owner == "all" or not assigned
        )
    expected = sum(
        total
        for (status, assigned), total in counted().items()
        if not assigned and status in ("new", "in_progress", "waiting")
    )
    assert expected > 0
    assert db.session.scalar(select(queries.unassigned_open_column())) == expected


def test_the_open_requests_index_holds_the_open_statuses() -> None:
    from pyydaapua.models import OPEN_CONDITION
    from pyydaapua.rules.status_flow import OPEN_STATUSES

    quoted = ", ".join(f"'{status}'" for status in OPEN_STATUSES)
    assert f"status IN ({quoted})" == OPEN_CONDITION


def plan_of(call: Any) -> str:
    """The query plan of the first statement ``call()`` sends, as it is sent, with its
    parameters: a partial index serves only a query whose condition the planner can match
    before the parameters are known."""
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    statement, parameters = sent[0]
    postgresql = db.engine.dialect.name == "postgresql"
    with db.engine.connect() as connection:
        if postgresql:
            # Whether the index can serve the statement, not what the planner thinks of a
            # near-empty table: only an index in the page's order avoids a sort.
            for setting in ("enable_seqscan", "enable_sort", "enable_incremental_sort"):
                connection.exec_driver_sql(f"SET {setting} = off")
        explain = "EXPLAIN " if postgresql else "EXPLAIN QUERY PLAN "
        return " ".join(
            str(row) for row in connection.exec_driver_sql(explain + statement, parameters)
        )


@pytest.mark.parametrize(
    "filters", [queries.Filters(), queries.Filters(unreached=True)], ids=["default", "unreached"]
)
def test_the_default_inbox_page_reads_the_open_requests_index(
    ctx: Any, filters: queries.Filters
) -> None:
    """The default view and "Not yet reached" read the open requests in the index's order
    (not yet reached first), without sorting them, once the planner has the statistics of
    real data (the demo data's ANALYZE; each test starts without any)."""
    demo.load_demo_users()
    demo.add_synthetic_requests(120, seed=3, now=datetime(2026, 11, 30, 9, tzinfo=UTC))
    plan = plan_of(lambda: queries.requests_page(filters, 0, TODAY, total=1))
    assert "ix_help_request_open_reached_due" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan


def test_a_search_among_all_requests_can_read_its_page_in_the_inbox_order(ctx: Any) -> None:
    """On PostgreSQL a search among all requests may read every request in the inbox's order
    and stop at the page's last match (``ix_help_request_reached_due``, migration 0016): a
    common word then costs a page, not a sort of every match. SQLite has no such index."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the index is PostgreSQL's")
    demo.load_demo_users()
    demo.add_synthetic_requests(120, seed=3, now=datetime(2026, 11, 30, 9, tzinfo=UTC))
    filters = queries.Filters(q="apua", status="all")
    plan = plan_of(lambda: queries.requests_page(filters, 0, TODAY, total=1001, capped=True))
    assert "ix_help_request_reached_due" in plan, plan
    assert "Sort" not in plan, plan


def test_the_same_number_is_found_by_the_phone_index(ctx: Any) -> None:
    demo.load_demo_users()
    stored = db.session.scalars(select(HelpRequest)).first()
    if stored is None:
        from pyydaapua.intake.submission import NewRequest, submit

        stored = submit(NewRequest("k" * 32, "fi", "fi", phone="+358401234567"))
    assert stored.submitted_at is not None  # loaded before the statement looked at
    plan = plan_of(lambda: queries.asked_again([stored]))
    assert "ix_help_request_phone_submitted" in plan, plan


def test_a_pages_same_numbers_are_found_from_the_page_not_from_the_time_window(ctx: Any) -> None:
    """SQLite, which has no statistics, finds the other requests from the page's own requests,
    by their number and time (one index range each), not by reading every request of the
    time window and looking up its number (0.5 ms for an inbox page of 1,000 requests).
    PostgreSQL chooses by its statistics."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's planner, which has no statistics")
    demo.load_demo_users()
    demo.add_synthetic_requests(120, seed=3, now=datetime(2026, 11, 30, 9, tzinfo=UTC))
    listed = list(db.session.scalars(select(HelpRequest).where(HelpRequest.phone != "")))[:50]
    plan = plan_of(lambda: queries.asked_again(listed))
    assert "USING INTEGER PRIMARY KEY" in plan, plan
    assert "ix_help_request_phone_submitted (phone=? AND submitted_at>? AND submitted_at<?)" in plan
