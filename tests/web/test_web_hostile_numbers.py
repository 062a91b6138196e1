"""Hostile numbers in the staff forms (the number rule of ``pyydaapua.web.forms.Form``): a
number with hundreds of digits, one just past an INTEGER column, a negative id, in every integer
field and every choice of ids of every casework form. Each is a 422 with the field's message in
the counsellor's language and the text being written kept; nothing is stored. A person or an
item sent twice counts once. Run on SQLite and on PostgreSQL (``TEST_DATABASE_URL``), which
refuses a number past 2^31 - 1 compared with an INTEGER column."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from pyydaapua.casework import changes
from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import (
    AuditEvent,
    HelpRequest,
    HomeVisit,
    Referral,
    Service,
    StaffUser,
    TimelineEvent,
)
from pyydaapua.rules.typed_dates import day_and_time_text
from pyydaapua.rules.workdays import HELSINKI
from tests.helpers.forms import csrf_token
from tests.helpers.staff import make_staff, sign_in

OUT_OF_DATE = {
    "fi": "Lomake on vanhentunut. Päivitä sivu ja yritä uudelleen.",
    "sv": "Formuläret är föråldrat. Ladda om sidan och försök igen.",
}
CALL_DURATION = {
    "fi": "Kirjoita kesto minuutteina väliltä 1–600.",
    "sv": "Skriv en längd mellan 1 och 600 minuter.",
}
VISIT_DURATION = {
    "fi": "Kirjoita kesto minuutteina väliltä 15–480.",
    "sv": "Skriv en längd mellan 15 och 480 minuter.",
}
FROM_THE_LIST = {"fi": "Valitse luettelosta.", "sv": "Välj i listan."}

HUGE = "9" * 400  # past a float: WTForms' NumberRange raised OverflowError
PAST_INTEGER = str(2**31)  # past PostgreSQL's INTEGER: "integer out of range"
BELOW_INTEGER = str(-(2**31) - 1)
BAD_NUMBERS = [HUGE, PAST_INTEGER, BELOW_INTEGER, "-" + HUGE]
BAD_IDS = [HUGE, PAST_INTEGER, "-1", "9" * 19 + "0"]

TYPED = {"fi": "Äiti kertoi puhelussa jaksamisesta", "sv": "Mamman berättade om orken"}


class Desk:
    """A counsellor in ``lang`` and a request with a planned visit still to come and a
    referral waiting for the service's answer."""

    def __init__(self, app, lang: str) -> None:
        self.app = app
        self.lang = lang
        self.user_id, email = make_staff(app, "counsellor", lang)
        self.client = app.test_client()
        assert sign_in(self.client, email).status_code == 303
        self.token = csrf_token(self.client)
        with app.app_context():
            request = submit(
                NewRequest(
                    submission_key=f"n{lang}" * 16,
                    language=lang,
                    call_language=lang,
                    phone="+358401234567",
                    description="Tarvitsemme apua",
                ),
                now=datetime.now(UTC) - timedelta(days=2),
            )
            worker = db.session.get(StaffUser, self.user_id)
            service = Service(
                name_fi="Perheneuvola", name_sv="Familjerådgivning", provider_type="city"
            )
            db.session.add(service)
            db.session.flush()
            data = changes.VisitData(datetime.now(UTC) + timedelta(days=3), 60, "Katu 1", [worker])
            changes.book_visit(request, worker, request.version, data)
            changes.refer(request, worker, request.version, service, "sent")
            self.request_id = request.id
            self.service_id = service.id
            self.visit_id = db.session.scalars(select(HomeVisit.id)).one()
            self.referral_id = db.session.scalars(select(Referral.id)).one()

    def version(self) -> int:
        with self.app.app_context():
            return db.session.get(HelpRequest, self.request_id).version

    def counts(self) -> tuple[int, ...]:
        """What a refused form must not change: the timeline, the visits and referrals and
        their states, the request's version."""
        with self.app.app_context():
            return (
                db.session.scalar(select(func.count()).select_from(TimelineEvent)),
                db.session.scalar(select(func.count()).select_from(HomeVisit)),
                db.session.scalar(select(func.count()).select_from(Referral)),
                db.session.scalar(
                    select(func.count()).select_from(HomeVisit).where(HomeVisit.status != "planned")
                ),
                db.session.scalar(
                    select(func.count()).select_from(Referral).where(Referral.status != "sent")
                ),
                self.version(),
            )

    def post(self, path: str, prefix: str, fields: dict, headers=None):
        data = {"csrf_token": self.token, f"{prefix}-version": str(self.version()), **fields}
        url = f"/staff/requests/{self.request_id}/{path}"
        return self.client.post(url, data=data, headers=headers or {})


@pytest.fixture(params=["fi", "sv"])
def desk(app, request) -> Desk:
    return Desk(app, request.param)


def local(moment: datetime) -> str:
    return day_and_time_text(moment.astimezone(HELSINKI))


