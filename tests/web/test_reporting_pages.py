"""The reports page and its CSV downloads, over the hand-built requests."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from babel.dates import format_date
from sqlalchemy import select

from pyydaapua.database import db
from pyydaapua.models import AuditEvent
from pyydaapua.rules.workdays import helsinki_date
from tests.helpers import report_requests
from tests.helpers.app import count_queries
from tests.helpers.staff import make_staff, sign_in

PERIOD = "start=2025-12-01&end=2026-01-31"
TABLES = (
    "summary",
    "months",
    "topics",
    "topic_totals",
    "first_contact",
    "workdays",
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


class TableParser(HTMLParser):
    """The text of every cell of every table on a page, by the id of the table's wrapper."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current: str | None = None
        self.row: list[str] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "div" and "report-table" in (attributes.get("class") or ""):
            self.current = attributes["id"]
            self.tables[self.current] = []
        elif tag == "tr" and self.current:
            self.row = []
        elif tag in ("th", "td") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None and self.current:
            self.tables[self.current].append(self.row)
            self.row = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def page_tables(html: str) -> dict[str, list[list[str]]]:
    parser = TableParser()
    parser.feed(html)
    return parser.tables


def same_number(cell: str) -> str:
    """A page cell as the CSV writes it: no grouping spaces, no % sign, no dash for none."""
    if cell == "–":
        return ""
    number = cell.replace("\xa0", "").replace("\u202f", "").replace("%", "").replace(" ", "")
    return number if re.fullmatch(r"-?[0-9]+(,[0-9]+)?", number) else cell


def parse_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte order mark, for Excel
    text = body.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text), delimiter=";"))


@pytest.fixture
def supervisor(app, client):
    with app.app_context():
        report_requests.build()
    _, email = make_staff(app, "supervisor", "fi")
    sign_in(client, email)
    return client


def test_the_page_shows_the_period_numbers(supervisor) -> None:
    response = supervisor.get(f"/staff/reports?{PERIOD}")
    assert response.status_code == 200
    tables = page_tables(response.get_data(as_text=True))
    assert set(tables) == set(TABLES)
    assert tables["months"][1:] == [
        ["joulukuu 2025", "3", "1", "4"],
        ["tammikuu 2026", "1", "0", "1"],
        ["Yhteensä", "4", "1", "5"],
    ]
    first_contact = tables["first_contact"]
    assert first_contact[-1] == ["Yhteensä", "5", "5", "2", "40,0 %", "2", "0"]
    assert first_contact[1] == ["joulukuu 2025", "4", "4", "2", "50,0 %", "1", "0"]
    # The two referrals were recorded before consent was asked (tests/helpers/report_requests.py;
    # the counts by consent: tests/web/test_casework_disclosures.py).
    assert tables["referrals_by_consent"][1:] == [
        ["Suostumus annettu, tiedot välitetty", "0"],
        ["Perhe ottaa itse yhteyttä palveluun", "0"],
        ["Kieltäytyi, tietoja ei välitetty", "0"],
        ["Suostumusta ei kirjattu", "2"],
        ["Yhteensä", "2"],
    ]


@pytest.mark.parametrize("table", TABLES)
def test_every_csv_has_the_numbers_of_the_page(supervisor, table) -> None:
    page = page_tables(supervisor.get(f"/staff/reports?{PERIOD}").get_data(as_text=True))
    response = supervisor.get(f"/staff/reports.csv?table={table}&{PERIOD}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    # Named in the user's language, like the table's caption: never the English code.
    named = response.headers["Content-Disposition"]
    assert '_2025-12-01_2026-01-31.csv"' in named and f"{table}_" not in named
    rows = parse_csv(response.data)
    assert rows[0] == page[table][0]  # the same headers, in the user's language
    expected = [[row[0], *(same_number(cell) for cell in row[1:])] for row in page[table][1:]]
    assert rows[1:] == expected


@pytest.mark.parametrize(
    ("language", "headers"),
    [
        ("fi", ["Kuukausi", "suomi", "ruotsi", "Yhteensä"]),
        ("sv", ["Månad", "finska", "svenska", "Totalt"]),
    ],
)
def test_csv_headers_are_in_the_users_language(app, client, language, headers) -> None:
    _, email = make_staff(app, "supervisor", language)
    sign_in(client, email)
    rows = parse_csv(client.get(f"/staff/reports.csv?table=months&{PERIOD}").data)
    assert rows[0] == headers


def test_the_default_period_is_the_last_twelve_months(supervisor) -> None:
    html = supervisor.get("/staff/reports").get_data(as_text=True)
    assert 'id="start"' in html
    assert len(page_tables(html)["months"]) == 1 + 12 + 1  # headers, months, total


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=31.13.2025&end=2026-01-31", "Anna ensimmäinen päivä päivämääränä"),
        ("start=2026-02-01&end=2026-01-31", "Viimeisen päivän on oltava sama"),
        ("start=&end=2026-01-31", "Anna jakson ensimmäinen päivä."),
    ],
)
def test_a_bad_period_is_explained_and_kept(supervisor, query, message) -> None:
    response = supervisor.get(f"/staff/reports?{query}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "error-summary" in html
    assert message in html
    assert 'value="2026-01-31"' in html  # what was typed stays
    csv_response = supervisor.get(f"/staff/reports.csv?table=months&{query}")
    assert csv_response.status_code == 422


def test_an_unknown_table_is_not_found(supervisor) -> None:
    assert supervisor.get(f"/staff/reports.csv?table=people&{PERIOD}").status_code == 404


def test_reading_and_downloading_are_audited(app, supervisor) -> None:
    supervisor.get(f"/staff/reports?{PERIOD}")
    supervisor.get(f"/staff/reports.csv?table=visits&{PERIOD}")
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.target) for e in events[-2:]] == [
        ("reports_viewed", "2025-12-01..2026-01-31"),
        ("report_downloaded", "visits 2025-12-01..2026-01-31"),
    ]


