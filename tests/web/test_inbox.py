"""The inbox: order, badges, filters in the URL, search, counts, polling, query count."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from pyydaapua.accounts.users import create_user
from pyydaapua.casework import changes
from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import HelpRequest, Service, StaffUser
from pyydaapua.rules.workdays import helsinki_date
from pyydaapua.tools import demo
from tests.helpers.app import count_queries


def add_requests(app, count: int, start: datetime, worked: bool = False) -> list[int]:
    """``count`` requests, one every 7 hours back from ``start``; ``worked`` adds casework."""
    ids = []
    with app.app_context():
        demo.load_services()
        service = db.session.scalars(select(Service)).first()
        user = db.session.scalars(select(StaffUser)).first()
        for number in range(count):
            stored = submit(
                NewRequest(
                    submission_key=f"key-{number:04d}-{'x' * 20}",
                    language="fi",
                    call_language="sv" if number % 2 else "fi",
                    phone=f"+3584012{number:05d}",
                    name=f"Nimi{number}",
                    description=f"kuvaus numero{number}",
                    topics=["finances", "moving"][: number % 3],
                ),
                now=start - timedelta(hours=7 * number),
            )
            ids.append(stored.id)
            if worked:
                changes.record_call(
                    stored, user, stored.version, changes.CallData(datetime.now(UTC), "reached")
                )
                changes.book_visit(
                    stored,
                    user,
                    stored.version,
                    changes.VisitData(datetime.now(UTC) + timedelta(days=1), 60, "Katu 1", [user]),
                )
                changes.refer(stored, user, stored.version, service, "sent")
    return ids


def rows(html: str) -> int:
    return html.count('<td class="reference-cell">')


def test_inbox_orders_by_due_date_and_pages(app, staff_client) -> None:
    client = staff_client("counsellor")
    add_requests(app, 55, datetime.now(UTC))
    html = client.get("/staff/").get_data(as_text=True)
    assert rows(html) == 50
    assert "55 yhteydenottopyyntöä" in html
    assert "badge-overdue" in html and "badge-on_time" in html
    with app.app_context():
        expected = list(
            db.session.scalars(
                select(HelpRequest.reference).order_by(
                    HelpRequest.due_date, HelpRequest.submitted_at, HelpRequest.id
                )
            )
        )
    shown = [
        ref.replace("-", "")
        for ref in __import__("re").findall(r'reference-cell"><a href="[^"]+">([^<]+)<', html)
    ]
    assert shown == expected[:50]
    second = client.get("/staff/?page=2").get_data(as_text=True)
    assert rows(second) == 5
    assert 'href="/staff/" rel="prev"' in second
    assert client.get("/staff/?page=99").status_code == 200


def test_filters_live_in_the_url(app, staff_client) -> None:
    client = staff_client("counsellor")
    ids = add_requests(app, 12, datetime.now(UTC) - timedelta(days=6))
    with app.app_context():
        me = db.session.scalars(select(StaffUser)).first()
        first = db.session.get(HelpRequest, ids[0])
        changes.assign(first, me, first.version, me)
        last = db.session.get(HelpRequest, ids[-1])
        changes.change_status(last, me, last.version, "closed", "not_reached")
    assert rows(client.get("/staff/?owner=mine").get_data(as_text=True)) == 1
    assert rows(client.get("/staff/?owner=unassigned").get_data(as_text=True)) == 10
    assert rows(client.get("/staff/?status=closed").get_data(as_text=True)) == 1
    assert rows(client.get("/staff/?status=all").get_data(as_text=True)) == 12
    assert rows(client.get("/staff/?language=sv").get_data(as_text=True)) == 5  # one is closed
    assert rows(client.get("/staff/?topic=moving&status=all").get_data(as_text=True)) == 4
    overdue = client.get("/staff/?overdue=1").get_data(as_text=True)
    assert rows(overdue) > 0 and "badge-on_time" not in overdue
    # Unknown values fall back to the defaults instead of failing.
    assert client.get("/staff/?status=nonsense&owner=x&topic=y&page=z").status_code == 200
    # Counts per status, with the other filters applied.
    html = client.get("/staff/").get_data(as_text=True)
    assert 'value="closed">Suljettu (1)' in html
    assert 'value="all">Kaikki (12)' in html


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("Nimi3", 1),
        ("numero1", 2),
        ("kuvaus", 11),
        ("+358401200004", 1),
        ("040 120 0004", 1),
        ("0401200004", 1),
        ("zzz", 0),
    ],
)
def test_search(app, staff_client, query, count) -> None:
    client = staff_client("counsellor")
    add_requests(app, 11, datetime.now(UTC))
    assert rows(client.get("/staff/", query_string={"q": query}).get_data(as_text=True)) == count


def test_a_search_for_words_reads_the_name_and_the_description_as_they_are_now(
    app, staff_client
) -> None:
    """Each word in the name or the description, in any case; never across the two; and a
    changed description is searched as it is now (the database keeps the search text)."""
    client = staff_client("counsellor")
    ids = add_requests(app, 3, datetime.now(UTC))
    with app.app_context():
        request = db.session.get(HelpRequest, ids[1])
        request.name, request.description = "Ella Virtanen", "Uni ei tule"
        db.session.commit()

    def found(query: str) -> int:
        return rows(client.get("/staff/", query_string={"q": query}).get_data(as_text=True))

    assert [found(q) for q in ("ella", "VIRTANEN uni", "virtanenuni", "tule ella", "nimi1")] == [
        1,
        1,
        0,
        1,
        0,
    ]
    with app.app_context():
        db.session.get(HelpRequest, ids[1]).description = "Muutettu"
        db.session.commit()
    assert [found(q) for q in ("uni", "ella muutettu")] == [0, 1]


def test_search_by_reference(app, staff_client) -> None:
    client = staff_client("counsellor")
    ids = add_requests(app, 3, datetime.now(UTC))
    with app.app_context():
        reference = db.session.get(HelpRequest, ids[1]).reference
    for typed in (reference, f"{reference[:4]}-{reference[4:]}".lower()):
        html = client.get("/staff/", query_string={"q": typed}).get_data(as_text=True)
        assert rows(html) == 1 and f"{reference[:4]}-{reference[4:]}" in html


def test_htmx_gets_only_the_results(app, staff_client) -> None:
    client = staff_client("counsellor")
    add_requests(app, 3, datetime.now(UTC))
    html = client.get("/staff/?q=Nimi1", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert html.startswith('<section id="inbox-results"') and "<html" not in html
    assert rows(html) == 1
    assert 'data-hx-get="/staff/inbox/new?since=' in html and "q=Nimi1" in html


def test_new_requests_are_announced(app, staff_client) -> None:
    client = staff_client("counsellor")
    ids = add_requests(app, 2, datetime.now(UTC))
    nothing_new = client.get(f"/staff/inbox/new?since={ids[-1]}").get_data(as_text=True)
    assert re.sub(r'<span id="inbox-counter".*?</span>', "", nothing_new).strip() == ""
    html = client.get(f"/staff/inbox/new?since={ids[0]}&q=x").get_data(as_text=True)
    assert "1 uusi yhteydenottopyyntö" in html and 'href="/staff/?q=x"' in html


def test_the_menus_counter_follows_the_poll(app, staff_client) -> None:
    """The menu's "n without an owner" is answered with every poll, out of band."""
    client = staff_client("counsellor")
    ids = add_requests(app, 2, datetime.now(UTC))
    counter = '<span id="inbox-counter" class="counter" data-hx-swap-oob="true">({} ilman'
    assert counter.format(2) in client.get(f"/staff/inbox/new?since={ids[-1]}").get_data(
        as_text=True
    )
    with app.app_context():
        submit(
            NewRequest(
                submission_key="n" * 32, language="fi", call_language="fi", phone="+358401112223"
            )
        )
    assert counter.format(3) in client.get(f"/staff/inbox/new?since={ids[-1]}").get_data(
        as_text=True
    )