def forms(desk: Desk) -> dict[str, tuple[str, str, dict, str | None]]:
    """Each casework form: its path, prefix, fields that it would accept, and the name of the
    text field being written (whose text must come back), if any."""
    typed = TYPED[desk.lang]
    visit = f"visit{desk.visit_id}"
    soon = local(datetime.now(UTC) + timedelta(days=4))
    return {
        "note": ("notes", "note", {"note-note": typed}, "note-note"),
        "message": ("messages", "message", {"message-message": typed}, "message-message"),
        "call": (
            "calls",
            "call",
            {
                "call-called_at": local(datetime.now(UTC) - timedelta(hours=1)),
                "call-result": "reached",
                "call-duration_minutes": "20",
                "call-notes": typed,
            },
            "call-notes",
        ),
        "all_fine": ("calls/all-fine", "all_fine", {}, None),
        "visit": (
            "visits",
            "visit",
            {
                "visit-starts_at": soon,
                "visit-duration_minutes": "60",
                "visit-address": typed,
                "visit-staff": str(desk.user_id),
            },
            "visit-address",
        ),
        "visit_edit": (
            f"visits/{desk.visit_id}",
            visit,
            {
                f"{visit}-starts_at": soon,
                f"{visit}-duration_minutes": "60",
                f"{visit}-address": typed,
                f"{visit}-staff": str(desk.user_id),
            },
            f"{visit}-address",
        ),
        "visit_status": (
            f"visits/{desk.visit_id}/status",
            "visit_status",
            {"visit_status-status": "cancelled", "visit_status-note": typed},
            "visit_status-note",
        ),
        "referral": (
            "referrals",
            "referral",
            {
                "referral-service": str(desk.service_id),
                "referral-status": "suggested",
                "referral-consent": "declined",
                "referral-note": typed,
            },
            "referral-note",
        ),
        "referral_status": (
            f"referrals/{desk.referral_id}/status",
            "referral_status",
            {"referral_status-status": "accepted"},
            None,
        ),
        "status": (
            "status",
            "status",
            {
                "status-status": "closed",
                "status-outcome": "conversation_enough",
                "status-note": typed,
                "status-open_work_seen": "y",
                "status-cancel_visits": str(desk.visit_id),
                "status-end_referrals": str(desk.referral_id),
            },
            "status-note",
        ),
        "assign": ("assign", "assign", {"assign-assignee": str(desk.user_id)}, None),
    }


MESSAGES = {
    "out of date": OUT_OF_DATE,
    "call duration": CALL_DURATION,
    "visit duration": VISIT_DURATION,
}
VERSIONED = (
    "note",
    "message",
    "call",
    "all_fine",
    "visit",
    "visit_edit",
    "visit_status",
    "referral",
    "referral_status",
    "status",
    "assign",
)
# (form, field, message): every integer field of the casework forms.
INTEGER_FIELDS = [
    *((name, "version", "out of date") for name in VERSIONED),
    ("call", "duration_minutes", "call duration"),
    ("visit", "duration_minutes", "visit duration"),
    ("visit_edit", "duration_minutes", "visit duration"),
]
# (form, field): every choice of ids.
ID_FIELDS = [
    ("assign", "assignee"),
    ("visit", "staff"),
    ("visit_edit", "staff"),
    ("referral", "service"),
    ("status", "cancel_visits"),
    ("status", "end_referrals"),
]


def assert_refused(desk: Desk, response, before, message: str, typed_field: str | None, fields):
    assert response.status_code == 422, response.status_code
    html = response.get_data(as_text=True)
    assert message in html
    if typed_field is not None:
        assert str(escape(fields[typed_field])) in html
    assert desk.counts() == before


# Each value in one language, so that every field is checked in both.
NUMBER_CASES = {"400 digits, fi": (HUGE, "fi"), "2^31, sv": (PAST_INTEGER, "sv")}
MORE_NUMBER_CASES = {"-2^31 - 1, fi": (BELOW_INTEGER, "fi"), "-400 digits, sv": ("-" + HUGE, "sv")}
ID_CASES = {
    "400 digits, fi, page": (HUGE, "fi", {}),
    "2^31, sv, htmx": (PAST_INTEGER, "sv", {"HX-Request": "true"}),
    "-1, fi, htmx": ("-1", "fi", {"HX-Request": "true"}),
}


@pytest.fixture
def make_desk(app):
    return lambda lang: Desk(app, lang)


@pytest.mark.parametrize("case", NUMBER_CASES.values(), ids=NUMBER_CASES)
@pytest.mark.parametrize(("name", "field", "message"), INTEGER_FIELDS, ids=str)
def test_an_integer_out_of_range_is_refused_with_the_text_kept(
    make_desk, name, field, message, case
) -> None:
    value, lang = case
    desk = make_desk(lang)
    path, prefix, fields, typed_field = forms(desk)[name]
    before = desk.counts()
    if field == "version":
        response = desk.client.post(
            f"/staff/requests/{desk.request_id}/{path}",
            data={"csrf_token": desk.token, f"{prefix}-version": value, **fields},
        )
    else:
        response = desk.post(path, prefix, {**fields, f"{prefix}-{field}": value})
    assert_refused(desk, response, before, MESSAGES[message][lang], typed_field, fields)


