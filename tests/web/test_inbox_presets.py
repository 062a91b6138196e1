"""The inbox's views and order (not yet reached first), its rows, the count's live region, and
the same family asking again: full pages and htmx answers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from pyydaapua.audit import REQUEST_LISTED
from pyydaapua.casework import changes
from pyydaapua.database import db
from pyydaapua.inbox import queries
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import AuditEvent, HelpRequest, StaffUser
from pyydaapua.rules.workdays import helsinki_date
from tests.helpers.app import count_queries

NOW = datetime.now(UTC)
HX = {"HX-Request": "true"}


def add(app, key: str, days_ago: float, *, reached: bool = False, **fields) -> int:
    """One request sent ``days_ago`` days ago; ``reached`` records a call that reached them."""
    with app.app_context():
        values = {"phone": f"+35840{abs(hash(key)) % 10**7:07d}", **fields}
        stored = submit(
            NewRequest(submission_key=f"{key:x<32}", language="fi", call_language="fi", **values),
            now=NOW - timedelta(days=days_ago),
        )
        if reached:
            user = db.session.scalars(select(StaffUser)).first()
            changes.record_call(
                stored, user, stored.version, changes.CallData(NOW - timedelta(hours=1), "reached")
            )
        return stored.id


def shown(html: str) -> list[str]:
    """The references of the rows, in order."""
    return re.findall(r'reference-cell"><a href="[^"]+">([^<]+)<', html)


def reference(app, request_id: int) -> str:
    with app.app_context():
        code = db.session.get(HelpRequest, request_id).reference
    return f"{code[:4]}-{code[4:]}"


def test_requests_not_yet_reached_come_first_even_on_later_pages(app, staff_client) -> None:
    client = staff_client("counsellor")
    old_reached = add(app, "old-reached", 40, reached=True)  # the earliest due date
    reached = add(app, "reached", 20, reached=True)
    new = add(app, "new", 0)
    overdue = add(app, "overdue", 10)  # not reached, past its due date
    html = client.get("/staff/").get_data(as_text=True)
    expected = [overdue, new, old_reached, reached]
    assert shown(html) == [reference(app, rid) for rid in expected]
    # Paginated in SQL in the same order: page 1 holds the requests not yet reached.
    with app.app_context():
        today = helsinki_date(NOW)
        first = queries.requests_page(queries.Filters(), 0, today, 4, per_page=2)
        second = queries.requests_page(queries.Filters(page=2), 0, today, 4, per_page=2)
        assert [item.id for item in first.items] == [overdue, new]
        assert [item.id for item in second.items] == [old_reached, reached]


def views(html: str) -> dict[str, bool]:
    """The views' links: their text and whether each is the current one."""
    nav = re.search(r'<nav id="inbox-views".*?</nav>', html, re.S)
    assert nav, html
    return {
        text: "aria-current" in attrs
        for attrs, text in re.findall(r"<a ([^>]*)>([^<]+)</a>", nav.group(0))
    }


def test_named_views_are_links_with_the_current_one_marked(app, staff_client) -> None:
    client = staff_client("counsellor")
    with app.app_context():
        me = db.session.scalars(select(StaffUser).order_by(StaffUser.id.desc())).first()
    mine = add(app, "mine", 1)
    with app.app_context():
        stored = db.session.get(HelpRequest, mine)
        changes.assign(stored, me, stored.version, me)
    reached = add(app, "reached", 2, reached=True)
    unreached = add(app, "unreached", 3)
    html = client.get("/staff/").get_data(as_text=True)
    assert views(html) == {
        "Kaikki avoimet": True,
        "Tavoittamatta": False,
        "Uudet viestit perheiltä": False,
        "Omat": False,
        "Ilman käsittelijää": False,
    }
    assert 'href="/staff/?unreached=1"' in html and 'data-hx-get="/staff/?owner=mine"' in html
    page = client.get("/staff/?unreached=1").get_data(as_text=True)
    assert views(page)["Tavoittamatta"] and not views(page)["Kaikki avoimet"]
    assert set(shown(page)) == {reference(app, unreached), reference(app, mine)}
    assert 'id="unreached" name="unreached" value="1" checked' in page
    # The counts follow the view (counted over the filtered requests, not the kept counts).
    assert 'value="all">Kaikki (2)' in page
    page = client.get("/staff/?owner=mine").get_data(as_text=True)
    # The call that reached the family made its caller (the only counsellor) the owner.
    assert views(page)["Omat"] and shown(page) == [reference(app, mine), reference(app, reached)]
    page = client.get("/staff/?owner=unassigned").get_data(as_text=True)
    assert views(page)["Ilman käsittelijää"]
    assert shown(page) == [reference(app, unreached)]
    # Another filter on top of a view: no view is the current one.
    assert not any(
        views(client.get("/staff/?owner=mine&language=sv").get_data(as_text=True)).values()
    )


