"""The report's tables, charts and key figures in the viewer's language.

One ``Table`` feeds both the page and its CSV download, so the two always show the same
numbers. Labels come from labels.py; numbers, percentages and months are formatted by Babel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from babel import numbers
from babel.lists import format_list
from flask_babel import format_date, format_decimal, get_locale, pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from pyydaapua.rules import charts
from pyydaapua.rules.codes import LANGUAGES
from pyydaapua.rules.report_arithmetic import (
    CALL_BUCKETS,
    WORKDAY_ROWS,
    FirstContact,
    Month,
    Report,
)
from pyydaapua.rules.status_flow import REFERRAL_STATUSES
from pyydaapua.web.labels import (
    CONSENT_SHORT_LABELS,
    OUTCOME_LABELS,
    PROVIDER_TYPE_LABELS,
    REFERRAL_STATUS_LABELS,
    TOPIC_LABELS,
    VISIT_STATUS_LABELS,
)

COUNT, PERCENT, DECIMAL, TEXT = "count", "percent", "decimal", "text"

# The months a report does not cover whole, with the days it covers (``partial_months()``).
Partial = dict[Month, tuple[date, date]]


# Each table's title, by its key (also how the audit log names a downloaded table).
TABLE_TITLES = {
    "summary": _l("Key figures"),
    "months": _l("Requests per month and call language"),
    "topics": _l("Topics by month"),
    "topic_totals": _l("Topics in the period"),
    "first_contact": _l("First contact within three working days"),
    "workdays": _l("Working days to first contact"),
    "backlog": _l("Backlog today"),
    "outcomes": _l("Closing outcomes"),
    "referrals_by_type": _l("Referrals by provider type"),
    "referrals_by_service": _l("Referrals by service"),
    "referrals_by_consent": _l("Referrals by the family's consent"),
    "visits": _l("Home visits"),
    "contact_methods": _l("How families asked to be answered"),
    "calls": _l("Calls per request of families who asked for a call"),
    "first_contact_tries": _l("Families reached by call: at the first call or after more"),
}


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = COUNT


@dataclass
class Table:
    """Rows of a label and values; ``total`` is an optional last row."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list[object]]
    total: list[object] | None = None
    shaded: bool = False  # shade each row's cells by their size, to show the seasons

    def all_rows(self) -> list[list[object]]:
        return self.rows + ([self.total] if self.total else [])

    def page_rows(self) -> list[tuple[object, list[tuple[str, str]]]]:
        """Each row as the page shows it: its label, and each value's text with the class of
        its cell (numbers right-aligned, the months of a shaded row shaded by their size)."""
        locale = str(get_locale())
        kinds = [column.kind for column in self.columns[1:]]
        classes = ["numeric" if kind != TEXT else "" for kind in kinds]
        shown = []
        for row in self.rows:
            shades = self.shades(row) if self.shaded else []
            cells = [
                (_page_text(value, kind, locale), css)
                for value, kind, css in zip(row[1:], kinds, classes, strict=True)
            ]
            for index, level in enumerate(shades[: len(cells) - 1]):
                cells[index] = (cells[index][0], f"{cells[index][1]} heat-{level}")
            shown.append((row[0], cells))
        return shown

    def page_total(self) -> list[str]:
        """The total row's values as the page shows them (its label aside)."""
        locale = str(get_locale())
        assert self.total is not None
        return [
            _page_text(value, column.kind, locale)
            for value, column in zip(self.total[1:], self.columns[1:], strict=True)
        ]

    def csv_rows(self) -> list[list[object]]:
        """The rows with each value as Excel in the viewer's locale reads it."""
        return [
            [csv_value(value, column.kind) for value, column in zip(row, self.columns, strict=True)]
            for row in self.all_rows()
        ]

    def shades(self, row: list[object]) -> list[int]:
        """0–4 for each month of ``row`` (not its label or total): where the value lies between
        the row's smallest and largest."""
        values = [v for v in row[1:-1] if isinstance(v, int)]
        low, high = min(values, default=0), max(values, default=0)
        if high == low:
            return [0] * len(row[1:-1])
        return [round((v - low) / (high - low) * 4) for v in row[1:-1]]  # type: ignore[operator]


def csv_value(value: object, kind: str) -> object:
    if value is None:
        return None
    if kind == PERCENT:
        return format_decimal(round(float(value) * 100, 1), format="0.0")  # type: ignore[arg-type]
    if kind == DECIMAL and not isinstance(value, int):
        return format_decimal(value, format="0.0#")
    return value if kind in (COUNT, DECIMAL) else str(value)


