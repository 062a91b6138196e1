"""The supervisor's reports: what families ask about, when, and whether they are reached in time.

Every number is about the requests *received* in a period (by their Helsinki submission day),
except the backlog, which is about today. The period's numbers are added up from the counts
kept per submission day (``ReportDayCount``, kept by database triggers, migration 0015): a
period of 18 months reads some tens of rows per day, not every request with its topics,
referrals and visits. The requests not reached are kept by their due date, so those not yet due
are told from those never reached by comparing it with today. The backlog is counted from the
kept counts per status (``RequestCount``) and the open requests' index. Python only arranges
the grouped rows. Only codes, dates and counts are read, never the family's own words, so the
numbers stay the same after the retention job has removed personal data.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, literal, select

from pyydaapua.database import db, written_in
from pyydaapua.models import HelpRequest, ReportDayCount, RequestCount, Service
from pyydaapua.rules.codes import CONSENTS, CONTACT_METHODS, LANGUAGES, TOPICS
from pyydaapua.rules.report_arithmetic import (
    CALL_BUCKETS,
    FIRST_CONTACT_TRIES,
    NOT_RECORDED,
    Backlog,
    FirstContact,
    Month,
    Period,
    Report,
    ServiceReferrals,
)
from pyydaapua.rules.status_flow import (
    OPEN_STATUSES,
    OUTCOMES,
    PROVIDER_TYPES,
    REFERRAL_STATUSES,
    VISIT_STATUSES,
)

# Written into the statement, so that the planner matches them with the open requests' partial
# index (ix_help_request_open_reached_due), whose first column is whether they were reached.
OPEN = HelpRequest.status.in_(written_in("open_statuses", OPEN_STATUSES))
_REACHED = HelpRequest.first_contact_at.is_not(None)


def _month(number: int) -> Month:
    return divmod(number, 100)


def day_counts(period: Period) -> dict[str, dict[tuple[Month, str], int]]:
    """The kept counts of the period's days added up by month: figure -> (month, code) -> n.
    Counts that came back to zero are left out, as counting the rows would not find them."""
    figures: dict[str, dict[tuple[Month, str], int]] = {}
    for month, figure, code, total in db.session.execute(
        select(
            ReportDayCount.month,
            ReportDayCount.figure,
            ReportDayCount.code,
            func.sum(ReportDayCount.total),
        )
        .where(ReportDayCount.day.between(period.start, period.end))
        .group_by(ReportDayCount.month, ReportDayCount.figure, ReportDayCount.code)
    ):
        if total:
            figures.setdefault(figure, {})[(_month(month), code)] = int(total)
    return figures


def _totals(counts: dict[tuple[Month, str], int]) -> dict[str, int]:
    """A figure's counts over the whole period, by code."""
    totals: dict[str, int] = {}
    for (_, code), count in counts.items():
        totals[code] = totals.get(code, 0) + count
    return totals


def _not_yet_due(counts: dict[tuple[Month, str], int], today: date) -> dict[Month, int]:
    """The requests not reached whose due date has not passed, by month, from the counts of
    those not reached by their due date: the only part of the first contacts that depends on
    today."""
    not_yet: dict[Month, int] = {}
    for (month, due_date), count in counts.items():
        if due_date >= today.isoformat():
            not_yet[month] = not_yet.get(month, 0) + count
    return not_yet


def _backlog(today: date) -> Backlog:
    """The open requests today: all and those without an owner from the kept counts per
    status and owner (``RequestCount``), the overdue ones (not reached, the due date passed)
    from the open requests' index."""
    kept = db.session.execute(
        select(RequestCount.assigned, func.sum(RequestCount.total))
        .where(RequestCount.status.in_(OPEN_STATUSES))
        .group_by(RequestCount.assigned)
    )
    by_owner = {bool(assigned): int(total) for assigned, total in kept}
    overdue = db.session.execute(
        select(func.count()).where(
            OPEN, literal(False, literal_execute=True) == _REACHED, HelpRequest.due_date < today
        )
    ).scalar_one()
    return Backlog(sum(by_owner.values()), by_owner.get(False, 0), overdue)


