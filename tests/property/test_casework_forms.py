"""Every action on the request page under odd input, posted by a signed-in counsellor with a
valid CSRF token, as a plain form and with htmx: never a 5xx; accepted text is stored exactly;
refused text is shown again. One client and one request serve all examples of a test."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import select

from pyydaapua.casework import domain as casework
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import Call, HelpRequest, HomeVisit, Referral, Service, StaffUser
from pyydaapua.tools import demo
from pyydaapua.web.extensions import db
from pyydaapua.web.labels import (
    CALL_RESULT_LABELS,
    OUTCOME_LABELS,
    REFERRAL_STATUS_LABELS,
    SCALE_LABELS,
    STATUS_LABELS,
)
from tests.conftest import csrf_token
from tests.property import strategies as s
from tests.property.tally import send


@dataclass
class Desk:
    """A counsellor's signed-in client and one request to work on."""

    app: object
    client: object
    token: str
    request_id: int
    user_ids: list[str]
    service_ids: list[str]

    def version(self) -> int:
        with self.app.app_context():
            return db.session.get(HelpRequest, self.request_id).version

    def planned_visit(self) -> int:
        """A planned visit of the request: the last one, or a new one when it is not."""
        with self.app.app_context():
            visit = db.session.scalars(
                select(HomeVisit)
                .where(HomeVisit.request_id == self.request_id)
                .order_by(HomeVisit.id.desc())
            ).first()
            if visit is not None and visit.status == "planned":
                return visit.id
            worker = db.session.scalars(select(StaffUser)).first()
            help_request = db.session.get(HelpRequest, self.request_id)
            data = casework.VisitData(datetime.now(UTC) - timedelta(hours=1), 60, "K 1", [worker])
            casework.book_visit(help_request, worker, help_request.version, data)
            return casework.visits(self.request_id)[-1].id

    def referral(self) -> int:
        with self.app.app_context():
            return db.session.scalars(
                select(Referral.id).where(Referral.request_id == self.request_id)
            ).first()


@pytest.fixture
def desk(app, staff_client) -> Desk:
    client = staff_client("counsellor")
    with app.app_context():
        demo.load_services()
        stored = submit(
            NewRequest(
                submission_key="f" * 32, language="fi", call_language="fi", phone="+358401234567"
            ),
            now=datetime.now(UTC) - timedelta(days=3),  # calls and visits come after it
        )
        worker = db.session.scalars(select(StaffUser)).first()
        service = db.session.scalars(select(Service)).first()
        casework.refer(stored, worker, stored.version, service, "suggested")
        user_ids = [str(i) for i in db.session.scalars(select(StaffUser.id))]
        service_ids = [str(i) for i in db.session.scalars(select(Service.id))]
        request_id = stored.id
    return Desk(app, client, csrf_token(client), request_id, user_ids, service_ids)


# None stands for the request's current version, which most examples send.
VERSION = st.one_of(st.none(), st.none(), st.none(), s.number)


def post(desk: Desk, form: str, path: str, prefix: str, items, version, headers):
    data = s.form(desk.token, items)
    data.add(f"{prefix}-version", str(desk.version()) if version is None else version)
    url = f"/staff/requests/{desk.request_id}{path}"
    return send(form, desk.client, "POST", url, data=data, headers=headers)


def check_text(desk: Desk, response, items, prefix: str, names, stored) -> None:
    """Stored text equals the accepted text; refused text is on the page again. ``names``
    maps each text field to whether it is a multi-line one."""
    if response.status_code in (200, 303):
        values = stored()
        for name, multiline in names.items():
            expected = s.accepted(s.first(items, f"{prefix}-{name}"), multiline)
            assert values[name] == expected, name
    elif response.status_code in (409, 422):
        html = response.get_data(as_text=True)
        for name, multiline in names.items():
            typed = s.shown_again(s.first(items, f"{prefix}-{name}"), multiline)
            assert str(escape(typed)) in html, name


def latest(app, model, **where):
    with app.app_context():
        query = select(model).order_by(model.id.desc())
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        row = db.session.scalars(query).first()
        db.session.expunge_all()
        return row


@given(items=s.fields({"note-note": s.text}), version=VERSION, headers=s.htmx)
def test_note(desk, items, version, headers) -> None:
    from pyydaapua.models import TimelineEvent

    before = latest(desk.app, TimelineEvent, kind="note")
    response = post(desk, "casework: note", "/notes", "note", items, version, headers)

    def stored():
        event = latest(desk.app, TimelineEvent, kind="note")
        assert event is not None and event is not before
        return {"note": event.note}

    check_text(desk, response, items, "note", {"note": True}, stored)


CALL = {
    "call-called_at": s.moment,
    "call-result": s.choice(tuple(CALL_RESULT_LABELS)),
    "call-duration_minutes": s.number,
    "call-notes": s.text,
    "call-coping": s.choice(tuple(SCALE_LABELS)),
    "call-coping_note": s.text,
    "call-finances": s.choice(tuple(SCALE_LABELS)),
    "call-finances_note": s.text,
    "call-daily_life": s.choice(tuple(SCALE_LABELS)),
    "call-daily_life_note": s.text,
}