def test_the_page_runs_a_fixed_number_of_queries(app, supervisor) -> None:
    _, short = count_queries(app, lambda: supervisor.get(f"/staff/reports?{PERIOD}"))
    longer = "/staff/reports?start=2024-01-01&end=2026-12-31"  # the longest period allowed
    _, long = count_queries(app, lambda: supervisor.get(longer))
    assert len(short) == len(long) <= 16


def test_charts_have_a_text_alternative(supervisor) -> None:
    html = supervisor.get(f"/staff/reports?{PERIOD}").get_data(as_text=True)
    assert html.count('role="img"') == 2
    description = re.search(r'<desc id="months-svg-desc">([^<]*)</desc>', html)
    assert description is not None
    assert "joulukuu 2025 (4)" in description.group(1)
    assert "tammikuu 2026 (1)" in description.group(1)


def test_topic_cells_are_shaded_within_their_own_row(supervisor) -> None:
    html = supervisor.get(f"/staff/reports?{PERIOD}").get_data(as_text=True)
    topics = html[html.index('id="topics"') : html.index('id="topic_totals"')]
    rows = re.findall(r"<tr>\s*<th scope=\"row\">([^<]*)</th>(.*?)</tr>", topics, re.S)
    shades = {label: re.findall(r"heat-(\d)", cells) for label, cells in rows}
    assert shades["Perheen talousasiat"] == ["4", "0"]  # finances: 2 in December, 1 in January
    assert shades["Muutto uudelle paikkakunnalle"] == ["0", "0"]  # moving: none either month


def _summary(tables: dict[str, list[list[str]]]) -> dict[str, str]:
    return {row[0]: row[1] for row in tables["summary"][1:]}


def test_never_reached_counts_only_requests_whose_due_date_has_passed(app, supervisor) -> None:
    """As of today in Helsinki: a request sent a month ago and never reached is never reached;
    one sent just now, inside its three working days, is not yet due."""
    now = datetime.now(UTC)
    today = helsinki_date(now)
    with app.app_context():
        report_requests._request("x", now - timedelta(days=30), ["finances"])
        report_requests._request("y", now, ["finances"])
    period = f"start={(today - timedelta(days=40)).isoformat()}&end={today.isoformat()}"
    html = supervisor.get(f"/staff/reports?{period}").get_data(as_text=True)
    tables = page_tables(html)
    headers = tables["first_contact"][0]
    assert headers[-2:] == ["Ei tavoitettu", "Määräpäivä ei vielä ohi"]
    # Received 2, due 1, on time 0, share 0 %, never reached 1, not yet due 1.
    assert tables["first_contact"][-1] == ["Yhteensä", "2", "1", "0", "0,0 %", "1", "1"]
    summary = _summary(tables)
    assert summary["Pyynnöt, joiden perhettä ei tavoitettu"] == "1"
    assert (
        summary["Pyynnöt, joiden perhettä ei vielä tavoitettu ja joiden määräpäivä ei ole ohi"]
        == "1"
    )
    # The CSV download counts the same way.
    rows = parse_csv(supervisor.get(f"/staff/reports.csv?table=first_contact&{period}").data)
    assert rows[-1] == ["Yhteensä", "2", "1", "0", "0,0", "1", "1"]
    # The month of today is not over: it says up to which day it is counted.
    month = format_date(today, "LLLL yyyy", locale="fi")
    assert tables["first_contact"][-2][0] == f"{month} ({today.day}.{today.month}. asti)"