def page_value(value: object, kind: str) -> str:
    """A value as the page shows it, in the viewer's language."""
    return _page_text(value, kind, str(get_locale()))


# A report page shows a thousand numbers, most of them small and repeated: each is formatted
# once per language and process. ``typed``: 1 (a count) and 1.0 (an average) read differently.
@lru_cache(maxsize=8192, typed=True)
def _page_text(value: object, kind: str, locale: str) -> str:
    if value is None:
        return "–"
    if kind == PERCENT:
        return numbers.format_percent(value, format="#,##0.0 %", locale=locale)  # type: ignore[arg-type]
    if kind == DECIMAL and not isinstance(value, int):
        return numbers.format_decimal(value, format="#,##0.0#", locale=locale)  # type: ignore[arg-type]
    if kind in (COUNT, DECIMAL):
        return numbers.format_decimal(value, locale=locale)  # type: ignore[arg-type]
    return str(value)


def month_name(month: Month, form: str = "LLLL yyyy") -> str:
    """ "marraskuu 2026" / "november 2026" (or the short form "marrask. 2026")."""
    return format_date(date(month[0], month[1], 1), format=form)


def _day(day: date) -> str:
    return format_date(day, format="d.M.")


def month_label(partial: Partial, month: Month, form: str = "LLLL yyyy") -> str:
    """The month's name, with the days covered when the report does not cover it whole
    (``partial``: the report's ``partial_months()``): "marraskuu 2026 (30.11. asti)" /
    "november 2026 (till 30.11.)"."""
    name = month_name(month, form)
    days = partial.get(month)
    if days is None:
        return name
    first, last = days
    if first.day == 1:
        return _("%(month)s (to %(day)s)", month=name, day=_day(last))
    if last.month != (last + timedelta(days=1)).month:
        return _("%(month)s (from %(day)s)", month=name, day=_day(first))
    return _("%(month)s (%(first)s–%(last)s)", month=name, first=_day(first), last=_day(last))


def partial_note(partial: Partial) -> str | None:
    """The explanation of the months marked with an asterisk in the charts."""
    if not partial:
        return None
    return _(
        "* The month is not over or the period covers only part of it: %(months)s.",
        months=format_list([month_label(partial, m) for m in partial], locale=get_locale()),
    )


def language_name(code: str) -> str:
    return get_locale().languages.get(code, code)


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _first_contact_row(label: str, row: FirstContact) -> list[object]:
    return [
        label,
        row.received,
        row.due,
        row.on_time,
        row.share_on_time,
        row.never_reached,
        row.not_yet_due,
    ]


def _workday_label(days: int) -> str:
    return _("%(days)s or more", days=days) if days > WORKDAY_ROWS else str(days)


def _counts(
    key: str, title: str, heading: str, unit: str, counts: dict, labels: dict, total: bool = True
) -> Table:
    rows: list[list[object]] = [[str(labels[code]), count] for code, count in counts.items()]
    last = [_("Total"), sum(counts.values())] if total else None
    return Table(key, title, [Column(heading, TEXT), Column(unit)], rows, last)


