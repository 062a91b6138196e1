"""A search's counts stop at a cap ("more than 1 000 – narrow the search"), with the exact
number one click away; pages go on while rows remain; counts without a search stay exact.
The cap is lowered here (``queries.COUNT_CAP``) so that a few requests pass it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select

from pyydaapua.casework import changes
from pyydaapua.database import db
from pyydaapua.inbox import queries
from pyydaapua.models import HelpRequest, StaffUser
from tests.helpers.app import count_queries
from tests.web.test_inbox import add_requests, rows

CAP = 3
COUNT = re.compile(r'<p id="inbox-count" class="inbox-count" role="status">(.*?)</p>', re.S)
OPTION = re.compile(r'<option value="(\w+)"[^>]*>[^<]*\(([^)]*)\)</option>')
NBSP = "\u00a0"


@pytest.fixture
def cap(monkeypatch) -> int:
    monkeypatch.setattr(queries, "COUNT_CAP", CAP)
    return CAP


def count_text(html: str) -> str:
    return COUNT.search(html).group(1).strip()


def status_counts(html: str) -> dict[str, str]:
    """The count beside each status in the filter's list: "11", "yli 3" …"""
    return dict(OPTION.findall(re.search(r'<select[^>]* id="status".*?</select>', html, re.S)[0]))


def exact_link(html: str) -> str:
    return re.search(r'id="inbox-exact-count" href="([^"]+)"', html).group(1).replace("&amp;", "&")


def test_a_search_past_the_cap_says_more_than_and_asks_to_narrow_it(app, staff_client, cap) -> None:
    add_requests(app, 11, datetime.now(UTC))  # every one of them says "kuvaus"
    html = staff_client("counsellor").get("/staff/?status=all&q=kuvaus").get_data(as_text=True)
    count = count_text(html)
    assert count.startswith("Yli 3 yhteydenottopyyntöä – rajaa hakua.")
    assert ">Näytä tarkka määrä</a>" in count
    assert exact_link(html) == "/staff/?status=all&q=kuvaus&exact=1"
    # Each status is counted up to the cap: the open ones (11, all "new") and all of them are
    # past it, the others exact.
    assert status_counts(html) == {
        "open": "yli 3",
        "new": "yli 3",
        "in_progress": "0",
        "waiting": "0",
        "closed": "0",
        "all": "yli 3",
    }
    assert rows(html) == 11


def test_in_swedish(app, staff_client, cap) -> None:
    add_requests(app, 11, datetime.now(UTC))
    client = staff_client("counsellor", "sv")
    html = client.get("/staff/?status=all&q=kuvaus").get_data(as_text=True)
    count = count_text(html)
    assert count.startswith("Fler än 3 kontaktbegäranden – avgränsa sökningen.")
    assert ">Visa det exakta antalet</a>" in count
    assert status_counts(html)["all"] == "fler än 3"
    exact = client.get(exact_link(html)).get_data(as_text=True)
    assert count_text(exact) == "11 kontaktbegäranden"


def test_the_exact_number_is_one_click_away(app, staff_client, cap) -> None:
    add_requests(app, 11, datetime.now(UTC))
    client = staff_client("counsellor")
    html = client.get("/staff/?status=all&q=kuvaus").get_data(as_text=True)
    exact = client.get(exact_link(html)).get_data(as_text=True)
    assert count_text(exact) == "11 yhteydenottopyyntöä"
    assert "inbox-exact-count" not in exact
    assert status_counts(exact)["all"] == "11" and status_counts(exact)["new"] == "11"
    assert rows(exact) == 11
    # The exact count follows the view's links (its pages, its requests), not a new search.
    assert re.search(r'href="/staff/requests/\d+\?status=all&amp;q=kuvaus&amp;exact=1"', exact)
    assert 'name="exact"' not in exact


def test_the_live_region_reads_the_capped_count_after_a_search(app, staff_client, cap) -> None:
    """With htmx the count's live region is filled out of band: a sentence, then the link."""
    add_requests(app, 11, datetime.now(UTC))
    html = (
        staff_client("counsellor")
        .get("/staff/?status=all&q=kuvaus", headers={"HX-Request": "true"})
        .get_data(as_text=True)
    )
    region = re.search(
        r'<span data-hx-swap-oob="innerHTML:#inbox-count">(.*?)</span>', html, re.S
    ).group(1)
    text = re.sub(r"<[^>]+>", "", region)
    assert " ".join(text.split()) == "Yli 3 yhteydenottopyyntöä – rajaa hakua. Näytä tarkka määrä"


def test_a_search_within_the_cap_is_counted_exactly(app, staff_client, cap) -> None:
    add_requests(app, 11, datetime.now(UTC))
    html = staff_client("counsellor").get("/staff/?q=numero1").get_data(as_text=True)
    assert count_text(html) == "2 yhteydenottopyyntöä"  # numero1, numero10
    assert "inbox-exact-count" not in html and "yli" not in str(status_counts(html))


