"""The registry of casework actions (pyydaapua/casework/actions.py): every registered action has
its route, its form where the page shows it, its audit label, and translations of these and of
its timeline texts (that every kind written has a text: tests/unit/test_web_labels.py); and a
change is committed with its audit event or not at all."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from pyydaapua.casework import changes
from pyydaapua.casework.actions import (
    ACTIONS,
    LISTED_ACTIONS,
    PAGE_ACTIONS,
    REGIONS,
    TIMELINE_TEXTS,
)
from pyydaapua.casework.words import page_words
from pyydaapua.data_rights.audit_trail import AUDIT_LABELS
from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import AuditEvent, HelpRequest, TimelineEvent
from pyydaapua.web.labels import (
    CALL_RESULT_LABELS,
    OUTCOME_LABELS,
    REFERRAL_STATUS_LABELS,
    STATUS_LABELS,
)
from tests.helpers.forms import csrf_token

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
DOMAIN = Path(changes.__file__)
NAMES = sorted(ACTIONS)


def translated(text: object) -> dict[str, str]:
    """``text`` rendered in English (the msgid), Finnish and Swedish."""
    rendered = {}
    for language in ("en", "fi", "sv"):
        with force_locale(language):
            rendered[language] = str(text() if callable(text) else text)
    return rendered


def assert_translated(text: object) -> None:
    rendered = translated(text)
    assert rendered["fi"] != rendered["en"], rendered
    assert rendered["sv"] != rendered["en"], rendered
    assert rendered["fi"] != rendered["sv"], rendered


@pytest.mark.parametrize("name", NAMES)
def test_every_action_has_its_post_route(app, name) -> None:
    action = ACTIONS[name]
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    rule = rules["casework." + action.endpoint]
    assert rule.rule == "/staff" + action.rule
    assert "POST" in rule.methods
    assert bool(rule.arguments - {"request_id"}) == action.per_item


@pytest.mark.parametrize("name", NAMES)
def test_every_action_has_its_form_where_the_page_shows_it(name) -> None:
    """The template the registry names as the action's host writes its form with form_for;
    an action listed on the page has a partial of its own, any other lives in a region."""
    action = ACTIONS[name]
    source = (TEMPLATES / action.host).read_text(encoding="utf-8")
    assert f"form_for(actions.{action.name}," in source
    if action.title is not None:
        assert action.region == "form"
    else:
        assert action.region in REGIONS or action.name == "all_fine"


def test_no_casework_template_writes_a_form_tag_of_its_own() -> None:
    """Every casework form's address, htmx attributes, CSRF token and version come from the
    registry, through one macro."""
    for path in (TEMPLATES / "casework").glob("*.html"):
        source = path.read_text(encoding="utf-8")
        assert "<form" not in source and "csrf_token" not in source, path.name


def test_no_template_writes_the_csrf_field_by_hand() -> None:
    """A form's CSRF field is ``csrf_field()`` (or its WTForms form's own field), written in
    one place."""
    written = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if 'name="csrf_token"' in path.read_text(encoding="utf-8")
    ]
    assert written == []


def test_the_csrf_field_carries_the_sessions_token(app) -> None:
    from pyydaapua.web.security import csrf_field

    with app.test_request_context():
        from flask_wtf.csrf import generate_csrf

        assert csrf_field() == f'<input type="hidden" name="csrf_token" value="{generate_csrf()}">'


@pytest.mark.parametrize("name", NAMES)
def test_every_action_text_is_translated(app, name) -> None:
    action = ACTIONS[name]
    with app.test_request_context():
        for text in (action.done, action.audit_label, action.title):
            if text is not None:
                assert_translated(text)
        assert AUDIT_LABELS[action.audit_action] is action.audit_label


# A value of the right kind of code for each timeline kind that shows one.
SAMPLE_VALUES = {
    "call": next(iter(CALL_RESULT_LABELS)),
    "status": next(iter(STATUS_LABELS)),
    "closed": next(iter(OUTCOME_LABELS)),
    "referral": next(iter(REFERRAL_STATUS_LABELS)),
    "referral_status": next(iter(REFERRAL_STATUS_LABELS)),
    "disclosure": "contact,children",
    "call_planned": "agreed 2026-03-02T08:00Z",
}


@pytest.mark.parametrize("kind", sorted(TIMELINE_TEXTS))
def test_every_timeline_text_is_translated(app, kind) -> None:
    service = SimpleNamespace(name=lambda language: "Perheneuvola")
    sample = SimpleNamespace(
        kind=kind,
        value=SAMPLE_VALUES.get(kind, ""),
        call=SimpleNamespace(duration_minutes=5),
        visit=SimpleNamespace(starts_at=datetime(2026, 3, 2, 10, tzinfo=UTC)),
        referral=SimpleNamespace(service=service, consent="given"),
        other_user=SimpleNamespace(name="Maija"),
    )
    with app.test_request_context():
        assert_translated(lambda: TIMELINE_TEXTS[kind](sample, page_words()))


@pytest.fixture
def request_id(app) -> int:
    with app.app_context():
        stored = submit(
            NewRequest(
                submission_key="a" * 32,
                language="fi",
                call_language="fi",
                phone="+358401234567",
                description="Tarvitsemme apua",
                topics=["finances"],
            ),
            now=datetime.now(UTC) - timedelta(hours=2),
        )
        return stored.id


def test_the_request_page_lists_every_listed_action_with_its_form(
    app, staff_client, request_id
) -> None:
    html = staff_client("counsellor").get(f"/staff/requests/{request_id}").get_data(as_text=True)
    # Each in a collapsible section whose summary is a heading (reached by heading navigation).
    summaries = re.findall(
        r'<details class="action"[^>]*><summary><h3 class="action-title">([^<]+)</h3></summary>',
        html,
    )
    # An open phone request: every listed action but the message to the family (it has no
    # status page; the family messages' tests show a status page request's list) and reopening
    # (a closed request's only one, tested below).
    listed = [action for action in LISTED_ACTIONS if action.name not in ("message", "reopen")]
    with app.test_request_context(), force_locale("fi"):
        assert summaries == [str(action.title) for action in listed]
    for action in listed:
        assert f'action="/staff/requests/{request_id}/' in html
        assert f'name="{action.name}-version"' in html
    assert 'name="message-version"' not in html
    assert {action.name for action in PAGE_ACTIONS} >= {a.name for a in LISTED_ACTIONS}


def test_a_change_is_not_stored_when_its_audit_event_cannot_be(
    app, staff_client, request_id
) -> None:
    """The note and its audit event are one transaction: when the audit INSERT fails (the
    database goes away at that moment), the note is not stored either."""
    counsellor = staff_client("counsellor")
    with app.app_context():
        version = db.session.get(HelpRequest, request_id).version
    data = {"note-version": version, "note-note": "Soitin", "csrf_token": csrf_token(counsellor)}

    def fail_on_the_audit_event(session, flush_context, instances) -> None:
        if any(
            isinstance(item, AuditEvent) and item.action == "request_note" for item in session.new
        ):
            raise OperationalError("INSERT", {}, Exception("server closed the connection"))

    with app.app_context():
        event.listen(db.session, "before_flush", fail_on_the_audit_event)
        try:
            response = counsellor.post(f"/staff/requests/{request_id}/notes", data=data)
        finally:
            event.remove(db.session, "before_flush", fail_on_the_audit_event)
    assert response.status_code == 503
    with app.app_context():
        notes = db.session.scalar(
            select(func.count()).select_from(TimelineEvent).where(TimelineEvent.kind == "note")
        )
        assert notes == 0
        assert db.session.get(HelpRequest, request_id).version == version


def _version(app, request_id: int) -> int:
    with app.app_context():
        return db.session.get(HelpRequest, request_id).version


def _owner(app, request_id: int) -> int | None:
    with app.app_context():
        return db.session.get(HelpRequest, request_id).assigned_to_id


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_the_first_action_says_that_it_made_you_the_owner(
    app, staff_client, request_id, htmx
) -> None:
    counsellor = staff_client("counsellor")
    headers = {"HX-Request": "true"} if htmx else {}
    note = {"csrf_token": csrf_token(counsellor), "note-note": "Soitin perheelle"}
    url = f"/staff/requests/{request_id}/notes"
    response = counsellor.post(
        url, data={**note, "note-version": _version(app, request_id)}, headers=headers
    )
    if not htmx:
        assert response.status_code == 303
        response = counsellor.get(response.headers["Location"])
    html = response.get_data(as_text=True)
    assert "Muistiinpano lisättiin. Olet nyt tämän yhteydenottopyynnön käsittelijä." in html
    assert _owner(app, request_id) is not None
    if htmx:  # the header, with the owner, is swapped too
        assert 'id="request-header"' in html and 'hx-swap-oob="true"' in html
    # The second action does not say it again.
    again = counsellor.post(
        url, data={**note, "note-version": _version(app, request_id)}, headers=headers
    )
    if not htmx:
        again = counsellor.get(again.headers["Location"])
    assert "Olet nyt tämän yhteydenottopyynnön käsittelijä" not in again.get_data(as_text=True)


def _stored(app, request_id: int) -> tuple[HelpRequest, list[tuple[str, str, str, str]]]:
    """The request and its calls' (result, coping, finances, daily life)."""
    from pyydaapua.models import Call

    with app.app_context():
        stored = db.session.get(HelpRequest, request_id)
        db.session.expunge(stored)
        calls = [
            (c.result, c.coping, c.finances, c.daily_life)
            for c in db.session.scalars(select(Call).where(Call.request_id == request_id))
        ]
        return stored, calls