def test_the_median_says_what_it_is_taken_over(supervisor) -> None:
    summary = page_tables(supervisor.get(f"/staff/reports?{PERIOD}").get_data(as_text=True))
    rows = list(summary["summary"][1:])
    labels = [row[0] for row in rows]
    median = labels.index("Arkipäiviä ensimmäiseen yhteyteen, mediaani (tavoitetut perheet, n = 3)")
    assert rows[median][1] == "3"
    p90 = "Arkipäiviä ensimmäiseen yhteyteen, 90. persentiili (tavoitetut perheet, n = 3)"
    assert rows[labels.index(p90)][1] == "5"
    # The share on time stays beside them.
    assert labels[median - 1] == "Ensimmäinen yhteys kolmen arkipäivän kuluessa (%)"


def test_the_distribution_has_a_row_for_every_working_day(supervisor) -> None:
    tables = page_tables(supervisor.get(f"/staff/reports?{PERIOD}").get_data(as_text=True))
    # Reached after 2, 3 and 5 working days: the days between are there, with 0.
    assert tables["workdays"][1:] == [
        ["0", "0"],
        ["1", "0"],
        ["2", "1"],
        ["3", "1"],
        ["4", "0"],
        ["5", "1"],
        ["Yhteensä", "3"],
    ]


def test_a_month_the_period_cuts_is_marked_in_tables_charts_and_csv(supervisor) -> None:
    period = "start=2025-12-01&end=2026-01-20"
    html = supervisor.get(f"/staff/reports?{period}").get_data(as_text=True)
    tables = page_tables(html)
    assert [row[0] for row in tables["months"][1:]] == [
        "joulukuu 2025",
        "tammikuu 2026 (20.1. asti)",
        "Yhteensä",
    ]
    assert [row[0] for row in tables["first_contact"][1:-1]] == [
        "joulukuu 2025",
        "tammikuu 2026 (20.1. asti)",
    ]
    assert tables["topics"][0][1:3] == ["joulu 2025", "tammi 2026 (20.1. asti)"]
    # The charts: an asterisk on the month, and the explanation in words under the chart.
    for key in ("months", "first_contact"):
        chart = html[
            html.index(f'id="{key}-chart"') : html.index(
                "</figure>", html.index(f'id="{key}-chart"')
            )
        ]
        labels = re.findall(r'class="chart-label">([^<]*)<', chart)
        assert labels == ["joulu", "tammi*"]
        note = re.search(r'<p class="chart-note">([^<]*)</p>', chart)
        assert note is not None
        assert note.group(1) == (
            "* Kuukausi on vielä kesken tai jakso kattaa siitä vain osan: "
            "tammikuu 2026 (20.1. asti)."
        )
    rows = parse_csv(supervisor.get(f"/staff/reports.csv?table=months&{period}").data)
    assert rows[2][0] == "tammikuu 2026 (20.1. asti)"
    # A whole month that is over has no mark.
    whole = supervisor.get(f"/staff/reports?{PERIOD}").get_data(as_text=True)
    assert 'class="chart-note"' not in whole
    assert "*<" not in whole


def test_the_chart_axes_are_named(supervisor) -> None:
    html = supervisor.get(f"/staff/reports?{PERIOD}").get_data(as_text=True)
    titles = re.findall(r'class="chart-axis-title chart-(y|x)-title">([^<]*)<', html)
    assert titles == [
        ("y", "Pyyntöjä"),
        ("x", "Kuukausi"),
        ("y", "Osuus ajoissa (%)"),
        ("x", "Kuukausi"),
    ]


def test_the_contents_list_names_every_table_and_chart(supervisor) -> None:
    html = supervisor.get(f"/staff/reports?{PERIOD}").get_data(as_text=True)
    nav = html[
        html.index('<nav class="report-contents') : html.index(
            "</nav>", html.index('<nav class="report-contents')
        )
    ]
    links = re.findall(r'<a href="#([^"]+)">([^<]*)</a>', nav)
    targets = [target for target, _ in links]
    assert set(targets) == set(TABLES) | {"months-chart", "first_contact-chart"}
    assert len(targets) == len(TABLES) + 2
    for target, text in links:
        assert html.count(f'id="{target}"') == 1  # the link lands on exactly one place
        assert text.strip()
    # Tables by their caption, charts by their title.
    captions = dict(
        re.findall(r'<div class="report-table" id="([^"]+)">.*?<caption[^>]*>([^<]*)<', html, re.S)
    )
    named = dict(links)
    for key in TABLES:
        assert named[key] == captions[key]
    assert named["months-chart"] == "Pyynnöt kuukausittain ja puhelun kielen mukaan (kaavio)"
