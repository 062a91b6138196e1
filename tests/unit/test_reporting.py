"""Report numbers against the hand-built requests of tests/helpers/report_requests.py."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from pyydaapua.casework import changes
from pyydaapua.data_rights import retention
from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import HelpRequest
from pyydaapua.reporting import figures
from pyydaapua.reporting.tables import Table
from pyydaapua.rules.report_arithmetic import (
    Backlog,
    FirstContact,
    Period,
    first_contact_state,
)
from tests.helpers import report_requests
from tests.helpers.app import count_queries

DEC, JAN = (2025, 12), (2026, 1)


@pytest.fixture
def report(app) -> figures.Report:
    with app.app_context():
        report_requests.build()
        return figures.build(
            Period(report_requests.START, report_requests.END), report_requests.TODAY
        )


def test_the_holiday_request_is_on_time_only_because_of_the_holidays(app) -> None:
    with app.app_context():
        r2 = report_requests.build().requests["R2"]
        assert r2.due_date == date(2025, 12, 30)  # 8 calendar days after Monday 22.12.
        assert r2.first_contact_workdays == 3
        assert r2.first_contact_on_time is True


def test_requests_per_month_and_call_language(report) -> None:
    assert report.months == [DEC, JAN]
    # R4 was sent on 30.11. UTC but 1.12. in Helsinki; R5 on 31.1. UTC but 1.2. in Helsinki.
    assert report.by_month == {DEC: {"fi": 3, "sv": 1}, JAN: {"fi": 1, "sv": 0}}
    assert report.received == 5


def test_topics_by_month(report) -> None:
    assert report.topics_by_month["finances"] == {DEC: 2, JAN: 1}
    assert report.topics_by_month["parent_coping"] == {DEC: 1, JAN: 0}
    assert report.topics_by_month["school_attendance"] == {DEC: 1, JAN: 0}
    assert report.topics_by_month["separation_custody"] == {DEC: 1, JAN: 0}
    assert report.topics_by_month["moving"] == {DEC: 0, JAN: 0}  # R7 is outside the period
    totals = report.topic_totals()
    assert totals["finances"] == 3
    assert sum(totals.values()) == 6


def test_first_contact_within_three_working_days(report) -> None:
    # December: R1 and R2 on time, R4 late, R3 never reached.
    assert report.first_contact_by_month[DEC] == FirstContact(
        received=4, due=4, on_time=2, reached=3
    )
    assert report.first_contact_by_month[DEC].share_on_time == 0.5
    # January: R6, never reached, due 20.1.
    assert report.first_contact_by_month[JAN] == FirstContact(
        received=1, due=1, on_time=0, reached=0
    )
    assert report.first_contact == FirstContact(received=5, due=5, on_time=2, reached=3)
    assert report.first_contact.share_on_time == 0.4
    assert report.first_contact.never_reached == 2
    assert report.workdays_to_contact == {2: 1, 3: 1, 5: 1}
    assert report.median_workdays == 3
    assert report.p90_workdays == 5


def test_a_request_not_yet_due_does_not_count_against_the_team(app) -> None:
    with app.app_context():
        report_requests.build()
        # On 19.1. R6 (due 20.1.) is not yet due: January has nothing due.
        early = figures.build(Period(report_requests.START, report_requests.END), date(2026, 1, 19))
    assert early.first_contact_by_month[JAN] == FirstContact(received=1, due=0, reached=0)
    assert early.first_contact_by_month[JAN].share_on_time is None


def test_backlog_is_about_today_whatever_the_period(report) -> None:
    # Open: R2 (waiting), R6 (new, nobody owns it, overdue) and R7 (taken, not yet due).
    assert report.backlog == Backlog(open=3, unassigned=1, overdue=1)


def test_outcomes_referrals_visits_and_calls(report) -> None:
    assert {k: v for k, v in report.outcomes.items() if v} == {
        "conversation_enough": 1,
        "not_reached": 1,
        "referred_third_sector": 1,
    }
    assert report.referrals_by_type == {
        "city": {"suggested": 0, "sent": 0, "accepted": 1, "declined": 0, "ended": 0},
        "third_sector": {"suggested": 0, "sent": 0, "accepted": 0, "declined": 1, "ended": 0},
        "wellbeing_county": {"suggested": 0, "sent": 0, "accepted": 0, "declined": 0, "ended": 0},
    }
    assert {s.provider_type: s.by_status for s in report.referrals_by_service} == {
        "city": {"suggested": 0, "sent": 0, "accepted": 1, "declined": 0, "ended": 0},
        "third_sector": {"suggested": 0, "sent": 0, "accepted": 0, "declined": 1, "ended": 0},
    }
    assert report.visits == {"planned": 0, "done": 1, "cancelled": 1}
    assert report.calls_per_request == {"0": 1, "1": 2, "2": 1, "3+": 1}
    assert report.calls == 7
    assert report.calls_average == 1.4


def test_an_empty_period(app) -> None:
    with app.app_context():
        report_requests.build()
        empty = figures.build(Period(date(2020, 1, 1), date(2020, 1, 31)), report_requests.TODAY)
    assert empty.received == 0
    assert empty.first_contact.share_on_time is None
    assert empty.median_workdays is None
    assert empty.calls_average is None
    assert empty.backlog == Backlog(open=3, unassigned=1, overdue=1)


def test_the_report_runs_a_fixed_number_of_queries(app) -> None:
    with app.app_context():
        report_requests.build()
        period = Period(report_requests.START, report_requests.END)
        _, few = count_queries(app, lambda: figures.build(period, report_requests.TODAY))
        longer = Period(date(2025, 1, 1), date(2026, 12, 31))
        _, more = count_queries(app, lambda: figures.build(longer, report_requests.TODAY))
    assert len(few) == len(more) <= 9


def test_retention_keeps_every_report_number(app) -> None:
    with app.app_context():
        built = report_requests.build()
        period = Period(report_requests.START, report_requests.END)
        before = figures.build(period, report_requests.TODAY)
        later = datetime.now(UTC) + timedelta(days=800)  # every closed request is long closed
        cleared = retention.run(12, apply=True, now=later)
        assert cleared.count == 4  # R1, R3, R4 and R5; R2, R6 and R7 are open
        r1 = db.session.get(HelpRequest, built.requests["R1"].id)
        assert (r1.name, r1.phone, r1.email, r1.description) == ("", "", "", "")
        assert r1.personal_data_removed_at is not None
        after = figures.build(period, report_requests.TODAY)
        assert retention.run(12, apply=True, now=later).count == 0
        again = figures.build(period, report_requests.TODAY)
    assert after == before
    assert again == before


def test_shades_run_from_the_quietest_to_the_busiest_month_of_a_row() -> None:
    table = Table("topics", "Topics", [], [], shaded=True)
    assert table.shades(["topic", 10, 20, 30, 15, 75]) == [0, 2, 4, 1]
    assert table.shades(["topic", 3, 3, 6]) == [0, 0]


def test_an_overdue_request_is_never_reached_one_within_its_days_is_not_yet_due(app) -> None:
    with app.app_context():
        report_requests.build()
        period = Period(report_requests.START, report_requests.END)
        # R6 arrived Thursday 15.1., due Tuesday 20.1.: on its due date it is not yet due …
        on_due_date = figures.build(period, date(2026, 1, 20))
        # … the next day it is never reached.
        day_after = figures.build(period, date(2026, 1, 21))
    assert on_due_date.first_contact_by_month[JAN].never_reached == 0
    assert on_due_date.first_contact_by_month[JAN].not_yet_due == 1
    assert on_due_date.first_contact.never_reached == 1  # R3 only, due 15.12.
    assert day_after.first_contact_by_month[JAN].never_reached == 1
    assert day_after.first_contact_by_month[JAN].not_yet_due == 0
    assert day_after.first_contact.never_reached == 2


@pytest.mark.parametrize(
    "today",
    [
        date(2025, 12, 4),
        date(2025, 12, 15),
        date(2025, 12, 16),
        date(2026, 1, 20),
        report_requests.TODAY,
    ],
)
def test_the_sql_counts_as_the_rule_says(app, today) -> None:
    """Each month's never reached and not yet due, as first_contact_state tells them apart
    one request at a time."""
    with app.app_context():
        report_requests.build()
        period = Period(report_requests.START, report_requests.END)
        report = figures.build(period, today)
        requests = db.session.scalars(
            select(HelpRequest).where(
                HelpRequest.submitted_on.between(report_requests.START, report_requests.END)
            )
        ).all()
        expected: dict[tuple[int, int], Counter[str]] = {m: Counter() for m in period.months()}
        for req in requests:
            state = first_contact_state(req.first_contact_at is not None, req.due_date, today)
            expected[(req.submitted_on.year, req.submitted_on.month)][state] += 1
    for month, counts in expected.items():
        row = report.first_contact_by_month[month]
        assert (row.never_reached, row.not_yet_due) == (
            counts["never_reached"],
            counts["not_yet_due"],
        ), month


def test_a_status_page_request_is_reached_by_the_first_message(app, monkeypatch) -> None:
    """A family answered on the status page is reached when the first counsellor message is
    sent: on time within three working days, like a reached call. Calls per request count
    only the families who asked for a call."""
    with app.app_context():
        built = report_requests.build()
        written = submit(
            NewRequest(
                submission_key="w" * 32,
                language="sv",
                call_language="sv",
                phone="",
                topics=["moving"],
            ),
            now=report_requests.utc(2026, 1, 12, 9),
        )
        written.contact_method = "status_page"
        db.session.commit()
        monkeypatch.setattr(changes, "now_utc", lambda: report_requests.utc(2026, 1, 14, 10))
        changes.message_family(written, built.worker, written.version, "Hej!")
        report = figures.build(
            Period(report_requests.START, report_requests.END), report_requests.TODAY
        )
    assert report.first_contact_by_month[JAN] == FirstContact(
        received=2, due=2, on_time=1, reached=1
    )
    assert report.workdays_to_contact == {2: 2, 3: 1, 5: 1}
    assert report.by_contact_method == {"phone": 5, "status_page": 1}
    assert report.calls_per_request == {"0": 1, "1": 2, "2": 1, "3+": 1}
    assert report.calls_average == 1.4