def test_a_views_link_with_htmx_swaps_the_results_and_updates_the_rest(app, staff_client) -> None:
    client = staff_client("counsellor")
    add(app, "one", 1)
    add(app, "two", 2, reached=True)
    html = client.get(
        "/staff/?unreached=1", headers={**HX, "HX-Trigger": "view-unreached"}
    ).get_data(as_text=True)
    assert html.startswith('<section id="inbox-results"') and "<html" not in html
    # The live region is filled out of band, never replaced itself.
    assert '<span data-hx-swap-oob="innerHTML:#inbox-count">1 yhteydenottopyyntö</span>' in html
    assert 'id="inbox-count"' not in html.replace('aria-labelledby="inbox-count"', "")
    assert views(html)["Tavoittamatta"]
    assert (
        '<nav id="inbox-views" class="inbox-views"' in html and 'data-hx-swap-oob="true">' in html
    )
    # A view's link brings the filters with it; the form itself does not replace itself.
    assert re.search(r'<form id="inbox-filters"[^>]*data-hx-swap-oob="true"', html, re.S)
    assert 'name="unreached" value="1" checked' in html
    own = client.get("/staff/?unreached=1", headers={**HX, "HX-Trigger": "inbox-filters"}).get_data(
        as_text=True
    )
    assert '<form id="inbox-filters"' not in own
    assert re.search(r'id="q-error" (data-)?hx-swap-oob="true"', own)
    assert '<span data-hx-swap-oob="innerHTML:#inbox-count">' in own
    # The full page has the region once, outside the results.
    full = client.get("/staff/?unreached=1").get_data(as_text=True)
    region = full.index(
        '<p id="inbox-count" class="inbox-count" role="status">1 yhteydenottopyyntö</p>'
    )
    assert region < full.index('<section id="inbox-results"')
    assert "data-hx-swap-oob" not in full


def row_of(html: str, ref: str) -> str:
    match = re.search(
        rf"<tr[^>]*>\s*<td class=\"reference-cell\"><a [^>]+>{ref}</a>.*?</tr>", html, re.S
    )
    assert match, (ref, html)
    return match.group(0)


def test_rows_carry_what_planning_a_call_needs(app, staff_client) -> None:
    client = staff_client("counsellor")
    words = "Tarvitsemme apua arjen kanssa, koska vauva valvottaa ja isompi lapsi kiukuttelee"
    named = add(
        app,
        "named",
        1,
        name="Maija Meikäläinen",
        call_time="morning",
        sms_ok=True,
        description=words + " ja lisäksi paljon muuta tekstiä " + "loppu " * 200 + "VIIMEINEN",
    )
    anonymous = add(app, "anonymous", 2, call_time="afternoon", description="Lyhyt.")
    html = client.get("/staff/").get_data(as_text=True)
    row = row_of(html, reference(app, named))
    assert "Maija Meikäläinen" in row
    assert words in row and "…" in row and "VIIMEINEN" not in html
    assert "Aamupäivällä (8–12)" in row and "Tekstiviesti sallittu" in row
    with app.app_context():
        stored = db.session.get(HelpRequest, named)
        received = stored.submitted_at
    # The received time once, not twice (not also as "2 days ago").
    received_attribute = received.isoformat(timespec="seconds")
    assert row.count(received_attribute) == 1
    assert len(re.findall(r"\d+\.\d+\.\d{4} (?:klo |kl\. )?\d+\.\d+", row)) == 1
    assert re.search(
        rf'<span class="line received"><time datetime="{re.escape(received_attribute)}">'
        r"[^<]+</time></span>",
        row,
    )
    assert len(re.findall(r"<time ", row)) == 2  # received, and the call-back date
    other = row_of(html, reference(app, anonymous))
    assert "Lyhyt." in other and "Ei tekstiviestejä" in other and "Iltapäivällä" in other
    assert 'class="request-name"' not in other
    # The htmx answer has the same rows.
    partial = client.get("/staff/", headers=HX).get_data(as_text=True)
    assert row_of(partial, reference(app, named)) == row