def build_tables(report: Report) -> dict[str, Table]:
    """Every table of the report, by the key its CSV download uses."""
    months = report.months
    partial = report.partial_months()
    labels = [month_label(partial, m) for m in months]
    measured = format_decimal(report.contacts_measured)
    languages = [language_name(code) for code in LANGUAGES]
    overall = report.first_contact.share_on_time
    status_columns = [Column(str(REFERRAL_STATUS_LABELS[s])) for s in REFERRAL_STATUSES]
    tables = [
        Table(
            "summary",
            str(TABLE_TITLES["summary"]),
            [Column(_("Figure"), TEXT), Column(_("Value"), DECIMAL)],
            [
                [_("Requests received"), report.received],
                [_("First contact within three working days (%)"), _percent(overall)],
                [
                    _(
                        "Median working days to first contact (reached families, n = %(count)s)",
                        count=measured,
                    ),
                    report.median_workdays,
                ],
                [
                    _(
                        "Working days to first contact, 90th percentile (reached families, "
                        "n = %(count)s)",
                        count=measured,
                    ),
                    report.p90_workdays,
                ],
                [_("Requests never reached"), report.first_contact.never_reached],
                [
                    _("Requests not reached yet, their due date not passed"),
                    report.first_contact.not_yet_due,
                ],
                [_("Calls per request"), report.calls_average],
            ],
        ),
        Table(
            "months",
            str(TABLE_TITLES["months"]),
            [Column(_("Month"), TEXT), *(Column(name) for name in languages), Column(_("Total"))],
            [
                [label, *report.by_month[m].values(), sum(report.by_month[m].values())]
                for label, m in zip(labels, months, strict=True)
            ],
            [
                _("Total"),
                *(sum(report.by_month[m][code] for m in months) for code in LANGUAGES),
                report.received,
            ],
        ),
        Table(
            "topics",
            str(TABLE_TITLES["topics"]),
            [
                Column(_("Topic"), TEXT),
                *(Column(month_label(partial, m, "LLL yyyy")) for m in months),
                Column(_("Total")),
            ],
            [
                [str(TOPIC_LABELS[topic]), *by_month.values(), sum(by_month.values())]
                for topic, by_month in report.topics_by_month.items()
            ],
            shaded=True,
        ),
        _counts(
            "topic_totals",
            str(TABLE_TITLES["topic_totals"]),
            _("Topic"),
            _("Requests"),
            dict(sorted(report.topic_totals().items(), key=lambda item: -item[1])),
            TOPIC_LABELS,
            total=False,  # a request can have several topics
        ),
        Table(
            "first_contact",
            str(TABLE_TITLES["first_contact"]),
            [
                Column(_("Month"), TEXT),
                Column(pgettext("column: how many requests", "Received")),
                Column(_("Due by now or reached")),
                Column(_("Reached on time")),
                Column(_("Share on time (%)"), PERCENT),
                Column(_("Never reached")),
                Column(_("Not yet due")),
            ],
            [
                _first_contact_row(label, report.first_contact_by_month[m])
                for label, m in zip(labels, months, strict=True)
            ],
            _first_contact_row(_("Total"), report.first_contact),
        ),
        Table(
            "workdays",
            str(TABLE_TITLES["workdays"]),
            [Column(_("Working days"), TEXT), Column(_("Requests"))],
            [[_workday_label(days), count] for days, count in report.workday_rows()],
            [_("Total"), report.contacts_measured],
        ),
        Table(
            "backlog",
            str(TABLE_TITLES["backlog"]),
            [Column(pgettext("column of row names", "Requests"), TEXT), Column(_("Number"))],
            [
                [_("Open"), report.backlog.open],
                [_("Open without an owner"), report.backlog.unassigned],
                [_("Overdue (not reached, due date passed)"), report.backlog.overdue],
            ],
        ),
        _counts(
            "outcomes",
            str(TABLE_TITLES["outcomes"]),
            _("Outcome"),
            _("Requests"),
            report.outcomes,
            OUTCOME_LABELS,
        ),
        Table(
            "referrals_by_type",
            str(TABLE_TITLES["referrals_by_type"]),
            [Column(_("Provider type"), TEXT), *status_columns, Column(_("Total"))],
            [
                [str(PROVIDER_TYPE_LABELS[kind]), *counts.values(), sum(counts.values())]
                for kind, counts in report.referrals_by_type.items()
            ],
            [
                _("Total"),
                *(sum(c[s] for c in report.referrals_by_type.values()) for s in REFERRAL_STATUSES),
                sum(sum(c.values()) for c in report.referrals_by_type.values()),
            ],
        ),
        Table(
            "referrals_by_service",
            str(TABLE_TITLES["referrals_by_service"]),
            [
                Column(_("Service"), TEXT),
                Column(_("Provider type"), TEXT),
                *status_columns,
                Column(_("Total")),
            ],
            [
                [
                    entry.name(str(get_locale())),
                    str(PROVIDER_TYPE_LABELS.get(entry.provider_type, entry.provider_type)),
                    *entry.by_status.values(),
                    sum(entry.by_status.values()),
                ]
                for entry in report.referrals_by_service
            ],
        ),
        _counts(
            "referrals_by_consent",
            str(TABLE_TITLES["referrals_by_consent"]),
            _("Consent"),
            pgettext("column: how many referrals", "Referrals"),
            report.referrals_by_consent,
            CONSENT_SHORT_LABELS,
        ),
        _counts(
            "visits",
            str(TABLE_TITLES["visits"]),
            _("Status"),
            _("Visits"),
            report.visits,
            VISIT_STATUS_LABELS,
        ),
        _counts(
            "contact_methods",
            str(TABLE_TITLES["contact_methods"]),
            _("Answer"),
            _("Requests"),
            report.by_contact_method,
            {"phone": _("A call"), "status_page": _("On the status page")},
        ),
        _counts(
            "calls",
            str(TABLE_TITLES["calls"]),
            _("Calls made"),
            _("Requests"),
            report.calls_per_request,
            {bucket: bucket for bucket in CALL_BUCKETS},
        ),
        _counts(
            "first_contact_tries",
            str(TABLE_TITLES["first_contact_tries"]),
            _("Reached"),
            _("Requests"),
            report.first_contact_tries,
            {
                "first_try": _("At the first call"),
                "more_tries": _("After more than one call"),
            },
        ),
    ]
    return {table.key: table for table in tables}


