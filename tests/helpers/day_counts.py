"""The reports' counts kept per submission day (``report_day_count``), and the same numbers
counted from the rows in Python, for the tests that compare them."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select

from pyydaapua.database import db
from pyydaapua.models import HelpRequest, HomeVisit, Referral, ReportDayCount, RequestTopic

Key = tuple[date, int, str, str]  # day, month, figure, code


def kept() -> Counter[Key]:
    """The kept counts, those at zero left out."""
    rows = db.session.execute(
        select(
            ReportDayCount.day,
            ReportDayCount.month,
            ReportDayCount.figure,
            ReportDayCount.code,
            ReportDayCount.total,
        )
    )
    return Counter(
        {(day, month, figure, code): total for day, month, figure, code, total in rows if total}
    )


def counted() -> Counter[Key]:
    """The same numbers counted from the rows, here in Python."""
    found: Counter[Key] = Counter()
    days = {}
    for r in db.session.scalars(select(HelpRequest)):
        day = (r.submitted_on, r.submitted_month)
        days[r.id] = day
        found[(*day, "received", r.call_language)] += 1
        found[(*day, "contact_method", r.contact_method)] += 1
        if r.first_contact_at is None:
            found[(*day, "unreached", r.due_date.isoformat())] += 1
        else:
            found[(*day, "reached", r.call_language)] += 1
        if r.first_contact_on_time:
            found[(*day, "on_time", r.call_language)] += 1
        if r.first_contact_workdays is not None:
            found[(*day, "workdays", str(r.first_contact_workdays))] += 1
        if r.outcome is not None:
            found[(*day, "outcome", r.outcome)] += 1
        if r.contact_method == "phone":
            found[(*day, "calls", "3+" if r.call_attempts >= 3 else str(r.call_attempts))] += 1
        found[(*day, "calls_made", "")] += r.call_attempts
        if r.first_contact_attempts:
            tries = "first_try" if r.first_contact_attempts == 1 else "more_tries"
            found[(*day, "reached_by_call", tries)] += 1
    # The parts of requests that exist (a part left without its request is not counted).
    for request_id, topic in db.session.execute(
        select(RequestTopic.request_id, RequestTopic.topic)
    ):
        if request_id in days:
            found[(*days[request_id], "topic", topic)] += 1
    for request_id, service_id, status, consent in db.session.execute(
        select(Referral.request_id, Referral.service_id, Referral.status, Referral.consent)
    ):
        if request_id in days:
            found[(*days[request_id], "referral", f"{service_id} {status} {consent or ''}")] += 1
    for request_id, status in db.session.execute(select(HomeVisit.request_id, HomeVisit.status)):
        if request_id in days:
            found[(*days[request_id], "visit", status)] += 1
    return +found  # without the zeros (calls_made of requests without calls)


def assert_kept_as_counted() -> None:
    db.session.expire_all()
    found, expected = kept(), counted()
    assert found == expected, {
        key: (found[key], expected[key])
        for key in set(found) | set(expected)
        if found[key] != expected[key]
    }