def test_the_same_number_within_30_days_is_flagged_both_ways(app, staff_client) -> None:
    client = staff_client("counsellor")
    phone = "+358401112233"
    now = add(app, "now", 0, phone=phone)
    earlier = add(app, "earlier", 10, phone=phone)
    long_ago = add(app, "long-ago", 45, phone=phone)  # 35 days before ``earlier``
    stranger = add(app, "stranger", 5, phone="+358409998877")
    html = client.get("/staff/").get_data(as_text=True)
    marker = "Sama numero: 1 muu<"
    assert marker in row_of(html, reference(app, now))
    assert marker in row_of(html, reference(app, earlier))
    assert "Sama numero" not in row_of(html, reference(app, long_ago))
    assert "Sama numero" not in row_of(html, reference(app, stranger))
    assert marker in client.get("/staff/", headers=HX).get_data(as_text=True)

    page = client.get(f"/staff/requests/{now}").get_data(as_text=True)
    notice = re.search(r'<section class="notice asked-again-notice".*?</section>', page, re.S)
    assert notice, page
    assert f'href="/staff/requests/{earlier}"' in notice.group(0)
    assert reference(app, earlier) in notice.group(0)
    assert f"/staff/requests/{long_ago}" not in notice.group(0)
    assert "asked-again-notice" not in client.get(f"/staff/requests/{stranger}").get_data(
        as_text=True
    )
    # The other request shown on the page is audited like a row of the inbox.
    with app.app_context():
        targets = db.session.scalars(
            select(AuditEvent.target).where(
                AuditEvent.action == REQUEST_LISTED, AuditEvent.request_id == earlier
            )
        ).all()
    assert "same_phone" in targets


def test_the_same_number_costs_one_query_per_page(app, staff_client) -> None:
    client = staff_client("counsellor")
    for number in range(3):
        add(app, f"few-{number}", number, phone="+358401112233")
    response, few = count_queries(app, lambda: client.get("/staff/"))
    assert response.get_data(as_text=True).count("Sama numero") == 3
    for number in range(40):
        add(app, f"many-{number}", number / 2, phone=f"+35840111{number % 5:04d}")
    response, many = count_queries(app, lambda: client.get("/staff/"))
    assert response.get_data(as_text=True).count("Sama numero") == 43
    assert len(few) == len(many), (few, many)


def test_a_number_that_floods_the_service_is_read_at_most_twenty_times_a_request(
    app, staff_client
) -> None:
    """A number that sent 30 requests in a day: each of its requests names at most 20 others
    (the newest), on the inbox and on the request page, so a flood cannot slow down every page
    that lists it; another family's request on the same page keeps its own."""
    flood = [
        add(app, f"flood-{number}", number / 100, phone="+358401119999") for number in range(30)
    ]
    family = [
        add(app, f"family-{number}", 2 + number, phone="+358401118888") for number in range(2)
    ]
    with app.app_context():
        listed = [db.session.get(HelpRequest, request_id) for request_id in (*flood, *family)]
        found = queries.asked_again(listed)
    assert {len(found[request_id]) for request_id in flood} == {queries.SAME_NUMBER_MOST}
    assert [other.id for other in found[family[0]]] == [family[1]]
    # The newest others (the flood's first, sent 0.00, 0.01 … days ago), oldest first as shown.
    newest = flood[: queries.SAME_NUMBER_MOST]
    assert [other.id for other in found[flood[-1]]] == newest[::-1]
    html = staff_client("counsellor").get("/staff/").get_data(as_text=True)
    assert "Sama numero: 20 muuta" in html
    page = staff_client("counsellor").get(f"/staff/requests/{flood[0]}").get_data(as_text=True)
    assert page.count('<li><a href="/staff/requests/') == queries.SAME_NUMBER_MOST