def test_the_quick_call_is_near_the_top_of_the_request_page(app, staff_client, request_id) -> None:
    html = staff_client("counsellor").get(f"/staff/requests/{request_id}").get_data(as_text=True)
    quick = html.index('id="form-all_fine"')
    assert quick < html.index('id="actions-title"') < html.index('id="form-call"')
    assert quick > html.index('id="request-header"')
    form = re.search(r'<form id="form-all_fine".*?</form>', html, re.S).group(0)
    assert 'data-hx-post="/staff/requests/' in form and 'name="csrf_token"' in form
    assert "Tavoitettu – kaikki hyvin" in form
    assert 'name="all_fine-close"' in form and "checked" not in form  # closing is a choice


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("close", [False, True], ids=["open", "closed"])
def test_reached_all_fine_in_one_step(app, staff_client, request_id, htmx, close) -> None:
    counsellor = staff_client("counsellor")
    data = {
        "csrf_token": csrf_token(counsellor),
        "all_fine-version": _version(app, request_id),
    }
    if close:
        data["all_fine-close"] = "y"
    response = counsellor.post(
        f"/staff/requests/{request_id}/calls/all-fine",
        data=data,
        headers={"HX-Request": "true"} if htmx else {},
    )
    if htmx and close:
        # Closed: the forms the request takes have changed, so the whole work part is answered.
        assert response.status_code == 200
        assert response.headers["HX-Retarget"] == "#request-work"
        assert response.headers["HX-Reswap"] == "outerHTML"
        html = response.get_data(as_text=True)
        assert re.match(r'\s*<div id="request-work">', html)
        assert 'id="form-all_fine"' not in html and 'id="form-reopen"' in html
    elif htmx:
        assert response.status_code == 200
        assert "HX-Retarget" not in response.headers
        html = response.get_data(as_text=True)
        assert re.match(r'\s*<form id="form-all_fine"', html)
        assert 'id="request-header"' in html and 'id="timeline"' in html
    else:
        assert response.status_code == 303
        html = counsellor.get(response.headers["Location"]).get_data(as_text=True)
    said = "Puhelu kirjattiin: tavoitettu, kaikki hyvin."
    if close:
        said += " Yhteydenottopyyntö suljettiin."
    assert said + " Olet nyt tämän yhteydenottopyynnön käsittelijä." in html
    stored, calls = _stored(app, request_id)
    assert calls == [("reached", "fine", "fine", "fine")]
    assert stored.first_contact_at is not None and stored.assigned_to_id is not None
    if close:
        assert (stored.status, stored.outcome) == ("closed", "conversation_enough")
    else:
        assert (stored.status, stored.outcome) == ("in_progress", None)
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.request_id == request_id)
        ).all()
        kinds = db.session.scalars(
            select(TimelineEvent.kind).where(TimelineEvent.request_id == request_id)
        ).all()
    assert "request_all_fine" in actions
    assert sorted(kinds) == (["call", "closed"] if close else ["call"])