def test_my_upcoming_visits(app, staff_client) -> None:
    client = staff_client("counsellor")
    add_requests(app, 2, datetime.now(UTC), worked=True)
    html = client.get("/staff/").get_data(as_text=True)
    assert html.count("Katu 1") == 2


def test_inbox_query_count_does_not_grow(app, staff_client) -> None:
    client = staff_client("counsellor")
    add_requests(app, 5, datetime.now(UTC), worked=True)
    response, small = count_queries(app, lambda: client.get("/staff/?status=all"))
    assert rows(response.get_data(as_text=True)) == 5
    add_requests_more = add_requests  # the same helper, more data
    with app.app_context():
        for stored in db.session.scalars(select(HelpRequest)):
            stored.submission_key = "old-" + stored.submission_key
        db.session.commit()
    add_requests_more(app, 195, datetime.now(UTC) - timedelta(days=1), worked=True)
    response, large = count_queries(app, lambda: client.get("/staff/?status=all"))
    assert rows(response.get_data(as_text=True)) == 50
    assert len(small) == len(large), (small, large)
    # The session (with the menu's counter), the counts, the page with its topics, the other
    # requests from the same phone numbers, the upcoming visits, and one INSERT of the audit
    # events.
    assert len(large) <= 6, large


def test_menu_counter_on_every_page(app, staff_client) -> None:
    client = staff_client("counsellor")
    counter = re.compile(r'<span id="inbox-counter" class="counter">([^<]*)<')
    add_requests(app, 3, datetime.now(UTC))
    assert counter.findall(client.get("/staff/").get_data(as_text=True)) == [
        "(3 ilman käsittelijää)"
    ]
    with app.app_context():
        first = db.session.scalars(select(HelpRequest)).first()
        first.assigned_to_id = db.session.scalars(select(StaffUser.id)).first()
        db.session.commit()
        request_id = first.id
    page = client.get(f"/staff/requests/{request_id}").get_data(as_text=True)
    assert counter.findall(page) == ["(2 ilman käsittelijää)"]


