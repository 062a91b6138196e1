"""The supervisor's reports: what families ask about, when, and whether they are reached in time.

Every number is about the requests *received* in a period (by their Helsinki submission day),
except the backlog, which is about today. The counting happens in SQL (a fixed number of
aggregate queries, whatever the amount of data); Python only arranges the grouped rows. Only
codes, dates and counts are read, never the family's own words, so the numbers stay the same
after the retention job has removed personal data.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, case, func, select

from pyydaapua.database import db
from pyydaapua.models import HelpRequest, HomeVisit, Referral, RequestTopic, Service
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


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _in_period(period: Period) -> ColumnElement[bool]:
    return HelpRequest.submitted_on.between(period.start, period.end)


_MONTH = HelpRequest.submitted_month


def _month(number: int) -> Month:
    return divmod(number, 100)


def build(period: Period, today: date) -> Report:
    """Every number of the report page, in a fixed number of queries."""
    in_period = _in_period(period)
    months = period.months()

    by_month: dict[Month, dict[str, int]] = {m: dict.fromkeys(LANGUAGES, 0) for m in months}
    first_by_month = {m: FirstContact() for m in months}
    reached = HelpRequest.first_contact_at.is_not(None)
    rows = db.session.execute(
        select(
            _MONTH,
            HelpRequest.call_language,
            func.count(),
            _count_if(reached | (HelpRequest.due_date < today)),
            _count_if(HelpRequest.first_contact_on_time.is_(True)),
            _count_if(reached),
        )
        .where(in_period)
        .group_by(_MONTH, HelpRequest.call_language)
    )
    for month, language, received, due, on_time, reached_count in rows:
        key = _month(month)
        by_month[key][language] = by_month[key].get(language, 0) + received
        first_by_month[key].add(FirstContact(received, int(due), int(on_time), int(reached_count)))
    overall = FirstContact()
    for row in first_by_month.values():
        overall.add(row)

    topics: dict[str, dict[Month, int]] = {t: dict.fromkeys(months, 0) for t in TOPICS}
    topic_rows = db.session.execute(
        select(_MONTH, RequestTopic.topic, func.count())
        .join(RequestTopic, RequestTopic.request_id == HelpRequest.id)
        .where(in_period)
        .group_by(_MONTH, RequestTopic.topic)
    )
    for month, topic, count in topic_rows:
        topics.setdefault(topic, dict.fromkeys(months, 0))[_month(month)] = count

    backlog_row = db.session.execute(
        select(
            func.count(),
            _count_if(HelpRequest.assigned_to_id.is_(None)),
            _count_if(HelpRequest.first_contact_at.is_(None) & (HelpRequest.due_date < today)),
        ).where(HelpRequest.status.in_(OPEN_STATUSES))
    ).one()

    by_type = {kind: dict.fromkeys(REFERRAL_STATUSES, 0) for kind in PROVIDER_TYPES}
    by_service: dict[int, ServiceReferrals] = {}
    # The family's consent on each referral ("" for those recorded before it was asked).
    by_consent = dict.fromkeys((*CONSENTS, NOT_RECORDED), 0)
    referral_rows = db.session.execute(
        select(
            Service.id,
            Service.name_fi,
            Service.name_sv,
            Service.provider_type,
            Referral.status,
            Referral.consent,
            func.count(),
        )
        .join(Referral, Referral.service_id == Service.id)
        .join(HelpRequest, HelpRequest.id == Referral.request_id)
        .where(in_period)
        .group_by(Service.id, Service.name_fi, Service.name_sv, Service.provider_type)
        .group_by(Referral.status, Referral.consent)
    )
    for service_id, name_fi, name_sv, kind, status, consent, count in referral_rows:
        by_type.setdefault(kind, dict.fromkeys(REFERRAL_STATUSES, 0))[status] += count
        entry = by_service.setdefault(
            service_id,
            ServiceReferrals(
                service_id, name_fi, name_sv, kind, dict.fromkeys(REFERRAL_STATUSES, 0)
            ),
        )
        entry.by_status[status] += count
        by_consent[consent or NOT_RECORDED] = by_consent.get(consent or NOT_RECORDED, 0) + count

    visits = dict.fromkeys(VISIT_STATUSES, 0)
    visits.update(
        db.session.execute(
            select(HomeVisit.status, func.count())
            .join(HelpRequest, HelpRequest.id == HomeVisit.request_id)
            .where(in_period)
            .group_by(HomeVisit.status)
        ).all()
    )

    # Working days to the first contact, closing outcomes and calls per request: one scan,
    # grouped by the three together (a few hundred groups at most), added up here.
    bucket = case(
        (HelpRequest.call_attempts >= 3, "3+"),
        else_=func.cast(HelpRequest.call_attempts, db.String),
    )
    workdays: dict[int, int] = {}
    outcomes = dict.fromkeys(OUTCOMES, 0)
    calls_per_request = dict.fromkeys(CALL_BUCKETS, 0)
    by_contact_method = dict.fromkeys(CONTACT_METHODS, 0)
    calls = 0
    # Families reached by call: at the first call, or after more than one.
    attempts = dict.fromkeys(FIRST_CONTACT_TRIES, 0)
    for days, outcome, label, method, count, total, first, more in db.session.execute(
        select(
            HelpRequest.first_contact_workdays,
            HelpRequest.outcome,  # only closed requests have one
            bucket,
            HelpRequest.contact_method,
            func.count(),
            func.sum(HelpRequest.call_attempts),
            _count_if(HelpRequest.first_contact_attempts == 1),
            _count_if(HelpRequest.first_contact_attempts > 1),
        )
        .where(in_period)
        .group_by(
            HelpRequest.first_contact_workdays,
            HelpRequest.outcome,
            bucket,
            HelpRequest.contact_method,
        )
    ):
        if days is not None:
            workdays[days] = workdays.get(days, 0) + count
        if outcome is not None:
            outcomes[outcome] = outcomes.get(outcome, 0) + count
        by_contact_method[method] = by_contact_method.get(method, 0) + count
        # Calls per request: of the families who asked for a call (the others are answered
        # by message, their first message being their first contact).
        if method == "phone":
            calls_per_request[label] += count
        calls += int(total or 0)
        attempts["first_try"] += int(first or 0)
        attempts["more_tries"] += int(more or 0)

    return Report(
        period=period,
        today=today,
        by_month=by_month,
        topics_by_month=topics,
        first_contact_by_month=first_by_month,
        first_contact=overall,
        first_contact_tries=attempts,
        workdays_to_contact=workdays,
        backlog=Backlog(*(int(value) for value in backlog_row)),
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
