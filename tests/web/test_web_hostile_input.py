"""Hostile and odd input where it enters: control characters, unreadable bytes and over-long
text in every kind of form; days and times outside the accepted range; LIKE wildcards in the
searches. Each answer is a 4xx with a message in the user's language and what was typed kept,
and what is stored is exactly what was accepted. Run on SQLite and on PostgreSQL
(``TEST_DATABASE_URL``): PostgreSQL is the one that refuses NUL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from pyydaapua.casework import changes
from pyydaapua.catalogue import services
from pyydaapua.database import db
from pyydaapua.inbox import queries
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import HelpRequest, HomeVisit, Service, TimelineEvent
from pyydaapua.rules.typed_dates import day_and_time_text
from pyydaapua.rules.workdays import HELSINKI, helsinki_date
from tests.helpers.forms import csrf_token

HTMX = {"HX-Request": "true"}
CONTROL = {
    "fi": "Tekstissä oli näkymättömiä ohjausmerkkejä, joita ei voi tallentaa.",
    "sv": "Texten innehöll osynliga styrtecken som inte kan sparas.",
}
UNREADABLE = {
    "fi": "Joitakin tämän tekstin merkkejä ei voitu lukea",
    "sv": "Några tecken i texten kunde inte läsas",
}
TOO_LONG = {"fi": "Kirjoita enintään 200 merkkiä.", "sv": "Skriv högst 200 tecken."}


def stored_requests(app) -> list[HelpRequest]:
    with app.app_context():
        return list(db.session.scalars(select(HelpRequest)))


# --- The parent's form ----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fi", "sv"])
@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("description", "Apua\x00 tarvitaan", "Apua tarvitaan"),
        ("description", "Kello\x07 soi\x1b[0m", "Kello soi[0m"),
        ("name", "Anna\nVirtanen", 'value="Anna Virtanen"'),
        ("name", "Anna\x00Virtanen", 'value="AnnaVirtanen"'),
        ("email", "anna\x00@example.fi", 'value="anna@example.fi"'),
        ("phone", "040\x00 123 4567", 'value="040 123 4567"'),
    ],
)
def test_control_characters_are_refused_next_to_the_field_and_the_rest_kept(
    app, request_form, lang, field, value, shown
) -> None:
    others = {"name": "Maija", "description": "Meillä on kysyttävää", "email": "m@example.fi"}
    others.pop(field, None)
    response = request_form.submit(lang=lang, **{field: value}, **others)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert CONTROL[lang] in html
    assert shown in html
    for kept in others.values():
        assert kept in html
    assert "\x00" not in html
    assert stored_requests(app) == []


def test_accepted_text_is_stored_exactly_as_accepted(app, request_form) -> None:
    description = "Rivi yksi\r\nRivi kaksi\tsarkaimella\rja ha\u0308lyttävää"
    response = request_form.submit(description=description, name="A\u030angström \u00c5sa")
    assert response.status_code == 303
    (stored,) = stored_requests(app)
    assert stored.description == "Rivi yksi\nRivi kaksi\tsarkaimella\nja hälyttävää"
    assert stored.name == "\u00c5ngström \u00c5sa"


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_over_long_text_is_refused_with_the_limit(app, request_form, lang) -> None:
    response = request_form.submit(lang=lang, name="x" * 201, description="Kysyttävää")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert TOO_LONG[lang] in html
    assert ">Kysyttävää</textarea>" in html
    assert stored_requests(app) == []
    assert request_form.submit(lang=lang, name="x" * 200).status_code == 303


def _raw_body(request_form, lang: str, tail: bytes) -> bytes:
    hidden = request_form.open(lang)
    return (
        urlencode(
            {**hidden, "contact_method": "phone", "phone": "040 123 4567", "name": "Maija"}
        ).encode()
        + tail
    )


@pytest.mark.parametrize("lang", ["fi", "sv"])
@pytest.mark.parametrize(
    ("tail", "shown"),
    [
        (b"&description=%FF%FEapua", "\ufffd\ufffdapua"),
        (b"&description=apua\xff", "apua\ufffd"),
    ],
)
def test_invalid_utf8_is_refused_in_its_own_field(
    app, client, request_form, lang, tail, shown
) -> None:
    response = client.post(
        f"/{lang}/request",
        data=_raw_body(request_form, lang, tail),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="description-error"' in html
    assert UNREADABLE[lang] in html
    assert 'value="Maija"' in html and 'value="040 123 4567"' in html
    # What could be read is kept, the unreadable bytes shown as replacement characters.
    assert f'aria-invalid="true">{shown}</textarea>' in html
    assert stored_requests(app) == []


def test_invalid_utf8_in_a_multipart_body_is_refused_in_its_own_field(app, client, request_form):
    fields = {
        **request_form.open("fi"),
        "contact_method": "phone",
        "phone": "040 123 4567",
        "name": "Maija",
    }
    parts = [
        f'--x\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(b'--x\r\nContent-Disposition: form-data; name="description"\r\n\r\napua\xff\r\n')
    response = client.post(
        "/fi/request",
        data=b"".join(parts) + b"--x--\r\n",
        content_type="multipart/form-data; boundary=x",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert UNREADABLE["fi"] in html and 'value="Maija"' in html
    assert stored_requests(app) == []


def test_valid_utf8_in_a_raw_body_is_read(app, client, request_form) -> None:
    response = client.post(
        "/fi/request",
        data=_raw_body(request_form, "fi", "&description=Hyvää päivää".encode()),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 303
    assert stored_requests(app)[0].description == "Hyvää päivää"


# --- Staff forms ----------------------------------------------------------------------------


@pytest.fixture
def req_id(app) -> int:
    with app.app_context():
        stored = submit(
            NewRequest(
                submission_key="h" * 32,
                language="fi",
                call_language="fi",
                phone="+358401234567",
                description="Tarvitsemme apua",
            ),
            now=datetime.now(UTC) - timedelta(days=1),
        )
        return stored.id


def post_action(client, app, request_id: int, path: str, data: dict, headers=None):
    with app.app_context():
        version = db.session.get(HelpRequest, request_id).version
    prefix = path.split("/")[0].rstrip("s").replace("referral", "referral")
    payload = {f"{prefix}-version": str(version), "csrf_token": csrf_token(client), **data}
    return client.post(f"/staff/requests/{request_id}/{path}", data=payload, headers=headers or {})


def timeline_kinds(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(TimelineEvent.kind)))


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_a_note_with_nul_is_refused_in_place(app, staff_client, req_id, headers) -> None:
    client = staff_client("counsellor", "sv")
    response = post_action(client, app, req_id, "notes", {"note-note": "Ring\x00 igen"}, headers)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="note-note-error"' in html
    assert CONTROL["sv"] in html
    assert 'aria-invalid="true">Ring igen</textarea>' in html
    assert timeline_kinds(app) == []
    if headers:
        assert "<html" not in html


def test_a_note_is_stored_as_accepted(app, staff_client, req_id) -> None:
    client = staff_client()
    response = post_action(client, app, req_id, "notes", {"note-note": "Yksi\r\nkaksi\ta\u0308"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalars(select(TimelineEvent.note)).one() == "Yksi\nkaksi\tä"


def test_an_admin_form_refuses_control_characters(app, staff_client) -> None:
    client = staff_client("admin")
    data = {
        "csrf_token": csrf_token(client),
        "name_fi": "Perhe\x00neuvola",
        "name_sv": "Familjerådgivning",
        "provider_type": "city",
    }
    response = client.post("/staff/admin/services/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert CONTROL["fi"] in html and 'value="Perheneuvola"' in html
    assert 'value="Familjerådgivning"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Service)) == 0


# --- Filters in the URL ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["request=%00", "request=%FF", "from=2026-01-01%00", "to=%FF%FE"],
)
def test_audit_log_filters_with_control_or_unreadable_characters(staff_client, query) -> None:
    response = staff_client("supervisor").get(f"/staff/audit?{query}")
    assert response.status_code == 422


def test_raw_invalid_utf8_in_a_query_string_is_a_422(staff_client) -> None:
    client = staff_client("supervisor")
    response = client.get("/staff/audit", environ_overrides={"QUERY_STRING": "request=\xff"})
    assert response.status_code == 422
    assert UNREADABLE["fi"] in response.get_data(as_text=True)


SEARCH_CONTROL = {
    "fi": "Hakutekstissä oli näkymättömiä ohjausmerkkejä.",
    "sv": "Söktexten innehöll osynliga styrtecken.",
}


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_inbox_search_with_nul_is_refused_next_to_the_field(
    app, staff_client, req_id, lang
) -> None:
    client = staff_client("counsellor", lang)
    response = client.get("/staff/?q=apua%00&status=all")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert SEARCH_CONTROL[lang] in html
    assert 'value="apua"' in html and 'aria-invalid="true"' in html
    # The other filters still apply: the list is there, without the search.
    assert html.count('<td class="reference-cell">') == 1
    partial = client.get("/staff/?q=apua%00", headers=HTMX)
    assert partial.status_code == 422
    body = partial.get_data(as_text=True)
    assert 'id="q-error" data-hx-swap-oob="true"' in body and SEARCH_CONTROL[lang] in body


def test_inbox_search_too_long_is_refused(staff_client) -> None:
    response = staff_client().get("/staff/?q=" + "a" * 101)
    assert response.status_code == 422
    assert "Kirjoita enintään 100 merkkiä." in response.get_data(as_text=True)
    assert staff_client().get("/staff/?q=" + "a" * 100).status_code == 200


def test_service_options_refuse_nul(app, staff_client) -> None:
    response = staff_client().get("/staff/services/options?q=per%00he")
    assert response.status_code == 422


# --- LIKE wildcards are taken literally ------------------------------------------------------


def _requests_with(app, descriptions: list[str]) -> None:
    with app.app_context():
        for number, text in enumerate(descriptions):
            submit(
                NewRequest(
                    submission_key=f"like-{number:02d}-{'y' * 20}",
                    language="fi",
                    call_language="fi",
                    phone="+358401234567",
                    description=text,
                )
            )


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("%", ["50 % alennus"]),
        ("_", ["a_b"]),
        ("a_b", ["a_b"]),
        ("\\", ["polku c:\\temp"]),
        ("/", ["yksi/kaksi"]),
        ("alennus", ["50 % alennus"]),
    ],
)
def test_inbox_search_takes_wildcards_literally(app, query, found) -> None:
    texts = ["50 % alennus", "ei prosenttia", "a_b", "axb", "polku c:\\temp", "yksi/kaksi"]
    _requests_with(app, texts)
    with app.app_context():
        today = helsinki_date(datetime.now(UTC))
        filters = queries.Filters.from_args({"q": query, "status": "all"})
        page = queries.requests_page(filters, 0, today, 100)
        # The list does not read the family's text; the test looks it up for the ids found.
        found_ids = [item.id for item in page.items]
        descriptions = db.session.scalars(
            select(HelpRequest.description).where(HelpRequest.id.in_(found_ids))
        )
        assert sorted(descriptions) == found


def test_inbox_page_search_for_percent(app, staff_client) -> None:
    _requests_with(app, ["50 % alennus", "ei prosenttia", "a_b"])
    html = staff_client().get("/staff/?q=%25").get_data(as_text=True)
    assert html.count('<td class="reference-cell">') == 1


def test_catalogue_search_takes_wildcards_literally(app) -> None:
    with app.app_context():
        for name in ("100 % tukea", "Perhetuki", "Tuki_ryhmä", "Tukiryhmä"):
            db.session.add(Service(name_fi=name, name_sv=name, provider_type="city"))
        db.session.commit()
        names = lambda text: [s.name_fi for s in services.search_services(text, "fi")]  # noqa: E731
        assert names("%") == ["100 % tukea"]
        assert names("_") == ["Tuki_ryhmä"]
        assert names("tuki_") == ["Tuki_ryhmä"]
        assert names("tuki") == ["Perhetuki", "Tuki_ryhmä", "Tukiryhmä"]


# --- Days and times -------------------------------------------------------------------------


def range_message(lang: str) -> str:
    last = f"31.12.{datetime.now(HELSINKI).year + 1}"
    return {
        "fi": f"Anna päivä väliltä 1.1.2020–{last}.",
        "sv": f"Ange en dag mellan 1.1.2020 och {last}.",
    }[lang]


def local(moment: datetime) -> str:
    return day_and_time_text(moment.astimezone(HELSINKI))


@pytest.mark.parametrize("lang", ["fi", "sv"])
@pytest.mark.parametrize("when", ["1.1.0001 0.00", "31.12.9999 23.59", "31.12.2019 10.00"])
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_a_call_outside_the_range_is_refused(
    app, staff_client, req_id, lang, when, headers
) -> None:
    client = staff_client("counsellor", lang)
    data = {"call-called_at": when, "call-result": "reached", "call-notes": "Muistiinpano"}
    response = post_action(client, app, req_id, "calls", data, headers)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert range_message(lang) in html
    assert 'id="call-called_at-error"' in html
    assert f'id="call-called_at" name="call-called_at" value="{when}"' in html
    assert 'name="call-result" value="reached" checked' in html
    assert 'id="call-notes" name="call-notes" rows="4">Muistiinpano</textarea>' in html
    assert timeline_kinds(app) == []


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_a_call_before_the_request_is_refused_next_to_the_time(
    app, staff_client, req_id, headers
) -> None:
    client = staff_client("counsellor", "sv")
    before = local(datetime.now(UTC) - timedelta(days=2))
    data = {"call-called_at": before, "call-result": "reached", "call-notes": "Anteckning"}
    response = post_action(client, app, req_id, "calls", data, headers)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    message = "Tiden för samtalet kan inte vara före den tidpunkt då kontaktbegäran skickades."
    assert f'id="call-called_at-error"><span class="visually-hidden">Fel:</span> {message}' in html
    assert f'id="call-called_at" name="call-called_at" value="{before}"' in html
    assert 'id="call-notes" name="call-notes" rows="4">Anteckning</textarea>' in html
    with app.app_context():
        assert db.session.get(HelpRequest, req_id).first_contact_at is None
    assert timeline_kinds(app) == []


@pytest.mark.parametrize("when", ["1.1.0001 0.00", "31.12.9999 23.59"])
def test_a_visit_outside_the_range_is_refused(app, staff_client, req_id, when) -> None:
    client = staff_client()
    with app.app_context():
        from pyydaapua.models import StaffUser

        user_id = db.session.scalars(select(StaffUser.id)).first()
    data = {
        "visit-starts_at": when,
        "visit-duration_minutes": "60",
        "visit-address": "Kotikatu 1",
        "visit-staff": str(user_id),
    }
    response = post_action(client, app, req_id, "visits", data)
    assert response.status_code == 422
    assert range_message("fi") in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HomeVisit)) == 0


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_a_future_visit_cannot_be_marked_done(app, staff_client, req_id, headers) -> None:
    client = staff_client()
    with app.app_context():
        from pyydaapua.models import StaffUser

        user = db.session.scalars(select(StaffUser)).first()
        req = db.session.get(HelpRequest, req_id)
        start = datetime.now(UTC) + timedelta(days=300)
        changes.book_visit(req, user, req.version, changes.VisitData(start, 60, "Katu 1", [user]))
        visit_id = db.session.scalars(select(HomeVisit.id)).one()
    data = {"visit_status-status": "done"}
    response = post_action(client, app, req_id, f"visits/{visit_id}/status", data, headers)
    assert response.status_code == 422
    assert "Kotikäynnin voi merkitä tehdyksi vasta, kun se on alkanut." in response.get_data(
        as_text=True
    )
    with app.app_context():
        req = db.session.get(HelpRequest, req_id)
        assert req.first_contact_at is None
        assert db.session.get(HomeVisit, visit_id).status == "planned"
    data = {"visit_status-status": "cancelled"}
    response = post_action(client, app, req_id, f"visits/{visit_id}/status", data)
    assert response.status_code == 303


@pytest.mark.parametrize("path", ["/staff/reports", "/staff/reports.csv?table=months"])
@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_a_report_period_outside_the_range_is_refused(staff_client, path, lang) -> None:
    client = staff_client("supervisor", lang)
    joiner = "&" if "?" in path else "?"
    response = client.get(f"{path}{joiner}start=0001-01-01&end=9999-12-31")
    assert response.status_code == 422
    assert range_message(lang) in response.get_data(as_text=True)


CAP = {
    "fi": "Ajanjakso voi olla enintään kolme vuotta",
    "sv": "En period kan vara högst tre år lång",
}


@pytest.mark.parametrize("path", ["/staff/reports", "/staff/reports.csv?table=months"])
@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_a_report_period_is_at_most_three_years(staff_client, path, lang) -> None:
    client = staff_client("supervisor", lang)
    joiner = "&" if "?" in path else "?"
    response = client.get(f"{path}{joiner}start=2020-01-01&end=2023-01-01")
    assert response.status_code == 422
    assert CAP[lang] in response.get_data(as_text=True)
    assert client.get(f"{path}{joiner}start=2020-01-01&end=2022-12-31").status_code == 200


@pytest.mark.parametrize("query", ["from=0001-01-01", "to=9999-12-31", "from=1.1.0001"])
def test_an_audit_log_day_outside_the_range_is_refused(staff_client, query) -> None:
    response = staff_client("supervisor").get(f"/staff/audit?{query}")
    assert response.status_code == 422
    assert range_message("fi") in response.get_data(as_text=True)


# --- Every form follows the rules -----------------------------------------------------------


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_every_form_has_the_text_rules_and_a_maximum_on_every_text_field(app) -> None:
    from flask_wtf import FlaskForm
    from wtforms.validators import Length

    from pyydaapua.web.forms import Form, text_kind

    forms = {cls for cls in _subclasses(FlaskForm) if cls.__module__.startswith("pyydaapua.")}
    assert len(forms) > 15
    checked = 0
    with app.test_request_context("/fi/"):
        for cls in forms:
            assert issubclass(cls, Form), (
                f"{cls.__name__} must derive from pyydaapua.web.forms.Form"
            )
            if cls.__name__.startswith("_"):
                continue
            form = cls(formdata=None)
            for field in form:
                if text_kind(field) is None:
                    continue
                lengths = [v for v in field.validators if isinstance(v, Length)]
                assert lengths and lengths[0].max > 0, f"{cls.__name__}.{field.name}: no maximum"
                assert lengths[0].message, f"{cls.__name__}.{field.name}: no message"
                assert field.pre_validate.__name__ == "pre_validate"
                assert field.filters[0].__name__ == "normalise"
                checked += 1
    assert checked > 30


# Form fields stored in a column of limited length: the form's maximum must fit the column.
STORED_IN = {
    ("RequestForm", "name"): ("HelpRequest", "name"),
    ("RequestForm", "email"): ("HelpRequest", "email"),
    ("VisitForm", "address"): ("HomeVisit", "address"),
    ("UserForm", "name"): ("StaffUser", "name"),
    ("NewUserForm", "name"): ("StaffUser", "name"),
    ("NewUserForm", "email"): ("StaffUser", "email"),
    ("ServiceForm", "name_fi"): ("Service", "name_fi"),
    ("ServiceForm", "name_sv"): ("Service", "name_sv"),
    ("ServiceForm", "provider"): ("Service", "provider"),
    ("ServiceForm", "phone"): ("Service", "phone"),
    ("ServiceForm", "url"): ("Service", "url"),
    ("ServiceForm", "email"): ("Service", "email"),
}


@pytest.mark.parametrize(("form_field", "column"), STORED_IN.items(), ids=str)
def test_form_maximums_match_their_columns(app, form_field, column) -> None:
    from flask_wtf import FlaskForm
    from wtforms.validators import Length

    from pyydaapua import models

    classes = {cls.__name__: cls for cls in _subclasses(FlaskForm)}
    form_name, field_name = form_field
    with app.test_request_context("/fi/"):
        field = classes[form_name](formdata=None)[field_name]
        maximum = next(v.max for v in field.validators if isinstance(v, Length))
    model, attribute = column
    assert maximum == getattr(models, model).__table__.c[attribute].type.length