def build(period: Period, today: date) -> Report:
    """Every number of the report page in four queries: the period's days added up from the
    kept counts (``ReportDayCount``), the services' names, and the backlog of today."""
    months = period.months()
    counts = day_counts(period)

    by_month: dict[Month, dict[str, int]] = {m: dict.fromkeys(LANGUAGES, 0) for m in months}
    for (month, language), received in counts.get("received", {}).items():
        by_month[month][language] = by_month[month].get(language, 0) + received
    first_by_month = {m: FirstContact() for m in months}
    not_yet_due = _not_yet_due(counts.get("unreached", {}), today)
    reached_counts = counts.get("reached", {})
    on_time_counts = counts.get("on_time", {})
    for month in months:
        received = sum(by_month[month].values())
        reached = sum(n for (m, _), n in reached_counts.items() if m == month)
        on_time = sum(n for (m, _), n in on_time_counts.items() if m == month)
        # Due by now: reached, or not reached with the due date passed.
        due = received - not_yet_due.get(month, 0)
        first_by_month[month] = FirstContact(received, due, on_time, reached)
    overall = FirstContact()
    for row in first_by_month.values():
        overall.add(row)

    topics: dict[str, dict[Month, int]] = {t: dict.fromkeys(months, 0) for t in TOPICS}
    for (month, topic), count in counts.get("topic", {}).items():
        topics.setdefault(topic, dict.fromkeys(months, 0))[month] = count

    backlog = _backlog(today)

    by_type = {kind: dict.fromkeys(REFERRAL_STATUSES, 0) for kind in PROVIDER_TYPES}
    by_service: dict[int, ServiceReferrals] = {}
    # The family's consent on each referral ("" for those recorded before it was asked).
    by_consent = dict.fromkeys((*CONSENTS, NOT_RECORDED), 0)
    referrals = _totals(counts.get("referral", {}))
    services = {
        row.id: row
        for row in db.session.execute(
            select(Service.id, Service.name_fi, Service.name_sv, Service.provider_type)
        )
    }
    for code, count in referrals.items():
        # "<service id> <status> <consent>" (see migration 0015).
        service_id_text, status, consent = code.split(" ", 2)
        service = services.get(int(service_id_text))
        if service is None:  # a service removed from the catalogue: as a join would drop it
            continue
        kind = by_type.setdefault(service.provider_type, dict.fromkeys(REFERRAL_STATUSES, 0))
        kind[status] += count
        entry = by_service.setdefault(
            service.id,
            ServiceReferrals(
                service.id,
                service.name_fi,
                service.name_sv,
                service.provider_type,
                dict.fromkeys(REFERRAL_STATUSES, 0),
            ),
        )
        entry.by_status[status] += count
        by_consent[consent] = by_consent.get(consent, 0) + count

    visits = dict.fromkeys(VISIT_STATUSES, 0)
    visits.update(_totals(counts.get("visit", {})))

    workdays = {int(days): count for days, count in _totals(counts.get("workdays", {})).items()}
    outcomes = dict.fromkeys(OUTCOMES, 0)
    outcomes.update(_totals(counts.get("outcome", {})))
    by_contact_method = dict.fromkeys(CONTACT_METHODS, 0)
    by_contact_method.update(_totals(counts.get("contact_method", {})))
    # Calls per request: of the families who asked for a call (the others are answered by
    # message, their first message being their first contact).
    calls_per_request = dict.fromkeys(CALL_BUCKETS, 0)
    calls_per_request.update(_totals(counts.get("calls", {})))
    calls = sum(_totals(counts.get("calls_made", {})).values())
    # Families reached by call: at the first call, or after more than one.
    attempts = dict.fromkeys(FIRST_CONTACT_TRIES, 0)
    attempts.update(_totals(counts.get("reached_by_call", {})))

    return Report(
        period=period,
        today=today,
        by_month=by_month,
        topics_by_month=topics,
        first_contact_by_month=first_by_month,
        first_contact=overall,
        first_contact_tries=attempts,
        workdays_to_contact=workdays,
        backlog=backlog,
        outcomes=outcomes,
        referrals_by_type=by_type,
        referrals_by_service=sorted(
            by_service.values(), key=lambda s: (-sum(s.by_status.values()), s.name_fi)
        ),
        visits=visits,
        referrals_by_consent=by_consent,
        calls_per_request=calls_per_request,
        by_contact_method=by_contact_method,
        calls=calls,
    )
