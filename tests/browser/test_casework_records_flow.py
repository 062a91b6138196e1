"""A supervisor uses the data-rights tools in real Chromium, in both staff languages: filters
the audit log, looks up who has handled a request, downloads the CSV and the JSON export."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from pyydaapua import audit
from pyydaapua.casework import changes
from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import HelpRequest, Service, StaffUser
from pyydaapua.rules.references import format_reference
from pyydaapua.tools import demo
from tests.helpers.browser import assert_no_axe_violations, sign_in_by_keyboard, tab_to
from tests.helpers.staff import make_staff

# Signing in lands on the inbox, which may list the request (an audited read: request_listed),
# depending on the other requests in the shared database; such rows are left out of the counts.
NOT_LISTED = ':not([data-action="request_listed"])'


@pytest.fixture
def handled(live_server: Any) -> dict[str, Any]:
    """A request a counsellor of its own has opened and worked (the live server's database
    is shared by the browser tests, so every name here is unique)."""
    app = live_server.app
    name = f"Anna {uuid.uuid4().hex[:6]}"
    counsellor_id, _ = make_staff(app, "counsellor", name=name)
    with app.app_context():
        demo.load_services()
        worker = db.session.get(StaffUser, counsellor_id)
        service = db.session.scalars(select(Service).order_by(Service.id)).first()
        req = submit(
            NewRequest(
                submission_key=uuid.uuid4().hex,
                language="fi",
                call_language="fi",
                phone="+358401234567",
                description="Tarvitsemme tukea arkeen",
            ),
            now=datetime.now(UTC) - timedelta(hours=2),  # sent before the call below
        )
        audit.record("request_viewed", user_id=worker.id, request_id=req.id, client_address="")
        changes.assign(req, worker, req.version, worker)
        called_at = datetime.now(UTC) - timedelta(hours=1)
        call = changes.CallData(called_at, "reached", notes="Puhuttiin pitkään")
        changes.record_call(req, worker, req.version, call)
        audit.record("request_call", user_id=worker.id, request_id=req.id, client_address="")
        changes.refer(req, worker, req.version, service, "suggested", "Soita itse")
        return {
            "id": req.id,
            "reference": req.reference,
            "shown": format_reference(req.reference),
            "name": name,
            "counsellor_id": counsellor_id,
        }


def unknown_reference(live_server: Any) -> str:
    with live_server.app.app_context():
        taken = set(db.session.scalars(select(HelpRequest.reference)))
    for candidate in ("ACDEFHJK", "KJHFEDCA", "MNPRTVWX", "XWVTRPNM"):
        if candidate not in taken:
            return format_reference(candidate)
    raise AssertionError("no free reference")


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_supervisor_checks_who_has_handled_a_request(
    context_factory: Any, live_server: Any, handled: dict[str, Any], lang: str
) -> None:
    page = context_factory(viewport={"width": 1280, "height": 900}).new_page()
    _, email = make_staff(live_server.app, "supervisor", lang)
    sign_in_by_keyboard(page, live_server, email, lang)
    page.wait_for_url(f"{live_server.url}/staff/")
    assert page.locator("html").get_attribute("lang") == lang

    # The audit log, from the menu; filtered by the counsellor and by an action.
    page.locator('.staff-nav a[href="/staff/audit"]').click()
    page.wait_for_url(re.compile(r"/staff/audit$"))
    expect(page.locator('.staff-nav a[href="/staff/audit"]')).to_have_attribute(
        "aria-current", "page"
    )
    assert_no_axe_violations(page)
    page.locator("#user").select_option(label=handled["name"])
    page.locator("#action").select_option("request_call")
    page.locator("#audit-filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/audit\?.*action=request_call"))
    rows = page.locator(f"#audit-events tbody tr{NOT_LISTED}")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-action", "request_call")
    expect(rows.first).to_contain_text(handled["name"])
    expect(rows.first.locator("a")).to_have_text(handled["shown"])
    page.locator("#request").fill(handled["reference"].lower())
    page.locator("#action").select_option("")
    page.locator("#audit-filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/audit\?.*request="))
    expect(rows).to_have_count(2)
    assert_no_axe_violations(page)

    # Who has handled the request, from the menu; the reference typed in lower case.
    page.locator('.staff-nav a[href="/staff/access-log"]').click()
    page.wait_for_url(re.compile(r"/staff/access-log$"))
    page.locator("#reference").fill(handled["reference"].lower())
    page.locator("#access-log-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/access-log\?reference="))
    events = page.locator(f"#access-events tbody tr{NOT_LISTED}")
    expect(events).to_have_count(3)  # opened, recorded a call, and this very look-up
    expect(events.nth(0)).to_have_attribute("data-action", "request_viewed")
    expect(events.nth(1)).to_have_attribute("data-action", "request_call")
    expect(events.nth(0)).to_contain_text(handled["name"])
    expect(page.locator("[data-print]")).to_be_visible()  # app.js shows the print button
    assert_no_axe_violations(page)

    # The CSV, downloaded by the browser.
    with page.expect_download() as download_info:
        page.locator("#access-log-csv").click()
    download = download_info.value
    named = {"fi": "kuka-on-käsitellyt", "sv": "vem-har-hanterat"}[lang]
    assert download.suggested_filename == f"{named}_{handled['shown']}.csv"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert len(table[0]) == 5  # time, staff member, role, action, basis
    headers = page.locator("#access-events thead th").all_inner_texts()
    assert table[0] == [header.strip() for header in headers]  # the page's language
    assert [row[1] for row in table[1:3]] == [handled["name"], handled["name"]]
    assert table[1][3] == events.nth(0).locator("td").nth(3).inner_text().strip()
    assert table[1][4] == events.nth(0).locator("td").nth(4).inner_text().strip() != "–"
    assert re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4} \d{1,2}\.\d{2}", table[1][0])

    # The JSON export, downloaded too.
    with page.expect_download() as download_info:
        page.locator("#export-json-link").click()
    exported = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert exported["reference"] == handled["shown"]
    assert exported["request"]["description"] == "Tarvitsemme tukea arkeen"
    assert exported["calls"][0]["notes"] == "Puhuttiin pitkään"
    assert exported["referrals"][0]["note"] == "Soita itse"

    # Everything stored, as a page.
    page.locator("#export-page-link").click()
    page.wait_for_url(re.compile(rf"/staff/requests/{handled['id']}/export$"))
    expect(page.locator("h1")).to_contain_text(handled["shown"])
    expect(page.locator("#export-calls")).to_contain_text("Puhuttiin pitkään")
    assert_no_axe_violations(page)

    # An unknown reference: a clear message on the page.
    page.goto(f"{live_server.url}/staff/access-log")
    page.locator("#reference").fill(unknown_reference(live_server))
    page.locator("#access-log-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/access-log\?reference="))
    expect(page.locator("#not-found")).to_be_visible()
    assert_no_axe_violations(page)

    # A malformed one: the error summary, and the typed value kept.
    page.locator("#reference").fill("abc")
    page.locator("#access-log-form button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#reference")).to_have_value("abc")
    assert_no_axe_violations(page)


def test_supervisor_on_a_phone_sees_the_audit_log(
    page: Any, live_server: Any, handled: dict[str, Any]
) -> None:
    _, email = make_staff(live_server.app, "supervisor", "sv")
    sign_in_by_keyboard(page, live_server, email, "sv")
    page.wait_for_url(f"{live_server.url}/staff/")
    page.goto(f"{live_server.url}/staff/audit?request={handled['shown']}&from=1.1.2020")
    expect(page.locator(f"#audit-events tbody tr{NOT_LISTED}")).to_have_count(2)
    expect(page.locator("#from")).to_have_value("1.1.2020")
    assert_no_axe_violations(page)


def test_supervisor_uses_the_data_rights_pages_by_keyboard_only(
    page: Any, live_server: Any, handled: dict[str, Any]
) -> None:
    _, email = make_staff(live_server.app, "supervisor", "fi")
    sign_in_by_keyboard(page, live_server, email, "fi")
    page.wait_for_url(f"{live_server.url}/staff/")

    tab_to(page, '.staff-nav a[href="/staff/access-log"]')
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff/access-log$"))
    tab_to(page, "#reference")
    page.keyboard.type(handled["reference"].lower())
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff/access-log\?reference="))
    expect(page.locator("#access-events tbody tr").first).to_have_attribute(
        "data-action", "request_viewed"
    )

    tab_to(page, "#export-page-link")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/staff/requests/{handled['id']}/export$"))
    expect(page.locator("#export-calls")).to_contain_text("Puhuttiin pitkään")

    tab_to(page, '.staff-nav a[href="/staff/audit"]')
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff/audit$"))
    tab_to(page, "#request")
    page.keyboard.type(handled["shown"])
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff/audit\?.*request="))
    rows = page.locator(f"#audit-events tbody tr{NOT_LISTED}")
    # Opened and a call (by the counsellor), then this look-up and this export, newest first.
    expect(rows).to_have_count(4)
    expect(rows.first).to_have_attribute("data-action", "request_exported")
    expect(rows.nth(1)).to_have_attribute("data-action", "access_log_viewed")
