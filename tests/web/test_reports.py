"""The reports page and its CSV downloads, over the hand-built requests."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from pyydaapua.models import AuditEvent
from pyydaapua.web.extensions import db
from tests import report_fixture as fx
from tests.conftest import count_queries, make_staff, sign_in

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
    "visits",
    "calls",
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
        fx.build()
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


@pytest.mark.parametrize("table", TABLES)
def test_every_csv_has_the_numbers_of_the_page(supervisor, table) -> None:
    page = page_tables(supervisor.get(f"/staff/reports?{PERIOD}").get_data(as_text=True))
    response = supervisor.get(f"/staff/reports.csv?table={table}&{PERIOD}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert f"{table}_2025-12-01_2026-01-31.csv" in response.headers["Content-Disposition"]
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