def test_without_a_search_the_counts_are_exact(app, staff_client, cap) -> None:
    add_requests(app, 11, datetime.now(UTC))
    client = staff_client("counsellor")
    for address in ("/staff/", "/staff/?status=all", "/staff/?status=all&topic=finances"):
        html = client.get(address).get_data(as_text=True)
        assert "Yli" not in count_text(html), address
        assert "inbox-exact-count" not in html and "yli" not in str(status_counts(html))
    html = client.get("/staff/?status=all").get_data(as_text=True)
    assert count_text(html) == "11 yhteydenottopyyntöä"
    assert status_counts(html)["all"] == "11"
    # ``exact`` means nothing without a search: the address is the plain view's.
    assert queries.Filters.from_args({"exact": "1"}) == queries.Filters()
    assert queries.Filters.from_args({"exact": "1", "q": "\x07"}).exact is False


def test_pages_go_on_while_rows_remain_when_the_count_is_capped(app, staff_client, cap) -> None:
    add_requests(app, 55, datetime.now(UTC))
    client = staff_client("counsellor")
    first = client.get("/staff/?status=all&q=kuvaus").get_data(as_text=True)
    assert rows(first) == 50
    assert '<li aria-current="page">Sivu 1</li>' in first
    assert 'href="/staff/?status=all&amp;q=kuvaus&amp;page=2" rel="next"' in first
    second = client.get("/staff/?status=all&q=kuvaus&page=2").get_data(as_text=True)
    assert rows(second) == 5
    assert '<li aria-current="page">Sivu 2</li>' in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    # A page past the rows shows none, and the way back.
    past = client.get("/staff/?status=all&q=kuvaus&page=9").get_data(as_text=True)
    assert rows(past) == 0 and '<li aria-current="page">Sivu 9</li>' in past
    assert 'href="/staff/?status=all&amp;q=kuvaus&amp;page=8" rel="prev"' in past
    # With the exact number the pages are counted again, and a page past them is the last.
    exact = client.get("/staff/?status=all&q=kuvaus&exact=1&page=9").get_data(as_text=True)
    assert rows(exact) == 5 and '<li aria-current="page">Sivu 2 / 2</li>' in exact
    assert count_text(exact) == "55 yhteydenottopyyntöä"


def test_a_search_found_elsewhere_past_the_cap(app, staff_client, monkeypatch) -> None:
    """Nothing in this view, more than the cap among all requests: "more than", and the link."""
    monkeypatch.setattr(queries, "COUNT_CAP", 1)
    client = staff_client("counsellor")
    ids = add_requests(app, 11, datetime.now(UTC))
    with app.app_context():
        me = db.session.scalars(select(StaffUser)).first()
        for request_id in (ids[1], ids[10]):  # Nimi1 and Nimi10
            stored = db.session.get(HelpRequest, request_id)
            changes.change_status(stored, me, stored.version, "closed", "not_reached")
    html = client.get("/staff/?q=Nimi1").get_data(as_text=True)
    found = re.search(r'<p id="found-elsewhere">(.*?)</p>', html, re.S).group(1)
    assert "Kaikista yhteydenottopyynnöistä hakua vastaa yli 1:" in found
    assert 'href="/staff/?status=all&amp;q=Nimi1"' in found
    exact = client.get("/staff/?q=Nimi1&exact=1").get_data(as_text=True)
    found = re.search(r'<p id="found-elsewhere">(.*?)</p>', exact, re.S).group(1)
    assert "hakua vastaa 2:" in found
    assert 'href="/staff/?status=all&amp;q=Nimi1&amp;exact=1"' in found


def test_a_capped_search_runs_no_more_statements(app, staff_client, cap) -> None:
    client = staff_client("counsellor")
    add_requests(app, 11, datetime.now(UTC), worked=True)
    capped, statements = count_queries(app, lambda: client.get("/staff/?status=all&q=kuvaus"))
    assert "Yli 3" in capped.get_data(as_text=True)
    assert len(statements) <= 8, statements
    exact, statements = count_queries(
        app, lambda: client.get("/staff/?status=all&q=kuvaus&exact=1")
    )
    assert "11 yhteydenottopyyntöä" in exact.get_data(as_text=True)
    assert len(statements) <= 8, statements


@pytest.mark.parametrize(
    ("language", "capped", "exact"),
    [
        (
            "fi",
            f"Yli 1{NBSP}000 yhteydenottopyyntöä – rajaa hakua.",
            f"23{NBSP}456 yhteydenottopyyntöä",
        ),
        (
            "sv",
            f"Fler än 1{NBSP}000 kontaktbegäranden – avgränsa sökningen.",
            f"23{NBSP}456 kontaktbegäranden",
        ),
    ],
)
def test_the_cap_and_large_counts_read_as_numbers_of_the_language(
    app, language, capped, exact
) -> None:
    """At the real cap: the number as written in Finnish and Swedish (Babel)."""
    filters = queries.Filters(q="apua", status="all")
    shown = dict.fromkeys(("open", "new", "in_progress", "waiting", "closed", "all"), 1001)
    over = queries.Counts(shown, 1001, 0, frozenset(shown), 1000, True)
    counted = queries.Counts({**shown, "all": 23456}, 23456, 0)
    with app.test_request_context(f"/{language}/"), force_locale(language):
        text = render_template("inbox/_inbox_count.html", counts=over, filters=filters)
        assert text.startswith(capped), text
        text = render_template("inbox/_inbox_count.html", counts=counted, filters=filters)
        assert text == exact