CALM_CALL = {
    "call-called_at": s.near_now.filter(lambda text: text <= s.helsinki_now_text()),
    "call-result": st.sampled_from(tuple(CALL_RESULT_LABELS)),
    "call-duration_minutes": st.integers(1, 600).map(str),
    "call-notes": s.calm_text,
    "call-coping_note": s.calm_text,
    "call-finances_note": s.calm_text,
    "call-daily_life_note": s.calm_text,
}


@given(items=s.fields(CALL, CALM_CALL), version=VERSION, headers=s.htmx)
def test_call(desk, items, version, headers) -> None:
    response = post(desk, "casework: call", "/calls", "call", items, version, headers)
    names = {"notes": True, "coping_note": False, "finances_note": False, "daily_life_note": False}

    def stored():
        call = latest(desk.app, Call)
        return {name: getattr(call, name) for name in names}

    check_text(desk, response, items, "call", names, stored)


STATUS = {
    "status-status": s.choice(tuple(STATUS_LABELS)),
    "status-outcome": s.choice(("", *OUTCOME_LABELS)),
    "status-note": s.text,
}


@given(items=s.fields(STATUS), version=VERSION, headers=s.htmx)
def test_status(desk, items, version, headers) -> None:
    post(desk, "casework: status", "/status", "status", items, version, headers)


@given(data=st.data(), version=VERSION, headers=s.htmx)
def test_assign(desk, data, version, headers) -> None:
    items = data.draw(s.fields({"assign-assignee": s.choice(["", *desk.user_ids])}))
    post(desk, "casework: assign", "/assign", "assign", items, version, headers)
    items = data.draw(s.fields({}))
    post(desk, "casework: take", "/take", "assign", items, version, headers)


def calm_visit(desk: Desk, prefix: str) -> dict:
    return {
        f"{prefix}-starts_at": s.near_now,
        f"{prefix}-duration_minutes": st.integers(15, 480).map(str),
        f"{prefix}-address": s.calm_text,
        f"{prefix}-staff": st.sampled_from(desk.user_ids),
    }


def visit_spec(desk: Desk, prefix: str) -> dict:
    return {
        f"{prefix}-starts_at": s.moment,
        f"{prefix}-duration_minutes": s.number,
        f"{prefix}-address": s.text,
        f"{prefix}-staff": st.one_of(s.choice(desk.user_ids), s.number),
    }


@given(data=st.data(), version=VERSION, headers=s.htmx)
def test_book_visit(desk, data, version, headers) -> None:
    items = data.draw(s.fields(visit_spec(desk, "visit"), calm_visit(desk, "visit")))
    before = latest(desk.app, HomeVisit)
    response = post(desk, "casework: book a visit", "/visits", "visit", items, version, headers)

    def stored():
        visit = latest(desk.app, HomeVisit)
        assert before is None or visit.id != before.id
        return {"address": visit.address}

    check_text(desk, response, items, "visit", {"address": False}, stored)


@given(data=st.data(), version=VERSION, headers=s.htmx)
def test_change_visit(desk, data, version, headers) -> None:
    visit_id = data.draw(st.one_of(st.none(), st.none(), s.number))
    if visit_id is None:
        visit_id = str(desk.planned_visit())
        prefix = f"visit{visit_id}"
    else:
        prefix = "visit1"
    items = data.draw(s.fields(visit_spec(desk, prefix), calm_visit(desk, prefix)))
    path = "/visits/" + _path_number(visit_id)
    post(desk, "casework: change a visit", path, prefix, items, version, headers)


@given(data=st.data(), version=VERSION, headers=s.htmx)
def test_visit_status(desk, data, version, headers) -> None:
    visit_id = str(desk.planned_visit())
    spec = {
        "visit_status-status": s.choice(("done", "cancelled")),
        "visit_status-note": s.text,
    }
    items = data.draw(s.fields(spec))
    path = f"/visits/{visit_id}/status"
    response = post(desk, "casework: visit done", path, "visit_status", items, version, headers)
    if response.status_code in (200, 303):
        with desk.app.app_context():
            visit = db.session.get(HomeVisit, int(visit_id))
            expected = s.accepted(s.first(items, "visit_status-note"), multiline=False)
            assert visit.status != "planned" and visit.status_note == expected


@given(data=st.data(), version=VERSION, headers=s.htmx)
def test_referral(desk, data, version, headers) -> None:
    spec = {
        "referral-service": st.one_of(s.choice(desk.service_ids), s.number),
        "referral-status": s.choice(tuple(REFERRAL_STATUS_LABELS)),
        "referral-note": s.text,
    }
    items = data.draw(s.fields(spec))
    before = latest(desk.app, Referral)
    response = post(desk, "casework: referral", "/referrals", "referral", items, version, headers)

    def stored():
        referral = latest(desk.app, Referral)
        assert referral.id != before.id
        return {"note": referral.note}

    check_text(desk, response, items, "referral", {"note": True}, stored)


@given(data=st.data(), version=VERSION, headers=s.htmx)
def test_referral_status(desk, data, version, headers) -> None:
    referral_id = data.draw(st.one_of(st.none(), st.none(), s.number))
    referral_id = str(desk.referral()) if referral_id is None else referral_id
    items = data.draw(s.fields({"referral_status-status": s.choice(tuple(REFERRAL_STATUS_LABELS))}))
    path = f"/referrals/{_path_number(referral_id)}/status"
    post(desk, "casework: referral status", path, "referral_status", items, version, headers)


def _path_number(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="") or "0"