def test_requests_whose_numbers_were_removed_are_not_flagged(app, staff_client) -> None:
    """Retention empties the phone number of long-closed requests: an empty number is no
    family's number."""
    first = add(app, "removed-1", 1, phone="+358401112244")
    second = add(app, "removed-2", 2, phone="+358401112255")
    with app.app_context():
        for request_id in (first, second):
            db.session.get(HelpRequest, request_id).phone = ""
        db.session.commit()
        stored = db.session.scalars(select(HelpRequest)).all()
        assert queries.asked_again(list(stored)) == {}
    assert "Sama numero" not in staff_client("counsellor").get("/staff/").get_data(as_text=True)


def test_a_search_that_finds_nothing_in_this_view_offers_all_requests(app, staff_client) -> None:
    wanted = add(app, "s", 1)
    client = staff_client("counsellor")
    code = reference(app, wanted)
    # "New messages from families" holds no request; the search finds one among all of them.
    html = client.get("/staff/", query_string={"messages": "1", "q": code}).get_data(as_text=True)
    found = re.search(r'<p id="found-elsewhere">(.*?)</p>', html, re.S)
    assert found, html
    assert "Tässä näkymässä hakua ei vastaa mikään yhteydenottopyyntö." in found.group(1)
    assert "hakua vastaa 1:" in found.group(1)
    link = re.search(r'href="([^"]+)"', found.group(1)).group(1)
    assert "messages" not in link and "status=all" in link
    everywhere = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert shown(everywhere) == [code]
    # Nothing anywhere: the plain message, and no offer.
    nothing = client.get("/staff/", query_string={"messages": "1", "q": "ZZZZ-ZZZZ"})
    assert 'id="found-elsewhere"' not in nothing.get_data(as_text=True)
    # Found in this view: no offer either.
    here = client.get("/staff/", query_string={"q": code}).get_data(as_text=True)
    assert shown(here) == [code] and 'id="found-elsewhere"' not in here


def test_next_request_follows_the_view_the_counsellor_came_from(app, staff_client) -> None:
    client = staff_client("counsellor")
    ids = [add(app, f"n{number}", days) for number, days in enumerate((3, 2, 1))]
    inbox = client.get("/staff/", query_string={"owner": "all", "q": ""}).get_data(as_text=True)
    order = shown(inbox)
    assert len(order) == 3
    first_link = re.search(r'reference-cell"><a href="([^"]+)"', inbox).group(1)
    page = client.get(first_link.replace("&amp;", "&")).get_data(as_text=True)
    next_link = re.search(r'<a href="([^"]+)" id="next-request">', page).group(1)
    second = client.get(next_link.replace("&amp;", "&"))
    assert second.status_code == 303
    assert reference(app, int(second.headers["Location"].split("/")[3].split("?")[0])) == order[1]

    # The last of the view leads back to the view; another view has its own order.
    last = {reference(app, i): i for i in ids}[order[2]]
    end = client.get(f"/staff/inbox/next/{last}")
    assert end.status_code == 303 and end.headers["Location"] == "/staff/"
    mine = client.get(f"/staff/inbox/next/{ids[0]}", query_string={"owner": "mine"})
    assert mine.headers["Location"] == "/staff/?owner=mine"  # nothing is the counsellor's yet


@pytest.mark.parametrize("page", ["9223372036854775807", "184467440737095516150", "-5", "x"])
def test_next_request_copes_with_any_page_number(app, staff_client, page) -> None:
    client = staff_client("counsellor")
    only = add(app, "only", 1)
    response = client.get(f"/staff/inbox/next/{only}", query_string={"page": page})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/staff/")