@pytest.mark.parametrize("close", [False, True], ids=["call", "call-and-close"])
def test_the_quick_call_records_nothing_on_a_closed_request(
    app, staff_client, request_id, close
) -> None:
    counsellor = staff_client("counsellor")
    token = csrf_token(counsellor)
    url = f"/staff/requests/{request_id}/calls/all-fine"
    closing = {"csrf_token": token, "all_fine-close": "y"}
    counsellor.post(url, data={**closing, "all_fine-version": _version(app, request_id)})
    again = counsellor.post(
        url,
        data={"csrf_token": token, "all_fine-version": _version(app, request_id)}
        | ({"all_fine-close": "y"} if close else {}),
        headers={"HX-Request": "true"},
    )
    assert again.status_code == 409
    assert again.headers["HX-Retarget"] == "#request-work"
    html = again.get_data(as_text=True)
    assert "Yhteydenottopyyntö on suljettu, joten siihen ei kirjata enää mitään." in html
    assert 'id="form-reopen"' in html
    stored, calls = _stored(app, request_id)
    assert len(calls) == 1 and stored.call_attempts == 1  # nothing recorded the second time


def close_with_the_quick_call(app, client, request_id: int) -> None:
    """Reached, all fine, and closed: the request is closed."""
    closed = client.post(
        f"/staff/requests/{request_id}/calls/all-fine",
        data={
            "csrf_token": csrf_token(client),
            "all_fine-version": _version(app, request_id),
            "all_fine-close": "y",
        },
    )
    assert closed.status_code == 303