@dataclass
class Figure:
    """A chart with its text alternative and the key of the table beside it.

    ``y_unit`` and ``x_unit`` name the axes; ``note`` explains the months marked with an
    asterisk (those not covered whole)."""

    key: str
    title: str
    description: str
    chart: charts.BarChart
    y_unit: str
    x_unit: str
    legend: list[str] = field(default_factory=list)
    note: str | None = None

    @property
    def anchor(self) -> str:
        return f"{self.key}-chart"


def build_figures(report: Report, tables: dict[str, Table]) -> list[Figure]:
    months = report.months
    partial = report.partial_months()
    short = [month_name(m, "LLL") + ("*" if m in partial else "") for m in months]
    note = partial_note(partial)
    per_month = [sum(report.by_month[m].values()) for m in months]
    busiest = max(range(len(months)), key=per_month.__getitem__)
    quietest = min(range(len(months)), key=per_month.__getitem__)
    shares = [report.first_contact_by_month[m].share_on_time for m in months]
    overall = report.first_contact.share_on_time
    return [
        Figure(
            "months",
            tables["months"].title,
            _(
                "Bar chart. %(total)s requests from %(start)s to %(end)s. The most in "
                "%(busiest)s (%(most)s), the fewest in %(quietest)s (%(fewest)s). "
                "The numbers are in the table beside the chart.",
                total=format_decimal(report.received),
                start=format_date(report.period.start, "long"),
                end=format_date(report.period.end, "long"),
                busiest=month_label(partial, months[busiest]),
                most=format_decimal(per_month[busiest]),
                quietest=month_label(partial, months[quietest]),
                fewest=format_decimal(per_month[quietest]),
            ),
            charts.bar_chart(
                [
                    (label, list(report.by_month[m].values()))
                    for label, m in zip(short, months, strict=True)
                ]
            ),
            y_unit=_("Requests"),
            x_unit=_("Month"),
            legend=[language_name(code) for code in LANGUAGES],
            note=note,
        ),
        Figure(
            "first_contact",
            tables["first_contact"].title,
            _(
                "Bar chart of the share of families reached within three working days, by "
                "month, on a scale of 0 to 100 %%. Over the whole period: %(share)s. "
                "The numbers are in the table beside the chart.",
                share=page_value(overall, PERCENT),
            ),
            charts.bar_chart(
                [
                    (label, [None if share is None else share * 100])
                    for label, share in zip(short, shares, strict=True)
                ],
                top=100,
            ),
            y_unit=_("Share on time (%)"),
            x_unit=_("Month"),
            note=note,
        ),
    ]


@dataclass
class Section:
    """A part of the report page: its heading (none for the key figures), explanations, and
    its charts and tables in order. The contents list is made of the same items, so every
    chart and table has an entry."""

    anchor: str | None
    title: str | None
    hints: list[str]
    items: list[Table | Figure]


def build_sections(tables: dict[str, Table], figures: list[Figure]) -> list[Section]:
    figure = {f.key: f for f in figures}
    return [
        Section(None, None, [], [tables["summary"]]),
        Section("months-section", _("Volumes"), [], [figure["months"], tables["months"]]),
        Section(
            "topics-section",
            _("What families ask about"),
            [
                _(
                    "The darker the cell, the more requests on that topic that month compared "
                    "with its other months. A request can have several topics."
                )
            ],
            [tables["topics"], tables["topic_totals"]],
        ),
        Section(
            "contact-section",
            _("Reaching families in time"),
            [
                _(
                    "A request counts once it has been reached or its due date has passed. "
                    "Working days are counted from the day the request arrived, without "
                    "weekends and public holidays."
                ),
                _(
                    "Never reached: not reached although the due date has passed. Not yet due: "
                    "not reached, but still within three working days. The median and the 90th "
                    "percentile of working days to the first contact are taken over the reached "
                    "families; the share on time also counts those never reached."
                ),
            ],
            [figure["first_contact"], tables["first_contact"], tables["workdays"]],
        ),
        Section(
            "work-section",
            _("Work and outcomes"),
            [],
            [
                tables[key]
                for key in (
                    "backlog",
                    "outcomes",
                    "referrals_by_type",
                    "referrals_by_service",
                    "referrals_by_consent",
                    "visits",
                    "contact_methods",
                    "calls",
                    "first_contact_tries",
                )
            ],
        ),
    ]