@pytest.mark.parametrize("case", {**NUMBER_CASES, **MORE_NUMBER_CASES}.values(), ids=str)
def test_the_pages_version_out_of_range_is_refused_with_the_text_kept(make_desk, case) -> None:
    """The version the page shows, which htmx sends with every form (``version``), goes
    through the form's own number rule."""
    value, lang = case
    desk = make_desk(lang)
    path, _prefix, fields, typed_field = forms(desk)["call"]
    before = desk.counts()
    response = desk.client.post(
        f"/staff/requests/{desk.request_id}/{path}",
        data={"csrf_token": desk.token, "version": value, **fields},
        headers={"HX-Request": "true"},
    )
    assert_refused(desk, response, before, OUT_OF_DATE[lang], typed_field, fields)


@pytest.mark.parametrize("case", MORE_NUMBER_CASES.values(), ids=MORE_NUMBER_CASES)
@pytest.mark.parametrize("name", ["call", "visit"])
def test_a_negative_duration_past_the_range_is_refused(make_desk, name, case) -> None:
    value, lang = case
    desk = make_desk(lang)
    path, prefix, fields, typed_field = forms(desk)[name]
    before = desk.counts()
    response = desk.post(path, prefix, {**fields, f"{prefix}-duration_minutes": value})
    message = CALL_DURATION if name == "call" else VISIT_DURATION
    assert_refused(desk, response, before, message[lang], typed_field, fields)


@pytest.mark.parametrize("case", ID_CASES.values(), ids=ID_CASES)
@pytest.mark.parametrize(("name", "field"), ID_FIELDS, ids=str)
def test_an_id_out_of_range_is_refused_with_the_text_kept(make_desk, name, field, case) -> None:
    value, lang, headers = case
    desk = make_desk(lang)
    path, prefix, fields, typed_field = forms(desk)[name]
    before = desk.counts()
    # The bad id after a good one: every value of a multiple choice is checked.
    good = fields.get(f"{prefix}-{field}")
    sent = [good, value] if field in ("staff", "cancel_visits", "end_referrals") else value
    response = desk.post(path, prefix, {**fields, f"{prefix}-{field}": sent}, headers)
    assert_refused(desk, response, before, FROM_THE_LIST[lang], typed_field, fields)
    if headers:
        assert "<html" not in response.get_data(as_text=True)


@pytest.mark.parametrize("name", ["visit", "visit_edit"])
def test_a_staff_member_sent_twice_goes_on_the_visit_once(desk, name) -> None:
    path, prefix, fields, _ = forms(desk)[name]
    me = str(desk.user_id)
    response = desk.post(path, prefix, {**fields, f"{prefix}-staff": [me, me, "", me]})
    assert response.status_code == 303
    with desk.app.app_context():
        visit = db.session.scalars(select(HomeVisit).order_by(HomeVisit.id.desc())).first()
        assert [user.id for user in visit.staff] == [desk.user_id]


def test_visits_and_referrals_sent_twice_are_settled_once_on_closing(desk) -> None:
    path, prefix, fields, _ = forms(desk)["status"]
    visit, referral = str(desk.visit_id), str(desk.referral_id)
    fields = {
        **fields,
        "status-cancel_visits": [visit, visit],
        "status-end_referrals": [referral, referral],
    }
    response = desk.post(path, prefix, fields)
    assert response.status_code == 303
    with desk.app.app_context():
        assert db.session.get(HelpRequest, desk.request_id).status == "closed"
        assert db.session.get(HomeVisit, desk.visit_id).status == "cancelled"
        assert db.session.get(Referral, desk.referral_id).status == "ended"
        kinds = db.session.scalars(select(TimelineEvent.kind)).all()
        assert kinds.count("visit_cancelled") == 1
        assert kinds.count("referral_status") == 1


@pytest.mark.parametrize("name", ["note", "call", "visit", "referral", "status", "assign"])
def test_the_forms_accept_what_they_are_given_here(desk, name) -> None:
    """The fields above are well formed: each form accepts them, so that the refusals above
    come from the bad number alone."""
    path, prefix, fields, _ = forms(desk)[name]
    assert desk.post(path, prefix, fields).status_code == 303


def test_the_audit_log_refuses_a_user_past_the_range(app, staff_client) -> None:
    client = staff_client("supervisor", "sv")
    response = client.get(f"/staff/audit?user={PAST_INTEGER}")
    assert response.status_code == 422
    assert "Välj en anställd i listan." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) >= 0