# What each action posts on a closed request: its form's fields, with typed text where it has
# any (kept in the answer); the versions and the CSRF token are added by the test.
ON_A_CLOSED_REQUEST = {
    "note": {"note-note": "Vielä yksi muistiinpano"},
    "call": {"call-result": "no_answer", "call-called_at": "", "call-note": "Ei vastannut"},
    "status": {"status-status": "in_progress", "status-note": "Avataan taas"},
    "visit": {"visit-address": "Kotikatu 1", "visit-duration_minutes": "60"},
    "referral": {"referral-status": "suggested", "referral-note": "Ohjaus vielä"},
    "assign": {"assign-assignee": ""},
    "plan_call": {"plan_call-planned_at": "9.12.2026 10.00", "plan_call-agreed": "agreed"},
}


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("name", sorted(ON_A_CLOSED_REQUEST))
def test_a_closed_request_refuses_every_action_and_keeps_the_text(
    app, staff_client, request_id, name, htmx
) -> None:
    counsellor = staff_client("counsellor")
    token = csrf_token(counsellor)
    close_with_the_quick_call(app, counsellor, request_id)
    with app.app_context():
        entries = db.session.scalar(
            select(func.count())
            .select_from(TimelineEvent)
            .where(TimelineEvent.request_id == request_id)
        )
    action = ACTIONS[name]
    data = {"csrf_token": token, f"{name}-version": _version(app, request_id)}
    data |= ON_A_CLOSED_REQUEST[name]
    response = counsellor.post(
        f"/staff/requests/{request_id}/" + action.rule.split("/", 3)[3],
        data=data,
        headers={"HX-Request": "true"} if htmx else {},
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Yhteydenottopyyntö on suljettu, joten siihen ei kirjata enää mitään." in html
    for field, value in ON_A_CLOSED_REQUEST[name].items():
        if field.endswith("note") or field.endswith("address"):
            assert value in html, field  # what was typed is kept
    stored, calls = _stored(app, request_id)
    assert stored.status == "closed" and len(calls) == 1
    with app.app_context():
        assert entries == db.session.scalar(
            select(func.count())
            .select_from(TimelineEvent)
            .where(TimelineEvent.request_id == request_id)
        )


def test_a_closed_request_page_offers_only_reopening(app, staff_client, request_id) -> None:
    counsellor = staff_client("counsellor")
    close_with_the_quick_call(app, counsellor, request_id)
    html = counsellor.get(f"/staff/requests/{request_id}").get_data(as_text=True)
    forms = re.findall(r'<form[^>]* action="(/staff/requests/[^"]+)"', html)
    assert forms == [f"/staff/requests/{request_id}/reopen"], forms
    assert 'id="take-button"' not in html


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_reopening_needs_a_reason_and_is_audited(app, staff_client, request_id, htmx) -> None:
    counsellor = staff_client("counsellor")
    token = csrf_token(counsellor)
    close_with_the_quick_call(app, counsellor, request_id)
    url = f"/staff/requests/{request_id}/reopen"
    headers = {"HX-Request": "true"} if htmx else {}
    data = {"csrf_token": token, "reopen-version": _version(app, request_id), "reopen-reason": " "}
    refused = counsellor.post(url, data=data, headers=headers)
    assert refused.status_code == 422
    assert "Kirjoita, miksi yhteydenottopyyntö avataan uudelleen." in refused.get_data(as_text=True)
    assert _stored(app, request_id)[0].status == "closed"

    data["reopen-reason"] = "Perhe soitti uudelleen"
    done = counsellor.post(url, data=data, headers=headers)
    if htmx:
        assert done.status_code == 200 and done.headers["HX-Retarget"] == "#request-work"
        html = done.get_data(as_text=True)
        assert 'id="form-all_fine"' in html and 'id="form-reopen"' not in html
    else:
        assert done.status_code == 303
    stored = _stored(app, request_id)[0]
    assert (stored.status, stored.outcome, stored.closed_at) == ("in_progress", None, None)
    with app.app_context():
        entry = db.session.scalars(
            select(TimelineEvent)
            .where(TimelineEvent.request_id == request_id)
            .order_by(TimelineEvent.id.desc())
        ).first()
        audited = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.request_id == request_id)
        ).all()
    assert (entry.kind, entry.note) == ("reopened", "Perhe soitti uudelleen")
    assert "request_reopen" in audited


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_the_referral_form_chooses_nothing_for_you(app, staff_client, request_id, htmx) -> None:
    """No service and no status chosen before the counsellor chooses; a careless Save is
    refused with a clear message, and no referral is stored."""
    counsellor = staff_client("counsellor")
    with app.app_context():
        from pyydaapua.tools import demo

        demo.load_services()
    page = counsellor.get(f"/staff/requests/{request_id}").get_data(as_text=True)
    form = re.search(r'<form id="form-referral".*?</form>', page, re.S).group(0)
    select_html = re.search(r'<select[^>]*id="referral-service".*?</select>', form, re.S).group(0)
    options = re.findall(r"<option[^>]*>", select_html)
    assert options[0].startswith('<option value=""') and len(options) > 2
    assert not [option for option in options[1:] if "selected" in option]
    assert 'name="referral-status"' in form and "checked" not in form
    assert 'id="service-search-status"' in form and 'role="status"' in form
    response = counsellor.post(
        f"/staff/requests/{request_id}/referrals",
        data={
            "csrf_token": csrf_token(counsellor),
            "referral-version": _version(app, request_id),
            "referral-service": "",
        },
        headers={"HX-Request": "true"} if htmx else {},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert ("<html" in html) is not htmx
    assert "Valitse palvelu, johon ohjaat perheen." in html
    assert "Valitse ohjauksen tila." in html
    with app.app_context():
        assert changes.referrals(request_id) == []


def test_the_service_search_announces_its_result_beside_the_list(app, staff_client) -> None:
    counsellor = staff_client("counsellor")
    with app.app_context():
        from pyydaapua.tools import demo

        demo.load_services()
    html = counsellor.get("/staff/services/options?q=perheneuvola").get_data(as_text=True)
    status = '<span data-hx-swap-oob="innerHTML:#service-search-status">'
    assert status + "1 palvelu löytyi</span>" in html
    nothing = counsellor.get("/staff/services/options?q=zzzz").get_data(as_text=True)
    assert status + "Palveluja ei löytynyt</span>" in nothing


def _with_open_work(app, request_id: int) -> tuple[int, str]:
    """A visit booked for tomorrow and a referral sent; returns the visit's id and the
    service's name."""
    from pyydaapua.models import Service, StaffUser
    from pyydaapua.tools import demo

    with app.app_context():
        demo.load_services()
        stored = db.session.get(HelpRequest, request_id)
        worker = db.session.scalars(select(StaffUser)).first()
        service = db.session.scalars(select(Service)).first()
        tomorrow = changes.now_utc() + timedelta(days=1)
        changes.book_visit(
            stored, worker, stored.version, changes.VisitData(tomorrow, 60, "Kotikatu 9", [worker])
        )
        changes.refer(stored, worker, stored.version, service, "sent")
        return changes.visits(request_id)[0].id, service.name_fi


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_closing_with_open_work_warns_and_closes_on_confirming(
    app, staff_client, request_id, htmx
) -> None:
    counsellor = staff_client("counsellor")
    visit_id, service = _with_open_work(app, request_id)
    assert "Kotikatu 9" in counsellor.get("/staff/").get_data(as_text=True)  # my upcoming visits
    headers = {"HX-Request": "true"} if htmx else {}
    url = f"/staff/requests/{request_id}/status"
    close = {
        "csrf_token": csrf_token(counsellor),
        "status-status": "closed",
        "status-outcome": "conversation_enough",
    }
    warned = counsellor.post(
        url, data={**close, "status-version": _version(app, request_id)}, headers=headers
    )
    assert warned.status_code == 422
    html = warned.get_data(as_text=True)
    assert ("<html" in html) is not htmx
    if htmx:
        assert re.match(r'\s*<form id="form-status"', html)
    else:  # the status section is open on the page, the warning in it
        assert re.search(
            r'<details class="action" id="action-status" open><summary><h3 class="action-title">'
            r"Muuta tilaa</h3></summary>",
            html,
        )
    warning = re.search(r'<div class="open-work".*?Tarkista lopputulos', html, re.S).group(0)
    assert "Kotikatu 9" in warning and service in warning
    assert f'name="status-cancel_visits" value="{visit_id}" checked' in warning
    with app.app_context():
        referral_id = changes.referrals(request_id)[0].id
    assert f'name="status-end_referrals" value="{referral_id}" checked' in warning
    assert 'name="status-open_work_seen" value="y"' in warning
    with app.app_context():
        assert db.session.get(HelpRequest, request_id).status != "closed"
    # Confirming (the visit still ticked) closes and cancels the visit in the same change.
    confirmed = counsellor.post(
        url,
        data={
            **close,
            "status-version": _version(app, request_id),
            "status-open_work_seen": "y",
            "status-cancel_visits": str(visit_id),
            "status-end_referrals": str(referral_id),
        },
        headers=headers,
    )
    assert confirmed.status_code == (200 if htmx else 303)
    with app.app_context():
        assert db.session.get(HelpRequest, request_id).status == "closed"
        assert changes.visits(request_id)[0].status == "cancelled"
        assert changes.referrals(request_id)[0].status == "ended"
        assert (
            db.session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.request_id == request_id)
                .order_by(AuditEvent.id.desc())
            ).first()
            == "request_status"
        )
    assert "Kotikatu 9" not in counsellor.get("/staff/").get_data(as_text=True)


