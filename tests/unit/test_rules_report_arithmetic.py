"""The reports' arithmetic (pyydaapua/rules/report_arithmetic.py), without the database."""

from __future__ import annotations

from datetime import date

import pytest

from pyydaapua.rules.report_arithmetic import (
    WORKDAY_ROWS,
    Backlog,
    FirstContact,
    Period,
    Report,
    ServiceReferrals,
    first_contact_state,
    percentile,
)


@pytest.mark.parametrize(
    ("today", "start"),
    [(date(2026, 11, 23), date(2025, 12, 1)), (date(2026, 1, 5), date(2025, 2, 1))],
)
def test_the_default_period_is_the_last_twelve_months(today, start) -> None:
    period = Period.last_twelve_months(today)
    assert (period.start, period.end) == (start, today)
    assert len(period.months()) == 12


def test_percentile_is_nearest_rank() -> None:
    assert percentile({}, 0.5) is None
    assert percentile({1: 1}, 0.9) == 1
    assert percentile({0: 5, 1: 4, 7: 1}, 0.5) == 0
    assert percentile({0: 5, 1: 4, 7: 1}, 0.9) == 1
    assert percentile({0: 5, 1: 4, 7: 1}, 0.95) == 7


def test_the_months_of_a_period_cross_the_new_year() -> None:
    period = Period(date(2025, 11, 15), date(2026, 2, 3))
    assert period.months() == [(2025, 11), (2025, 12), (2026, 1), (2026, 2)]
    assert Period(date(2026, 12, 1), date(2026, 12, 31)).months() == [(2026, 12)]


def test_first_contact_shares_and_sums() -> None:
    first = FirstContact(received=10, due=8, on_time=6, reached=7)
    # Of the 8 due by now, 7 were reached: 1 never reached; 2 are not yet due.
    assert first.never_reached == 1
    assert first.not_yet_due == 2
    assert first.share_on_time == 0.75
    assert FirstContact().share_on_time is None
    first.add(FirstContact(received=1, due=2, on_time=3, reached=4))
    assert (first.received, first.due, first.on_time, first.reached) == (11, 10, 9, 11)


def test_a_service_is_named_in_the_language() -> None:
    service = ServiceReferrals(1, "Perheneuvola", "Familjerådgivningen", "city")
    assert service.name("fi") == "Perheneuvola"
    assert service.name("sv") == "Familjerådgivningen"


def _report(by_month: dict, calls: int, calls_per_request: dict | None = None) -> Report:
    return Report(
        period=Period(date(2026, 1, 1), date(2026, 2, 28)),
        today=date(2026, 3, 1),
        by_month=by_month,
        topics_by_month={"finances": {(2026, 1): 2, (2026, 2): 1}, "sleep": {}},
        first_contact_by_month={},
        first_contact=FirstContact(),
        workdays_to_contact={0: 2, 1: 2, 3: 1},
        backlog=Backlog(),
        outcomes={},
        referrals_by_type={},
        referrals_by_service=[],
        visits={},
        calls_per_request=calls_per_request or {},
        calls=calls,
    )


def test_the_report_totals() -> None:
    # Six received, five of them asked for a call (one is answered on the status page).
    report = _report(
        {(2026, 1): {"fi": 3, "sv": 1}, (2026, 2): {"fi": 2}},
        calls=12,
        calls_per_request={"0": 1, "1": 1, "2": 1, "3+": 2},
    )
    assert report.months == [(2026, 1), (2026, 2)]
    assert report.received == 6
    assert report.topic_totals() == {"finances": 3, "sleep": 0}
    assert report.calls_average == 2.4
    assert (report.median_workdays, report.p90_workdays) == (1, 3)
    assert _report({}, calls=0).calls_average is None


# "Today" in these tests: Monday 30 November 2026, in Helsinki.
TODAY = date(2026, 11, 30)


def test_a_request_inside_its_three_working_days_is_not_never_reached() -> None:
    # Sent on Friday 27.11., due Wednesday 2.12.: not reached, but not late either.
    assert first_contact_state(False, date(2026, 12, 2), TODAY) == "not_yet_due"
    # On its due date it still has the whole day.
    assert first_contact_state(False, TODAY, TODAY) == "not_yet_due"


def test_an_overdue_request_is_never_reached() -> None:
    # Due Friday 27.11., not reached by Monday 30.11.
    assert first_contact_state(False, date(2026, 11, 27), TODAY) == "never_reached"
    assert first_contact_state(False, date(2026, 11, 29), TODAY) == "never_reached"
    assert first_contact_state(True, date(2026, 11, 27), TODAY) == "reached"
    assert first_contact_state(True, date(2026, 12, 2), TODAY) == "reached"


def test_a_month_not_over_is_partial() -> None:
    period = Period.last_twelve_months(TODAY)  # 1.12.2025–30.11.2026
    # November is not over on its last day.
    assert period.partial((2026, 11), TODAY) == (date(2026, 11, 1), TODAY)
    assert period.partial((2026, 10), TODAY) is None
    assert period.partial((2025, 12), TODAY) is None
    # The next day November is over, and the new month has one day.
    tomorrow = date(2026, 12, 1)
    assert Period(date(2026, 11, 1), tomorrow).partial((2026, 11), tomorrow) is None
    assert Period(date(2026, 11, 1), tomorrow).partial((2026, 12), tomorrow) == (
        tomorrow,
        tomorrow,
    )


def test_a_month_cut_by_the_period_is_partial() -> None:
    period = Period(date(2026, 1, 15), date(2026, 3, 10))
    assert period.partial((2026, 1), TODAY) == (date(2026, 1, 15), date(2026, 1, 31))
    assert period.partial((2026, 2), TODAY) is None
    assert period.partial((2026, 3), TODAY) == (date(2026, 3, 1), date(2026, 3, 10))
    report = _report({}, calls=0)  # 1.1.–28.2.2026, today 1.3.2026
    assert report.partial_months() == {}
    late = Period(date(2026, 2, 2), date(2026, 2, 28))
    assert late.partial((2026, 2), date(2026, 3, 1)) == (date(2026, 2, 2), date(2026, 2, 28))


def test_the_median_is_taken_over_the_reached_requests() -> None:
    report = _report({}, calls=0)  # reached after 0, 0, 1, 1 and 3 working days
    assert report.contacts_measured == 5


def test_the_distribution_has_a_row_for_every_working_day() -> None:
    report = _report({}, calls=0)
    report.workdays_to_contact = {2: 1, 5: 1, 3: 1}
    assert report.workday_rows() == [(0, 0), (1, 0), (2, 1), (3, 1), (4, 0), (5, 1)]
    report.workdays_to_contact = {}
    assert report.workday_rows() == []
    # After WORKDAY_ROWS working days, the rest share one last row.
    report.workdays_to_contact = {0: 1, WORKDAY_ROWS: 2, WORKDAY_ROWS + 4: 3, 60: 1}
    rows = report.workday_rows()
    assert rows[0] == (0, 1)
    assert [days for days, _ in rows] == list(range(WORKDAY_ROWS + 2))
    assert rows[-2:] == [(WORKDAY_ROWS, 2), (WORKDAY_ROWS + 1, 4)]
    assert sum(count for _, count in rows) == report.contacts_measured == 7
