"""The arithmetic of the reports: periods and months, first contact within three working days,
the nearest-rank percentile. The SQL that fills them is in pyydaapua/reporting/figures.py."""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass, field
from datetime import date

Month = tuple[int, int]  # (year, month)


CALL_BUCKETS = ("0", "1", "2", "3+")

# The distribution of working days to the first contact has a row for every day from 0 up to
# this; later first contacts share one last row.
WORKDAY_ROWS = 10


def first_contact_state(reached: bool, due_date: date, today: date) -> str:
    """Where one request stands on ``today`` (in Helsinki): "reached"; "never_reached" when it
    has not been reached although its due date has passed; "not_yet_due" while it is still
    inside its three working days (up to and including the due date).

    figures.py counts the same in SQL; tests/unit/test_reporting.py checks that the two agree.
    """
    if reached:
        return "reached"
    return "never_reached" if due_date < today else "not_yet_due"


@dataclass(frozen=True)
class Period:
    """Helsinki days from ``start`` to ``end``, both included."""

    start: date
    end: date

    @classmethod
    def last_twelve_months(cls, today: date) -> Period:
        """This month and the eleven before it, up to today."""
        months_back = today.year * 12 + today.month - 1 - 11
        return cls(date(months_back // 12, months_back % 12 + 1, 1), today)

    def months(self) -> list[Month]:
        """Every calendar month the period touches, in order (empty ones too)."""
        first = self.start.year * 12 + self.start.month - 1
        last = self.end.year * 12 + self.end.month - 1
        return [(index // 12, index % 12 + 1) for index in range(first, last + 1)]

    def partial(self, month: Month, today: date) -> tuple[date, date] | None:
        """The first and last day of ``month`` the report covers, when that is not the whole
        month: the period starts or ends inside it, or the month is not over on ``today`` (the
        last day shown is then today). None for a whole month that is over."""
        month_start = date(month[0], month[1], 1)
        month_end = date(month[0], month[1], calendar.monthrange(*month)[1])
        first = max(self.start, month_start)
        last = min(self.end, month_end, max(today, first))
        if first == month_start and last == month_end and month_end < today:
            return None
        return first, last


@dataclass
class FirstContact:
    """First contacts of the requests received in a month (or in the whole period).

    ``due`` counts the requests that should have been reached by now: those reached, and those
    whose due date has passed. The share on time is taken of those, so requests that are not
    yet due do not count against the team. The rest are not yet due: not reached, but still
    inside their three working days (see ``first_contact_state``).
    """

    received: int = 0
    due: int = 0
    on_time: int = 0
    reached: int = 0

    @property
    def never_reached(self) -> int:
        """Not reached although the due date has passed."""
        return self.due - self.reached

    @property
    def not_yet_due(self) -> int:
        """Not reached, still inside the three working days."""
        return self.received - self.due

    @property
    def share_on_time(self) -> float | None:
        return self.on_time / self.due if self.due else None

    def add(self, other: FirstContact) -> None:
        self.received += other.received
        self.due += other.due
        self.on_time += other.on_time
        self.reached += other.reached


@dataclass
class Backlog:
    open: int = 0
    unassigned: int = 0
    overdue: int = 0


@dataclass
class ServiceReferrals:
    service_id: int
    name_fi: str
    name_sv: str
    provider_type: str
    by_status: dict[str, int] = field(default_factory=dict)

    def name(self, language: str) -> str:
        return self.name_sv if language == "sv" else self.name_fi


# The referrals' consent key for those recorded before consent was asked (consent NULL).
NOT_RECORDED = ""


FIRST_CONTACT_TRIES = ("first_try", "more_tries")


@dataclass
class Report:
    period: Period
    today: date
    by_month: dict[Month, dict[str, int]]
    topics_by_month: dict[str, dict[Month, int]]
    first_contact_by_month: dict[Month, FirstContact]
    first_contact: FirstContact
    workdays_to_contact: dict[int, int]
    backlog: Backlog
    outcomes: dict[str, int]
    referrals_by_type: dict[str, dict[str, int]]
    referrals_by_service: list[ServiceReferrals]
    visits: dict[str, int]
    calls_per_request: dict[str, int]
    calls: int
    # How the families asked to be answered: by phone or on the status page.
    by_contact_method: dict[str, int] = field(default_factory=dict)
    # Referrals by the family's consent (CONSENTS, and NOT_RECORDED for those recorded before
    # consent was asked).
    referrals_by_consent: dict[str, int] = field(default_factory=dict)
    # Families reached by call (the first contact): at the first call ("first_try") or after
    # more than one ("more_tries"), from ``first_contact_attempts``.
    first_contact_tries: dict[str, int] = field(default_factory=dict)

    @property
    def months(self) -> list[Month]:
        return self.period.months()

    @property
    def received(self) -> int:
        return sum(sum(languages.values()) for languages in self.by_month.values())

    def topic_totals(self) -> dict[str, int]:
        return {topic: sum(months.values()) for topic, months in self.topics_by_month.items()}

    @property
    def contacts_measured(self) -> int:
        """The reached requests: what the median and the 90th percentile are taken over."""
        return sum(self.workdays_to_contact.values())

    def partial_months(self) -> dict[Month, tuple[date, date]]:
        """The months of the period that are not covered whole, with the days that are."""
        covered = {m: self.period.partial(m, self.today) for m in self.months}
        return {m: days for m, days in covered.items() if days is not None}

    def workday_rows(self) -> list[tuple[int, int]]:
        """(working days, requests) for every day from 0 to the latest first contact, the days
        without any too; first contacts after ``WORKDAY_ROWS`` days are counted in one last row
        under ``WORKDAY_ROWS + 1``."""
        if not self.workdays_to_contact:
            return []
        latest = max(self.workdays_to_contact)
        rows = [
            (d, self.workdays_to_contact.get(d, 0)) for d in range(min(latest, WORKDAY_ROWS) + 1)
        ]
        if latest > WORKDAY_ROWS:
            later = sum(n for d, n in self.workdays_to_contact.items() if d > WORKDAY_ROWS)
            rows.append((WORKDAY_ROWS + 1, later))
        return rows

    @property
    def median_workdays(self) -> int | None:
        return percentile(self.workdays_to_contact, 0.5)

    @property
    def p90_workdays(self) -> int | None:
        return percentile(self.workdays_to_contact, 0.9)

    @property
    def calls_average(self) -> float | None:
        # Over the families who asked for a call (``calls_per_request`` counts only them).
        asked = sum(self.calls_per_request.values())
        return self.calls / asked if asked else None


def percentile(histogram: dict[int, int], share: float) -> int | None:
    """The nearest-rank percentile of the values counted in ``histogram`` (value -> count):
    the smallest value with at least ``share`` of all the counts at or below it."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = max(1, math.ceil(share * total))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    raise AssertionError("unreachable")  # pragma: no cover