def test_the_list_does_not_read_the_familys_own_text(app) -> None:
    """Of the family's own text the list reads the name and the phone number (shown, to call)
    and the request's first words only, cut in SQL; the whole request and the e-mail are not
    read, and the listed rows have no place for them."""
    from pyydaapua.inbox import queries

    add_requests(app, 3, datetime.now(UTC))
    long_text = "sana " * 400
    with app.app_context():
        first = db.session.scalars(select(HelpRequest).order_by(HelpRequest.id)).first()
        first.description = long_text
        first_id = first.id
        db.session.commit()
        db.session.expunge_all()
        sent: list[str] = []
        capture = lambda *args: sent.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", capture)
        try:
            page = queries.requests_page(queries.Filters(), 0, datetime.now(UTC).date(), 3)
        finally:
            event.remove(db.engine, "before_cursor_execute", capture)
        # The excerpt is cut by the database: the whole request never leaves it.
        described = [part for part in sent if "description" in part]
        cut = re.compile(r"substr\(help_request\.description, .+?, .+?\)")
        assert described and all(
            cut.search(part) and "description" not in cut.sub("", part) for part in described
        ), described
        assert len(page.items) == 3
        for item in page.items:
            # Plain values of the listed columns: the whole request and the e-mail are not
            # among them.
            assert {"name", "phone"} <= set(item._fields)
            assert not {"description", "email"} & set(item._fields)
            with pytest.raises(AttributeError):
                _ = item.description  # type: ignore[attr-defined]
        assert page.excerpts[first_id] == ("sana " * 18).strip() + "…"
        assert len(page.excerpts[first_id]) <= queries.EXCERPT_CHARS + 1


def test_upcoming_visits_name_the_family_and_mark_todays(app, staff_client) -> None:
    client = staff_client("counsellor")
    ids = add_requests(app, 2, datetime.now(UTC), worked=True)
    with app.app_context():
        user = db.session.scalars(select(StaffUser)).first()
        first = db.session.get(HelpRequest, ids[0])
        soon = datetime.now(UTC) + timedelta(minutes=5)
        if helsinki_date(soon) == helsinki_date(datetime.now(UTC)):  # not just before midnight
            changes.book_visit(
                first, user, first.version, changes.VisitData(soon, 30, "Tänäänkatu 2", [user])
            )
    html = client.get("/staff/").get_data(as_text=True)
    visits = re.search(r'<section class="my-visits".*?</section>', html, re.S).group(0)
    items = re.findall(r"<li>(.*?)</li>", visits, re.S)
    assert all("Nimi" in item for item in items), items
    today = [item for item in items if "Tänäänkatu" in item]
    for item in today:
        assert "Tänään" in item.split("<time")[0]
    assert not any("Tänään</span>" in item for item in items if "Katu 1" in item)


def test_a_rows_topics_are_in_the_forms_order(app, staff_client) -> None:
    """The topics come with the page's rows, joined in any order, and are shown in the
    order of the form, whatever order they were chosen in."""
    with app.app_context():
        submit(
            NewRequest(
                submission_key="t" * 32,
                language="fi",
                call_language="fi",
                phone="+358401112224",
                topics=["finances", "school_attendance", "moving"],
            )
        )
    html = staff_client("counsellor").get("/staff/").get_data(as_text=True)
    assert (
        '<span class="request-topics muted">Muutto uudelle paikkakunnalle, Koulupoissaolot, '
        "Perheen talousasiat</span>"
    ) in html


def test_a_kept_view_lists_each_users_and_each_days_own_requests(app) -> None:
    """The rows' statement of a view without a search is built once and kept: "mine" still
    lists each counsellor's own requests, and "overdue" those overdue on the day asked for."""
    from pyydaapua.inbox import queries

    ids = add_requests(app, 6, datetime.now(UTC))
    with app.app_context():
        anna, ben = (
            create_user(f"{name}@example.fi", name, "counsellor", "long enough pw").id
            for name in ("anna", "ben")
        )
        for number, request_id in enumerate(ids[:4]):
            db.session.get(HelpRequest, request_id).assigned_to_id = (anna, ben)[number % 2]
        db.session.commit()
        due = {item: db.session.get(HelpRequest, item).due_date for item in ids}

        def listed(filters: queries.Filters, user_id: int, today) -> set[int]:
            page = queries.requests_page(filters, user_id, today, 50)
            return {item.id for item in page.items}

        mine = queries.Filters(owner="mine")
        assert listed(mine, anna, helsinki_date(datetime.now(UTC))) == {ids[0], ids[2]}
        assert listed(mine, ben, helsinki_date(datetime.now(UTC))) == {ids[1], ids[3]}
        overdue = queries.Filters(overdue=True)
        for day in sorted(set(due.values())):
            later = day + timedelta(days=1)
            assert listed(overdue, anna, later) == {item for item in ids if due[item] < later}
