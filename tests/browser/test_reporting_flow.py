"""The supervisor's reports in real Chromium: keyboard, axe-core, and a CSV download."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.helpers import report_requests
from tests.helpers.browser import assert_no_axe_violations, sign_in_by_keyboard, tab_to
from tests.helpers.staff import make_staff

REPORTS = {"fi": "Raportit", "sv": "Rapporter"}
DECEMBER = {"fi": "joulukuu 2025", "sv": "december 2025"}


@pytest.fixture(scope="module")
def report_data(live_server: Any) -> None:
    with live_server.app.app_context():
        report_requests.build()


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_supervisor_reads_the_report_by_keyboard_and_downloads_a_csv(
    page: Any, live_server: Any, report_data: None, lang: str, tmp_path: Path
) -> None:
    _, email = make_staff(live_server.app, "supervisor", lang)
    sign_in_by_keyboard(page, live_server, email, lang)
    page.wait_for_url(f"{live_server.url}/staff/")
    tab_to(page, f"nav.staff-nav a:text-is('{REPORTS[lang]}')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/staff/reports")
    expect(page.locator("#months svg, #months table")).not_to_have_count(0)
    assert_no_axe_violations(page)

    # A period that ends before it starts: the error, explained, with what was typed.
    tab_to(page, "#start")
    page.keyboard.press("Control+A")
    page.keyboard.type("1.2.2026")
    tab_to(page, "#end")
    page.keyboard.press("Control+A")
    page.keyboard.type("31.1.2026")
    page.keyboard.press("Enter")
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#start")).to_have_value("1.2.2026")
    assert page.title().startswith({"fi": "Virhe:", "sv": "Fel:"}[lang])
    assert_no_axe_violations(page)

    tab_to(page, "#start")
    page.keyboard.press("Control+A")
    page.keyboard.type("1.12.2025")
    page.keyboard.press("Enter")
    month_row = page.locator("#months tbody tr").first
    expect(month_row.locator("th")).to_have_text(DECEMBER[lang])
    assert_no_axe_violations(page)
    page_cells = month_row.locator("td").all_inner_texts()

    with page.expect_download() as download_info:
        page.locator("#months .download a").click()
    download = download_info.value
    named = {
        "fi": "pyynnöt-kuukausittain-ja-puhelun-kielen-mukaan",
        "sv": "begäranden-per-månad-och-samtalsspråk",
    }[lang]
    assert download.suggested_filename == f"{named}_2025-12-01_2026-01-31.csv"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][0] == DECEMBER[lang]
    assert rows[1][1:] == [cell.replace("\xa0", "").replace(" ", "") for cell in page_cells]


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_report_prints_without_the_menus_and_forms(
    page: Any, live_server: Any, report_data: None, lang: str
) -> None:
    _, email = make_staff(live_server.app, "supervisor", lang)
    sign_in_by_keyboard(page, live_server, email, lang)
    page.wait_for_url(f"{live_server.url}/staff/")
    page.goto(f"{live_server.url}/staff/reports?start=2025-12-01&end=2026-01-31")
    page.emulate_media(media="print")
    expect(page.locator("nav.staff-nav")).to_be_hidden()
    expect(page.locator("form.period-form")).to_be_hidden()
    expect(page.locator("#months .download")).to_be_hidden()
    expect(page.locator("#months table")).to_be_visible()
    expect(page.locator("figure.chart").first).to_be_visible()


PARTIAL_JANUARY = {"fi": "tammikuu 2026 (20.1. asti)", "sv": "januari 2026 (till 20.1.)"}
AXES = {
    "fi": ("Pyyntöjä", "Osuus ajoissa (%)", "Kuukausi"),
    "sv": ("Begäranden", "Andel i tid (%)", "Månad"),
}


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_supervisor_sees_partial_months_axis_names_and_a_working_contents_list(
    page: Any, live_server: Any, report_data: None, lang: str
) -> None:
    _, email = make_staff(live_server.app, "supervisor", lang)
    sign_in_by_keyboard(page, live_server, email, lang)
    page.wait_for_url(f"{live_server.url}/staff/")
    page.goto(f"{live_server.url}/staff/reports?start=2025-12-01&end=2026-01-20")

    # January is cut by the period: said in the table, and in words under each chart.
    expect(page.locator("#months tbody tr").nth(1).locator("th")).to_have_text(
        PARTIAL_JANUARY[lang]
    )
    for key in ("months", "first_contact"):
        chart = page.locator(f"#{key}-chart")
        expect(chart.locator(".chart-label").nth(1)).to_have_text(re.compile(r"\*$"))
        expect(chart.locator(".chart-note")).to_be_visible()
        expect(chart.locator(".chart-note")).to_contain_text(PARTIAL_JANUARY[lang])
    requests, share, month = AXES[lang]
    expect(page.locator("#months-chart .chart-y-title")).to_have_text(requests)
    expect(page.locator("#first_contact-chart .chart-y-title")).to_have_text(share)
    expect(page.locator("#months-chart .chart-x-title")).to_have_text(month)
    expect(page.locator("#months-chart .chart-y-title")).to_be_visible()
    assert_no_axe_violations(page)

    # Every chart and table is in the contents list, and each link lands on it.
    links = page.locator("nav.report-contents a")
    targets = [
        href.lstrip("#") for href in links.evaluate_all("as => as.map(a => a.getAttribute('href'))")
    ]
    shown = page.locator(".report-table, figure.chart").evaluate_all("els => els.map(e => e.id)")
    assert targets == shown
    assert len(targets) == 17  # 15 tables and 2 charts
    tab_to(page, "nav.report-contents a[href='#workdays']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#workdays$"))
    expect(page.locator("#workdays caption")).to_be_in_viewport()
    for target in targets:
        page.locator(f"nav.report-contents a[href='#{target}']").click()
        expect(page).to_have_url(re.compile(rf"#{target}$"))
        expect(page.locator(f"[id='{target}']")).to_be_in_viewport()