def test_closing_without_open_work_is_one_step(app, staff_client, request_id) -> None:
    counsellor = staff_client("counsellor")
    response = counsellor.post(
        f"/staff/requests/{request_id}/status",
        data={
            "csrf_token": csrf_token(counsellor),
            "status-version": _version(app, request_id),
            "status-status": "closed",
            "status-outcome": "conversation_enough",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "open-work" not in response.get_data(as_text=True)


def test_the_quick_close_points_to_the_status_form_over_open_work(
    app, staff_client, request_id
) -> None:
    counsellor = staff_client("counsellor")
    _with_open_work(app, request_id)
    response = counsellor.post(
        f"/staff/requests/{request_id}/calls/all-fine",
        data={
            "csrf_token": csrf_token(counsellor),
            "all_fine-version": _version(app, request_id),
            "all_fine-close": "y",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Sulje pyyntö kohdassa ”Muuta tilaa”" in html
    assert 'name="all_fine-close" value="y" checked' in html  # what was chosen is kept


def announced(html: str) -> str:
    found = re.search(r'<div data-hx-swap-oob="innerHTML:#announcer">(.*?)</div>', html, re.S)
    assert found, html
    return found.group(1).strip()


def send_inline(app, client, request_id: int, path: str, prefix: str, **fields: str):
    """Post an action's form with htmx, on the request's current version."""
    data = {"csrf_token": csrf_token(client), f"{prefix}-version": _version(app, request_id)}
    data |= {f"{prefix}-{name}": value for name, value in fields.items()}
    return client.post(
        f"/staff/requests/{request_id}/{path}", data=data, headers={"HX-Request": "true"}
    )


def test_taking_is_announced_in_the_counsellors_words(app, staff_client, request_id) -> None:
    taken = send_inline(app, staff_client("counsellor"), request_id, "take", "assign")
    assert announced(taken.get_data(as_text=True)) == "Otit yhteydenottopyynnön käsittelyyn."
    supervisor = staff_client("supervisor")
    moved = send_inline(app, supervisor, request_id, "assign", "assign", assignee="")
    assert announced(moved.get_data(as_text=True)) == "Käsittelijä vaihdettiin."


def test_a_refusal_replaces_what_the_live_region_said(app, staff_client, request_id) -> None:
    """After "the note was added", a refused close says why, not the note again."""
    counsellor = staff_client("counsellor")
    noted = send_inline(app, counsellor, request_id, "notes", "note", note="Hei")
    assert announced(noted.get_data(as_text=True)).startswith("Muistiinpano lisättiin.")
    refused = send_inline(app, counsellor, request_id, "status", "status", status="closed")
    assert refused.status_code == 422
    assert (
        announced(refused.get_data(as_text=True))
        == "Valitse lopputulos, jotta voit sulkea yhteydenottopyynnön."
    )
